import { SluiceError } from '../errors/base.ts'

/** A Merkle proof that does not hash up to the root, is incomplete, or is not well-formed RLP. */
export class InvalidProofError extends SluiceError {
  override name = 'InvalidProofError'
  constructor(reason: string, details?: string) {
    super(`invalid Merkle proof: ${reason}`, {
      details: details ?? 'Fetch the proof again from a trusted source; it does not prove anything against this root.',
      severity: 'invalidInput',
    })
  }
}

/** A trie node that a committed root refers to is missing from the store: the database is incomplete. */
export class MissingTrieNodeError extends SluiceError {
  override name = 'MissingTrieNodeError'
  constructor(hashHex: string) {
    super(`trie node ${hashHex} is missing from the node store`, {
      details:
        'The root was never committed to this database, or the database is damaged. Open the trie at a root that was committed here (the last committed root marker), or resync the state.',
      severity: 'critical',
    })
  }
}

/** A node read from the store does not decode as a Merkle-Patricia trie node. */
export class CorruptTrieNodeError extends SluiceError {
  override name = 'CorruptTrieNodeError'
  constructor(reason: string) {
    super(`corrupt trie node in the store: ${reason}`, {
      details: 'The database is damaged. Restore it from a backup or resync the state.',
      severity: 'critical',
    })
  }
}

/** `startCommit` (of a trie or a `StateDb`) was called while the previous commit's batch was still being written. */
export class CommitInFlightError extends SluiceError {
  override name = 'CommitInFlightError'
  constructor() {
    super('a commit was started while the previous one is still being written', {
      details:
        'Await the previous `startCommit(...).written` (or `flushed()`) first; if it failed, reopen the state at the last durable root.',
      severity: 'critical',
    })
  }
}
