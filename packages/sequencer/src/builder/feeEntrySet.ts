/**
 * The distinct fee entries (maxFeePerGas, maxPriorityFeePerGas, gasLimit) of a block, compared as
 * numbers instead of through one string of all three per transaction.
 */
export class FeeEntrySet {
  readonly #byMaxFee = new Map<bigint, bigint[]>()
  #size = 0

  get size(): number {
    return this.#size
  }

  /** Adds the entry; true when it was not there yet. */
  add(maxFeePerGas: bigint, maxPriorityFeePerGas: bigint, gasLimit: bigint): boolean {
    const pairs = this.#byMaxFee.get(maxFeePerGas)
    if (pairs === undefined) {
      this.#byMaxFee.set(maxFeePerGas, [maxPriorityFeePerGas, gasLimit])
    } else {
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i] === maxPriorityFeePerGas && pairs[i + 1] === gasLimit) return false
      }
      pairs.push(maxPriorityFeePerGas, gasLimit)
    }
    this.#size++
    return true
  }
}
