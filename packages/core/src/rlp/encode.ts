import { encode } from '@ethereumjs/rlp'
import { RlpEncodeError } from './errors.ts'
import type { RlpInput } from './types.ts'

/**
 * RLP-encodes a byte string, a non-negative integer (minimal big-endian; 0 is the empty string) or
 * a nested list of those. Throws `RlpEncodeError` for a negative integer.
 *
 * @example encodeRlp([new Uint8Array([1]), 1000n]) // 0xc4018203e8
 */
export function encodeRlp(input: RlpInput): Uint8Array {
  try {
    return encode(input as Parameters<typeof encode>[0])
  } catch (error) {
    throw new RlpEncodeError(
      `Cannot RLP-encode the value: ${error instanceof Error ? error.message : String(error)}`,
      error,
    )
  }
}

/**
 * The RLP item of a non-negative integer: its minimal big-endian bytes as an RLP string.
 *
 * @example encodeRlpInteger(0n) // 0x80
 */
export function encodeRlpInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RlpEncodeError(`Cannot RLP-encode the negative integer ${value}`)
  return encodeRlp(value)
}
