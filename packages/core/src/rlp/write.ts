/**
 * RLP written straight into a caller's buffer, for encoders that know their shape (a transaction, a
 * stored block) and skip `encodeRlp`'s input arrays and measuring pass. `encodeRlp` is built from
 * the same pieces, so every encoder writes the same bytes for the same item.
 */

/** The first byte of a string's header (0x80 + length, or 0xb7 + length of length). */
export const RLP_STRING = 0x80
/** The first byte of a list's header (0xc0 + length, or 0xf7 + length of length). */
export const RLP_LIST = 0xc0

/** Bytes of the minimal big-endian form of a non-negative safe integer (0 for 0). */
export function safeByteLength(n: number): number {
  let length = 0
  while (n > 0) {
    length++
    n = Math.floor(n / 256)
  }
  return length
}

/** The length of the header of a string or list of `payload` bytes. */
export function rlpHeaderLength(payload: number): number {
  return payload < 56 ? 1 : 1 + safeByteLength(payload)
}

/** Writes the header of a string (`base` `RLP_STRING`) or list (`RLP_LIST`) of `payload` bytes at `at`; returns the next position. */
export function writeRlpHeader(out: Uint8Array, at: number, payload: number, base: number): number {
  if (payload < 56) {
    out[at] = base + payload
    return at + 1
  }
  const n = safeByteLength(payload)
  out[at] = base + 55 + n
  for (let i = n; i > 0; i--) {
    out[at + i] = payload & 0xff
    payload = Math.floor(payload / 256)
  }
  return at + 1 + n
}

/** The item length of a byte string: itself when it is one byte below 0x80, else header and bytes. */
export function rlpBytesLength(bytes: Uint8Array): number {
  const n = bytes.length
  return n === 1 && (bytes[0] as number) < 0x80 ? 1 : rlpHeaderLength(n) + n
}

/** Writes a byte string as an item at `at`; returns the next position. */
export function writeRlpBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length
  if (n === 1 && (bytes[0] as number) < 0x80) {
    out[at] = bytes[0] as number
    return at + 1
  }
  at = writeRlpHeader(out, at, n, RLP_STRING)
  // byte by byte: TypedArray#set costs more than the loop for the short strings most items are
  if (n <= 64) for (let i = 0; i < n; i++) out[at + i] = bytes[i] as number
  else out.set(bytes, at)
  return at + n
}

/** The item length of a non-negative safe integer (0 is the empty string). */
export function rlpSafeIntegerLength(value: number): number {
  return value < 0x80 ? 1 : 1 + safeByteLength(value)
}

/** Writes a non-negative safe integer as an item (minimal big-endian; 0 is the empty string) at `at`; returns the next position. */
export function writeRlpSafeInteger(out: Uint8Array, at: number, value: number): number {
  if (value < 0x80) {
    out[at] = value === 0 ? RLP_STRING : value
    return at + 1
  }
  const n = safeByteLength(value)
  out[at] = RLP_STRING + n
  for (let i = n; i > 0; i--) {
    out[at + i] = value & 0xff
    value = Math.floor(value / 256)
  }
  return at + 1 + n
}
