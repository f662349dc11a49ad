/**
 * Where a batch's bytes go on L1: EIP-4844 blobs or the calldata of the inbox call. `auto` compares
 * what the same batch costs both ways at the current L1 prices and keeps its last choice unless the
 * other way is clearly cheaper, so that prices hovering near parity do not flip every batch.
 */
export const DATA_AVAILABILITY_MODES = ['auto', 'blobs', 'calldata'] as const
export type DataAvailabilityMode = (typeof DATA_AVAILABILITY_MODES)[number]
export type DataAvailabilityKind = 'blobs' | 'calldata'

/** Blob gas of one blob (EIP-4844 `GAS_PER_BLOB`). */
export const GAS_PER_BLOB = 131_072n
/** Gas per calldata byte of a data-heavy transaction (EIP-7623's floor for a non-zero byte). */
export const CALLDATA_FLOOR_GAS_PER_BYTE = 40n
/** `auto` leaves its last choice only when the other way is this many percent cheaper. */
export const DATA_AVAILABILITY_HYSTERESIS_PERCENT = 10n

/** L1 prices a choice is made at; `blobBaseFee` undefined when the L1 has no blobs (before Cancun). */
export type L1DataPrices = { baseFeePerGas: bigint; blobBaseFee: bigint | undefined }

export type DataAvailabilityChoice = {
  mode: DataAvailabilityMode
  prices: L1DataPrices
  /** The batch's bytes (what calldata would carry). */
  bytes: number
  /** Blobs the same batch needs. */
  blobCount: number
  /** What `auto` chose for the previous batch, if any. */
  previous?: DataAvailabilityKind | undefined
}

/** Wei the batch's data costs in blobs: `blobBaseFee × 131,072 × blobs`. */
export function blobDataCost(prices: L1DataPrices, blobCount: number): bigint | undefined {
  return prices.blobBaseFee === undefined ? undefined : prices.blobBaseFee * GAS_PER_BLOB * BigInt(blobCount)
}

/** Wei the batch's data costs in calldata: `baseFee × 40 × bytes`. */
export function calldataDataCost(prices: L1DataPrices, bytes: number): bigint {
  return prices.baseFeePerGas * CALLDATA_FLOOR_GAS_PER_BYTE * BigInt(bytes)
}

/**
 * `blobs` and `calldata` are taken as asked; `auto` picks blobs when they cost less than calldata
 * for this batch (calldata when the L1 has no blobs). After a choice, `auto` switches only when the
 * other way costs at least `DATA_AVAILABILITY_HYSTERESIS_PERCENT` less.
 */
export function chooseDataAvailability(choice: DataAvailabilityChoice): DataAvailabilityKind {
  if (choice.mode !== 'auto') return choice.mode
  const blobs = blobDataCost(choice.prices, choice.blobCount)
  if (blobs === undefined) return 'calldata'
  const calldata = calldataDataCost(choice.prices, choice.bytes)
  const margin = 100n - DATA_AVAILABILITY_HYSTERESIS_PERCENT
  switch (choice.previous) {
    case 'blobs':
      return calldata * 100n <= blobs * margin ? 'calldata' : 'blobs'
    case 'calldata':
      return blobs * 100n <= calldata * margin ? 'blobs' : 'calldata'
    default:
      return blobs < calldata ? 'blobs' : 'calldata'
  }
}
