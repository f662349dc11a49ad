import { decodeBlobs, hexToBytes, type L1Batch } from '@sluice/core'
import type { InboxBatch } from '../l1/types.ts'
import type { BatchBlobs } from './blobs.ts'
import { DerivationInvariantError } from './errors.ts'

/**
 * What the core's derivation takes for `batch` (protocol.md §6.1): a calldata batch as it is; a blob
 * batch with the body its blobs give (§5.7.2, total: any blobs give a body) and S_b, which the
 * inbox's counts imply (the batch hash the reader checked commits to it).
 */
export function derivationInput(batch: InboxBatch, blobs: BatchBlobs | undefined): L1Batch {
  if (batch.dataAvailability.kind === 'calldata') return batch
  if (blobs === undefined) throw new DerivationInvariantError(`batch ${batch.index} is planned without its blobs`)
  const slotCount = batch.messageCountAfter - batch.messageCountBefore - (batch.delayedCountAfter - batch.delayedBefore)
  return {
    index: batch.index,
    bytes: decodeBlobs(blobs.blobs),
    blobs: { slotCount: Number(slotCount), versionedHashes: blobs.versionedHashes.map((h) => hexToBytes(h)) },
    l1Timestamp: batch.l1Timestamp,
    delayedBefore: batch.delayedBefore,
    delayedCountAfter: batch.delayedCountAfter,
  }
}
