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

export type EncodeBlobBatchBodyParameters = {
  /** the batch's L2 blocks, in order; only the leading ones may take delayed messages (§5.7.3) */
  blocks: readonly BatchBlock[]
  /** delayed count after the previous batch (`delayedCount[b−1]`) */
  prevDelayedCount: bigint
  /** the L2 chain id (config) */
  chainId: bigint
  /** the most blobs the body may fill (1..6, default 6) */
  maxBlobs?: number | undefined
}

/** A blob batch: its body (for `encodeBlobs`) and the two numbers of its `appendBlobBatch` call. */
export type EncodedBlobBatch = {
  body: Uint8Array
  /** D_b's end: the delayed count after this batch */
  delayedCountAfter: bigint
  /** S_b */
  slotCount: number
}

/**
 * Encodes a blob batch body (version 2, docs/protocol.md §5.7.3) with the dictionaries of
 * `BatchBuilder`. Throws `BatchEncodeError` when a transaction cannot be written as a slot, when
 * blocks go backwards, when a block takes delayed messages after a block with slots (a blob batch
 * takes its delayed messages first: split the batch there), or when the body outgrows `maxBlobs` blobs.
 *
 * @example
 * const { body, delayedCountAfter, slotCount } = encodeBlobBatchBody({ blocks, prevDelayedCount: 1n, chainId })
 * const blobs = encodeBlobs(body) // then appendBlobBatch(expectedIndex, delayedCountAfter, slotCount, kzgHints)
 */
export function encodeBlobBatchBody(parameters: EncodeBlobBatchBodyParameters): EncodedBlobBatch {
  const builder = new BatchBuilder({
    chainId: parameters.chainId,
    prevDelayedCount: parameters.prevDelayedCount,
    da: 'blobs',
    maxBlobs: parameters.maxBlobs,
  })
  parameters.blocks.forEach((block, index) => {
    if (!builder.tryAdd(block)) {
      throw new BatchEncodeError(
        'tooLarge',
        `block ${index} does not fit: it takes delayed messages after a block with slots, or the body would exceed ` +
          `${builder.maxBlobs} blob(s) (${builder.maxBatchBytes} bytes), 512 blocks, 65,535 dictionary addresses or 255 fee entries`,
      )
    }
  })
  return { body: builder.finish(), delayedCountAfter: builder.delayedCountAfter, slotCount: builder.slotCount }
}
