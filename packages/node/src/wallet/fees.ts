/**
 * L1 fee caps and the rules L1 mempools apply to a replacement (same sender, same nonce). geth's
 * legacy pool takes a replacement when its tip and fee cap are each at least 10% above the pending
 * transaction's (`--txpool.pricebump`); its blob pool, for type-3 transactions, when the tip, the fee
 * cap and the blob fee cap are each at least doubled (`blobpool.PriceBump` = 100%). Neither pool lets
 * a blob transaction be replaced by a non-blob one or the reverse.
 */
export type L1Fees = {
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  /** Type-3 (blob) transactions only. */
  maxFeePerBlobGas?: bigint | undefined
}

/** Replacement bump of geth's legacy pool (percent). */
export const REPLACEMENT_BUMP_PERCENT = 10n
/** Replacement bump of geth's blob pool (percent): every fee cap of a type-3 replacement doubles. */
export const BLOB_REPLACEMENT_BUMP_PERCENT = 100n

function bumped(value: bigint, percent: bigint): bigint {
  // Rounded up so that a 1-wei fee still moves (geth compares `new >= old * (100 + bump) / 100`).
  return (value * (100n + percent) + 99n) / 100n
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}

/**
 * The fees of a replacement for a transaction sent with `previous`, given what the market asks now:
 * each cap is the higher of the market's and the previous one bumped by the pool's rule, so the
 * replacement is both accepted by the pool and priced for the current block. A blob transaction is
 * only ever replaced by a blob transaction (`previous.maxFeePerBlobGas` decides the rule).
 */
export function replacementFees(previous: L1Fees, market: L1Fees): L1Fees {
  const blob = previous.maxFeePerBlobGas !== undefined
  const percent = blob ? BLOB_REPLACEMENT_BUMP_PERCENT : REPLACEMENT_BUMP_PERCENT
  const maxPriorityFeePerGas = max(market.maxPriorityFeePerGas, bumped(previous.maxPriorityFeePerGas, percent))
  const maxFeePerGas = max(max(market.maxFeePerGas, bumped(previous.maxFeePerGas, percent)), maxPriorityFeePerGas)
  if (!blob) return { maxFeePerGas, maxPriorityFeePerGas }
  return {
    maxFeePerGas,
    maxPriorityFeePerGas,
    maxFeePerBlobGas: max(
      market.maxFeePerBlobGas ?? 0n,
      bumped(previous.maxFeePerBlobGas as bigint, BLOB_REPLACEMENT_BUMP_PERCENT),
    ),
  }
}
