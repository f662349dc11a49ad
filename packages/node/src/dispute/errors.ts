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
