import type { InboxBatch } from '../l1/types.ts'
import { BatchContinuityError } from './errors.ts'
import type { BatchSource, SafeTip } from './types.ts'

/** Where the next batch must start: the last batch taken and the counts after it (a `SafeTip` is one). */
export type BatchPosition = Pick<SafeTip, 'batchIndex' | 'delayedCount' | 'messageCount'>

/** The position after `batch`. */
export const positionAfter = (batch: InboxBatch): BatchPosition => ({
  batchIndex: batch.index,
  delayedCount: batch.delayedCountAfter,
  messageCount: batch.messageCountAfter,
})

/**
 * The batch-retrieval stage: the batch that follows `tip`, from the L1 records, or undefined when
 * L1 has not given it yet (not an error: traverse L1 further). The batch must continue the tip:
 * its delayed and message counts before it are the tip's, else `BatchContinuityError` (reset).
 */
export function retrieveNextBatch(source: BatchSource, tip: BatchPosition): InboxBatch | undefined {
  const batch = source.batch(tip.batchIndex + 1n)
  if (batch === undefined) return undefined
  if (batch.delayedBefore !== tip.delayedCount) {
    throw new BatchContinuityError(
      batch.index,
      `it starts after delayed message ${batch.delayedBefore}, the tip after ${tip.delayedCount}`,
    )
  }
  if (batch.messageCountBefore !== tip.messageCount) {
    throw new BatchContinuityError(
      batch.index,
      `it starts at message ${batch.messageCountBefore}, the tip at ${tip.messageCount}`,
    )
  }
  return batch
}

/** True when `tip` is still what the L1 records say: its batch is stored with the same hash and L1 block. */
export function tipMatchesSource(source: BatchSource, tip: SafeTip): boolean {
  if (tip.batchIndex < 0n) return true
  const batch = source.batch(tip.batchIndex)
  return batch !== undefined && batch.batchHash === tip.batchHash && batch.l1BlockHash === tip.l1BlockHash
}
