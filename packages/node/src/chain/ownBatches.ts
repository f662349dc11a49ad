import { accumulateDelayed, type DelayedMessageSource, delayedMessageHash, equalBytes, hexToBytes } from '@sluice/core'
import type { Logger } from 'pino'
import type { AdoptedBatch, OwnBatches, SafeTip } from '../derive/types.ts'
import type { InboxBatch } from '../l1/types.ts'
import type { ChainReader } from './types.ts'

/**
 * What a sequencer's batcher keeps of each batch it posted, also after the batch is confirmed: which
 * of its unsafe blocks the posted bytes encode (decoded back and checked before sending) and the
 * inbox hash of those bytes.
 */
export type PostedBatch = {
  /** The inbox index it was posted at (`expectedIndex`). */
  index: bigint
  /** The blocks it encodes, `firstBlock … lastBlock`, and the hash the last one had when it was posted. */
  firstBlock: bigint
  lastBlock: bigint
  lastBlockHash: Uint8Array
  /** The inbox's `batchHash` of what was posted (protocol.md §5.1 for calldata, §5.7.1 for blobs). */
  batchHash: Uint8Array
  /** Transactions in those blocks. */
  transactions: number
}

/** Why a batch is executed rather than adopted. */
export type OwnBatchRejection =
  /** a forced-inclusion batch (§5.3): never the sequencer's */
  | 'forced'
  /** this node posted nothing at that index (or lost its record) */
  | 'notPosted'
  /** L1 holds other bytes at that index than the ones this node posted there */
  | 'otherBatch'
  /** the safe tip is not the parent of the posted blocks: another pre-state */
  | 'preState'
  /** the chain no longer holds the blocks the batch was built from (they were replaced) */
  | 'blocksReplaced'
  /** the inbox's message or delayed counts are not the blocks' */
  | 'counts'
  /** the delayed messages L1 now has at those indices are not the ones the blocks took (an L1 reorg) */
  | 'delayed'
  /** the batch landed in an L1 block so early that derivation clamps the blocks' timestamps (§5.6 step 5) */
  | 'timestamp'

export type OwnBatchVerdict = { adopted: AdoptedBatch } | { rejected: OwnBatchRejection; why: string }

export type OwnBatchInputs = {
  chain: Pick<ChainReader, 'blockByNumber'>
  /** The batcher's record of what it posted at an inbox index. */
  posted: (index: bigint) => PostedBatch | undefined
  /** Delayed messages as L1 has them now (the reader's `delayedSource`). */
  delayed: DelayedMessageSource
  maxSequencerDrift: bigint
}

/**
 * Whether derivation may adopt `batch` on top of `tip` without executing it. It may when executing
 * could only give the blocks the chain already holds: L1 holds, at this index, exactly the bytes
 * this node posted there (same inbox hash); those bytes encode the stored blocks `a … b` (the record
 * names `b` by hash, which commits to every block down to `a` and to `a`'s parent); `a`'s parent is
 * the tip's block (same hash: the same pre-state); the blocks took the delayed messages L1 has at
 * those indices (the accumulator recomputed from L1's) and the inbox's counts; and no timestamp is
 * clamped by the batch's L1 time. Derivation is then deterministic in those inputs (protocol.md §6),
 * and the blocks are what it gives. Anything else is executed.
 */
export function judgeOwnBatch(batch: InboxBatch, tip: SafeTip, inputs: OwnBatchInputs): OwnBatchVerdict {
  if (batch.forced) return { rejected: 'forced', why: 'a forced-inclusion batch' }
  const posted = inputs.posted(batch.index)
  if (posted === undefined) return { rejected: 'notPosted', why: 'this node has no record of posting it' }
  if (!equalBytes(posted.batchHash, hexToBytes(batch.batchHash))) {
    return { rejected: 'otherBatch', why: `L1 holds batch hash ${batch.batchHash}, not the one posted here` }
  }
  if (posted.firstBlock !== tip.l2.number + 1n) {
    return { rejected: 'preState', why: `it starts at block ${posted.firstBlock}, the safe tip is ${tip.l2.number}` }
  }
  const first = inputs.chain.blockByNumber(posted.firstBlock)
  const last = inputs.chain.blockByNumber(posted.lastBlock)
  if (first === undefined || last === undefined || !equalBytes(last.hash, posted.lastBlockHash)) {
    return { rejected: 'blocksReplaced', why: `block ${posted.lastBlock} is no longer the one posted` }
  }
  if (!equalBytes(first.header.parentHash, tip.l2.hash)) {
    return { rejected: 'preState', why: `block ${posted.firstBlock} does not build on the safe tip's block` }
  }
  if (last.messageCountAfter !== batch.messageCountAfter || last.header.delayedCountAfter !== batch.delayedCountAfter) {
    return {
      rejected: 'counts',
      why: `blocks end at ${last.messageCountAfter} messages, ${last.header.delayedCountAfter} delayed; the inbox says ${batch.messageCountAfter}, ${batch.delayedCountAfter}`,
    }
  }
  let accumulator = tip.l2.delayedAccumulator
  for (let index = tip.delayedCount; index < batch.delayedCountAfter; index++) {
    const message = inputs.delayed(index)
    if (message === undefined) return { rejected: 'delayed', why: `delayed message ${index} is not known` }
    accumulator = accumulateDelayed(accumulator, delayedMessageHash(message))
  }
  if (!equalBytes(accumulator, last.header.delayedAccumulator)) {
    return { rejected: 'delayed', why: 'the delayed messages on L1 are not the ones the blocks took' }
  }
  if (last.header.timestamp > batch.l1Timestamp + inputs.maxSequencerDrift) {
    return {
      rejected: 'timestamp',
      why: `block ${posted.lastBlock}'s timestamp ${last.header.timestamp} is beyond L1 time ${batch.l1Timestamp} + the drift`,
    }
  }
  return {
    adopted: {
      l2: {
        hash: last.hash,
        number: last.header.number,
        timestamp: last.header.timestamp,
        delayedAccumulator: last.header.delayedAccumulator,
      },
      stateRoot: last.header.stateRoot,
      transactions: posted.transactions,
    },
  }
}

/**
 * The sequencer's `OwnBatches`: adopts its own batches (`judgeOwnBatch`), so that it executes each
 * transaction once, when it builds the block, instead of again when it derives the batch back.
 */
export class PostedBatchAdoption implements OwnBatches {
  private readonly inputs: OwnBatchInputs
  private readonly logger: Logger | undefined

  constructor(inputs: OwnBatchInputs & { logger?: Logger | undefined }) {
    this.inputs = inputs
    this.logger = inputs.logger
  }

  adopt(batch: InboxBatch, tip: SafeTip): AdoptedBatch | undefined {
    const verdict = judgeOwnBatch(batch, tip, this.inputs)
    if ('adopted' in verdict) return verdict.adopted
    // a batch this node posted that it must execute after all is worth a line; the others are routine
    const level = verdict.rejected === 'forced' || verdict.rejected === 'notPosted' ? 'debug' : 'info'
    this.logger?.[level](
      { batch: Number(batch.index), reason: verdict.rejected, why: verdict.why },
      'executing the batch instead of adopting it',
    )
    return undefined
  }
}
