import type { L1Batch } from '@sluice/core'
import type { InboxBatch } from '../l1/types.ts'
import type { BatchBlobs } from './blobs.ts'
import { DerivationInvariantError } from './errors.ts'

/**
 * What the core's derivation takes for `batch` (protocol.md §6.1): a calldata batch as it is; a blob
 * batch with the body its blobs give (§5.7), D_b and S_b from the inbox.
 */
export function derivationInput(batch: InboxBatch, blobs: BatchBlobs | undefined): L1Batch {
  if (batch.dataAvailability.kind === 'calldata') return batch
  if (blobs === undefined) throw new DerivationInvariantError(`batch ${batch.index} is planned without its blobs`)
  // PROVISIONAL until the core's blob derivation lands (b15-core): replaced in the merge commit
  throw new DerivationInvariantError(`batch ${batch.index}: blob batches need the core's body-v2 derivation`)
}
