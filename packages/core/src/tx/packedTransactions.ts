import { Buffer } from 'node:buffer'
import { EMPTY_BYTES } from '../bytes/index.ts'
import type { SignedTransaction } from './types.ts'

/**
 * Decoded transactions packed in one transferable buffer, one fixed-size record each: how a sender
 * worker hands the fields it decoded to the main thread, which then builds the `SignedTransaction`
 * from 64-bit words and short copies instead of decoding the bytes again (a third of the decode's
 * cost there, with fewer temporary bigints; packing costs the worker about a quarter).
 *
 * Record `i` starts at byte `i · TRANSACTION_RECORD_BYTES`:
 * - 64-bit words 0–7: chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, value's low
 *   64 bits, v, value's high 64 bits;
 * - bytes 64–83: `to`; 84–115: `data`; 116: the type; 117: flags; 118: the data's length;
 * - bytes 120–185 and 186–251: r and s as text, `0x` and 64 hex digits. The main thread reads each
 *   with one `BigInt` of one string (~190 B allocated), where joining four 64-bit words took ten
 *   bigints (~470 B), most of a transfer's unpacking.
 *
 * Only the shape Sluice admits is packed: a chain id, the fee caps and v below 2^64, the value below
 * 2^128, data of at most 32 bytes, an empty access list. Any other transaction's record says so (flags 0) and the
 * receiver decodes its bytes as before, so both ends agree on every field by construction.
 */
export const TRANSACTION_RECORD_BYTES = 256

const WORDS_PER_RECORD = TRANSACTION_RECORD_BYTES / 8
const VALUE_HIGH_WORD = 7
const TO_AT = 64
const DATA_AT = 84
const MAX_PACKED_DATA = 32
const TYPE_AT = 116
const FLAGS_AT = 117
const DATA_LENGTH_AT = 118
const R_AT = 120
const S_AT = 186
/** `0x` and 64 hex digits. */
const WORD_TEXT_LENGTH = 66
const PACKED = 1
const HAS_TO = 2
/** The value has bits above the 64th (word 7), which most transfers do not. */
const WIDE_VALUE = 4
const MAX_WORD = 2n ** 64n - 1n
const MAX_VALUE = 2n ** 128n - 1n
const MAX_UINT256 = 2n ** 256n - 1n
const ZERO_DIGIT = 0x30
const X_LETTER = 0x78

/** Views of a buffer of transaction records (`text` reads r and s). */
export type TransactionRecords = {
  readonly words: BigUint64Array
  readonly bytes: Uint8Array
  readonly text: Buffer
}

/** Views of `buffer` (a multiple of `TRANSACTION_RECORD_BYTES`). */
export function transactionRecords(buffer: ArrayBuffer): TransactionRecords {
  return { words: new BigUint64Array(buffer), bytes: new Uint8Array(buffer), text: Buffer.from(buffer) }
}

/** Writes `tx` as record `i` (zero-filled records), or leaves it unpacked; true when packed. */
export function packTransaction(records: TransactionRecords, i: number, tx: SignedTransaction): boolean {
  const { chainId, data, to } = tx
  if (chainId === undefined || data.length > MAX_PACKED_DATA || tx.accessList.length !== 0) return false
  if (
    chainId > MAX_WORD ||
    tx.maxPriorityFeePerGas > MAX_WORD ||
    tx.maxFeePerGas > MAX_WORD ||
    tx.value > MAX_VALUE ||
    tx.v > MAX_WORD ||
    tx.r > MAX_UINT256 ||
    tx.s > MAX_UINT256
  )
    return false
  const { words, bytes } = records
  const w = i * WORDS_PER_RECORD
  words[w] = chainId
  words[w + 1] = tx.nonce
  words[w + 2] = tx.maxPriorityFeePerGas
  words[w + 3] = tx.maxFeePerGas
  words[w + 4] = tx.gasLimit
  words[w + 5] = BigInt.asUintN(64, tx.value)
  words[w + 6] = tx.v
  const wide = tx.value > MAX_WORD
  if (wide) words[w + VALUE_HIGH_WORD] = tx.value >> 64n
  const b = i * TRANSACTION_RECORD_BYTES
  writeWordText(bytes, b + R_AT, tx.r)
  writeWordText(bytes, b + S_AT, tx.s)
  if (to !== undefined) bytes.set(to, b + TO_AT)
  bytes.set(data, b + DATA_AT)
  bytes[b + TYPE_AT] = tx.type
  bytes[b + FLAGS_AT] = PACKED | (to === undefined ? 0 : HAS_TO) | (wide ? WIDE_VALUE : 0)
  bytes[b + DATA_LENGTH_AT] = data.length
  return true
}

/** Record `i` as the `SignedTransaction` that was packed, or undefined when it was left unpacked. */
export function unpackTransaction(records: TransactionRecords, i: number): SignedTransaction | undefined {
  const { words, bytes, text } = records
  const b = i * TRANSACTION_RECORD_BYTES
  const flags = bytes[b + FLAGS_AT] as number
  if ((flags & PACKED) === 0) return undefined
  const w = i * WORDS_PER_RECORD
  const type = bytes[b + TYPE_AT] as number
  const dataLength = bytes[b + DATA_LENGTH_AT] as number
  return {
    type: type === 2 ? 2 : type === 1 ? 1 : 0,
    chainId: words[w] as bigint,
    nonce: words[w + 1] as bigint,
    maxPriorityFeePerGas: words[w + 2] as bigint,
    maxFeePerGas: words[w + 3] as bigint,
    gasLimit: words[w + 4] as bigint,
    to: (flags & HAS_TO) === 0 ? undefined : bytes.slice(b + TO_AT, b + TO_AT + 20),
    value:
      (flags & WIDE_VALUE) === 0
        ? (words[w + 5] as bigint)
        : ((words[w + VALUE_HIGH_WORD] as bigint) << 64n) | (words[w + 5] as bigint),
    data: dataLength === 0 ? EMPTY_BYTES : bytes.slice(b + DATA_AT, b + DATA_AT + dataLength),
    accessList: [],
    v: words[w + 6] as bigint,
    r: BigInt(text.toString('latin1', b + R_AT, b + R_AT + WORD_TEXT_LENGTH)),
    s: BigInt(text.toString('latin1', b + S_AT, b + S_AT + WORD_TEXT_LENGTH)),
  }
}

/** Writes `value` (below 2^256) at `at` as `0x` and 64 hex digits. */
function writeWordText(bytes: Uint8Array, at: number, value: bigint): void {
  const digits = value.toString(16)
  bytes[at] = ZERO_DIGIT
  bytes[at + 1] = X_LETTER
  const end = at + WORD_TEXT_LENGTH
  const first = end - digits.length
  bytes.fill(ZERO_DIGIT, at + 2, first)
  for (let k = 0; k < digits.length; k++) bytes[first + k] = digits.charCodeAt(k)
}
