import { Buffer } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { invalidParam } from './errors.ts'

/**
 * Hex at the JSON-RPC boundary, hand-written for the hot path (no schema validation per call):
 * quantities in minimal form (`0x0`, `0x1a`), data lowercase with every byte, and parsers that name
 * the parameter and say what is wrong.
 */

export type HexString = `0x${string}`

/** A quantity in minimal form: `0x0`, `0x1a` (never leading zeros). */
export function quantity(value: bigint | number): HexString {
  return `0x${value.toString(16)}`
}

/** Bytes as lowercase hex, every byte kept (`0x` for none). */
export function data(bytes: Uint8Array): HexString {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`
}

/** Bytes as a quantity: a storage value without its leading zero bytes. */
export function bytesQuantity(bytes: Uint8Array): HexString {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').replace(/^0+/, '')
  return hex === '' ? '0x0' : `0x${hex}`
}

/** A fixed-width word (8-byte header nonce): the quantity left-padded to `bytes` bytes. */
export function paddedQuantity(value: bigint, bytes: number): HexString {
  return `0x${value.toString(16).padStart(bytes * 2, '0')}`
}

const HEX_BODY = /^[0-9a-fA-F]*$/
const QUANTITY = /^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/

function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 70 ? `"${value.slice(0, 66)}…" (${value.length} chars)` : `"${value}"`
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : String(value)
}

/**
 * Hex data of any length (`0x` then an even number of hex digits) to a fresh Uint8Array. The result
 * owns its memory (it is not a slice of Node's shared Buffer pool), so a submitter may keep or
 * transfer it.
 */
export function parseData(value: unknown, index: number, name: string): Uint8Array {
  if (typeof value !== 'string' || value.length < 2 || value[0] !== '0' || (value[1] !== 'x' && value[1] !== 'X')) {
    throw invalidParam(index, name, `expected 0x-prefixed hex data, got ${describe(value)}`)
  }
  const digits = value.length - 2
  if (digits % 2 !== 0) throw invalidParam(index, name, `hex data has an odd number of digits (${digits})`)
  const out = new Uint8Array(digits / 2)
  // Buffer.write stops at the first non-hex pair, so a short count means a bad digit.
  const written = Buffer.from(out.buffer).write(value.slice(2), 'hex')
  if (written !== out.length) throw invalidParam(index, name, `not hex: ${describe(value)}`)
  return out
}

/** Exactly `size` bytes of hex data. */
export function parseFixed(value: unknown, index: number, name: string, size: number, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length !== 2 + 2 * size) {
    throw invalidParam(index, name, `expected ${what} (0x and ${2 * size} hex digits), got ${describe(value)}`)
  }
  return parseData(value, index, name)
}

export function parseAddress(value: unknown, index: number, name = 'address'): Uint8Array {
  return parseFixed(value, index, name, 20, 'a 20-byte address')
}

export function parseHash(value: unknown, index: number, name = 'hash'): Uint8Array {
  return parseFixed(value, index, name, 32, 'a 32-byte hash')
}

/** A quantity (`0x` then hex digits without leading zeros; `0x0` for zero) within `max`. */
export function parseQuantity(value: unknown, index: number, name: string, max?: bigint): bigint {
  if (typeof value !== 'string' || !QUANTITY.test(value)) {
    throw invalidParam(index, name, `expected a hex quantity such as 0x1a (no leading zeros), got ${describe(value)}`)
  }
  if (value.length > 66) throw invalidParam(index, name, 'the quantity is larger than 256 bits')
  const parsed = BigInt(value)
  if (max !== undefined && parsed > max)
    throw invalidParam(index, name, `${value} is above the maximum ${quantity(max)}`)
  return parsed
}

/** A storage slot: `0x` and 1–64 hex digits (leading zeros allowed, as geth takes them), left-padded to 32 bytes. */
export function parseSlot(value: unknown, index: number, name = 'slot'): Uint8Array {
  if (typeof value !== 'string' || !value.startsWith('0x') || value.length < 3 || value.length > 66) {
    throw invalidParam(index, name, `expected a storage slot (0x and 1 to 64 hex digits), got ${describe(value)}`)
  }
  const body = value.slice(2)
  if (!HEX_BODY.test(body)) throw invalidParam(index, name, `not hex: ${describe(value)}`)
  return Uint8Array.from(Buffer.from(body.padStart(64, '0'), 'hex'))
}

export function parseBoolean(value: unknown, index: number, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidParam(index, name, `expected true or false, got ${describe(value)}`)
  return value
}

export { describe as describeValue }

/** A fresh subscription or filter id: 16 random bytes as a quantity (no leading zeros), as geth makes them. */
export function randomId(): string {
  for (;;) {
    const id = quantity(BigInt(`0x${randomBytes(16).toString('hex')}`))
    if (id !== '0x0') return id
  }
}
