/**
 * Shapes of `sluice_syncStatus` that both a node (which sends them) and the SDK (which reads them)
 * name: one definition, so the two cannot drift apart.
 */

/** `sluice_syncStatus.batches` (quantities as bigint here; hex quantities on the wire). */
export type SyncStatusBatches = {
  /** Inbox batches the node has derived. */
  count: bigint
  /** Index of the last derived batch (`count − 1`); null before the first. */
  lastIndex: bigint | null
  /** Inbox batches the node has read from confirmed L1 blocks, derived or not. */
  l1Count: bigint
}

export function syncStatusBatches(derived: bigint, readFromL1: bigint): SyncStatusBatches {
  return { count: derived, lastIndex: derived === 0n ? null : derived - 1n, l1Count: readFromL1 }
}
