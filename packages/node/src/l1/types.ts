import type { DelayedMessage, Hex, L1Batch } from '@sluice/core'
import type { Address } from 'viem'

/** The contracts the reader follows and where to start (a subset of the deployment file). */
export type L1Addresses = {
  portal: Address
  sequencerInbox: Address
  claimManager: Address
  disputeGame: Address
  /** The L1 block of the first contract: nothing of the rollup lies below it. */
  deployBlock: bigint
}

/** An L1 block as the reader remembers it: enough to detect that L1 replaced it. */
export type L1BlockRef = {
  number: bigint
  hash: Hex
}

/** Where a record came from on L1. Every record carries it, so a rewind knows what to drop. */
export type L1Origin = {
  l1BlockNumber: bigint
  l1BlockHash: Hex
  l1TransactionHash: Hex
}

/**
 * Where a batch's data lies on L1 (protocol.md §5.1, §5.7): the calldata of its `appendBatch` call,
 * or blobs, named by the versioned hashes the inbox committed to (in the inbox's blob order), with
 * the KZG hints its `appendBlobBatch` call carried (`commitment ‖ proof` per blob, unchecked; empty
 * or absent when there were none or they were malformed, and in records stored before hints existed).
 */
export type DataAvailability =
  | { kind: 'calldata' }
  | { kind: 'blobs'; versionedHashes: Hex[]; kzgHints?: Uint8Array | undefined }

/**
 * One inbox batch as the reader stores it: the `L1Batch` derivation takes (protocol.md §6.1) plus
 * the inbox's bookkeeping for it (§5.1) and where it lies on L1.
 */
export type InboxBatch = L1Batch &
  L1Origin & {
    /** `keccak256(bytes)`, as the `BatchAppended` event says (checked). */
    batchHash: Hex
    /** The inbox accumulator after this batch (checked against the previous one). */
    accumulator: Hex
    /** `messageCount[b−1]`. */
    messageCountBefore: bigint
    /** `messageCount[b]`, from the event (checked against the header's slot count). */
    messageCountAfter: bigint
    /** True for a `forceInclude` batch (its bytes are the rebuilt 13-byte header). */
    forced: boolean
    /**
     * Calldata, or blobs: then `bytes` is empty and derivation reads the body from the blobs of
     * `versionedHashes` (checked against them before use).
     */
    dataAvailability: DataAvailability
  }

/** One Portal delayed message with where it lies on L1 and its hash (`delayedMessageHash[d]`). */
export type PortalMessage = DelayedMessage &
  L1Origin & {
    /** `keccak256(abi.encode(kind, index, l1Sender, l1Timestamp, keccak256(payload)))`. */
    hash: Hex
  }

/** The status of a claim as far as the events seen so far tell (protocol.md §8.1). */
export type ClaimStatus = 'pending' | 'finalized' | 'deleted'

/** One event that changed a claim or a game, kept so that a rewind can drop the ones L1 removed. */
export type DisputeEvent = {
  /** The event name in the contract's ABI (`ClaimProposed`, `StakerSlashed`, `Bisected`, …). */
  name: string
  l1BlockNumber: bigint
  l1TransactionHash: Hex
  /** The event's arguments with bigints as decimal strings and bytes as hex (JSON-safe). */
  args: Record<string, string | boolean>
}

/** A state-root claim of the ClaimManager, as its events describe it. */
export type ClaimRecord = {
  claimId: bigint
  batchIndex: bigint
  /** `n` of `root_n`: the inbox's message count after `batchIndex`. */
  messageCount: bigint
  stateRoot: Hex
  proposer: Address
  /** The inbox accumulator the claim was made against (from `ClaimProposed`, when the ABI has it). */
  accumulator: Hex | undefined
  /**
   * `keccak256(abi.encode(batchIndex, accumulator, stateRoot))`: what calls naming this claim must
   * pass with its id (from `ClaimProposed`, when the ABI has it).
   */
  claimHash: Hex | undefined
  status: ClaimStatus
  /** Every staker that joined (the proposer first), in order; slashed ones stay listed. */
  stakers: Address[]
  slashed: Address[]
  /** L1 block of the proposal. */
  l1BlockNumber: bigint
  l1TransactionHash: Hex
  /** Every event of this claim, oldest first (the proposal included). */
  events: DisputeEvent[]
}

/** A bisection game of the DisputeGame, as its events describe it. */
export type GameRecord = {
  gameId: bigint
  claimId: bigint
  staker: Address
  challenger: Address
  /** `voided`: cut short because its staker was slashed in another game (challenger paid its bond and a prize share). */
  status: 'open' | 'resolved' | 'voided'
  /** Set once resolved. */
  stakerWon: boolean | undefined
  /** The disputed message range `[lo, hi]` as the last move left it. */
  lo: bigint
  hi: bigint
  /** The game's position after its last event: what the next move must name (when the ABI has it). */
  position: Hex | undefined
  l1BlockNumber: bigint
  events: DisputeEvent[]
}

/** What one `L1Reader.advance()` did. */
export type L1Step =
  /** Nothing new is confirmed yet (`head − l1Confirmations` is the cursor). */
  | { kind: 'idle'; cursor: L1BlockRef; head: bigint }
  /** Blocks `(from, to.number]` were read and their records stored. */
  | {
      kind: 'advanced'
      from: bigint
      to: L1BlockRef
      head: bigint
      batches: InboxBatch[]
      delayed: PortalMessage[]
      claims: ClaimRecord[]
      games: GameRecord[]
    }
  /**
   * L1 replaced blocks the reader had processed: every record above `commonAncestor` was dropped
   * and the cursor moved back to it. Consumers rewind to the last thing they built at or below it.
   */
  | { kind: 'reorg'; commonAncestor: L1BlockRef; removedFrom: L1BlockRef; batchCount: bigint; delayedCount: bigint }

/** Records above the confirmed cursor: seen on L1 but not yet `l1Confirmations` deep. Never stored. */
export type UnconfirmedView = {
  /** The confirmed cursor the view starts after. */
  from: L1BlockRef
  /** The L1 head the view reaches. */
  to: L1BlockRef
  batches: InboxBatch[]
  delayed: PortalMessage[]
}
