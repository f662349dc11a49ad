/**
 * A set of intake-log sequences (non-negative integers below 2^53) as one bit per sequence over a
 * window that starts at the lowest member: what `TransactionIntake` tracks as unresolved. Sequences
 * come in increasing order and leave roughly in that order, so the window stays about as wide as the
 * records in flight; a `Set<number>` cost a hash-table insert and delete per transaction and
 * re-allocated its table as it grew and shrank with every block.
 *
 * The window spans from the lowest member to the highest, whatever lies between: a record left
 * unresolved for long (a parked transaction) widens it by one bit per record logged since (8 MiB per
 * 67M records), as it already keeps the log's segments from being deleted.
 */
export class SequenceSet {
  /** Bit `s % capacity` is member `s`, for s in [#base, #base + capacity). */
  #words = new Uint32Array(INITIAL_WORDS)
  /** `#words.length × 32 − 1`: capacity is a power of two. */
  #mask = INITIAL_WORDS * 32 - 1
  /** Every member is ≥ it; it is a member whenever the set is not empty. */
  #base = 0
  /** Every member is ≤ it (the highest added since the set was last empty). */
  #top = 0
  #size = 0

  get size(): number {
    return this.#size
  }

  has(sequence: number): boolean {
    if (this.#size === 0 || sequence < this.#base || sequence - this.#base > this.#mask) return false
    const bit = sequence & this.#mask
    return ((this.#words[bit >>> 5] as number) & (1 << (bit & 31))) !== 0
  }

  add(sequence: number): void {
    if (this.#size === 0) {
      this.#base = sequence
      this.#top = sequence
    } else if (sequence < this.#base) {
      if (this.#top - sequence > this.#mask) this.#resize(this.#top - sequence)
      this.#base = sequence
    } else if (sequence > this.#top) {
      if (sequence - this.#base > this.#mask) this.#resize(sequence - this.#base)
      this.#top = sequence
    }
    const bit = sequence & this.#mask
    const word = bit >>> 5
    const flag = 1 << (bit & 31)
    const old = this.#words[word] as number
    if ((old & flag) !== 0) return
    this.#words[word] = old | flag
    this.#size++
  }

  delete(sequence: number): boolean {
    if (!this.has(sequence)) return false
    const bit = sequence & this.#mask
    this.#words[bit >>> 5] = (this.#words[bit >>> 5] as number) & ~(1 << (bit & 31))
    this.#size--
    if (this.#size > 0 && sequence === this.#base) this.#base = this.#nextMember(sequence + 1)
    return true
  }

  /** The lowest member ≥ `sequence`, or undefined when there is none. */
  firstFrom(sequence: number): number | undefined {
    if (this.#size === 0) return undefined
    if (sequence <= this.#base) return this.#base
    return this.#scan(sequence, this.#top + 1)
  }

  /** The first member from `sequence` on, which exists (the set holds one above the base it left). */
  #nextMember(sequence: number): number {
    return this.#scan(sequence, this.#top + 1) as number
  }

  /** The first member in [from, end), `end` at most past the window. */
  #scan(from: number, end: number): number | undefined {
    let s = from
    while (s < end) {
      const bit = s & this.#mask
      const word = this.#words[bit >>> 5] as number
      // A whole empty word at once: runs of resolved sequences are the common case.
      if (word === 0 && (bit & 31) === 0) {
        s += 32
        continue
      }
      if ((word & (1 << (bit & 31))) !== 0) return s
      s++
    }
    return undefined
  }

  /** A window of more than `span` sequences, keeping the current members. */
  #resize(span: number): void {
    let capacity = this.#mask + 1
    while (capacity <= span) capacity *= 2
    const words = new Uint32Array(capacity / 32)
    const mask = capacity - 1
    const end = this.#base + this.#mask + 1
    for (let s = this.#base; s < end; s++) {
      if (!this.has(s)) continue
      const bit = s & mask
      words[bit >>> 5] = (words[bit >>> 5] as number) | (1 << (bit & 31))
    }
    this.#words = words
    this.#mask = mask
  }
}

/** 32,768 sequences: a few blocks' admissions. */
const INITIAL_WORDS = 1024
