import { blobBatchWithinBounds, type DecodedBatch, decodeBatch, decodeBlobBatch } from '../batch/index.ts'
import type { PreparedBlockConfig } from '../block/build.ts'
import { applyBlock, type L2Block } from '../block/build.ts'
import type { RollupConfig } from '../config/rollupConfig.ts'
import { accumulateDelayed, delayedMessageHash } from '../messages/delayed.ts'
import type { WorldState } from '../state/types.ts'
import type { StfMessage } from '../stf/message.ts'
import { MissingDelayedMessageError } from './errors.ts'
import { delayedToStfMessage } from './messages.ts'
import type { ChainTip, DelayedMessageSource, L1Batch } from './types.ts'

/** One L2 block as derivation lays it out, before execution (protocol.md §5.6, §6.3). */
export type BlockPlan = {
  number: bigint
  timestamp: bigint
  delayedCountAfter: bigint
  delayedAccumulator: Uint8Array
  messages: StfMessage[]
}

export type DerivationConfig = Pick<RollupConfig, 'chainId' | 'maxSequencerDrift'>

/**
 * A batch's blocks with their slots decoded (§5.6 for calldata, §5.7.3 for blobs). A blob batch the
 * inbox would refuse (no blobs, more than 6, too many slots for its blobs; only a broken L1 node
 * delivers one) has no body and no slots, like calldata bytes without a header.
 */
export function decodeL1Batch(batch: L1Batch, tip: ChainTip, config: DerivationConfig): DecodedBatch {
  const options = {
    delayedBefore: batch.delayedBefore,
    delayedCountAfter: batch.delayedCountAfter,
    chainId: config.chainId,
    l1Timestamp: batch.l1Timestamp,
    prevTimestamp: tip.timestamp,
    maxSequencerDrift: config.maxSequencerDrift,
  }
  if (batch.blobs === undefined) return decodeBatch(batch.bytes, options)
  const { slotCount, versionedHashes } = batch.blobs
  return blobBatchWithinBounds(slotCount, versionedHashes.length)
    ? decodeBlobBatch(batch.bytes, { ...options, slotCount })
    : decodeBlobBatch(new Uint8Array(0), { ...options, slotCount: 0 })
}

/**
 * The blocks of one batch with their messages, in order (pure: no state). A delayed message the
 * source does not have is a caller error — the inbox only accepts counts the Portal has — and throws.
 * Calldata and blob batches differ only in how their bytes are laid out (`decodeL1Batch`).
 */
export function planBatch(
  batch: L1Batch,
  delayed: DelayedMessageSource,
  tip: ChainTip,
  config: DerivationConfig,
): BlockPlan[] {
  const decoded = decodeL1Batch(batch, tip, config)
  const plans: BlockPlan[] = []
  let number = tip.number
  let accumulator = tip.delayedAccumulator
  for (const block of decoded.blocks) {
    const messages: StfMessage[] = []
    for (let index = block.delayedFrom; index < block.delayedTo; index++) {
      const message = delayed(index)
      if (message === undefined) {
        throw new MissingDelayedMessageError(index, batch.index)
      }
      accumulator = accumulateDelayed(accumulator, delayedMessageHash(message))
      messages.push(delayedToStfMessage(message))
    }
    for (const slot of block.slots) {
      messages.push(
        slot.ok
          ? { kind: 'transaction', tx: slot.tx }
          : { kind: 'undecodable', reason: 'slotDecode', detail: slot.detail },
      )
    }
    number += 1n
    plans.push({
      number,
      timestamp: block.timestamp,
      delayedCountAfter: block.delayedTo,
      delayedAccumulator: accumulator,
      messages,
    })
  }
  return plans
}

/**
 * Executes planned blocks on `state`, chaining parent hashes from `tip`. `afterBlock` runs after each
 * block with its index (a node writes each block's state there, so that every block's state is kept).
 */
export function executePlans(
  state: WorldState,
  plans: readonly BlockPlan[],
  tip: ChainTip,
  config: PreparedBlockConfig,
  afterBlock?: (block: L2Block, index: number) => void,
): L2Block[] {
  const blocks: L2Block[] = []
  let parentHash = tip.hash
  for (const plan of plans) {
    const block = applyBlock(
      state,
      {
        parentHash,
        number: plan.number,
        timestamp: plan.timestamp,
        delayedCountAfter: plan.delayedCountAfter,
        delayedAccumulator: plan.delayedAccumulator,
        messages: plan.messages,
      },
      config,
    )
    blocks.push(block)
    parentHash = block.hash
    afterBlock?.(block, blocks.length - 1)
  }
  return blocks
}

/** Plans and executes one batch; returns its blocks (the last one is the new tip). */
export function deriveBatch(
  state: WorldState,
  batch: L1Batch,
  delayed: DelayedMessageSource,
  tip: ChainTip,
  config: DerivationConfig & PreparedBlockConfig,
): L2Block[] {
  return executePlans(state, planBatch(batch, delayed, tip, config), tip, config)
}

export function tipOf(block: L2Block): ChainTip {
  const { number, timestamp, delayedAccumulator } = block.header
  return { hash: block.hash, number, timestamp, delayedAccumulator }
}
