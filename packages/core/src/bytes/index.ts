/** Byte helpers used across the protocol code. Hot paths work on Uint8Array; hex is for edges. */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export type Hex = `0x${string}`

/** One empty byte array shared by every value that has no bytes (a zero-length array cannot be written). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0)

export function bytesToHex(bytes: Uint8Array): Hex {
  let out = '0x'
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number]
  return out as Hex
}

export function hexToBytes(hex: string): Uint8Array {
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
    throw new TypeError(`not an even-length hex string: ${hex.length > 80 ? `${hex.slice(0, 80)}…` : hex}`)
  }
  const out = new Uint8Array(body.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(body.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Big-endian minimal bytes of a non-negative integer (0 → empty), as RLP and the batch codec use. */
export function bigintToBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('negative integer has no byte form')
  if (value === 0n) return new Uint8Array(0)
  let hex = value.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return hexToBytes(hex)
}

/** Big-endian bytes to an integer; empty → 0. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n
  if (bytes.length <= 6) {
    let n = 0
    for (let i = 0; i < bytes.length; i++) n = n * 256 + (bytes[i] as number)
    return BigInt(n)
  }
  return BigInt(bytesToHex(bytes))
}

/** Left-pads to `size` bytes; throws if longer. */
export function padLeft(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length > size) throw new RangeError(`${bytes.length} bytes do not fit in ${size}`)
  if (bytes.length === size) return bytes
  const out = new Uint8Array(size)
  out.set(bytes, size - bytes.length)
  return out
}

export function bigintToBytes32(value: bigint): Uint8Array {
  return padLeft(bigintToBytes(value), 32)
}
