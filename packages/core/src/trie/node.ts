import { keccak256 } from '../crypto/keccak.ts'
import { compactDecodeRange, compactIsLeaf, compactLength, writeCompact } from './nibbles.ts'

/** Node kinds. A `HASH` node is a not-yet-loaded reference to a stored node (only its hash is known). */
export const BRANCH = 0
export const EXTENSION = 1
export const LEAF = 2
export const HASH = 3

const EMPTY = new Uint8Array(0)

/**
 * A decoded trie node, mutable in place while it is dirty. One class for all kinds keeps the hot
 * paths monomorphic. `enc` caches the RLP encoding (null once the node or anything below it
 * changed); `hash` is keccak256(enc) when the encoding is 32 bytes or more (the node is then stored
 * by hash; shorter nodes are embedded in their parent). `dirty` marks nodes not yet written to the store.
 */
export class TrieNode {
  kind: number
  /** Nibble path of a leaf or extension. */
  path: Uint8Array
  /** Value of a leaf, or a branch's value slot (null when empty). */
  value: Uint8Array | null
  /** A branch's 16 children. */
  children: (TrieNode | null)[] | null
  /** An extension's child. */
  child: TrieNode | null
  enc: Uint8Array | null
  hash: Uint8Array | null
  dirty: boolean
  /**
   * A branch's copy of its children's hashes, 32 bytes per slot, so re-encoding a branch reads one
   * contiguous buffer instead of 16 child objects. Slot i is current when bit i of `valid` is set;
   * whoever replaces `children[i]` clears the bit.
   */
  hashes: Uint8Array | null
  valid: number
  /** A branch's slots that may hold unwritten nodes (bit i for `children[i]`); cleared by a commit. */
  dirtyMask: number
  /**
   * A branch's children that are stored and not in memory: bit i set means `children[i]` is null
   * and the child is the stored node whose hash is `hashes` slot i (its `valid` bit is set too).
   * A decoded branch and a committed one keep their children this way, with no object per child.
   */
  refs: number

  constructor(kind: number) {
    this.kind = kind
    this.path = EMPTY
    this.value = null
    this.children = null
    this.child = null
    this.enc = null
    this.hash = null
    this.dirty = true
    this.hashes = null
    this.valid = 0
    this.dirtyMask = 0
    this.refs = 0
  }
}

export function newLeaf(path: Uint8Array, value: Uint8Array): TrieNode {
  const n = new TrieNode(LEAF)
  n.path = path
  n.value = value
  return n
}

export function newExtension(path: Uint8Array, child: TrieNode): TrieNode {
  const n = new TrieNode(EXTENSION)
  n.path = path
  n.child = child
  return n
}

export function newBranch(): TrieNode {
  const n = new TrieNode(BRANCH)
  n.children = [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null]
  n.dirtyMask = 0xffff
  return n
}

export function hashRef(hash: Uint8Array): TrieNode {
  const n = new TrieNode(HASH)
  n.hash = hash
  n.dirty = false
  return n
}

/** True when branch `n` has a child in slot `i`, in memory or stored. */
export function hasChild(n: TrieNode, i: number): boolean {
  return (n.children as (TrieNode | null)[])[i] !== null || (n.refs & (1 << i)) !== 0
}

/** A copy of the hash in slot `i` of branch `n` (a stored child, see `refs`). */
export function slotHash(n: TrieNode, i: number): Uint8Array {
  return (n.hashes as Uint8Array).slice(i << 5, (i << 5) + 32)
}

/** True when slot `i` of branch `n` holds `hash`. */
export function slotHolds(n: TrieNode, i: number, hash: Uint8Array): boolean {
  const hashes = n.hashes
  if (hashes === null) return false
  const o = i << 5
  for (let j = 0; j < 32; j++) if (hashes[o + j] !== hash[j]) return false
  return true
}

/**
 * Puts child `i` of branch `n` back in the store's keeping: only its hash stays, in `hashes` slot
 * `i`. The child must be clean and hashed (`hash` set).
 */
export function detachChild(n: TrieNode, i: number, hash: Uint8Array): void {
  const bit = 1 << i
  if ((n.valid & bit) === 0) {
    let hashes = n.hashes
    if (hashes === null) hashes = n.hashes = new Uint8Array(512)
    hashes.set(hash, i << 5)
    n.valid |= bit
  }
  ;(n.children as (TrieNode | null)[])[i] = null
  n.refs |= bit
}

/** Marks a node changed: its encoding and hash must be recomputed and it must be written. */
export function touch(n: TrieNode): void {
  n.enc = null
  n.hash = null
  n.dirty = true
}

// ---------------------------------------------------------------- RLP encoding of nodes

export function stringLength(b: Uint8Array): number {
  const len = b.length
  if (len === 1 && (b[0] as number) < 0x80) return 1
  if (len <= 55) return 1 + len
  return 1 + lengthOfLength(len) + len
}

export function lengthOfLength(len: number): number {
  return len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4
}

function writeLengthBytes(out: Uint8Array, offset: number, len: number, lol: number): void {
  for (let i = lol - 1; i >= 0; i--) {
    out[offset + i] = len & 0xff
    len = Math.floor(len / 256)
  }
}

export function writeString(out: Uint8Array, offset: number, b: Uint8Array): number {
  const len = b.length
  if (len === 1 && (b[0] as number) < 0x80) {
    out[offset] = b[0] as number
    return offset + 1
  }
  if (len <= 55) {
    out[offset] = 0x80 + len
    out.set(b, offset + 1)
    return offset + 1 + len
  }
  const lol = lengthOfLength(len)
  out[offset] = 0xb7 + lol
  writeLengthBytes(out, offset + 1, len, lol)
  out.set(b, offset + 1 + lol)
  return offset + 1 + lol + len
}

export function listHeaderLength(payload: number): number {
  return payload <= 55 ? 1 : 1 + lengthOfLength(payload)
}

/** Writes a list header at `offset`; returns the offset after it. */
export function writeListHeader(out: Uint8Array, payload: number, offset = 0): number {
  if (payload <= 55) {
    out[offset] = 0xc0 + payload
    return offset + 1
  }
  const lol = lengthOfLength(payload)
  out[offset] = 0xf7 + lol
  writeLengthBytes(out, offset + 1, payload, lol)
  return offset + 1 + lol
}

/** Length of a child reference inside its parent: empty (1), the hash (33), or the embedded node. */
function refLength(c: TrieNode | null): number {
  if (c === null) return 1
  return c.hash !== null ? 33 : (c.enc as Uint8Array).length
}

function writeRef(out: Uint8Array, offset: number, c: TrieNode | null): number {
  if (c === null) {
    out[offset] = 0x80
    return offset + 1
  }
  const h = c.hash
  if (h === null) {
    const enc = c.enc as Uint8Array
    for (let i = 0; i < enc.length; i++) out[offset + i] = enc[i] as number
    return offset + enc.length
  }
  out[offset] = 0xa0
  for (let i = 0; i < 32; i++) out[offset + 1 + i] = h[i] as number
  return offset + 33
}

// Encodings of 32 bytes or more are cut from shared slabs: a fresh Uint8Array over 64 bytes gets its
// own off-heap backing store, which costs more than hashing it. A committed node drops its encoding
// (`collect` in trie.ts), so a slab lives about one commit.
const SLAB_SIZE = 64 * 1024
let slab = new Uint8Array(SLAB_SIZE)
let slabPos = 0

/** A new byte array of `length`, cut from the shared slab when it is 32 to 16,384 bytes long. */
export function alloc(length: number): Uint8Array {
  if (length < 32) return new Uint8Array(length)
  if (length > SLAB_SIZE >> 2) return new Uint8Array(length)
  if (slabPos + length > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE)
    slabPos = 0
  }
  const out = slab.subarray(slabPos, slabPos + length)
  slabPos += length
  return out
}

/** True when the node's hash or embedded encoding is known (nothing below it changed). */
export function isHashed(n: TrieNode): boolean {
  return n.hash !== null || n.enc !== null
}

/**
 * Computes `enc` and `hash` of `n` and of every changed node below it. Unchanged subtrees keep their
 * cached hashes and are not visited.
 */
export function hashNode(n: TrieNode): void {
  if (n.hash !== null || n.enc !== null) return
  if (n.kind === BRANCH) {
    const children = n.children as (TrieNode | null)[]
    let hashes = n.hashes
    let valid = n.valid
    for (let i = 0; i < 16; i++) {
      if (valid & (1 << i)) continue
      const c = children[i] as TrieNode | null
      if (c === null) continue
      if (c.hash === null && c.enc === null) hashNode(c)
      const h = c.hash
      if (h !== null) {
        if (hashes === null) hashes = n.hashes = new Uint8Array(512)
        const o = i << 5
        for (let j = 0; j < 32; j++) hashes[o + j] = h[j] as number
        valid |= 1 << i
      }
    }
    n.valid = valid
  } else if (n.kind === EXTENSION) {
    const c = n.child as TrieNode
    if (c.hash === null && c.enc === null) hashNode(c)
  }
  const out = encodeNode(n, alloc)
  n.enc = out
  n.hash = out.length >= 32 ? keccak256(out) : null
}

/** The RLP of a node whose children are hashed (`hashNode` was run on it, or it is clean). */
export function encodeNode(n: TrieNode, allocate: (length: number) => Uint8Array = defaultAlloc): Uint8Array {
  let out: Uint8Array
  if (n.kind === BRANCH) {
    const children = n.children as (TrieNode | null)[]
    const valid = n.valid
    let payload = 0
    for (let i = 0; i < 16; i++) {
      if (valid & (1 << i)) payload += 33
      else payload += refLength(children[i] as TrieNode | null)
    }
    payload += n.value === null ? 1 : stringLength(n.value)
    out = allocate(listHeaderLength(payload) + payload)
    let o = writeListHeader(out, payload)
    const hashes = n.hashes
    for (let i = 0; i < 16; i++) {
      if (valid & (1 << i)) {
        out[o] = 0xa0
        const from = i << 5
        for (let j = 0; j < 32; j++) out[o + 1 + j] = (hashes as Uint8Array)[from + j] as number
        o += 33
      } else {
        o = writeRef(out, o, children[i] as TrieNode | null)
      }
    }
    if (n.value === null) out[o] = 0x80
    else writeString(out, o, n.value)
  } else if (n.kind === LEAF) {
    const value = n.value as Uint8Array
    const cl = compactLength(n.path.length)
    const payload = (cl === 1 ? 1 : 1 + cl) + stringLength(value)
    out = allocate(listHeaderLength(payload) + payload)
    let o = writeListHeader(out, payload)
    o = writeCompactItem(out, o, n.path, true, cl)
    writeString(out, o, value)
  } else if (n.kind === EXTENSION) {
    const c = n.child as TrieNode
    const cl = compactLength(n.path.length)
    const payload = (cl === 1 ? 1 : 1 + cl) + refLength(c)
    out = allocate(listHeaderLength(payload) + payload)
    let o = writeListHeader(out, payload)
    o = writeCompactItem(out, o, n.path, false, cl)
    writeRef(out, o, c)
  } else {
    throw new Error('a hash reference has no encoding of its own')
  }
  return out
}

function defaultAlloc(length: number): Uint8Array {
  return new Uint8Array(length)
}

/** Writes the compact path as an RLP string. Paths are at most 64 nibbles, so at most 33 bytes. */
function writeCompactItem(out: Uint8Array, o: number, path: Uint8Array, leaf: boolean, cl: number): number {
  if (cl === 1) {
    // one byte 0x00–0x3f: below 0x80, so RLP encodes it as itself
    writeCompact(out, o, path, leaf)
    return o + 1
  }
  if (cl > 55) throw new RangeError('trie key too long (over 108 nibbles)')
  out[o] = 0x80 + cl
  writeCompact(out, o + 1, path, leaf)
  return o + 1 + cl
}

// ---------------------------------------------------------------- RLP decoding of nodes

/** Thrown by `decodeNode` on malformed input; callers turn it into their own error. */
export class NodeDecodeError extends Error {
  override name = 'NodeDecodeError'
}

// Result registers of `readHeader` (no allocation per item).
let hIsList = false
let hStart = 0
let hEnd = 0

function readHeader(d: Uint8Array, pos: number, limit: number): void {
  if (pos >= limit) throw new NodeDecodeError('truncated RLP')
  const b = d[pos] as number
  if (b < 0x80) {
    hIsList = false
    hStart = pos
    hEnd = pos + 1
  } else if (b <= 0xb7) {
    hIsList = false
    hStart = pos + 1
    hEnd = hStart + (b - 0x80)
    if (b === 0x81 && hEnd <= limit && (d[hStart] as number) < 0x80) throw new NodeDecodeError('non-canonical RLP')
  } else if (b < 0xc0) {
    const lol = b - 0xb7
    hIsList = false
    hStart = pos + 1 + lol
    hEnd = hStart + readLength(d, pos + 1, lol, limit)
    if (hEnd - hStart <= 55) throw new NodeDecodeError('non-canonical RLP length')
  } else if (b <= 0xf7) {
    hIsList = true
    hStart = pos + 1
    hEnd = hStart + (b - 0xc0)
  } else {
    const lol = b - 0xf7
    hIsList = true
    hStart = pos + 1 + lol
    hEnd = hStart + readLength(d, pos + 1, lol, limit)
    if (hEnd - hStart <= 55) throw new NodeDecodeError('non-canonical RLP length')
  }
  if (hEnd > limit) throw new NodeDecodeError('RLP item runs past its container')
}

function readLength(d: Uint8Array, pos: number, lol: number, limit: number): number {
  if (pos + lol > limit) throw new NodeDecodeError('truncated RLP length')
  if (d[pos] === 0) throw new NodeDecodeError('RLP length with a leading zero')
  let len = 0
  for (let i = 0; i < lol; i++) len = len * 256 + (d[pos + i] as number)
  return len
}

/** A child reference at `pos` (already read into the header registers): null, a hash ref, or an embedded node. */
function decodeRef(d: Uint8Array, pos: number): TrieNode | null {
  if (hIsList) {
    const end = hEnd
    if (end - pos >= 32) throw new NodeDecodeError('embedded node of 32 bytes or more')
    return decodeNode(d.subarray(pos, end), null)
  }
  const len = hEnd - hStart
  if (len === 0) return null
  if (len === 32) return hashRef(d.subarray(hStart, hEnd))
  throw new NodeDecodeError(`child reference of ${len} bytes`)
}

/**
 * Decodes a node's RLP. The result and the nodes embedded in it are clean (`dirty = false`) with
 * `enc` set to their bytes; `hash` is the given hash (or null for an embedded node).
 */
export function decodeNode(d: Uint8Array, hash: Uint8Array | null): TrieNode {
  readHeader(d, 0, d.length)
  if (!hIsList || hEnd !== d.length) throw new NodeDecodeError('a node is one RLP list')
  const listEnd = hEnd
  let pos = hStart
  // count items
  let count = 0
  for (let p = pos; p < listEnd; count++) {
    readHeader(d, p, listEnd)
    p = hEnd
  }
  let n: TrieNode
  if (count === 17) {
    n = newBranch()
    const children = n.children as (TrieNode | null)[]
    let hashes: Uint8Array | null = null
    let refs = 0
    for (let i = 0; i < 16; i++) {
      readHeader(d, pos, listEnd)
      const next = hEnd
      if (!hIsList && hEnd - hStart === 32) {
        // a stored child: its hash in the slot, no object for it until it is loaded
        if (hashes === null) hashes = new Uint8Array(512)
        const o = i << 5
        for (let j = 0; j < 32; j++) hashes[o + j] = d[hStart + j] as number
        refs |= 1 << i
      } else {
        children[i] = decodeRef(d, pos)
      }
      pos = next
    }
    n.hashes = hashes
    n.valid = refs
    n.refs = refs
    readHeader(d, pos, listEnd)
    if (hIsList) throw new NodeDecodeError('branch value is a list')
    n.value = hEnd > hStart ? d.subarray(hStart, hEnd) : null
  } else if (count === 2) {
    readHeader(d, pos, listEnd)
    if (hIsList) throw new NodeDecodeError('node path is a list')
    const path = compactDecodeRange(d, hStart, hEnd)
    if (path === undefined) throw new NodeDecodeError('bad hex-prefix path')
    const leaf = compactIsLeaf(d, hStart)
    pos = hEnd
    readHeader(d, pos, listEnd)
    if (leaf) {
      if (hIsList) throw new NodeDecodeError('leaf value is a list')
      n = newLeaf(path, d.subarray(hStart, hEnd))
    } else {
      if (path.length === 0) throw new NodeDecodeError('extension with an empty path')
      const child = decodeRef(d, pos)
      if (child === null) throw new NodeDecodeError('extension without a child')
      n = newExtension(path, child)
    }
  } else {
    throw new NodeDecodeError(`a node has 2 or 17 items, not ${count}`)
  }
  n.enc = d
  n.hash = hash
  n.dirty = false
  n.dirtyMask = 0
  return n
}
