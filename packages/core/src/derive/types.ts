import type { DelayedMessage } from '../messages/delayed.ts'

/** What a blob batch adds to its inbox record (docs/protocol.md §5.7, §6.1). */
export type L1BlobBatch = {
  /** S_b: the `slotCount` of the `appendBlobBatch` call (from `BatchAppended`: messages − delayed) */
  slotCount: number
  /** the blobs' versioned hashes, in the inbox's order (from `BlobBatchAppended`) */
  versionedHashes: readonly Uint8Array[]
}

/** One inbox batch as L1 holds it: the only input derivation takes besides delayed messages (§6.1). */
export type L1Batch = {
  /** Position in the inbox. */
  index: bigint
  /**
   * The batch bytes: `appendBatch` calldata, or the rebuilt 13-byte header of a forced batch; for a
   * blob batch, its body as `decodeBlobs` gives it from blobs checked against their versioned hashes.
   */
  bytes: Uint8Array
  /** Present for a blob batch: `bytes` is then a version-2 body (§5.7.3) and has no header. */
  blobs?: L1BlobBatch | undefined
  /** Timestamp of the L1 block that holds the batch (T_b). */
  l1Timestamp: bigint
  /** Delayed messages taken before this batch (`delayedCount[b−1]`). */
  delayedBefore: bigint
  /** `delayedCount[b]`, from the inbox event. */
  delayedCountAfter: bigint
}

/** Delayed messages by index; derivation asks only for indices the inbox has accepted. */
export type DelayedMessageSource = (index: bigint) => DelayedMessage | undefined

/** The chain position a batch's first block builds on. */
export type ChainTip = {
  hash: Uint8Array
  number: bigint
  timestamp: bigint
  /** The delayed accumulator after the tip block (protocol.md §6.3). */
  delayedAccumulator: Uint8Array
}
