import { decode } from '@ethereumjs/rlp'
import { bytesToBigint } from '../bytes/index.ts'
import { RlpDecodeError, type RlpDecodeProblem } from './errors.ts'
import type { RlpDecoded } from './types.ts'

/**
 * Maps @ethereumjs/rlp's refusals (v10) to our problems. Only the wording of our error depends on
 * this: whatever it says, the input is refused. Every refusal is checked in test/rlp against
 * ethereum/tests' invalid vectors and targeted cases, so a changed message shows up there.
 */
function classify(message: string): RlpDecodeProblem {
  if (message.includes('single byte < 0x80 are not prefixed')) return 'nonCanonicalSingleByte'
  if (message.includes('extra zeros')) return 'leadingZeroLength'
  if (message.includes('greater than 55') || message.includes('list too short')) return 'nonCanonicalLongForm'
  if (message.includes('remainder must be zero')) return 'trailingBytes'
  if (message.includes('out-of-bounds') || message.includes('larger than the data') || message.includes('not enough'))
    return 'lengthPastInput'
  return 'malformed'
}

/**
 * Decodes one canonical RLP item that spans all of `bytes`. Throws `RlpDecodeError` on empty
 * input, non-canonical encodings (a single byte < 0x80 wrapped, leading zeros in a length, the
 * long form for a short payload), trailing bytes, and lengths past the input.
 *
 * @example decodeRlp(hexToBytes('0xc483646f67')) // [Uint8Array('dog')]
 */
export function decodeRlp(bytes: Uint8Array): RlpDecoded {
  // @ethereumjs/rlp returns an empty string for empty input; an empty input is no RLP item.
  if (bytes.length === 0) throw new RlpDecodeError({ problem: 'empty' })
  try {
    return decode(bytes) as RlpDecoded
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new RlpDecodeError({ problem: classify(message), detail: `${bytes.length}-byte input`, cause: error })
  }
}

/**
 * Reads a decoded RLP item as a canonical unsigned integer: a byte string without a leading zero
 * byte (the empty string is 0), at most `maxBytes` long when given. Throws `RlpDecodeError`.
 *
 * @example decodeRlpInteger(decodeRlp(hexToBytes('0x8203e8'))) // 1000n
 */
export function decodeRlpInteger(item: RlpDecoded, maxBytes?: number): bigint {
  if (!(item instanceof Uint8Array)) throw new RlpDecodeError({ problem: 'unexpectedList' })
  if (item.length > 0 && item[0] === 0) {
    throw new RlpDecodeError({ problem: 'nonCanonicalInteger', detail: `${item.length} bytes starting with 0x00` })
  }
  if (maxBytes !== undefined && item.length > maxBytes) {
    throw new RlpDecodeError({ problem: 'integerTooWide', detail: `${item.length} bytes, at most ${maxBytes} allowed` })
  }
  return bytesToBigint(item)
}
