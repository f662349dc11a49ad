import { type NoopReason, SluiceError } from '@sluice/core'
import { REFUSAL_FOR_NOOP_REASON, type TxPoolRefusalCode, TxPoolRefusalError } from '@sluice/node'

/** Why an acknowledged transaction left the pool without being included. */
export type DropReason =
  /** It became invalid at a new head (`nonceTooLow`, `insufficientFunds`) or the builder found it refused. */
  | TxPoolRefusalCode
  /** A transaction with the same sender and nonce and higher fees took its place. */
  | 'replaced'
  /** The pool was full: it paid the lowest tip, or its sender held the most non-executable slots. */
  | 'evicted'
  /** It stayed non-executable (a lower nonce missing) longer than the pool's lifetime. */
  | 'expired'
  /** The block builder reported it (e.g. the intake log could not store it). */
  | 'removed'

/**
 * `REFUSAL_FOR_NOOP_REASON` (the node's one mapping), with `nonceMismatch` resolved to `nonceTooHigh`
 * when the transaction's nonce is known to be ahead of the account's.
 */
export function refusalForNoop(
  reason: NoopReason,
  nonces?: { transaction: bigint; account: bigint } | undefined,
): TxPoolRefusalCode {
  if (reason === 'nonceMismatch' && nonces !== undefined && nonces.transaction > nonces.account) return 'nonceTooHigh'
  return REFUSAL_FOR_NOOP_REASON[reason]
}

/**
 * A transaction refused by the mempool: a `TxPoolRefusalError` (so the RPC layer answers it -32000
 * with `TXPOOL_REFUSALS[refusal]` as the message) named for where it came from. `details` carries
 * the specifics (nonces, balances, fees).
 */
export class MempoolError extends TxPoolRefusalError {
  override name = 'MempoolError'
}

/** A mempool option out of range: a configuration error, raised at construction. */
export class MempoolConfigError extends SluiceError {
  override name = 'MempoolConfigError'

  constructor(problem: string) {
    super(`Invalid mempool option: ${problem}.`, { severity: 'critical', code: 'MempoolConfigError' })
  }
}
