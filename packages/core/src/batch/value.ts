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

/**
 * The parts with the largest exponent that divides `value` exactly (the shortest form; 0 is
 * `(0, 0)`), or undefined when the value is not a uint256.
 */
export function valueParts(value: bigint): ValueParts | undefined {
  if (value < 0n || value >= UINT256_LIMIT) return undefined
  if (value === 0n) return { exponent: 0, mantissa: 0n }
  let mantissa = value
  let exponent = 0
  for (const step of [16, 8, 4, 2, 1]) {
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
