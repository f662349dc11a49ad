import { keccak256, keccak256Into } from '../crypto/keccak.ts'
import { EMPTY_TRIE_ROOT } from './constants.ts'
import { compactLength, writeCompactRange } from './nibbles.ts'
import { listHeaderLength, stringLength, writeListHeader, writeString } from './node.ts'

/**
 * The items of an ordered trie as RLP string items written on demand, so that a caller whose items
 * are not byte arrays yet (receipts) writes each one straight into its leaf: no array per item.
 */
export type OrderedItems = {
  readonly count: number
  /** Length of item `i` as an RLP string item (its header included); 0 when the item is empty (absent). */
  itemLength(i: number): number
  /** Writes item `i` as an RLP string item at `out[at]`; returns the position after it. */
  writeItem(i: number, out: Uint8Array, at: number): number
}

/** Byte arrays as `OrderedItems`. */
class ByteItems implements OrderedItems {
  readonly count: number
  private readonly items: readonly Uint8Array[]
  constructor(items: readonly Uint8Array[]) {
    this.items = items
    this.count = items.length
  }
  itemLength(i: number): number {
    const item = this.items[i] as Uint8Array
    return item.length === 0 ? 0 : stringLength(item)
  }
  writeItem(i: number, out: Uint8Array, at: number): number {
    return writeString(out, at, this.items[i] as Uint8Array)
  }
}

/**
 * Root of the plain trie `rlp(index) → items[index]`: Ethereum's transactions and receipts roots.
 *
 * The same root as putting every item into a `MerklePatriciaTrie` and asking for its root, built
 * without one: the keys are known and sorted up front (`rlp(1..127)`, then `rlp(0)` = 0x80, then
 * `rlp(128..)`), so the trie is encoded bottom-up in one recursive pass, each node written into a
 * scratch buffer of its depth and hashed into its parent's slot. No store, no node objects, no
 * copies of the items; an empty item is absent (a trie's `put` of an empty value deletes).
 */
export function orderedTrieRoot(items: readonly Uint8Array[]): Uint8Array {
  return orderedTrieRootOf(new ByteItems(items))
}

/** `orderedTrieRoot` of items written by `source` (see `OrderedItems`). */
export function orderedTrieRootOf(source: OrderedItems): Uint8Array {
  const count = source.count
  let present = 0
  for (let i = 0; i < count; i++) if (source.itemLength(i) > 0) present++
  if (present === 0) return EMPTY_TRIE_ROOT
  // longest key: rlp(count - 1)
  let indexBytes = 0
  for (let v = count - 1; v > 0; v = Math.floor(v / 256)) indexBytes++
  const stride = 2 * (count - 1 < 0x80 ? 1 : 1 + indexBytes)
  const nibbles = new Uint8Array(present * stride)
  const lengths = new Uint8Array(present)
  const indices = new Int32Array(present)
  let k = 0
  const add = (index: number): void => {
    if (source.itemLength(index) === 0) return
    indices[k] = index
    lengths[k] = writeKeyNibbles(nibbles, k * stride, index)
    k++
  }
  for (let i = 1; i < Math.min(count, 0x80); i++) add(i)
  add(0)
  for (let i = 0x80; i < count; i++) add(i)
  const levels = scratchFor(stride)
  const buf = encodeSubtree({ nibbles, lengths, indices, source, stride, levels }, 0, present, 0)
  return keccak256(buf.subarray(encStart, encEnd))
}

/** Writes the nibbles of `rlp(index)` at `offset`; returns how many. */
function writeKeyNibbles(out: Uint8Array, offset: number, index: number): number {
  if (index > 0 && index < 0x80) {
    out[offset] = index >> 4
    out[offset + 1] = index & 15
    return 2
  }
  if (index === 0) {
    out[offset] = 8
    out[offset + 1] = 0
    return 2
  }
  let bytes = 0
  for (let v = index; v > 0; v = Math.floor(v / 256)) bytes++
  out[offset] = 8
  out[offset + 1] = bytes
  for (let b = 0; b < bytes; b++) {
    const byte = Math.floor(index / 256 ** (bytes - 1 - b)) & 0xff
    out[offset + 2 + 2 * b] = byte >> 4
    out[offset + 3 + 2 * b] = byte & 15
  }
  return 2 + 2 * bytes
}

type Keys = {
  /** The keys' nibbles in sorted order, `stride` apart. */
  nibbles: Uint8Array
  lengths: Uint8Array
  /** The item index of each sorted key. */
  indices: Int32Array
  source: OrderedItems
  stride: number
  /** One encoding buffer per depth (a node and its descendants never share a depth). */
  levels: Uint8Array[]
}

// One set of per-depth buffers, reused: JavaScript is single-threaded and nothing here yields.
let sharedLevels: Uint8Array[] = []

function scratchFor(depths: number): Uint8Array[] {
  while (sharedLevels.length <= depths) sharedLevels = [...sharedLevels, new Uint8Array(1024)]
  return sharedLevels
}

/** A branch's encoding: at most 16 references of 33 bytes and an empty value; header of up to 3 bytes. */
const BRANCH_HEADER_ROOM = 3

// Where the last `encodeSubtree` put its encoding in the buffer it returned.
let encStart = 0
let encEnd = 0

/**
 * Encodes the node over sorted keys `lo..hi-1`, which share their first `depth` nibbles; returns
 * the buffer and sets `encStart`/`encEnd`.
 */
function encodeSubtree(keys: Keys, lo: number, hi: number, depth: number): Uint8Array {
  const { nibbles, lengths, stride } = keys
  const first = lo * stride
  if (hi - lo === 1) {
    // leaf: [compact(rest of the key), value]
    const index = keys.indices[lo] as number
    const pathEnd = first + (lengths[lo] as number)
    const cl = compactLength(pathEnd - first - depth)
    const payload = (cl === 1 ? 1 : 1 + cl) + keys.source.itemLength(index)
    const size = listHeaderLength(payload) + payload
    let buf = keys.levels[depth] as Uint8Array
    if (buf.length < size) buf = keys.levels[depth] = new Uint8Array(size)
    let o = writeListHeader(buf, payload)
    if (cl > 1) buf[o++] = 0x80 + cl
    writeCompactRange(buf, o, nibbles, first + depth, pathEnd, true)
    o = keys.source.writeItem(index, buf, o + cl)
    encStart = 0
    encEnd = o
    return buf
  }
  // the keys are sorted: what the first and the last share, all share
  const last = (hi - 1) * stride
  const shortest = Math.min(lengths[lo] as number, lengths[hi - 1] as number)
  let shared = depth
  while (shared < shortest && nibbles[first + shared] === nibbles[last + shared]) shared++
  if (shared === shortest) throw new RangeError('ordered trie keys must not be prefixes of each other')
  const buf = keys.levels[depth] as Uint8Array
  if (shared > depth) {
    // extension: [compact(shared nibbles), reference to the branch below]; its payload is under 56 bytes
    const cl = compactLength(shared - depth)
    let o = 1
    if (cl > 1) buf[o++] = 0x80 + cl
    writeCompactRange(buf, o, nibbles, first + depth, first + shared, false)
    o = writeReference(buf, o + cl, encodeSubtree(keys, lo, hi, shared))
    buf[0] = 0xc0 + (o - 1)
    encStart = 0
    encEnd = o
    return buf
  }
  // branch: one reference per nibble (children are runs of keys with the same next nibble), no value
  let o = BRANCH_HEADER_ROOM
  let start = lo
  for (let nibble = 0; nibble < 16; nibble++) {
    let end = start
    while (end < hi && nibbles[end * stride + depth] === nibble) end++
    if (end === start) {
      buf[o++] = 0x80
      continue
    }
    o = writeReference(buf, o, encodeSubtree(keys, start, end, depth + 1))
    start = end
  }
  buf[o++] = 0x80
  const payload = o - BRANCH_HEADER_ROOM
  const header = listHeaderLength(payload)
  writeListHeader(buf, payload, BRANCH_HEADER_ROOM - header)
  encStart = BRANCH_HEADER_ROOM - header
  encEnd = o
  return buf
}

/** Writes the reference to the node `encodeSubtree` just encoded into `src`: its hash, or itself when under 32 bytes. */
function writeReference(out: Uint8Array, o: number, src: Uint8Array): number {
  const start = encStart
  const end = encEnd
  if (end - start < 32) {
    for (let i = start; i < end; i++) out[o++] = src[i] as number
    return o
  }
  out[o] = 0xa0
  keccak256Into(src.subarray(start, end), out, o + 1)
  return o + 33
}
