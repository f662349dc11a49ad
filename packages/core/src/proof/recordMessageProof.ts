import type { StateDb } from '../state/stateDb.ts'
import type { WorldState } from '../state/types.ts'
import { applyMessage, type PreparedStfConfig } from '../stf/apply.ts'
import type { MessageOutcome, StfMessage } from '../stf/message.ts'
import type { Account } from '../trie/account.ts'

/** What a one-step proof of one message carries, besides locating the message (protocol.md §7.4). */
export type MessageProof = {
  preRoot: Uint8Array
  postRoot: Uint8Array
  outcome: MessageOutcome
  /** One EIP-1186 proof per account read, in the order the state transition reads them, each against the running root. */
  accountProofs: Uint8Array[][]
  /** The message passer's storage proof for a withdrawal, against its storage root before the update. */
  storageProof: Uint8Array[]
}

/**
 * A `WorldState` that takes an account proof at every account read and a storage proof at every
 * storage write. The state transition reads each touched account exactly once, right before writing
 * it, in the fixed update order — so the proofs come out in the order §7.4 lists them, each against
 * the root after the writes before it.
 */
class ProofRecordingState implements WorldState {
  readonly accountProofs: Uint8Array[][] = []
  storageProof: Uint8Array[] = []
  private readonly inner: StateDb

  constructor(inner: StateDb) {
    this.inner = inner
  }

  getAccount(address: Uint8Array): Account {
    this.accountProofs.push(this.inner.accountProof(address))
    return this.inner.getAccount(address)
  }

  putAccount(address: Uint8Array, account: Account): void {
    this.inner.putAccount(address, account)
  }

  getStorage(address: Uint8Array, slot: Uint8Array): Uint8Array {
    return this.inner.getStorage(address, slot)
  }

  putStorage(address: Uint8Array, slot: Uint8Array, value: Uint8Array): Uint8Array {
    this.storageProof = this.inner.storageProof(address, slot)
    return this.inner.putStorage(address, slot, value)
  }

  stateRoot(): Uint8Array {
    return this.inner.stateRoot()
  }
}

/** Applies one message to `state` and returns the proofs the one-step prover needs for it. */
export function recordMessageProof(state: StateDb, message: StfMessage, config: PreparedStfConfig): MessageProof {
  const preRoot = state.stateRoot()
  const recorder = new ProofRecordingState(state)
  const outcome = applyMessage(recorder, message, config)
  return {
    preRoot,
    postRoot: state.stateRoot(),
    outcome,
    accountProofs: recorder.accountProofs,
    storageProof: recorder.storageProof,
  }
}
