import {
  type BlockPlan,
  type DelayedMessageSource,
  type DerivationConfig,
  encodeTransactionShared,
  planBatch,
  type SenderPool,
  type StfMessage,
} from '@sluice/core'
import type { InboxBatch } from '../l1/types.ts'
import type { BatchBlobs } from './blobs.ts'
import { derivationInput } from './input.ts'
import type { PlannedBatch, PlanningTip } from './types.ts'

/** Options of `BatchPlanner`. */
export type BatchPlannerOptions = {
  /** `chainId` and `maxSequencerDrift` of the rollup config. */
  config: DerivationConfig
  /** Delayed messages by index (the L1 reader's `delayedSource`). */
  delayed: DelayedMessageSource
  /**
   * Worker threads that recover senders (core `createSenderPool`). Without one the state
   * transition recovers each sender on the main thread.
   */
  senderPool?: SenderPool | undefined
}

const ZERO_HASH = new Uint8Array(32)

/**
 * The decode/plan stage: lays a batch out into blocks and messages with the core's `planBatch`
 * (pure; it needs the previous tip's number, timestamp and delayed accumulator, never its hash,
 * so a batch can be planned before the one before it has executed), then recovers the senders of
 * its transactions in the sender pool and passes them (and each signed encoding) into the messages.
 */
export class BatchPlanner {
  private readonly config: DerivationConfig
  private readonly delayed: DelayedMessageSource
  private readonly pool: SenderPool | undefined

  constructor(options: BatchPlannerOptions) {
    this.config = options.config
    this.delayed = options.delayed
    this.pool = options.senderPool
  }

  /**
   * Plans `batch` on top of `tip`. The synchronous part (`layOut`) runs before the first `await`;
   * sender recovery then runs in the pool's threads, so a caller that starts planning the next batch
   * and then executes the current one overlaps the two.
   */
  async plan(batch: InboxBatch, tip: PlanningTip, blobs?: BatchBlobs): Promise<PlannedBatch> {
    return this.recover(this.layOut(batch, tip, blobs))
  }

  /**
   * The synchronous part of `plan`: decodes `batch`, lays it out into blocks on top of `tip` and
   * encodes its transactions. Its `after` is known at once, so the batch after it can be laid out
   * (and its senders queued for recovery) before this one's senders are recovered.
   */
  layOut(batch: InboxBatch, tip: PlanningTip, blobs?: BatchBlobs): LaidOutBatch {
    const plans = planBatch(derivationInput(batch, blobs), this.delayed, { ...tip, hash: ZERO_HASH }, this.config)
    const slots: TransactionSlot[] = []
    const raws: Uint8Array[] = []
    for (const plan of plans) {
      const messages = plan.messages
      for (let position = 0; position < messages.length; position++) {
        const message = messages[position] as StfMessage
        if (message.kind !== 'transaction') continue
        // the signed encoding is needed for the block anyway; computing it here spares applyBlock
        const raw = message.raw ?? encodeTransactionShared(message.tx)
        slots.push({ plan, position, message })
        raws.push(raw)
      }
    }
    const last = plans[plans.length - 1]
    const after: PlanningTip =
      last === undefined
        ? tip
        : { number: last.number, timestamp: last.timestamp, delayedAccumulator: last.delayedAccumulator }
    return { batch, plans, after, blobs, slots, raws }
  }

  /** The rest of `plan`: recovers the senders of `laidOut`'s transactions and passes them into its messages. */
  async recover(laidOut: LaidOutBatch): Promise<PlannedBatch> {
    const { batch, plans, after, blobs, slots, raws } = laidOut
    // one new message per transaction, with its encoding and, from the workers, its hash and (when
    // recovered) its sender: the main thread neither hashes nor recovers
    const recovered =
      this.pool !== undefined && raws.length > 0
        ? await this.pool.recoverWithHashes(raws, this.config.chainId)
        : undefined
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as TransactionSlot
      const sender = recovered?.senders[i]
      const hash = recovered?.hashes[i]
      // sender undefined: decoding or a signature rule failed; the STF finds the same no-op reason itself
      slot.plan.messages[slot.position] =
        sender === undefined ? { ...slot.message, raw: raws[i], hash } : { ...slot.message, raw: raws[i], hash, sender }
    }
    return { batch, plans, after, touched: touchedAddresses(plans), transactionMessages: raws.length, blobs }
  }
}

/** A transaction message of a laid-out batch: where it sits, to be replaced once its sender is recovered. */
type TransactionSlot = {
  plan: BlockPlan
  position: number
  message: Extract<StfMessage, { kind: 'transaction' }>
}

/** A batch laid out (`BatchPlanner.layOut`), its senders not recovered yet. */
export type LaidOutBatch = {
  batch: InboxBatch
  plans: BlockPlan[]
  /** The planning tip after this batch. */
  after: PlanningTip
  blobs: BatchBlobs | undefined
  slots: TransactionSlot[]
  /** The signed encoding of each transaction slot, in `slots`' order. */
  raws: Uint8Array[]
}

/** The accounts the messages of `plans` read: senders (when recovered), recipients, deposit recipients. */
export function touchedAddresses(plans: readonly BlockPlan[]): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const plan of plans) {
    for (const message of plan.messages) {
      if (message.kind === 'deposit') out.push(message.recipient)
      else if (message.kind === 'transaction') {
        if (message.sender !== undefined) out.push(message.sender)
        if (message.tx.to !== undefined) out.push(message.tx.to)
      }
    }
  }
  return out
}
