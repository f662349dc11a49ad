/**
 * A bounded cache of stored trie nodes' encodings, keyed by their hash, for the levels below a trie's
 * resident depth. A node below the resident depth goes back to a hash reference after each commit
 * and is re-read from the store when a later key passes through it: at 1M accounts every depth-5
 * branch and every leaf is such a node, and a LevelDB `getSync` of one costs ~20 µs of main thread
 * against ~1 µs here. Nodes are content-addressed and never change, so an entry is valid for as long
 * as it is kept.
 *
 * The bytes live in one buffer cut into segments, filled in turn; when the next segment is needed,
 * the entries it holds are dropped, except the ones read since they were put there (or put as
 * `shared`: inner nodes, on many keys' paths), which are written again after it (a second chance).
 * There is no object per entry, so the garbage collector never visits the cache's contents, and
 * `bytes` bounds its memory (plus an index of `bytes / 8`). The buffer is allocated on the first put.
 */

/** Default size of a trie store's node cache: at 1M accounts, every inner node below depth 4 (~35 MB) and a third of the leaves. */
export const DEFAULT_NODE_CACHE_BYTES = 128 * 1024 * 1024

const SEGMENTS = 16
/** An entry: 2 bytes of length, 1 byte of flags, the 32-byte hash, then the encoding. */
const HEADER = 35
const HASH_AT = 3
const FLAG_READ = 1

export class NodeCache {
  /** Capacity in bytes of the entries (the index adds `bytes / 8`). */
  readonly bytes: number
  private readonly segmentSize: number
  /** The entries' bytes; allocated on the first `put`, so an unused cache costs nothing. */
  private data: Uint8Array | null = null
  /** Open addressing over the first 4 bytes of the hash: offset of the entry + 1, 0 when free. */
  private index: Int32Array | null = null
  private mask = 0
  private segment = 0
  private writeAt = 0
  private segmentEnd = 0
  /** Live entries, for tests and metrics. */
  entries = 0
  hits = 0
  misses = 0

  constructor(bytes: number = DEFAULT_NODE_CACHE_BYTES) {
    if (!Number.isInteger(bytes) || bytes < SEGMENTS * 4096 || bytes > 2 ** 30) {
      throw new RangeError(`a node cache holds from ${SEGMENTS * 4096} bytes to 1 GiB, not ${bytes}`)
    }
    this.bytes = bytes
    this.segmentSize = Math.floor(bytes / SEGMENTS)
  }

  /** The encoding stored under `hash`, copied into `allocate(length)` (the caller keeps it), or undefined. */
  get(hash: Uint8Array, allocate: (length: number) => Uint8Array): Uint8Array | undefined {
    const at = this.find(hash)
    if (at < 0) {
      this.misses++
      return undefined
    }
    this.hits++
    const data = this.data as Uint8Array
    data[at + 2] = (data[at + 2] as number) | FLAG_READ
    const start = at + HEADER
    const length = (data[at] as number) | ((data[at + 1] as number) << 8)
    const out = allocate(length)
    for (let i = 0; i < length; i++) out[i] = data[start + i] as number
    return out
  }

  /**
   * Keeps `encoding` as the node stored under `hash` (bytes are copied); too large ones are skipped.
   * A `shared` node (an inner node, on the paths of many keys) is kept one round longer, as if read.
   * It does not look for `hash` first: a node put twice is held twice until its copies are dropped,
   * which costs room only (callers put what they read from the store or wrote, not what `get` gave).
   */
  put(hash: Uint8Array, encoding: Uint8Array, shared = false): void {
    if (
      hash.length !== 32 ||
      encoding.length === 0 ||
      encoding.length > 0xffff ||
      HEADER + encoding.length > this.segmentSize >> 2
    )
      return
    if (this.data === null) this.allocate()
    this.append(hash, encoding, 0, encoding.length, shared ? FLAG_READ : 0)
  }

  private allocate(): void {
    this.data = new Uint8Array(this.segmentSize * SEGMENTS)
    // one slot per 32 bytes: entries are at least HEADER + 32 bytes, so the index is at most half full
    let slots = 1024
    while (slots < this.bytes / 32) slots *= 2
    this.index = new Int32Array(slots)
    this.mask = slots - 1
    this.segment = 0
    this.writeAt = 0
    this.segmentEnd = this.segmentSize
  }

  /** Offset of the entry for `hash`, or -1. */
  private find(hash: Uint8Array): number {
    const index = this.index
    if (index === null) return -1
    const data = this.data as Uint8Array
    const mask = this.mask
    for (let slot = slotOf(hash, 0) & mask; ; slot = (slot + 1) & mask) {
      const v = index[slot] as number
      if (v === 0) return -1
      const at = v - 1
      if (sameHash(data, at + HASH_AT, hash)) return at
    }
  }

  /** Writes an entry from `source[from, to)`, making room in the next segment when this one is full. */
  private append(hash: Uint8Array, source: Uint8Array, from: number, to: number, flags: number): void {
    const length = to - from
    if (this.writeAt + HEADER + length > this.segmentEnd) this.nextSegment()
    const data = this.data as Uint8Array
    const at = this.writeAt
    data[at] = length & 0xff
    data[at + 1] = length >> 8
    data[at + 2] = flags
    // byte loops: entries are ~40-550 bytes, where a \`set\` with its \`subarray\` costs more
    for (let i = 0; i < 32; i++) data[at + HASH_AT + i] = hash[i] as number
    const start = at + HEADER - from
    for (let i = from; i < to; i++) data[start + i] = source[i] as number
    this.writeAt = at + HEADER + length
    this.insertSlot(at)
    this.entries++
  }

  /**
   * Moves to the next segment, dropping its entries from the index; the ones read since they were
   * written are copied out first and written again at its start (without their read flag).
   */
  private nextSegment(): void {
    const data = this.data as Uint8Array
    // the rest of the current segment stays unused: mark where its entries end
    if (this.writeAt + 2 <= this.segmentEnd) {
      data[this.writeAt] = 0
      data[this.writeAt + 1] = 0
    }
    this.segment = (this.segment + 1) % SEGMENTS
    const start = this.segment * this.segmentSize
    const end = start + this.segmentSize
    const kept: number[] = []
    let at = start
    while (at + HEADER <= end) {
      const length = (data[at] as number) | ((data[at + 1] as number) << 8)
      if (length === 0) break
      if (this.removeSlot(at)) {
        this.entries--
        if (((data[at + 2] as number) & FLAG_READ) !== 0) kept.push(at)
      }
      at += HEADER + length
    }
    let survivors: Uint8Array | null = null
    if (kept.length > 0) {
      const last = kept[kept.length - 1] as number
      const lastEnd = last + HEADER + ((data[last] as number) | ((data[last + 1] as number) << 8))
      survivors = data.slice(kept[0] as number, lastEnd)
    }
    this.writeAt = start
    this.segmentEnd = end
    if (start + 2 <= end) {
      data[start] = 0
      data[start + 1] = 0
    }
    if (survivors === null) return
    const base = kept[0] as number
    // only the kept entries, each once; they fit, since they came from this very segment
    for (const entryAt of kept) {
      const from = entryAt - base
      const length = (survivors[from] as number) | ((survivors[from + 1] as number) << 8)
      const hash = survivors.subarray(from + HASH_AT, from + HEADER)
      this.append(hash, survivors, from + HEADER, from + HEADER + length, 0)
    }
    if (this.writeAt + 2 <= this.segmentEnd) {
      data[this.writeAt] = 0
      data[this.writeAt + 1] = 0
    }
  }

  private insertSlot(at: number): void {
    const index = this.index as Int32Array
    const mask = this.mask
    let slot = slotOf(this.data as Uint8Array, at + HASH_AT) & mask
    while (index[slot] !== 0) slot = (slot + 1) & mask
    index[slot] = at + 1
  }

  /** Removes the index's slot of the entry at `at` (backward-shift deletion); false when it has none. */
  private removeSlot(at: number): boolean {
    const index = this.index as Int32Array
    const data = this.data as Uint8Array
    const mask = this.mask
    let slot = slotOf(data, at + HASH_AT) & mask
    for (;;) {
      const v = index[slot] as number
      if (v === 0) return false
      if (v === at + 1) break
      slot = (slot + 1) & mask
    }
    let hole = slot
    index[hole] = 0
    for (let next = (hole + 1) & mask; index[next] !== 0; next = (next + 1) & mask) {
      const home = slotOf(data, (index[next] as number) - 1 + HASH_AT) & mask
      // an entry moves into the hole unless its home lies cyclically in (hole, next]
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next
      if (stays) continue
      index[hole] = index[next] as number
      index[next] = 0
      hole = next
    }
    return true
  }
}

/** The first 4 bytes of a hash at `at` (keccak output: uniform). */
function slotOf(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  )
}

function sameHash(data: Uint8Array, at: number, hash: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (data[at + i] !== hash[i]) return false
  return true
}
