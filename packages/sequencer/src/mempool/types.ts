import type { Hex, RollupConfig, SignedTransaction } from '@sluice/core'
import type { TxPoolRefusalCode } from '@sluice/node'
import type { Logger } from 'pino'
import type { DropReason } from './errors.ts'
import type { SenderRecovery } from './recoveryBatcher.ts'

/** An account as the mempool needs it: the state at the unsafe head. */
export type AccountState = { nonce: bigint; balance: bigint }

/**
 * Read-only view of the state at the unsafe head (absent accounts read as nonce 0, balance 0).
 * Synchronous because it is consulted on every admission; back it by `StateDb.getAccount`.
 */
export type AccountView = { account(address: Uint8Array): AccountState }

/** A transaction in the pool: what `eth_getTransactionByHash` (pending) and the builder need. */
export type PoolTransaction = {
  /** keccak256 of `raw`. */
  readonly hash: Uint8Array
  readonly hashHex: Hex
  /** `hashHex` without `0x`: the pool's map key. */
  readonly hashKey: string
  /** The network form, exactly as submitted. */
  readonly raw: Uint8Array
  readonly tx: SignedTransaction
  /** 20 bytes, recovered off the main thread. */
  readonly sender: Uint8Array
  /** Lower-case hex of `sender`. */
  readonly senderHex: Hex
  /** `senderHex` without `0x`: the pool's map key. */
  readonly senderKey: string
  readonly nonce: bigint
  readonly gasLimit: bigint
  /** value + gasLimit × maxFeePerGas: the most the transaction may need from the balance (rule 17). */
  readonly cost: bigint
  /** min(maxPriorityFeePerGas, maxFeePerGas − baseFee): what it pays the fee vault per gas beyond the base fee. */
  readonly tip: bigint
  /** Admission order, which breaks ties between equal tips (first come, first served). */
  readonly arrival: number
  /**
   * Wall-clock ms of its admission (kept across restarts by the intake log): a transaction still
   * non-executable `lifetimeMs` after it expires.
   */
  readonly admittedAt: number
  /**
   * The intake's alone (`TransactionIntake`): the sequence(s) of this admission's unresolved intake-log
   * records, which its drop resolves. A slot on the admission rather than a `WeakMap` keyed by it:
   * the map cost ~0.6 µs per transfer and ephemeron work in every GC.
   */
  intakeRecords?: number | number[] | undefined
}

/** What a sender worker computed from a transaction's bytes (`SenderPool.prepareSendBody`). */
export type RecoveredTransaction = {
  /** keccak256 of the bytes. */
  hash: Uint8Array
  sender: Uint8Array
  /** The bytes decoded, when the worker packed them (`unpackTransaction`); else they are decoded here. */
  tx?: SignedTransaction | undefined
}

/** An acknowledged transaction that left the pool without being included, and why. */
export type DroppedTransaction = {
  readonly transaction: PoolTransaction
  readonly reason: DropReason
  /** The refusal text of `TXPOOL_REFUSALS` (`@sluice/node`), or a sentence for `replaced`, `evicted` and `removed`. */
  readonly message: string
  /** Specifics: nonces, balances, the replacing hash. */
  readonly detail: string | undefined
}

export type MempoolOptions = {
  /** The rollup config fields the rules read. */
  config: Pick<RollupConfig, 'chainId' | 'baseFeePerGas' | 'l2BlockGasLimit'>
  /** The state at the unsafe head; replaced by each `onNewHead`. */
  view: AccountView
  /** Sender recovery off the main thread: the core's `createSenderPool()`. */
  recovery: SenderRecovery
  /**
   * Called, synchronously, for every transaction that leaves the pool without being included
   * (replaced, evicted, made invalid by a new head, removed). Never silent: the sequencer persists
   * these so that `eth_getTransactionReceipt` / `sluice_` methods can report the reason.
   */
  onDropped?: ((dropped: DroppedTransaction) => void) | undefined
  /**
   * Executable transactions (consecutive nonces from each sender's account nonce) in the pool
   * (default 100,000). When a gap fills, the sender's queued transactions become executable at once,
   * so this may be passed by at most `maxQueuedPerSender`.
   */
  maxExecutable?: number | undefined
  /**
   * Non-executable (gapped) transactions in the pool (default 16,384): a budget of its own, so that
   * parked transactions never take the room of executable ones. geth's GlobalQueue is 1,024 for an L1
   * of tens of transactions a second; at thousands a second, clients sending over several connections
   * park each sender's next nonce for the few milliseconds its predecessor is still in another
   * request, and a 1,024 budget filled within seconds: every refusal then left a gap that parked the
   * sender's later nonces for the whole lifetime (17,512 refusals and 2,794 acknowledged transfers
   * never included in a 15 s run with 32 requests open, none with 16,384).
   */
  maxQueued?: number | undefined
  /**
   * Non-executable transactions per sender (default 16; geth's AccountQueue is 64). A wallet only
   * creates gaps by sending concurrently out of order, and Sluice has no contract flows that queue
   * long nonce runs; a small share lets 64 senders hold the whole queued budget before the fairness
   * rule (a full queue makes room from the sender with the most) has to choose.
   */
  maxQueuedPerSender?: number | undefined
  /** Milliseconds a non-executable transaction may wait before it is dropped as expired (default 3 h, as geth). */
  lifetimeMs?: number | undefined
  /** Transactions per sender, executable or not (default 64). */
  maxPerSender?: number | undefined
  /** A nonce must be below pendingNonce + maxNonceGap (default 64). */
  maxNonceGap?: number | undefined
  /**
   * Largest raw transaction (default 1,024 bytes). A transaction Sluice can batch is at most about
   * 180 bytes (data is empty or one 32-byte word); the margin only keeps refusals precise.
   */
  maxTransactionBytes?: number | undefined
  /** Percentage both fee caps must rise by to replace a pooled transaction (default 10, as geth). */
  priceBumpPercent?: number | undefined
  /** Smallest effective tip admitted, wei per gas (default 0). */
  minTipPerGas?: bigint | undefined
  /** Most recoveries per call to the sender pool (default 4,096). */
  maxRecoveryBatch?: number | undefined
  logger?: Pick<Logger, 'error' | 'debug'> | undefined
  /** Wall clock in ms (admission times and expiry); default `Date.now`. */
  now?: (() => number) | undefined
}

/** The pool's limits, as configured (for metrics and status). */
export type MempoolLimits = {
  maxExecutable: number
  maxQueued: number
  maxQueuedPerSender: number
  maxPerSender: number
  maxNonceGap: number
  lifetimeMs: number
}

export type MempoolStats = {
  /** Transactions in the pool. */
  size: number
  /** Executable now: consecutive nonces from each sender's account nonce. */
  ready: number
  /** Waiting for a lower nonce. */
  queued: number
  senders: number
  /** Admitted since start. */
  accepted: number
  /** Refused at the door, by refusal. */
  refused: Partial<Record<TxPoolRefusalCode, number>>
  /** Left the pool without inclusion, by reason. */
  dropped: Partial<Record<DropReason, number>>
  /** Calls to the sender pool (each carries every recovery requested in one event-loop turn). */
  recoveryBatches: number
}
