import { SluiceError } from '@sluice/core'

/** A root or proof was asked for a message this node has not derived from L1 yet; retried later. */
export class MessageNotDerivedError extends SluiceError {
  override name = 'MessageNotDerivedError'
  constructor(index: bigint, derived: bigint) {
    super(`message ${index} is not derived yet (derived: ${derived} messages)`, {
      severity: 'temporary',
      details: 'The dispute agent waits for derivation to reach it.',
    })
  }
}

/**
 * Re-executing a block prefix did not reproduce this node's own stored roots: the store or the
 * re-derivation is wrong. The agent must not play a move from it; operators must look.
 */
export class RootMismatchError extends SluiceError {
  override name = 'RootMismatchError'
  constructor(index: bigint, expected: string, actual: string) {
    super(`re-execution at message ${index} disagrees with the stored chain: expected ${expected}, got ${actual}`, {
      severity: 'critical',
      details: 'The chain store or the derivation code is inconsistent; resync the node from L1 before disputing.',
    })
  }
}

/**
 * A derived blob batch whose blobs this node does not hold: derivation stores them in the same write
 * as the batch's blocks, so the store is damaged. No root or proof inside the batch can be built.
 */
export class BlobsNotRetainedError extends SluiceError {
  override name = 'BlobsNotRetainedError'
  constructor(batchIndex: bigint, versionedHashes: readonly string[]) {
    super(
      `the blobs of derived batch ${batchIndex} (${versionedHashes.join(', ')}) are missing from this node's store`,
      {
        severity: 'critical',
        code: 'BLOBS_NOT_RETAINED',
        details: 'The data directory is damaged; resync the node from L1 (with --l1-beacon) before disputing.',
      },
    )
  }
}
