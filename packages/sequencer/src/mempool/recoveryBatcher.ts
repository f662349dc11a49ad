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
 */
export class RecoveryBatcher {
  readonly #recovery: SenderRecovery
  readonly #chainId: bigint
  readonly #maxBatch: number
  #waiting: Waiting[] = []
  #scheduled = false
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
    this.#recovery.recover(raws, this.#chainId).then(
      (senders) => {
        for (let i = 0; i < batch.length; i++) (batch[i] as Waiting).resolve(senders[i])
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error)
      },
    )
  }
}
