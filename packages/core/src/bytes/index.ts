/** Byte helpers used across the protocol code. Hot paths work on Uint8Array; hex is for edges. */

import { Buffer } from 'node:buffer'

export type Hex = `0x${string}`

/** One empty byte array shared by every value that has no bytes (a zero-length array cannot be written). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0)

/**
 * Inputs up to this many bytes are hex-encoded by copying them into one reused Buffer: cheaper than a
 * Buffer view per call, and Node's encoder gives a flat string, where a concatenation per byte built
 * a rope (a string object per byte, flattened again by whatever reads it: a Map key, `BigInt`).
 */
const HEX_SCRATCH = Buffer.allocUnsafe(64)

/** `bytes` as lower-case hex without `0x`. */
function plainHex(bytes: Uint8Array): string {
  const length = bytes.length
  if (length > HEX_SCRATCH.length) return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('hex')
  HEX_SCRATCH.set(bytes)
  return HEX_SCRATCH.toString('hex', 0, length)
}

export function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${plainHex(bytes)}`
}

/** A hex digit's value by character code, 255 for anything else (the table covers '0'…'f'). */
export const HEX_DIGIT_VALUES: Uint8Array = (() => {
  const values = new Uint8Array(128).fill(255)
  for (let i = 0; i < 10; i++) values[48 + i] = i
  for (let i = 0; i < 6; i++) {
    values[65 + i] = 10 + i
    values[97 + i] = 10 + i
  }
  return values
})()

export function hexToBytes(hex: string): Uint8Array {
  const start = hex.length >= 2 && hex.charCodeAt(0) === 48 && (hex.charCodeAt(1) | 0x20) === 120 ? 2 : 0
  const digits = hex.length - start
  if (digits % 2 !== 0) throw notHex(hex)
  const out = new Uint8Array(digits / 2)
  // One pass over the character codes: no regular expression, no substring per byte.
  for (let i = 0, at = start; i < out.length; i++, at += 2) {
    const high = HEX_DIGIT_VALUES[hex.charCodeAt(at)] ?? 255
    const low = HEX_DIGIT_VALUES[hex.charCodeAt(at + 1)] ?? 255
    if ((high | low) === 255) throw notHex(hex)
    out[i] = (high << 4) | low
  }
  return out
}

function notHex(hex: string): TypeError {
  return new TypeError(`not an even-length hex string: ${hex.length > 80 ? `${hex.slice(0, 80)}…` : hex}`)
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
  if (value <= MAX_SAFE) {
    // Block numbers, timestamps, gas, fees: byte by byte from a number, no hex string.
    let rest = Number(value)
    let length = 0
    for (let n = rest; n >= 1; n = Math.floor(n / 256)) length++
    const out = new Uint8Array(length)
    for (let i = length - 1; i >= 0; i--) {
      out[i] = rest % 256
      rest = Math.floor(rest / 256)
    }
    return out
  }
  let hex = value.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return hexToBytes(hex)
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** Big-endian bytes to an integer; empty → 0. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  const length = bytes.length
  if (length <= 6) return BigInt(uintOf(bytes, 0, length))
  // Amounts in wei (7–12 bytes): two numbers of at most 48 bits, no string at all.
  if (length <= 12) return (BigInt(uintOf(bytes, 0, length - 6)) << 48n) | BigInt(uintOf(bytes, length - 6, length))
  return BigInt(`0x${plainHex(bytes)}`)
}

/** Bytes [from, to) (at most six) as a number. */
function uintOf(bytes: Uint8Array, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) n = n * 256 + (bytes[i] as number)
  return n
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
