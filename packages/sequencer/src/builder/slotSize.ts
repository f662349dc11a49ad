import { preparedSlotLength, prepareSlot, type SignedTransaction, valueParts, varintLength } from '@sluice/core'

const ADDRESS_BYTES = 20
const SIGNATURE_BYTES = 64
/** A fee index of 0x80 or more: past the 7 that fold into the flags, a two-byte varint. */
const WORST_FEE_INDEX = 0x80
const UINT64_LIMIT = 1n << 64n
const UINT128_LIMIT = 1n << 128n
const UINT256_LIMIT = 1n << 256n

/**
 * The slot's length (without its length byte) with the worst dictionary costs (inline recipient,
 * a two-byte fee index), as `preparedSlotLength(prepareSlot(tx, chainId), 0x80, undefined)` gives
 * it, without the dictionary keys (a hex recipient, a string of the three fees) and objects
 * `prepareSlot` builds for the batch writer, which only the size check reads here, per
 * transaction per block.
 *
 * Only a plain transfer (type 2, no data) is sized here; every condition below is one of
 * `prepareSlot`'s. Anything else goes to `prepareSlot`, which throws `BatchEncodeError` for what the
 * slot format cannot express, so an unencodable transaction still never reaches a sealed block.
 */
export function worstSlotLength(tx: SignedTransaction, chainId: bigint): number {
  const { to } = tx
  if (
    tx.type === 2 &&
    tx.chainId === chainId &&
    (tx.v === 0n || tx.v === 1n) &&
    tx.accessList.length === 0 &&
    to !== undefined &&
    to.length === ADDRESS_BYTES &&
    tx.data.length === 0 &&
    tx.nonce >= 0n &&
    tx.nonce < UINT64_LIMIT &&
    tx.maxFeePerGas >= 0n &&
    tx.maxFeePerGas < UINT128_LIMIT &&
    tx.maxPriorityFeePerGas >= 0n &&
    tx.maxPriorityFeePerGas < UINT128_LIMIT &&
    tx.gasLimit >= 0n &&
    tx.gasLimit < UINT64_LIMIT &&
    tx.r >= 0n &&
    tx.r < UINT256_LIMIT &&
    tx.s >= 0n &&
    tx.s < UINT256_LIMIT
  ) {
    const value = valueParts(tx.value)
    if (value !== undefined) {
      // flags, nonce, fee index, recipient, value (exponent byte + mantissa), r and s
      return (
        1 +
        varintLength(tx.nonce) +
        varintLength(WORST_FEE_INDEX) +
        ADDRESS_BYTES +
        1 +
        varintLength(value.mantissa) +
        SIGNATURE_BYTES
      )
    }
  }
  return preparedSlotLength(prepareSlot(tx, chainId), WORST_FEE_INDEX, undefined)
}

/**
 * The distinct fee entries (maxFeePerGas, maxPriorityFeePerGas, gasLimit) of a block, compared as
 * numbers instead of through one string of all three per transaction.
 */
export class FeeEntrySet {
  readonly #byMaxFee = new Map<bigint, bigint[]>()
  #size = 0

  get size(): number {
    return this.#size
  }

  /** Adds the entry; true when it was not there yet. */
  add(maxFeePerGas: bigint, maxPriorityFeePerGas: bigint, gasLimit: bigint): boolean {
    const pairs = this.#byMaxFee.get(maxFeePerGas)
    if (pairs === undefined) {
      this.#byMaxFee.set(maxFeePerGas, [maxPriorityFeePerGas, gasLimit])
    } else {
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i] === maxPriorityFeePerGas && pairs[i + 1] === gasLimit) return false
      }
      pairs.push(maxPriorityFeePerGas, gasLimit)
    }
    this.#size++
    return true
  }
}
