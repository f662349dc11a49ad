import type { DerivedBatch, SyncProgress } from './types.ts'

type Sample = { at: number; blocks: number; transactions: number; messages: bigint }

/**
 * Catch-up progress over a sliding window: blocks, transactions and messages per second, and an
 * ETA to the last batch L1 has given (`targetMessageCount`), from the message rate.
 */
export class ProgressTracker {
  private readonly windowMs: number
  private readonly now: () => number
  private readonly samples: Sample[] = []
  private blocks = 0
  private transactions = 0
  private last: DerivedBatch | undefined

  constructor(options: { windowMs?: number; now?: () => number } = {}) {
    this.windowMs = options.windowMs ?? 10_000
    this.now = options.now ?? (() => performance.now())
  }

  /** Counts a derived batch. */
  record(derived: DerivedBatch): void {
    this.blocks += Number(derived.tip.l2.number - derived.previous.l2.number)
    if (derived.adopted !== undefined) this.transactions += derived.adopted.transactions
    for (const block of derived.blocks) this.transactions += block.transactions.length
    this.last = derived
    const at = this.now()
    this.samples.push({ at, blocks: this.blocks, transactions: this.transactions, messages: derived.tip.messageCount })
    while (this.samples.length > 2 && (this.samples[0] as Sample).at < at - this.windowMs) this.samples.shift()
  }

  /** The progress now, aiming at `targetMessageCount`. */
  snapshot(targetMessageCount: bigint): SyncProgress | undefined {
    const last = this.last
    if (last === undefined) return undefined
    const first = this.samples[0] as Sample
    const newest = this.samples[this.samples.length - 1] as Sample
    const seconds = (newest.at - first.at) / 1000
    const rate = (a: number) => (seconds > 0 ? a / seconds : 0)
    const messagesPerSecond = rate(Number(newest.messages - first.messages))
    const remaining = targetMessageCount - last.tip.messageCount
    return {
      safeBlock: last.tip.l2.number,
      batchIndex: last.tip.batchIndex,
      messageCount: last.tip.messageCount,
      targetMessageCount,
      blocksPerSecond: rate(newest.blocks - first.blocks),
      transactionsPerSecond: rate(newest.transactions - first.transactions),
      messagesPerSecond,
      etaSeconds: remaining <= 0n ? 0 : messagesPerSecond > 0 ? Number(remaining) / messagesPerSecond : undefined,
      blocksDerived: this.blocks,
      transactionsDerived: this.transactions,
    }
  }
}
