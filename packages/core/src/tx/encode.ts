import { EMPTY_BYTES } from '../bytes/index.ts'
import {
  encodeRlp,
  encodeRlpAfter,
  RLP_LIST,
  type RlpInput,
  rlpBytesLength,
  rlpHeaderLength,
  rlpSafeIntegerLength,
  writeRlpBytes,
  writeRlpHeader,
  writeRlpSafeInteger,
} from '../rlp/index.ts'
import { TransactionEncodeError } from './errors.ts'
import type { AccessListItem, SignedTransaction } from './types.ts'

/**
 * The network ("raw") form of a signed transaction: `rlp([...])` for legacy, `type ‖ rlp([...])`
 * for typed ones. `encodeTransaction(decodeTransaction(raw))` is `raw`, byte for byte. Throws
 * `TransactionEncodeError` for an object no decoder could have produced (a typed transaction
 * without chain id, a legacy or EIP-2930 one whose two fee fields differ, wrong-sized addresses).
 */
export function encodeTransaction(tx: SignedTransaction): Uint8Array {
  const signature = [tx.v, tx.r, tx.s]
  if (tx.type === 0) return encodeRlp([...legacyFields(tx), ...signature])
  return typed(tx.type, [...typedFields(tx), ...signature])
}

/**
 * The bytes whose keccak256 was signed: legacy EIP-155 `rlp([nonce, gasPrice, gasLimit, to, value,
 * data, chainId, 0, 0])`, pre-EIP-155 (chainId undefined) the six-field form, typed
 * `type ‖ rlp([...fields without the signature])` (an empty access list included as `[]`).
 */
export function signingPayload(tx: SignedTransaction): Uint8Array {
  if (tx.type === 0) {
    const fields = legacyFields(tx)
    return encodeRlp(tx.chainId === undefined ? fields : [...fields, tx.chainId, 0n, 0n])
  }
  return typed(tx.type, typedFields(tx))
}

function typed(type: 1 | 2, fields: RlpInput[]): Uint8Array {
  const out = encodeRlpAfter(1, fields)
  out[0] = type
  return out
}

function recipient(tx: SignedTransaction): Uint8Array {
  if (tx.to === undefined) return EMPTY_BYTES
  if (tx.to.length !== 20) throw new TransactionEncodeError(`to is ${tx.to.length} bytes; it must be 20 or undefined`)
  return tx.to
}

function gasPrice(tx: SignedTransaction): bigint {
  if (tx.maxPriorityFeePerGas !== tx.maxFeePerGas) {
    throw new TransactionEncodeError(
      `a type-${tx.type} transaction has one gasPrice, but maxPriorityFeePerGas (${tx.maxPriorityFeePerGas}) ≠ maxFeePerGas (${tx.maxFeePerGas})`,
    )
  }
  return tx.maxFeePerGas
}

function legacyFields(tx: SignedTransaction): RlpInput[] {
  if (tx.accessList.length > 0) throw new TransactionEncodeError('a legacy transaction has no access list')
  return [tx.nonce, gasPrice(tx), tx.gasLimit, recipient(tx), tx.value, tx.data]
}

function accessList(list: readonly AccessListItem[]): RlpInput[] {
  return list.map((item) => {
    if (item.address.length !== 20) throw new TransactionEncodeError('an access-list address is not 20 bytes')
    for (const key of item.storageKeys) {
      if (key.length !== 32) throw new TransactionEncodeError('an access-list storage key is not 32 bytes')
    }
    return [item.address, item.storageKeys]
  })
}

function typedFields(tx: SignedTransaction): RlpInput[] {
  if (tx.chainId === undefined) throw new TransactionEncodeError(`a type-${tx.type} transaction needs a chain id`)
  if (tx.type === 1) {
    return [
      tx.chainId,
      tx.nonce,
      gasPrice(tx),
      tx.gasLimit,
      recipient(tx),
      tx.value,
      tx.data,
      accessList(tx.accessList),
    ]
  }
  return [
    tx.chainId,
    tx.nonce,
    tx.maxPriorityFeePerGas,
    tx.maxFeePerGas,
    tx.gasLimit,
    recipient(tx),
    tx.value,
    tx.data,
    accessList(tx.accessList),
  ]
}

// ---------------------------------------------------------------- the common shape, written directly

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
/** The most bytes a common-shape transaction's fields take besides its data (12 items, 33 bytes at most each). */
const MAX_FIELDS_BYTES = 12 * 33 + 21
/** Encodings are cut from shared slabs of this size (see `encodeTransactionShared`). */
const SLAB_BYTES = 64 * 1024
/** Data past this many bytes takes the general path (its encoding would not fit a slab comfortably). */
const MAX_SHARED_DATA = 4096
let slab = new Uint8Array(SLAB_BYTES)
let slabPos = 0

/**
 * `encodeTransaction(tx)`, byte for byte, written straight into a view of a shared 64 KiB slab for
 * the shape blocks hold (an empty access list, data of at most 4 KiB): no field arrays, each integer
 * measured and written once, and no backing store of its own per transaction (a fresh `Uint8Array`
 * over 64 bytes gets one, which costs more than writing it). Any other transaction, and any object
 * `encodeTransaction` refuses, goes through `encodeTransaction`. For a caller that encodes many
 * (the verifier's planner, every decoded transaction of a batch); the result is a view: its
 * `buffer` holds other transactions too.
 */
export function encodeTransactionShared(tx: SignedTransaction): Uint8Array {
  const { type, data, to, chainId } = tx
  if (
    tx.accessList.length !== 0 ||
    data.length > MAX_SHARED_DATA ||
    (to !== undefined && to.length !== 20) ||
    (type !== 2 && tx.maxPriorityFeePerGas !== tx.maxFeePerGas) ||
    (type !== 0 && chainId === undefined)
  )
    return encodeTransaction(tx)
  // the integers that are usually over 2^53 (a value in wei, r, s) are written once as 256-bit words
  // into `words`, and their length read off there
  const valueLength = tx.value > MAX_SAFE ? wordLength(tx.value, VALUE_WORD) : integerLength(tx.value)
  const rLength = tx.r > MAX_SAFE ? wordLength(tx.r, R_WORD) : integerLength(tx.r)
  const sLength = tx.s > MAX_SAFE ? wordLength(tx.s, S_WORD) : integerLength(tx.s)
  let payload =
    integerLength(tx.nonce) +
    integerLength(tx.maxFeePerGas) +
    integerLength(tx.gasLimit) +
    (to === undefined ? 1 : 21) +
    valueLength +
    rlpBytesLength(data) +
    integerLength(tx.v) +
    rLength +
    sLength
  if (type !== 0) payload += integerLength(chainId as bigint) + 1 // the chain id and the empty access list
  if (type === 2) payload += integerLength(tx.maxPriorityFeePerGas)
  const prefix = type === 0 ? 0 : 1
  const length = prefix + rlpHeaderLength(payload) + payload
  if (length > MAX_FIELDS_BYTES + MAX_SHARED_DATA) return encodeTransaction(tx) // see NOT_WRITTEN
  if (slabPos + length > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES)
    slabPos = 0
  }
  const out = slab
  const start = slabPos
  let o = start
  if (type !== 0) out[o++] = type
  o = writeRlpHeader(out, o, payload, RLP_LIST)
  if (type !== 0) o = writeInteger(out, o, chainId as bigint)
  o = writeInteger(out, o, tx.nonce)
  if (type === 2) o = writeInteger(out, o, tx.maxPriorityFeePerGas)
  o = writeInteger(out, o, tx.maxFeePerGas)
  o = writeInteger(out, o, tx.gasLimit)
  if (to === undefined) out[o++] = 0x80
  else {
    out[o++] = 0x94
    out.set(to, o)
    o += 20
  }
  o = tx.value > MAX_SAFE ? writeWord(out, o, VALUE_WORD, valueLength) : writeInteger(out, o, tx.value)
  o = writeRlpBytes(out, o, data)
  if (type !== 0) out[o++] = 0xc0
  o = writeInteger(out, o, tx.v)
  o = tx.r > MAX_SAFE ? writeWord(out, o, R_WORD, rLength) : writeInteger(out, o, tx.r)
  o = tx.s > MAX_SAFE ? writeWord(out, o, S_WORD, sLength) : writeInteger(out, o, tx.s)
  slabPos = o
  return out.subarray(start, o)
}

/** Where `value`, `r` and `s` of the transaction being encoded are written as 32-byte words. */
const VALUE_WORD = 0
const R_WORD = 32
const S_WORD = 64
const words = new Uint8Array(96)
const wordView = new DataView(words.buffer)
const MAX_UINT256 = (1n << 256n) - 1n

/**
 * Writes `value` (over 2^53) as the 32-byte big-endian word at `at` of `words` (four 64-bit stores:
 * ~0.07 µs against ~0.5 for `toString(16)` and its digits) and returns its RLP length; NOT_WRITTEN
 * for a value of more than 256 bits.
 */
function wordLength(value: bigint, at: number): number {
  if (value > MAX_UINT256) return NOT_WRITTEN
  const high = value >> 128n
  wordView.setBigUint64(at + 24, BigInt.asUintN(64, value))
  wordView.setBigUint64(at + 16, BigInt.asUintN(64, value >> 64n))
  wordView.setBigUint64(at + 8, BigInt.asUintN(64, high))
  wordView.setBigUint64(at, high >> 64n)
  let first = at
  while (words[first] === 0) first++
  return 1 + at + 32 - first
}

/** Writes the word at `at` of `words` (see `wordLength`) as an RLP integer of `length` bytes in all. */
function writeWord(out: Uint8Array, o: number, at: number, length: number): number {
  const n = length - 1
  out[o] = 0x80 + n
  out.set(words.subarray(at + 32 - n, at + 32), o + 1)
  return o + length
}

/**
 * Stands for the length of an integer the direct path does not write (negative, or over 55 bytes:
 * a header of more than one byte): the total then exceeds any slab's room and `encodeTransaction`
 * takes it, with its own error or encoding.
 */
const NOT_WRITTEN = 1 << 30

/** The RLP length of an integer: one header byte and its minimal big-endian bytes. */
function integerLength(value: bigint): number {
  if (value < 0x80n) return value < 0n ? NOT_WRITTEN : 1
  if (value <= MAX_SAFE) return rlpSafeIntegerLength(Number(value))
  return hexIntegerLength(value.toString(16))
}

function hexIntegerLength(hex: string): number {
  return hex.length > 110 ? NOT_WRITTEN : 1 + ((hex.length + 1) >> 1)
}

function writeInteger(out: Uint8Array, o: number, value: bigint): number {
  if (value <= MAX_SAFE) return writeRlpSafeInteger(out, o, Number(value))
  // above 2^53 (a nonce, fee or gas limit rarely is; value, r and s go through `words`)
  const encoded = encodeRlp(value)
  out.set(encoded, o)
  return o + encoded.length
}
