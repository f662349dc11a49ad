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
 * `bytes` bounds its memory (plus an index of `bytes / 16`). The buffer is allocated on the first put.
 *
 * A lookup costs a random access to the index and, on a hit, one to the buffer (~1-2 µs at 128 MiB,
 * mostly cache and TLB misses). Each index slot holds a few more bits of the hash (a tag) beside the
 * entry's offset, so a probe past another entry's slot, or a miss, rarely touches the buffer.
 */

import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT } from './constants.ts'

/**
 * Default size of a trie store's node cache: at 1M accounts, every inner node below depth 4 (~35 MB)
 * and most leaves: an account without code or storage takes ~88 bytes (see `ACCOUNT_TAIL`).
 */
export const DEFAULT_NODE_CACHE_BYTES = 128 * 1024 * 1024

const SEGMENTS = 16
/** An entry: 2 bytes of length, 1 byte of flags, the 32-byte hash, then the encoding (less `ACCOUNT_TAIL` with `FLAG_TAIL`); entries start at multiples of `ALIGN`. */
const HEADER = 35
const HASH_AT = 3
const FLAG_READ = 1
/** The entry's bytes are the encoding without its last `ACCOUNT_TAIL.length` bytes, which are `ACCOUNT_TAIL`. */
const FLAG_TAIL = 2
/**
 * How the leaf of an account without storage or code ends: its storage root and code hash, each an
 * RLP string of 32 bytes. They are 66 of a state leaf's ~110-115 bytes, so such leaves are kept
 * without them (~152 -> ~88 bytes per entry): at 1M accounts 0.18 of the updates still miss, against 0.67.
 */
const ACCOUNT_TAIL = Uint8Array.from([0xa0, ...EMPTY_TRIE_ROOT, 0xa0, ...EMPTY_CODE_HASH])
const TAIL = ACCOUNT_TAIL.length
const ALIGN = 8
/** Index slots per byte of capacity: entries average ~150-250 bytes at 1M accounts, so the index is ~1/4 full. */
const BYTES_PER_SLOT = 64
/** The index is never fuller than this (a cache of tiny entries drops a segment early instead). */
const MAX_LOAD = 0.75

const alignUp = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1)

export class NodeCache {
  /** Capacity in bytes of the entries (the index adds `bytes / 8`). */
  readonly bytes: number
  private readonly segmentSize: number
  /** The entries' bytes; allocated on the first `put`, so an unused cache costs nothing. */
  private data: Uint8Array | null = null
  /**
   * Open addressing over the first 4 bytes of the hash. A slot holds `offset / ALIGN + 1` in its low
   * `offsetBits` bits and a tag (bits of the hash's fifth byte) above them; 0 when free.
   */
  private index: Int32Array | null = null
  private mask = 0
  private readonly offsetBits: number
  private readonly offsetMask: number
  private readonly tagMask: number
  private maxEntries = 0
  private segment = 0
  private writeAt = 0
  private segmentEnd = 0
  /** Live entries. */
  entries = 0
  /** Bytes the live entries take in the buffer (headers included). */
  heldBytes = 0
  /** Lookups answered, lookups not, and entries dropped to make room (not counting second chances). */
  hits = 0
  misses = 0
  evictions = 0

  constructor(bytes: number = DEFAULT_NODE_CACHE_BYTES) {
    if (!Number.isInteger(bytes) || bytes < SEGMENTS * 4096 || bytes > 2 ** 30) {
      throw new RangeError(`a node cache holds from ${SEGMENTS * 4096} bytes to 1 GiB, not ${bytes}`)
    }
    this.bytes = bytes
    this.segmentSize = Math.floor(bytes / SEGMENTS / ALIGN) * ALIGN
    this.offsetBits = 32 - Math.clz32((this.segmentSize * SEGMENTS) / ALIGN)
    this.offsetMask = 2 ** this.offsetBits - 1
    this.tagMask = (2 ** (32 - this.offsetBits) - 1) & 0xff
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
    const flags = data[at + 2] as number
    data[at + 2] = flags | FLAG_READ
    const start = at + HEADER
    const length = (data[at] as number) | ((data[at + 1] as number) << 8)
    if ((flags & FLAG_TAIL) === 0) {
      const out = allocate(length)
      out.set(data.subarray(start, start + length))
      return out
    }
    const out = allocate(length + TAIL)
    out.set(data.subarray(start, start + length))
    out.set(ACCOUNT_TAIL, length)
    return out
  }

  /**
   * `get`, and the entry leaves the cache (its bytes are not written again when its segment's turn
   * comes): for a node about to change, whose new version will be put.
   */
  take(hash: Uint8Array, allocate: (length: number) => Uint8Array): Uint8Array | undefined {
    const out = this.get(hash, allocate)
    if (out === undefined) return undefined
    const at = this.find(hash)
    if (at >= 0 && this.removeSlot(at)) {
      this.entries--
      this.heldBytes -= alignUp(
        HEADER + ((this.data as Uint8Array)[at] as number) + (((this.data as Uint8Array)[at + 1] as number) << 8),
      )
    }
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
    const flags = shared ? FLAG_READ : 0
    if (endsWithAccountTail(encoding)) this.append(hash, encoding, 0, encoding.length - TAIL, flags | FLAG_TAIL)
    else this.append(hash, encoding, 0, encoding.length, flags)
  }

  private allocate(): void {
    this.data = new Uint8Array(this.segmentSize * SEGMENTS)
    let slots = 1024
    while (slots < this.bytes / BYTES_PER_SLOT) slots *= 2
    this.index = new Int32Array(slots)
    this.mask = slots - 1
    this.maxEntries = Math.floor(slots * MAX_LOAD)
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
    const bits = this.offsetBits
    const tag = (hash[4] as number) & this.tagMask
    for (let slot = slotOf(hash, 0) & mask; ; slot = (slot + 1) & mask) {
      const v = index[slot] as number
      if (v === 0) return -1
      if (v >>> bits !== tag) continue
      const at = ((v & this.offsetMask) - 1) * ALIGN
      if (sameHash(data, at + HASH_AT, hash)) return at
    }
  }

  /** Writes an entry from `source[from, to)`, making room in the next segment when this one is full. */
  private append(hash: Uint8Array, source: Uint8Array, from: number, to: number, flags: number): void {
    const length = to - from
    if (this.writeAt + HEADER + length > this.segmentEnd || this.entries >= this.maxEntries) this.nextSegment()
    // still full of kept entries (tiny ones, all read): skip this one; the next segment frees room
    if (this.entries >= this.maxEntries) return
    const data = this.data as Uint8Array
    const at = this.writeAt
    data[at] = length & 0xff
    data[at + 1] = length >> 8
    data[at + 2] = flags
    // byte loops: entries are ~40-550 bytes, where a \`set\` with its \`subarray\` costs more
    for (let i = 0; i < 32; i++) data[at + HASH_AT + i] = hash[i] as number
    const start = at + HEADER - from
    for (let i = from; i < to; i++) data[start + i] = source[i] as number
    const size = alignUp(HEADER + length)
    this.writeAt = at + size
    this.insertSlot(at)
    this.entries++
    this.heldBytes += size
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
      const size = alignUp(HEADER + length)
      if (this.removeSlot(at)) {
        this.entries--
        this.heldBytes -= size
        if (((data[at + 2] as number) & FLAG_READ) !== 0) kept.push(at)
        else this.evictions++
      }
      at += size
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
      this.append(hash, survivors, from + HEADER, from + HEADER + length, (survivors[from + 2] as number) & FLAG_TAIL)
    }
    if (this.writeAt + 2 <= this.segmentEnd) {
      data[this.writeAt] = 0
      data[this.writeAt + 1] = 0
    }
  }

  private insertSlot(at: number): void {
    const index = this.index as Int32Array
    const mask = this.mask
    const data = this.data as Uint8Array
    let slot = slotOf(data, at + HASH_AT) & mask
    while (index[slot] !== 0) slot = (slot + 1) & mask
    index[slot] = (((data[at + HASH_AT + 4] as number) & this.tagMask) << this.offsetBits) | (at / ALIGN + 1)
  }

  /** Removes the index's slot of the entry at `at` (backward-shift deletion); false when it has none. */
  private removeSlot(at: number): boolean {
    const index = this.index as Int32Array
    const data = this.data as Uint8Array
    const mask = this.mask
    const offsetMask = this.offsetMask
    const entry = at / ALIGN + 1
    let slot = slotOf(data, at + HASH_AT) & mask
    for (;;) {
      const v = index[slot] as number
      if (v === 0) return false
      if ((v & offsetMask) === entry) break
      slot = (slot + 1) & mask
    }
    let hole = slot
    index[hole] = 0
    for (let next = (hole + 1) & mask; index[next] !== 0; next = (next + 1) & mask) {
      const home = slotOf(data, (((index[next] as number) & offsetMask) - 1) * ALIGN + HASH_AT) & mask
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

/** True when `encoding` is longer than `ACCOUNT_TAIL` and ends with it. */
function endsWithAccountTail(encoding: Uint8Array): boolean {
  const from = encoding.length - TAIL
  if (from <= 0) return false
  for (let i = TAIL - 1; i >= 0; i--) if (encoding[from + i] !== ACCOUNT_TAIL[i]) return false
  return true
}

function sameHash(data: Uint8Array, at: number, hash: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (data[at + i] !== hash[i]) return false
  return true
}
