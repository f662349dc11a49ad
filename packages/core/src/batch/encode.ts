import { type BatchBlock, BatchBuilder } from './builder.ts'
import { BatchEncodeError } from './errors.ts'

export type EncodeBatchParameters = {
  /** the batch's L2 blocks, in order */
  blocks: readonly BatchBlock[]
  /** delayed count after the previous batch (`delayedCount[b−1]`) */
  prevDelayedCount: bigint
  /** the L2 chain id (config) */
  chainId: bigint
  /** when given, a batch longer than this is refused */
  maxBatchBytes?: number | undefined
}

/**
 * Encodes a whole sequencer batch (version 1, docs/protocol.md §5.2–5.5) with frequency-ordered
 * dictionaries (see `BatchBuilder`). Throws `BatchEncodeError` when a transaction cannot be written
 * as a slot, when blocks go backwards, or when the batch exceeds `maxBatchBytes` or a dictionary
 * limit.
 *
 * @example
 * const batch = encodeBatch({ blocks: [{ timestamp, delayedCountAfter: 3n, transactions }], prevDelayedCount: 1n, chainId })
 */
export function encodeBatch(parameters: EncodeBatchParameters): Uint8Array {
  const builder = new BatchBuilder({
    chainId: parameters.chainId,
    prevDelayedCount: parameters.prevDelayedCount,
    maxBatchBytes: parameters.maxBatchBytes,
  })
  parameters.blocks.forEach((block, index) => {
    if (!builder.tryAdd(block)) {
      throw new BatchEncodeError(
        'tooLarge',
        `block ${index} does not fit: the batch would exceed maxBatchBytes ${builder.maxBatchBytes}, 65,535 dictionary addresses or 255 fee entries`,
      )
    }
  })
  return builder.finish()
}
