import type { SenderPool } from '@sluice/core'

/** What the mempool needs from the core's sender pool (`createSenderPool`). */
export type SenderRecovery = Pick<SenderPool, 'recover'>

type Waiting = {
  raw: Uint8Array
  resolve: (sender: Uint8Array | undefined) => void
  reject: (error: unknown) => void
}

/**
 * Gathers the sender recoveries requested during one turn of the event loop into one call of the
 * sender pool. The RPC server calls `add` for every transaction of a JSON-RPC batch concurrently, so
 * a batch of 100 costs one round trip to the workers (a few chunks), not 100.
 *
 * Calls resolve in the order they were made, whichever worker finishes first: a later call's
 * chunk may come back before an earlier call's other chunk, and resolving it first would insert a
 * sender's nonce n + 1 before its nonce n. The pool parks that one as non-executable, and under
 * load those parked transactions filled the pool's non-executable budget until `txpool is full`
 * refusals left later nonces stuck for good.
 */
export class RecoveryBatcher {
  readonly #recovery: SenderRecovery
  readonly #chainId: bigint
  readonly #maxBatch: number
  #waiting: Waiting[] = []
  #scheduled = false
  /** Settles once every call made so far has been answered: the next call answers after it. */
  #previous: Promise<void> = Promise.resolve()
  /** Calls made to the sender pool (for stats). */
  batches = 0

  constructor(recovery: SenderRecovery, chainId: bigint, maxBatch: number) {
    this.#recovery = recovery
    this.#chainId = chainId
    this.#maxBatch = maxBatch
  }

  /** The 20-byte sender of `raw`, or undefined when no sender can be recovered. */
  recover(raw: Uint8Array): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ raw, resolve, reject })
      if (this.#waiting.length >= this.#maxBatch) this.#flush()
      else if (!this.#scheduled) {
        this.#scheduled = true
        // setImmediate, not a microtask: submissions of one HTTP request body arrive over several
        // microtask turns (parsing, validation), but within one macrotask.
        setImmediate(() => this.#flush())
      }
    })
  }

  #flush(): void {
    this.#scheduled = false
    const batch = this.#waiting
    if (batch.length === 0) return
    this.#waiting = []
    this.batches++
    const raws = batch.map((w) => w.raw)
    // Settled at once (a rejection waiting for the earlier calls would count as unhandled).
    const recovered = this.#recovery.recover(raws, this.#chainId).then(
      (senders) => ({ senders }),
      (error: unknown) => ({ error }),
    )
    this.#previous = this.#previous
      .then(() => recovered)
      .then((outcome) => {
        if ('error' in outcome) for (const w of batch) w.reject(outcome.error)
        else for (let i = 0; i < batch.length; i++) (batch[i] as Waiting).resolve(outcome.senders[i])
      })
  }
}
