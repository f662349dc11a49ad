/** Nibble paths (one 4-bit value per byte) and Ethereum's hex-prefix ("compact") encoding. */
import { keccak256Into } from '../crypto/keccak.ts'

export function bytesToNibbles(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    out[2 * i] = b >> 4
    out[2 * i + 1] = b & 15
  }
  return out
}

const hashScratch = new Uint8Array(32)

/**
 * `bytesToNibbles(keccak256(key))`, a secure trie's path for `key`, without an array for the hash
 * (hashed into a scratch buffer: JavaScript is single-threaded and nothing here yields).
 */
export function hashedKeyNibbles(key: Uint8Array): Uint8Array {
  keccak256Into(key, hashScratch, 0)
  return bytesToNibbles(hashScratch)
}

/** Hex-prefix encoding of a nibble path: flag nibble (2 = leaf, +1 = odd length), then the path. */
export function compactEncode(path: Uint8Array, leaf: boolean): Uint8Array {
  const len = path.length
  const odd = len & 1
  const out = new Uint8Array((len >> 1) + 1)
  const flag = (leaf ? 2 : 0) + odd
  let p = 0
  if (odd) {
    out[0] = (flag << 4) | (path[0] as number)
    p = 1
  } else {
    out[0] = flag << 4
  }
  for (let i = 1; i < out.length; i++, p += 2) out[i] = ((path[p] as number) << 4) | (path[p + 1] as number)
  return out
}

/** Length in bytes of `compactEncode(path)`. */
export function compactLength(pathLength: number): number {
  return (pathLength >> 1) + 1
}

/** Writes `compactEncode(path, leaf)` into `out` at `offset`. */
export function writeCompact(out: Uint8Array, offset: number, path: Uint8Array, leaf: boolean): void {
  writeCompactRange(out, offset, path, 0, path.length, leaf)
}

/** Writes `compactEncode(nibbles[start..end], leaf)` into `out` at `offset` (no view of the range). */
export function writeCompactRange(
  out: Uint8Array,
  offset: number,
  nibbles: Uint8Array,
  start: number,
  end: number,
  leaf: boolean,
): void {
  const odd = (end - start) & 1
  const flag = (leaf ? 2 : 0) + odd
  let p = start
  if (odd) {
    out[offset] = (flag << 4) | (nibbles[p] as number)
    p++
  } else {
    out[offset] = flag << 4
  }
  const n = ((end - start) >> 1) + 1
  for (let i = 1; i < n; i++, p += 2) out[offset + i] = ((nibbles[p] as number) << 4) | (nibbles[p + 1] as number)
}

/** True when the hex-prefix bytes at `start` have the leaf flag (flag nibble 2 or 3). */
export function compactIsLeaf(bytes: Uint8Array, start: number): boolean {
  return (bytes[start] as number) >> 4 >= 2
}

/**
 * The nibble path of the hex-prefix bytes `bytes[start..end]` (no view of the range, no result
 * object; `compactIsLeaf` gives the flag); `undefined` when the flag nibble is not 0–3 or padding is non-zero.
 */
export function compactDecodeRange(bytes: Uint8Array, start: number, end: number): Uint8Array | undefined {
  if (end <= start) return undefined
  const first = bytes[start] as number
  const flag = first >> 4
  if (flag > 3) return undefined
  const odd = flag & 1
  if (!odd && (first & 15) !== 0) return undefined
  const path = new Uint8Array((end - start - 1) * 2 + odd)
  let p = 0
  if (odd) path[p++] = first & 15
  for (let i = start + 1; i < end; i++) {
    const b = bytes[i] as number
    path[p++] = b >> 4
    path[p++] = b & 15
  }
  return path
}

/** Length of the common prefix of `a` and `b[offset..]`. */
export function commonPrefix(a: Uint8Array, b: Uint8Array, offset: number): number {
  const max = Math.min(a.length, b.length - offset)
  let i = 0
  while (i < max && a[i] === b[offset + i]) i++
  return i
}

export function concatNibbles(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

export function prependNibble(n: number, path: Uint8Array): Uint8Array {
  const out = new Uint8Array(path.length + 1)
  out[0] = n
  out.set(path, 1)
  return out
}
