import { SluiceError } from '@sluice/core'

/**
 * How many transactions a block may take so that executing it keeps to a time budget: the builder
 * runs a block's state transition in one synchronous stretch, and once sealing falls behind, blocks
 * of thousands of transfers held the event loop (acknowledgements, RPC answers, timers) for hundreds
 * of milliseconds each. The cost per transaction is learnt from the blocks executed so far (an
 * exponential average of wall time, which is what the event loop waits), so a slower machine or a
 * loaded one gets smaller blocks, sealed one after the other, with the event loop turning between.
 *
 * @example
 * const budget = new ExecutionBudget({ budgetMs: 100 })
 * const ready = pool.takeReady(budget.maxTransactions(20_000), gasLimit)
 * budget.observe(ready.length, executionMs)
 */
export class ExecutionBudget {
  readonly #budgetMs: number
  readonly #minimum: number
  readonly #weight: number
  /** Smoothed execution wall time per transaction, ms; undefined before the first observation. */
  #msPerTransaction: number | undefined

  constructor(options: {
    /** Execution wall time a block should keep to, ms. */
    budgetMs: number
    /** A block may always take this many (default 256), however slow execution looks: progress first. */
    minimum?: number | undefined
    /** Weight of the newest block in the average (default 0.3). */
    weight?: number | undefined
  }) {
    if (!(options.budgetMs > 0)) {
      throw new SluiceError(`a block's execution budget must be a positive number of ms, not ${options.budgetMs}`, {
        code: 'InvalidExecutionBudget',
        details: 'The sequencer passes its --block-time; give it a positive block time.',
      })
    }
    this.#budgetMs = options.budgetMs
    this.#minimum = options.minimum ?? 256
    this.#weight = options.weight ?? 0.3
  }

  /** The most transactions the next block should take, never above `limit`. */
  maxTransactions(limit: number): number {
    if (this.#msPerTransaction === undefined) return limit
    const fit = Math.floor(this.#budgetMs / this.#msPerTransaction)
    return Math.min(limit, Math.max(this.#minimum, fit))
  }

  /** Reports a block: `transactions` executed in `ms` of wall time. Blocks too small to time are ignored. */
  observe(transactions: number, ms: number): void {
    if (transactions < 16 || !(ms >= 0)) return
    const sample = ms / transactions
    this.#msPerTransaction =
      this.#msPerTransaction === undefined
        ? sample
        : this.#msPerTransaction + this.#weight * (sample - this.#msPerTransaction)
  }
}
