import { setImmediate as nextTurn } from 'node:timers/promises'
import {
  type BlockPlan,
  type ChainTip,
  executePlans,
  type L2Block,
  type PreparedBlockConfig,
  StateDb,
  tipOf,
  type WorldState,
} from '@sluice/core'
import type { InboxBatch } from '../l1/types.ts'
import { DerivationInvariantError } from './errors.ts'
import type { AdoptedBatch, DerivedBatch, PlannedBatch, SafeTip } from './types.ts'

/**
 * The execution stage: applies a planned batch's blocks to `state` with the core STF, chaining
 * parent hashes from `tip`, and computes what the chain store records per block (cumulative
 * message counts, how many delayed messages and slots each block took) and the tip after it.
 * Free of I/O beyond the state's reads; committing is the driver's job.
 *
 * It gives the event loop a turn between blocks. A batch is up to a second of synchronous work, and
 * what keeps the other core busy meanwhile needs the event loop to move: the next batches' blob reads
 * (HTTP answers, then KZG checks on node-eth-kzg's threads) and, once a batch's blobs are in, its
 * decoding and the hand-off of its senders to the recovery workers. Executed in one piece, each of
 * those waited for the whole batch and the main thread then waited for them (ELU 0.61 over a catch-up).
 * The caller must keep `state` to itself until this resolves (the driver runs one derivation at a time).
 */
export async function executeBatch(
  state: WorldState,
  planned: PlannedBatch,
  tip: SafeTip,
  config: PreparedBlockConfig,
): Promise<DerivedBatch> {
  const { batch, plans } = planned
  // Every block's state is written, not only the batch's last: the node is an archive, and RPC
  // reads and dispute moves ask for the state at any block. The writes of the blocks before the last
  // are submitted as they are sealed (the store answers reads from them at once); the batch's own
  // commit carries the last block's state with the tip.
  const blockWrites: Promise<void>[] = []
  const blocks: L2Block[] = []
  let parent: ChainTip = tip.l2
  for (let i = 0; i < plans.length; i++) {
    if (i > 0) await nextTurn()
    const block = executePlans(state, [plans[i] as BlockPlan], parent, config)[0] as L2Block
    blocks.push(block)
    parent = tipOf(block)
    if (i === plans.length - 1 || !(state instanceof StateDb)) continue
    const ops = state.collectCommitOps()
    if (ops.length === 0) continue
    const write = state.store.batch(ops)
    write.catch(() => {}) // awaited before the batch's commit is submitted; a failure surfaces there
    blockWrites.push(write)
  }
  const messageCountAfterPerBlock: bigint[] = []
  const delayedPerBlock: number[] = []
  const slotsPerBlock: number[] = []
  let messageCount = tip.messageCount
  let delayedCount = tip.delayedCount
  for (const plan of plans) {
    const delayed = Number(plan.delayedCountAfter - delayedCount)
    delayedCount = plan.delayedCountAfter
    messageCount += BigInt(plan.messages.length)
    messageCountAfterPerBlock.push(messageCount)
    delayedPerBlock.push(delayed)
    slotsPerBlock.push(plan.messages.length - delayed)
  }
  const last = blocks[blocks.length - 1]
  const stateRoot = last === undefined ? tip.stateRoot : last.header.stateRoot
  const after = tipAfter(
    batch,
    last === undefined
      ? tip.l2
      : {
          hash: last.hash,
          number: last.header.number,
          timestamp: last.header.timestamp,
          delayedAccumulator: last.header.delayedAccumulator,
        },
    stateRoot,
  )
  if (messageCount !== batch.messageCountAfter || delayedCount !== batch.delayedCountAfter) {
    // cannot happen for bytes the inbox accepted (§5.6 step 4 completes the counts); a bug if it does
    throw new DerivationInvariantError(
      `batch ${batch.index} derived to ${messageCount} messages and ${delayedCount} delayed, the inbox says ${batch.messageCountAfter} and ${batch.delayedCountAfter}`,
    )
  }
  return {
    batch,
    blocks,
    messageCountAfterPerBlock,
    delayedPerBlock,
    slotsPerBlock,
    stateRoot,
    previous: tip,
    tip: after,
    blockWrites,
  }
}

/**
 * The execution stage's other outcome: a batch adopted without executing it (`OwnBatches`), as the
 * sink receives it. No block is built; the node already stores them.
 */
export function adoptBatch(batch: InboxBatch, adopted: AdoptedBatch, tip: SafeTip): DerivedBatch {
  return {
    batch,
    blocks: [],
    messageCountAfterPerBlock: [],
    delayedPerBlock: [],
    slotsPerBlock: [],
    stateRoot: adopted.stateRoot,
    previous: tip,
    tip: tipAfter(batch, adopted.l2, adopted.stateRoot),
    adopted: { transactions: adopted.transactions },
  }
}

/** The tip after `batch` whose last block is `l2`. */
function tipAfter(batch: InboxBatch, l2: ChainTip, stateRoot: Uint8Array): SafeTip {
  return {
    batchIndex: batch.index,
    l2,
    stateRoot,
    // the inbox's counts are authoritative; the walk gives the same ones (§5.6), checked by the caller
    messageCount: batch.messageCountAfter,
    delayedCount: batch.delayedCountAfter,
    accumulator: batch.accumulator,
    batchHash: batch.batchHash,
    l1BlockNumber: batch.l1BlockNumber,
    l1BlockHash: batch.l1BlockHash,
  }
}
