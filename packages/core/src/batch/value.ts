import { MAX_EXPONENT, UINT256_LIMIT } from './constants.ts'
import { BatchEncodeError } from './errors.ts'
import { describeVarintProblem, readVarint, varintLength, WIDE_VARINT, writeVarint } from './varint.ts'

/**
 * A transfer value as `exponent:uint8 ‖ mantissa:varint`, value = mantissa × 10^exponent
 * (docs/protocol.md §5.5). The mantissa is a canonical wide varint (up to 37 bytes, below 2^256).
 */
export type ValueParts = { exponent: number; mantissa: bigint }

const POW10: bigint[] = []
for (let e = 0, p = 1n; e <= MAX_EXPONENT; e++, p *= 10n) POW10.push(p)

export function powerOfTen(exponent: number): bigint {
  return POW10[exponent] as bigint
}

/** 10^15, the largest power of ten below 2^53: a remainder by it is an exact Number. */
const LOW_DIGITS = POW10[15] as bigint
const LOW_DIGITS_COUNT = 15
const FACTOR_STEPS = [16, 8, 4, 2, 1] as const

/**
 * The parts with the largest exponent that divides `value` exactly (the shortest form; 0 is
 * `(0, 0)`), or undefined when the value is not a uint256.
 *
 * A value with a non-zero digit among its last 15 (almost every transfer's) has its trailing zeros
 * counted on a Number: one BigInt remainder and one division, not a remainder per power tried (the
 * sequencer sizes every pooled transfer's slot per block).
 */
export function valueParts(value: bigint): ValueParts | undefined {
  if (value < 0n || value >= UINT256_LIMIT) return undefined
  if (value === 0n) return { exponent: 0, mantissa: 0n }
  let low = Number(value % LOW_DIGITS)
  if (low !== 0) {
    let exponent = 0
    while (low % 10 === 0) {
      low /= 10
      exponent++
    }
    return { exponent, mantissa: exponent === 0 ? value : value / (POW10[exponent] as bigint) }
  }
  let mantissa = value / LOW_DIGITS
  let exponent = LOW_DIGITS_COUNT
  for (const step of FACTOR_STEPS) {
    const p = POW10[step] as bigint
    while (mantissa % p === 0n) {
      mantissa /= p
      exponent += step
    }
  }
  return { exponent, mantissa }
}

/** Bytes of the encoded parts. */
export function valuePartsLength(parts: ValueParts): number {
  return 1 + varintLength(parts.mantissa)
}

/** Writes the parts at `offset`; returns the offset after them. */
export function writeValueParts(parts: ValueParts, out: Uint8Array, offset: number): number {
  out[offset] = parts.exponent
  return writeVarint(parts.mantissa, out, offset + 1, WIDE_VARINT)
}

/** The encoded value. Throws `BatchEncodeError` (`value`) when the format cannot express it. */
export function encodeValue(value: bigint): Uint8Array {
  const parts = valueParts(value)
  if (parts === undefined) throw new BatchEncodeError('value', valueProblem(value))
  const out = new Uint8Array(valuePartsLength(parts))
  writeValueParts(parts, out, 0)
  return out
}

/** Why `valueParts(value)` is undefined, as a sentence fragment. */
export function valueProblem(value: bigint): string {
  if (value < 0n) return `value ${value} is negative`
  return `value ${value} is 2^256 or more`
}

export type ValueRead = { ok: true; value: bigint; next: number } | { ok: false; problem: string }

/** Reads an encoded value at `offset` (not past `end`). Never throws. */
export function readValue(bytes: Uint8Array, offset: number, end: number = bytes.length): ValueRead {
  if (offset >= end) return { ok: false, problem: 'value: the bytes end before its exponent' }
  const exponent = bytes[offset] as number
  if (exponent > MAX_EXPONENT) return { ok: false, problem: `value: exponent ${exponent} is above ${MAX_EXPONENT}` }
  const mantissa = readVarint(bytes, offset + 1, end, WIDE_VARINT)
  if (!mantissa.ok)
    return { ok: false, problem: `value: mantissa varint is invalid: ${describeVarintProblem(mantissa.problem)}` }
  const value = exponent === 0 ? mantissa.value : mantissa.value * (POW10[exponent] as bigint)
  if (value >= UINT256_LIMIT) {
    return { ok: false, problem: `value: ${mantissa.value} × 10^${exponent} is 2^256 or more` }
  }
  return { ok: true, value, next: mantissa.next }
}

/** Decodes a value that is exactly `bytes`: nothing may follow it. Never throws. */
export function decodeValue(bytes: Uint8Array): ValueRead {
  const read = readValue(bytes, 0, bytes.length)
  if (read.ok && read.next !== bytes.length) {
    return { ok: false, problem: `value: ${bytes.length - read.next} bytes follow it` }
  }
  return read
}
