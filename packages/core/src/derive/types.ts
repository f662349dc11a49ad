import type { DelayedMessage } from '../messages/delayed.ts'

/** One inbox batch as L1 holds it: the only input derivation takes besides delayed messages (§6.1). */
export type L1Batch = {
  /** Position in the inbox. */
  index: bigint
  /** The batch bytes: `appendBatch` calldata, or the rebuilt 13-byte header of a forced batch. */
  bytes: Uint8Array
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
