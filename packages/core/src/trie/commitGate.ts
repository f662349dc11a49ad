import type { BatchOp, KeyValueStore } from '../db/store.ts'
import { CommitInFlightError } from './errors.ts'

/**
 * One commit batch in flight at a time: what the pipelined `startCommit` of a trie and of a
 * `StateDb` share. A batch that failed keeps the gate shut: its nodes were marked written but are
 * not, so the owner must be dropped and reopened at the last durable root.
 */
export class CommitGate {
  private inFlight: Promise<void> | null = null

  /** Throws `CommitInFlightError` while the previous batch is unwritten (or failed). Call before collecting ops. */
  check(): void {
    if (this.inFlight !== null) throw new CommitInFlightError()
  }

  /** Submits `ops` as one atomic batch; the returned promise resolves when it is durable. */
  submit(store: KeyValueStore, ops: readonly BatchOp[]): Promise<void> {
    const written = store.batch(ops)
    const inFlight = written.then(
      () => {
        if (this.inFlight === inFlight) this.inFlight = null
      },
      () => {}, // stays set: see the class comment
    )
    this.inFlight = inFlight
    return written
  }

  /** Resolves once the last submitted batch has settled (at once when none is in flight). */
  async flushed(): Promise<void> {
    if (this.inFlight !== null) await this.inFlight
  }
}
