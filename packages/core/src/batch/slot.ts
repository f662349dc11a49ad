import { EMPTY_BYTES } from '../bytes/index.ts'
import type { SignedTransaction } from '../tx/index.ts'
import {
  ADDRESS_BYTES,
  FEE_INDEX_IN_VARINT,
  FLAG_FEE_SHIFT,
  FLAG_INLINE_RECIPIENT,
  FLAG_TYPE_MASK,
  FLAG_TYPE_SHIFT,
  FLAG_WITHDRAWAL_DATA,
  FLAG_Y_PARITY,
  SIGNATURE_BYTES,
  UINT64_LIMIT,
  UINT128_LIMIT,
  UINT256_LIMIT,
  WITHDRAWAL_DATA_BYTES,
  WITHDRAWAL_TAIL_BYTES,
} from './constants.ts'
import { addressKey, type BatchDictionaries, feeKey } from './dictionaries.ts'
import { BatchEncodeError } from './errors.ts'
import { readUint, writeUint } from './fixed.ts'
import type { BatchFeeEntry, BatchPrelude } from './prelude.ts'
import { readValue, type ValueParts, valueParts, valuePartsLength, valueProblem, writeValueParts } from './value.ts'
import { describeVarintProblem, readVarint, varintLength, writeVarint } from './varint.ts'

/** What a slot decodes to: the signed transaction it rebuilds, or the `slotDecode` no-op (§5.5). */
export type SlotResult =
  | { ok: true; tx: SignedTransaction }
  | {
      ok: false
      reason: 'slotDecode'
      /** what is wrong, for logs and `sluice_getBatch`; not part of any hash */
      detail: string
    }

/**
 * A transaction checked for what the slot format can express, with everything that does not depend
 * on the dictionaries worked out. The batch builder keeps these and writes them once the
 * dictionaries are known.
 */
export type PreparedSlot = {
  /** yParity, type and the withdrawal-data flag; the recipient and fee bits come later */
  baseFlags: number
  nonce: bigint
  recipient: Uint8Array
  recipientKey: string
  fee: BatchFeeEntry
  feeKey: string
  value: ValueParts
  /** the low 20 bytes of a withdrawal's data word */
  withdrawalTail: Uint8Array | undefined
  r: bigint
  s: bigint
  /** slot bytes without the recipient and without a feeIndex varint */
  fixedLength: number
}

/** What `checkSlot` works out of a transaction the slot format can express. */
type CheckedSlot = {
  recipient: Uint8Array
  /** yParity, type and the withdrawal-data flag; the recipient and fee bits come later */
  baseFlags: number
  value: ValueParts
  /** the low 20 bytes of a withdrawal's data word */
  withdrawalTail: Uint8Array | undefined
  /** slot bytes without the recipient and without a feeIndex varint */
  fixedLength: number
}

/**
 * Checks that `tx` can be written as a slot of a batch for chain `chainId`; the one place that says
 * what the format can express, for `prepareSlot` and `worstSlotLength`. Throws `BatchEncodeError`
 * naming why it cannot: pre-EIP-155, wrong chain id, access list, data other than empty or one
 * withdrawal word, fees ≥ 2^128, gasLimit ≥ 2^64, nonce ≥ 2^64, contract creation, a value the
 * mantissa/exponent form cannot hold, r or s ≥ 2^256.
 */
function checkSlot(tx: SignedTransaction, chainId: bigint): CheckedSlot {
  let yParity: bigint
  if (tx.type === 0) {
    if (tx.v === 27n || tx.v === 28n) {
      throw new BatchEncodeError('preEip155', 'a legacy transaction signed without chain id (v 27/28, pre-EIP-155)')
    }
    const base = 2n * chainId + 35n
    if ((tx.v !== base && tx.v !== base + 1n) || (tx.chainId !== undefined && tx.chainId !== chainId)) {
      throw new BatchEncodeError('wrongChainId', `a legacy transaction with v ${tx.v}, not for chain ${chainId}`)
    }
    yParity = tx.v - base
  } else if (tx.type === 1 || tx.type === 2) {
    if (tx.chainId !== chainId) {
      throw new BatchEncodeError('wrongChainId', `a transaction for chain ${tx.chainId}, not ${chainId}`)
    }
    if (tx.v !== 0n && tx.v !== 1n) throw new BatchEncodeError('invalidYParity', `yParity ${tx.v} is not 0 or 1`)
    yParity = tx.v
  } else {
    throw new BatchEncodeError('type', `transaction type ${String((tx as { type: unknown }).type)} has no slot form`)
  }
  if (tx.accessList.length > 0) throw new BatchEncodeError('accessList', 'the access list is not empty')
  if (tx.to === undefined) throw new BatchEncodeError('recipient', 'a contract creation (no recipient)')
  if (tx.to.length !== ADDRESS_BYTES) throw new BatchEncodeError('recipient', `the recipient is ${tx.to.length} bytes`)
  let withdrawalTail: Uint8Array | undefined
  if (tx.data.length === WITHDRAWAL_DATA_BYTES) {
    for (let i = 0; i < WITHDRAWAL_DATA_BYTES - WITHDRAWAL_TAIL_BYTES; i++) {
      if (tx.data[i] !== 0) {
        throw new BatchEncodeError('data', 'the 32-byte data word does not start with 12 zero bytes')
      }
    }
    withdrawalTail = tx.data.subarray(WITHDRAWAL_DATA_BYTES - WITHDRAWAL_TAIL_BYTES)
  } else if (tx.data.length !== 0) {
    throw new BatchEncodeError('data', `data is ${tx.data.length} bytes; only empty or one 32-byte word is possible`)
  }
  if (tx.nonce < 0n || tx.nonce >= UINT64_LIMIT)
    throw new BatchEncodeError('nonce', `nonce ${tx.nonce} is not below 2^64`)
  if (tx.type !== 2 && tx.maxPriorityFeePerGas !== tx.maxFeePerGas) {
    throw new BatchEncodeError('fee', `a type-${tx.type} transaction whose two fee fields (gasPrice) differ`)
  }
  if (tx.maxFeePerGas < 0n || tx.maxFeePerGas >= UINT128_LIMIT) {
    throw new BatchEncodeError('fee', `maxFeePerGas ${tx.maxFeePerGas} is not below 2^128`)
  }
  if (tx.maxPriorityFeePerGas < 0n || tx.maxPriorityFeePerGas >= UINT128_LIMIT) {
    throw new BatchEncodeError('fee', `maxPriorityFeePerGas ${tx.maxPriorityFeePerGas} is not below 2^128`)
  }
  if (tx.gasLimit < 0n || tx.gasLimit >= UINT64_LIMIT) {
    throw new BatchEncodeError('gasLimit', `gasLimit ${tx.gasLimit} is not below 2^64`)
  }
  const value = valueParts(tx.value)
  if (value === undefined) throw new BatchEncodeError('value', valueProblem(tx.value))
  if (tx.r < 0n || tx.r >= UINT256_LIMIT || tx.s < 0n || tx.s >= UINT256_LIMIT) {
    throw new BatchEncodeError('signatureOutOfRange', 'r or s does not fit in 32 bytes')
  }
  const baseFlags =
    Number(yParity) | (tx.type << FLAG_TYPE_SHIFT) | (withdrawalTail === undefined ? 0 : FLAG_WITHDRAWAL_DATA)
  const fixedLength =
    1 +
    varintLength(tx.nonce) +
    valuePartsLength(value) +
    (withdrawalTail === undefined ? 0 : WITHDRAWAL_TAIL_BYTES) +
    SIGNATURE_BYTES
  return { recipient: tx.to, baseFlags, value, withdrawalTail, fixedLength }
}

/**
 * Checks that `tx` can be written as a slot of a batch for chain `chainId` and prepares it (see
 * `checkSlot` for what it refuses, with `BatchEncodeError`).
 */
export function prepareSlot(tx: SignedTransaction, chainId: bigint): PreparedSlot {
  const { recipient, baseFlags, value, withdrawalTail, fixedLength } = checkSlot(tx, chainId)
  const fee: BatchFeeEntry = {
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
    gasLimit: tx.gasLimit,
  }
  return {
    baseFlags,
    nonce: tx.nonce,
    recipient,
    recipientKey: addressKey(recipient),
    fee,
    feeKey: feeKey(fee.maxFeePerGas, fee.maxPriorityFeePerGas, fee.gasLimit),
    value,
    withdrawalTail,
    r: tx.r,
    s: tx.s,
    fixedLength,
  }
}

/** A fee index of 0x80 or more: past the 7 that fold into the flags, a two-byte varint. */
const WORST_FEE_INDEX = 0x80

/**
 * The slot's length (without its length byte) with the worst dictionary costs (an inline
 * recipient, a two-byte fee index): `preparedSlotLength(prepareSlot(tx, chainId), 0x80, undefined)`
 * without the dictionary keys (a hex recipient, a string of the three fees) `prepareSlot` builds for
 * the batch writer. For a size check per transaction per block (the sequencer's builder). Throws
 * what `prepareSlot` throws.
 */
export function worstSlotLength(tx: SignedTransaction, chainId: bigint): number {
  return checkSlot(tx, chainId).fixedLength + feeIndexCost(WORST_FEE_INDEX) + recipientCost(undefined)
}

/** Bytes the fee index costs: 0 when it folds into the flags (index < 7), else its varint. */
export function feeIndexCost(feeIndex: number): number {
  return feeIndex < FEE_INDEX_IN_VARINT ? 0 : varintLength(feeIndex)
}

/** Bytes the recipient costs: its dictionary index varint, or 20 inline. */
export function recipientCost(addressIndex: number | undefined): number {
  return addressIndex === undefined ? ADDRESS_BYTES : varintLength(addressIndex)
}

/** The slot bytes' length (without the length byte) for the given indices. */
export function preparedSlotLength(slot: PreparedSlot, feeIndex: number, addressIndex: number | undefined): number {
  return slot.fixedLength + feeIndexCost(feeIndex) + recipientCost(addressIndex)
}

/**
 * Writes the slot bytes (without the length byte) at `offset`; returns the offset after them.
 * `addressIndex` undefined writes the recipient inline.
 */
export function writePreparedSlot(
  slot: PreparedSlot,
  feeIndex: number,
  addressIndex: number | undefined,
  out: Uint8Array,
  offset: number,
): number {
  const folded = Math.min(feeIndex, FEE_INDEX_IN_VARINT)
  let flags = slot.baseFlags | (folded << FLAG_FEE_SHIFT)
  if (addressIndex === undefined) flags |= FLAG_INLINE_RECIPIENT
  let at = offset
  out[at++] = flags
  at = writeVarint(slot.nonce, out, at)
  if (folded === FEE_INDEX_IN_VARINT) at = writeVarint(feeIndex, out, at)
  if (addressIndex === undefined) {
    out.set(slot.recipient, at)
    at += ADDRESS_BYTES
  } else {
    at = writeVarint(addressIndex, out, at)
  }
  at = writeValueParts(slot.value, out, at)
  if (slot.withdrawalTail !== undefined) {
    out.set(slot.withdrawalTail, at)
    at += WITHDRAWAL_TAIL_BYTES
  }
  writeUint(slot.r, out, at, 32)
  writeUint(slot.s, out, at + 32, 32)
  return at + SIGNATURE_BYTES
}

/**
 * The slot bytes of `tx` (without the length byte) against the given dictionaries (§5.5). The
 * recipient is written by index when the address dictionary holds it, inline otherwise; the fee
 * entry must be in the fee dictionary. Throws `BatchEncodeError` for a transaction the format
 * cannot express (see `prepareSlot`) or a fee entry missing from the dictionary.
 */
export function encodeSlot(tx: SignedTransaction, dict: BatchDictionaries, chainId: bigint): Uint8Array {
  const slot = prepareSlot(tx, chainId)
  const feeIndex = dict.feeIndex.get(slot.feeKey)
  if (feeIndex === undefined) {
    throw new BatchEncodeError(
      'dictionary',
      `the fee entry (${slot.fee.maxFeePerGas}, ${slot.fee.maxPriorityFeePerGas}, ${slot.fee.gasLimit}) is not in the fee dictionary`,
    )
  }
  const addressIndex = dict.addressIndex.get(slot.recipientKey)
  const out = new Uint8Array(preparedSlotLength(slot, feeIndex, addressIndex))
  writePreparedSlot(slot, feeIndex, addressIndex, out, 0)
  return out
}

/** The data of every slot without a withdrawal tail: one shared empty array (nothing can be written to it). */

function failure(detail: string): SlotResult {
  return { ok: false, reason: 'slotDecode', detail }
}

function varintFailure(field: string, problem: Parameters<typeof describeVarintProblem>[0]): SlotResult {
  return failure(`${field} varint is invalid: ${describeVarintProblem(problem)}`)
}

/**
 * The dictionary entries a slot that decodes names (a one-step proof over a blob batch must open
 * their bytes, docs/protocol.md §8.3). Filled by `decodeSlotAt` only when the slot decodes.
 */
export type SlotDictionaryReads = {
  /** index of the slot's fee entry */
  feeIndex?: number
  /** index of the slot's recipient in the address dictionary; undefined for an inline recipient */
  addressIndex?: number | undefined
}

/**
 * Decodes the slot bytes `bytes[start, end)` (without the length byte) against the prelude's
 * dictionaries, rebuilding the transaction exactly as the wallet signed it (§5.5). Total: returns
 * `slotDecode` with a detail for every malformed slot and never throws. When `reads` is given and
 * the slot decodes, it receives the dictionary entries the transaction was rebuilt from.
 */
export function decodeSlotAt(
  bytes: Uint8Array,
  start: number,
  end: number,
  prelude: BatchPrelude,
  chainId: bigint,
  reads?: SlotDictionaryReads,
): SlotResult {
  if (start >= end) return failure('the slot is empty')
  const flags = bytes[start] as number
  const type = (flags & FLAG_TYPE_MASK) >> FLAG_TYPE_SHIFT
  if (type === 3) return failure('flags name transaction type 3')
  const nonce = readVarint(bytes, start + 1, end)
  if (!nonce.ok) return varintFailure('nonce', nonce.problem)
  let at = nonce.next
  let feeIndex = flags >> FLAG_FEE_SHIFT
  if (feeIndex === FEE_INDEX_IN_VARINT) {
    const index = readVarint(bytes, at, end)
    if (!index.ok) return varintFailure('feeIndex', index.problem)
    if (index.value >= BigInt(prelude.fees.length)) {
      return failure(`fee index ${index.value} is out of range (the fee dictionary has ${prelude.fees.length} entries)`)
    }
    feeIndex = Number(index.value)
    at = index.next
  }
  const fee = prelude.fees[feeIndex]
  if (fee === undefined) {
    return failure(`fee index ${feeIndex} is out of range (the fee dictionary has ${prelude.fees.length} entries)`)
  }
  let to: Uint8Array
  let addressIndex: number | undefined
  if (flags & FLAG_INLINE_RECIPIENT) {
    if (end - at < ADDRESS_BYTES) return failure('the slot ends inside the inline recipient')
    to = bytes.slice(at, at + ADDRESS_BYTES)
    at += ADDRESS_BYTES
  } else {
    const index = readVarint(bytes, at, end)
    if (!index.ok) return varintFailure('recipient index', index.problem)
    if (index.value >= BigInt(prelude.addressCount)) {
      return failure(
        `recipient index ${index.value} is out of range (the address dictionary has ${prelude.addressCount} entries)`,
      )
    }
    addressIndex = Number(index.value)
    const i = addressIndex * ADDRESS_BYTES
    to = prelude.addresses.slice(i, i + ADDRESS_BYTES)
    at = index.next
  }
  const value = readValue(bytes, at, end)
  if (!value.ok) return failure(value.problem)
  at = value.next
  let data: Uint8Array
  if (flags & FLAG_WITHDRAWAL_DATA) {
    if (end - at < WITHDRAWAL_TAIL_BYTES) return failure('the slot ends inside the withdrawal tail')
    data = new Uint8Array(WITHDRAWAL_DATA_BYTES)
    data.set(bytes.subarray(at, at + WITHDRAWAL_TAIL_BYTES), WITHDRAWAL_DATA_BYTES - WITHDRAWAL_TAIL_BYTES)
    at += WITHDRAWAL_TAIL_BYTES
  } else {
    data = EMPTY_BYTES
  }
  if (end - at < SIGNATURE_BYTES) return failure(`the slot ends inside the signature (${end - at} of 64 bytes)`)
  const r = readUint(bytes, at, 32)
  const s = readUint(bytes, at + 32, 32)
  at += SIGNATURE_BYTES
  if (at !== end) return failure(`${end - at} bytes are left over after s`)
  if (reads !== undefined) {
    reads.feeIndex = feeIndex
    reads.addressIndex = addressIndex
  }
  const yParity = BigInt(flags & FLAG_Y_PARITY)
  const legacyLike = type !== 2
  return {
    ok: true,
    tx: {
      type: type as 0 | 1 | 2,
      chainId,
      nonce: nonce.value,
      maxPriorityFeePerGas: legacyLike ? fee.maxFeePerGas : fee.maxPriorityFeePerGas,
      maxFeePerGas: fee.maxFeePerGas,
      gasLimit: fee.gasLimit,
      to,
      value: value.value,
      data,
      accessList: [],
      v: type === 0 ? 2n * chainId + 35n + yParity : yParity,
      r,
      s,
    },
  }
}

/** `decodeSlotAt` on a whole byte array: the slot bytes without the length byte. Never throws. */
export function decodeSlot(bytes: Uint8Array, prelude: BatchPrelude, chainId: bigint): SlotResult {
  return decodeSlotAt(bytes, 0, bytes.length, prelude, chainId)
}
