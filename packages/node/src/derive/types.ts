import type { BatchOp, BlockPlan, ChainTip, DelayedMessageSource, Hex, L2Block } from '@sluice/core'
import type { InboxBatch } from '../l1/types.ts'
import type { BatchBlobs } from './blobs.ts'

/**
 * The derivation position after a batch (protocol.md §6, §10): the L2 tip its last block made, the
 * state root and counts there, and the L1 batch it came from. One is stored per derived batch, so
 * a rewind can return to any of them; the genesis tip has `batchIndex = −1n`.
 */
export type SafeTip = {
  /** The last batch derived (−1n: none, the genesis tip). */
  batchIndex: bigint
  /** The last L2 block: hash, number, timestamp, delayed accumulator. */
  l2: ChainTip
  stateRoot: Uint8Array
  /** Messages applied so far (`messageCount[batchIndex]`): `n` of `root_n`. */
  messageCount: bigint
  /** Delayed messages taken so far. */
  delayedCount: bigint
  /** The inbox accumulator after the batch (zero at genesis): what a claim on it names. */
  accumulator: Hex
  /** keccak256 of the batch bytes (zero at genesis). */
  batchHash: Hex
  /** The L1 block that holds the batch (0 and zero hash at genesis). */
  l1BlockNumber: bigint
  l1BlockHash: Hex
}

/** The fields of a tip that planning needs: everything but the block hash, known before execution. */
export type PlanningTip = Pick<ChainTip, 'number' | 'timestamp' | 'delayedAccumulator'>

/** Where derivation reads batches and delayed messages from (the `L1Reader` is one). */
export interface BatchSource {
  /** The stored batch at `index`, or undefined when L1 has not given it (yet). */
  batch(index: bigint): InboxBatch | undefined
  /** Batches stored: indices `0 … batchCount − 1`. */
  readonly batchCount: bigint
  readonly delayedSource: DelayedMessageSource
}

/** One batch laid out into blocks with its messages (senders recovered), ready to execute. */
export type PlannedBatch = {
  batch: InboxBatch
  plans: BlockPlan[]
  /** The planning tip after this batch: the next batch is planned from it before this one executes. */
  after: PlanningTip
  /** Accounts the batch reads (senders, recipients, deposit recipients): what to prefetch. */
  touched: Uint8Array[]
  /** Transaction messages in the batch (slots and forced transactions). */
  transactionMessages: number
  /** A blob batch's blobs (checked), which the batch's commit keeps when they were fetched now. */
  blobs: BatchBlobs | undefined
  /** Set when the batch is adopted rather than executed (`OwnBatches`): `plans` is then empty and never run. */
  adopted?: AdoptedBatch | undefined
}

/** One derived batch, as the sink receives it. */
export type DerivedBatch = {
  batch: InboxBatch
  /** The batch's L2 blocks, in order (possibly none: a batch with no messages and no body). */
  blocks: L2Block[]
  /** Cumulative message count after each block (`n` of `root_n` for its state root). */
  messageCountAfterPerBlock: bigint[]
  /** Delayed messages each block takes: its first `delayedPerBlock[i]` outcomes are delayed messages. */
  delayedPerBlock: number[]
  /** Batch slots each block takes (its remaining outcomes). */
  slotsPerBlock: number[]
  /** State root after the batch (= the last block's, or the previous one when the batch has no block). */
  stateRoot: Uint8Array
  /** The tip before the batch. */
  previous: SafeTip
  /** The tip after the batch (stored with it). */
  tip: SafeTip
  /** Writes of the states of the batch's blocks before its last, submitted while executing; awaited before the batch's commit is submitted. */
  blockWrites?: Promise<void>[] | undefined
  /**
   * Set when the batch was adopted instead of executed (`OwnBatches`): `blocks` and the per-block
   * arrays are then empty, and the blocks `previous.l2.number + 1 … tip.l2.number` are the ones the
   * node already stores.
   */
  adopted?: { transactions: number } | undefined
}

/** A batch adopted without executing it: where its last block leaves the chain, and its size. */
export type AdoptedBatch = {
  /** The batch's last block: hash, number, timestamp, delayed accumulator. */
  l2: ChainTip
  /** The state root after it. */
  stateRoot: Uint8Array
  /** Transactions in the batch's blocks (batch slots and forced transactions that applied). */
  transactions: number
}

/**
 * Lets derivation adopt a batch instead of executing it when executing it could only give blocks
 * the node already stores: a sequencer's own batches (it built the blocks, then posted exactly
 * their encoding). Verifiers never pass one: they execute every batch.
 */
export interface OwnBatches {
  /**
   * `batch` on top of `tip`, adopted: its last block and state root. Undefined: execute the batch (anything that
   * is not provably the node's own blocks on this very tip). Synchronous, reads only.
   */
  adopt(batch: InboxBatch, tip: SafeTip): AdoptedBatch | undefined
}

/**
 * Where derived batches go (the chain store, in a node). Called in order, one batch at a time.
 * `batchOps` are written in the same atomic LevelDB batch as the batch's state and tip, so chain
 * data, state and derivation position never disagree after a crash.
 */
export interface DerivationSink {
  /** The writes that record `derived` (blocks, transactions, receipts, heads). */
  batchOps(derived: DerivedBatch): readonly BatchOp[]
  /** After `derived` is durable (e.g. to notify subscribers). */
  batchCommitted?(derived: DerivedBatch): void | Promise<void>
  /**
   * The writes that undo everything above `to` (written atomically with the derivation's own
   * rewind). `from` is the tip that is being abandoned.
   */
  rewindOps(to: SafeTip, from: SafeTip): readonly BatchOp[]
  /** After a rewind is durable. */
  rewound?(to: SafeTip, from: SafeTip): void | Promise<void>
}

/** Catch-up progress, reported through `onProgress` and the log. */
export type SyncProgress = {
  /** Last derived L2 block and batch. */
  safeBlock: bigint
  batchIndex: bigint
  messageCount: bigint
  /** The message count of the last batch L1 has given so far (what catch-up aims at). */
  targetMessageCount: bigint
  /** Rates over the recent window. */
  blocksPerSecond: number
  transactionsPerSecond: number
  messagesPerSecond: number
  /** Seconds until `targetMessageCount` at the current rate; undefined when idle or unknown. */
  etaSeconds: number | undefined
  /** Totals since the driver started. */
  blocksDerived: number
  transactionsDerived: number
}
