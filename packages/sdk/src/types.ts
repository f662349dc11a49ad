/** Types of the Sluice node's rollup RPC answers, parsed (quantities as bigint). */
import type { SyncStatusBatches } from '@sluice/core'
import type { Hash } from 'viem'

/** An L1 or L2 block by number, hash and timestamp. */
export type BlockRef = { number: bigint; hash: Hash; timestamp: bigint }

/** An L1 block the node follows: its number, and its hash and timestamp when the node sends them. */
export type L1BlockRef = { number: bigint; hash: Hash | undefined; timestamp: bigint | undefined }

/** `sluice_syncStatus`: where the node stands. */
export type SyncStatus = {
  /** The L2 chain id. */
  chainId: bigint
  l1: {
    /** The newest L1 block the node saw. */
    head: L1BlockRef
    /** The newest L1 block `l1Confirmations` deep: what safe L2 blocks are derived from. */
    confirmed: L1BlockRef
  }
  /** The newest L2 block (sealed by the sequencer, maybe not yet on L1). */
  unsafe: BlockRef
  /** The newest L2 block derived from confirmed L1 blocks. */
  safe: BlockRef
  /** The newest L2 block covered by the anchor (the finalized claim with the largest message count). */
  finalized: BlockRef
  lag: { unsafeToSafeBlocks: bigint; l1HeadToConfirmedBlocks: bigint }
  batches: SyncStatusBatches
  /** Derivation's tip, catch-up progress and what it waits for; null from a node that does not say. */
  derivation: DerivationStatus | null
  /** The newest batch the node derived, with its DA, bytes and L1 cost; null before the first. */
  latestBatch: SluiceBatch | null
  /** The node's view of the newest 32 claims and of games, as it sent them (see `getClaims`/`getGames` for L1's). */
  claims: readonly unknown[]
  games: readonly unknown[]
  /** The whole answer, extra fields included. */
  raw: Record<string, unknown>
}

/** `sluice_syncStatus.derivation`. */
export type DerivationStatus = {
  /** The last batch derived (null before the first). */
  batchIndex: bigint | null
  /** Messages derived so far: the `n` of a claim at `batchIndex`. */
  messageCount: bigint
  /** Set while derivation cannot get the next blob batch's blobs (it waits there; it never skips a batch). */
  waitingForBlobs: BlobWaitStatus | null
  /** While catching up: the message count L1 holds, the rates and the time left (null once caught up). */
  catchUp: CatchUpProgress | null
}

/** Why and for how long derivation has been waiting for a blob batch's blobs. */
export type BlobWaitStatus = {
  batchIndex: bigint
  l1Block: bigint
  versionedHashes: readonly Hash[]
  /** `BEACON_NOT_CONFIGURED`, `BLOB_UNAVAILABLE`, `BLOB_MISMATCH`, … */
  code: string
  message: string
  attempts: number
  waitingSeconds: number
}

export type CatchUpProgress = {
  targetMessageCount: bigint
  transactionsPerSecond: number
  blocksPerSecond: number
  /** null while the rate is not known yet. */
  etaSeconds: number | null
}

/** `sluice_getBatch`: one batch of the inbox as the node derived it. */
export type SluiceBatch = {
  index: bigint
  l1BlockNumber: bigint
  l1TransactionHash: Hash | null
  forced: boolean
  /** The first and last L2 blocks the batch gave (equal `lastBlock` of the previous when it gave none). */
  firstBlock: bigint
  lastBlock: bigint
  /** `messageCount[index]`: the `n` of a claim at this batch. */
  messageCountAfter: bigint
  delayedCountAfter: bigint
  /** `root_n` after the batch: what a correct claim at this batch says. */
  stateRoot: Hash
  /** Where the batch's data is on L1 (null from a node that does not say). */
  dataAvailability: BatchDataAvailability | null
  /** calldata: the batch's bytes; blobs: the body the blobs carry (null when the node does not know). */
  bytes: number | null
  /** Transaction slots of the batch (null from a node that does not say). */
  transactionSlots: bigint | null
  /** `bytes / transactionSlots`; null without slots. */
  bytesPerTransaction: number | null
  /** blobs: `bytes / (blobCount × 131,072)`; null for calldata. */
  blobFill: number | null
  /** The batch transaction's L1 gas and blob gas (null when the node has no receipt). */
  l1GasUsed: bigint | null
  l1BlobGasUsed: bigint | null
  /** What the batch paid on L1, in wei: execution (gas × effective price) plus blob gas × blob price. */
  l1Cost: bigint | null
}

/** Where a batch's data is: calldata of its inbox call, EIP-4844 blobs, or none (a forced-inclusion batch). */
export type BatchDataAvailability = {
  kind: 'calldata' | 'blobs' | 'none'
  /** 0 unless `blobs`. */
  blobCount: number
  /** The blobs' versioned hashes in the inbox's order (empty unless `blobs`). */
  versionedHashes: readonly Hash[]
}

/** `sluice_claimAtBlock`: the first batch at or after an L2 block. */
export type BatchAtBlock = { batchIndex: bigint; lastBlock: bigint; messageCountAfter: bigint; stateRoot: Hash }
