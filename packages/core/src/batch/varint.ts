/**
 * Canonical unsigned LEB128 (docs/protocol.md §1): 7 bits per byte, least significant group first,
 * high bit set on every byte but the last; at most 10 bytes, value below 2^64, and no trailing
 * `0x00` byte unless it is the only byte. Readers never throw on input bytes: they report a problem.
 */

/** Why bytes are not a canonical varint. */
export type VarintProblem =
  /** the bytes end before the last byte (high bit clear) */
  | 'truncated'
  /** more than 10 bytes */
  | 'tooLong'
  /** the value is 2^64 or more */
  | 'overflow'
  /** the last byte is 0x00 after at least one other byte (a padded, non-minimal form) */
  | 'padded'
  /** (`decodeVarint` only) bytes follow the varint */
  | 'trailing'

export type VarintRead = { ok: true; value: bigint; next: number } | { ok: false; problem: VarintProblem }

export const MAX_VARINT_BYTES = 10
const UINT64_LIMIT = 1n << 64n

/**
 * The wide varint of a value's mantissa (§5.5): the same canonical LEB128, up to 37 bytes and below
 * 2^256, so that every uint256 value has a slot form.
 */
export const WIDE_VARINT = { maxBytes: 37, limit: 1n << 256n } as const
const NARROW_VARINT = { maxBytes: MAX_VARINT_BYTES, limit: UINT64_LIMIT } as const
type VarintWidth = { readonly maxBytes: number; readonly limit: bigint }

/**
 * Reads a canonical varint starting at `offset`, not reading at or past `end`.
 * On success `next` is the offset after it.
 */
export function readVarint(
  bytes: Uint8Array,
  offset: number,
  end: number = bytes.length,
  width: VarintWidth = NARROW_VARINT,
): VarintRead {
  // Fast path: the first 7 bytes (49 bits) accumulate exactly in a double.
  let value = 0
  let scale = 1
  let pos = offset
  for (let i = 0; i < 7; i++) {
    if (pos >= end) return { ok: false, problem: 'truncated' }
    const byte = bytes[pos++] as number
    value += (byte & 0x7f) * scale
    if (byte < 0x80) {
      if (byte === 0 && i > 0) return { ok: false, problem: 'padded' }
      return { ok: true, value: BigInt(value), next: pos }
    }
    scale *= 128
  }
  let big = BigInt(value)
  let shift = 49n
  for (let i = 7; i < width.maxBytes; i++) {
    if (pos >= end) return { ok: false, problem: 'truncated' }
    const byte = bytes[pos++] as number
    big |= BigInt(byte & 0x7f) << shift
    if (byte < 0x80) {
      if (byte === 0) return { ok: false, problem: 'padded' }
      if (big >= width.limit) return { ok: false, problem: 'overflow' }
      return { ok: true, value: big, next: pos }
    }
    shift += 7n
  }
  return { ok: false, problem: 'tooLong' }
}

/** A sentence fragment for a varint problem, for `slotDecode` details and logs. */
export function describeVarintProblem(problem: VarintProblem): string {
  switch (problem) {
    case 'truncated':
      return 'the bytes end inside it'
    case 'tooLong':
      return 'it is longer than its width allows (10 bytes; 37 for a value mantissa)'
    case 'overflow':
      return 'its value is too large for its width (2^64; 2^256 for a value mantissa)'
    case 'padded':
      return 'it ends with a 0x00 byte (non-canonical padding)'
    case 'trailing':
      return 'bytes follow it'
  }
}

/** Bytes of the canonical varint of `value` (0 ≤ value < 2^256). */
export function varintLength(value: bigint | number): number {
  if (typeof value === 'number') {
    if (value < 0x80) return 1
    if (value < 0x4000) return 2
    if (value < 0x20_0000) return 3
    if (value < 0x1000_0000) return 4
    value = BigInt(value)
  }
  let length = 1
  while (value >= 0x80n) {
    value >>= 7n
    length++
  }
  return length
}

/**
 * Writes the canonical varint of `value` (0 ≤ value < 2^64) at `offset`; returns the offset after it.
 * Throws RangeError for a value out of range (a caller's bug: encoders check their input first).
 */
export function writeVarint(
  value: bigint | number,
  out: Uint8Array,
  offset: number,
  width: VarintWidth = NARROW_VARINT,
): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    let v = value
    while (v >= 0x80) {
      out[offset++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    out[offset++] = v
    return offset
  }
  let v = BigInt(value)
  if (v < 0n || v >= width.limit) throw new RangeError(`varint out of range: ${v}`)
  while (v >= 0x80n) {
    out[offset++] = Number(v & 0x7fn) | 0x80
    v >>= 7n
  }
  out[offset++] = Number(v)
  return offset
}

/** The canonical varint of `value` as its own byte array. */
export function encodeVarint(value: bigint | number): Uint8Array {
  const out = new Uint8Array(varintLength(value))
  writeVarint(value, out, 0)
  return out
}

/** Decodes a varint that is exactly `bytes` (nothing may follow it). Never throws. */
export function decodeVarint(bytes: Uint8Array): VarintRead {
  const read = readVarint(bytes, 0, bytes.length)
  if (read.ok && read.next !== bytes.length) return { ok: false, problem: 'trailing' }
  return read
}
