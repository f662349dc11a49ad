import {
  accumulateDelayed,
  applyBlock,
  BATCH_FEE_ENTRY_BYTES,
  BATCH_MAX_FEE_ENTRIES,
  blobCapacity,
  type DelayedMessage,
  delayedMessageHash,
  delayedToStfMessage,
  type KeyValueStore,
  type PreparedBlockConfig,
  type RollupConfig,
  type SignedTransaction,
  StateDb,
  type StfMessage,
  type WorldState,
  worstSlotLength,
} from '@sluice/core'
import { type ChainStore, hashKey, type Logger, type NodeMetrics, type StoredBlock, toStoredBlock } from '@sluice/node'
import { ExecutionBudget } from './executionBudget.ts'
import { FeeEntrySet } from './feeEntrySet.ts'

/** Header, prelude and block varints of a one-block batch, with room to spare. */
const BATCH_OVERHEAD_BYTES = 128
/** A blob body's `groups` table: 4 bytes per 32 slots (docs/protocol.md §5.7.3). */
const BLOB_GROUP_BYTES_PER_SLOT = 4 / 32

/**
 * What one batch can carry, which bounds a block (a batch holds whole blocks): a calldata batch of
 * the config's `maxBatchBytes`, or a blob batch of `maxBlobs` blobs.
 */
export type BlockBatchCapacity = { da: 'calldata' } | { da: 'blobs'; maxBlobs: number }

/** A transaction the mempool hands to the builder: decoded, with its sender already recovered. */
export type ReadyTransaction = {
  hash: Uint8Array
  raw: Uint8Array
  tx: SignedTransaction
  sender: Uint8Array
}

/**
 * What the builder needs of the mempool. `T` is the mempool's own transaction, handed back as it
 * was taken, so that the mempool finds it again without re-deriving its keys from the block.
 */
export interface TransactionSource<T extends ReadyTransaction = ReadyTransaction> {
  /** Up to `maxCount` executable transactions whose gas limits sum to at most `maxGas`, in nonce order per sender. */
  takeReady(maxCount: number, maxGas: bigint): T[]
  /**
   * Called as soon as a block is executed, before its write completes (so that the next block does
   * not take the same transactions): its transactions are in it; `dropped` no-oped and left it.
   * `taken` are those of its transactions that `takeReady` gave, in block order: the block's last
   * `taken.length` transactions (forced ones, from delayed messages, come first).
   */
  sealed(
    block: StoredBlock,
    dropped: readonly { hash: Uint8Array; reason: string; detail?: string | undefined }[],
    taken: readonly T[],
  ): void
}

/**
 * Sees every account write of the blocks the builder executes (`recording` wraps its state for a
 * block) and each time the builder re-reads its state (`reset`): what keeps a cache of the head's
 * accounts exact (the mempool's `HeadAccounts`).
 */
export interface AccountWrites {
  recording(state: WorldState): WorldState
  reset(): void
}

/** Delayed messages the builder may take: those at least `l1Confirmations` deep on L1. */
export interface DelayedMessages {
  /** Delayed messages `[0, confirmedCount)` are confirmed and readable. */
  confirmedCount(): bigint
  get(index: bigint): DelayedMessage | undefined
}

export type BlockBuilderOptions<T extends ReadyTransaction = ReadyTransaction> = {
  chain: ChainStore
  config: RollupConfig
  prepared: PreparedBlockConfig
  transactions: TransactionSource<T>
  delayed: DelayedMessages
  logger: Logger
  metrics: NodeMetrics
  /** The batch a block must fit in (default: calldata). */
  batchCapacity?: BlockBatchCapacity
  /** Most transactions per block (beside the gas limit). */
  maxTransactionsPerBlock?: number
  /**
   * Wall time a block's execution should keep to, ms (the sequencer passes its block time): a block
   * takes no more transactions than the measured cost per transaction fits in it (`ExecutionBudget`),
   * so that no block holds the event loop much longer. Default: none (only the limits above).
   */
  executionBudgetMs?: number
  /** Most delayed messages a block takes. */
  maxDelayedPerBlock?: number
  /** Seconds since the epoch (tests pin it). */
  now?: () => bigint
  /** Test-only fault injection: ignore deposits (they are then forced in through L1). */
  skipDelayed?: boolean
  /** Told the account writes of every block and each `reset` (see `AccountWrites`). */
  accountWrites?: AccountWrites
  /** When it holds, a block on top of `tip` takes no mempool transactions (the sequencer's max safe lag). */
  transactionGate?: { holds(tip: bigint): boolean }
}

/**
 * Seals L2 blocks on top of the unsafe head: new confirmed delayed messages first, then mempool
 * transactions, executed by the core state transition; the state and the chain records of a block
 * land in one atomic LevelDB batch. A transaction that no-ops (a forced message spent its nonce or
 * balance) is left out of the block and reported dropped with its reason, never silently.
 *
 * Execution of block n+1 overlaps the write of block n (`StateDb.startCommit`); a block is visible
 * to readers, and handed to the mempool and p2p, only once its write is durable.
 */
export class BlockBuilder<T extends ReadyTransaction = ReadyTransaction> {
  private readonly options: BlockBuilderOptions<T>
  private state: StateDb
  /** The last sealed block, possibly still being written (the chain's unsafe head lags it until then). */
  private tip: StoredBlock
  private readonly maxTransactions: number
  private readonly maxDelayed: number
  private readonly now: () => bigint
  private pendingWrite: Promise<void> = Promise.resolve()
  private readonly sealedListeners = new Set<(block: StoredBlock, taken: readonly T[]) => void>()
  private readonly budget: ExecutionBudget | undefined

  constructor(options: BlockBuilderOptions<T>) {
    this.options = options
    this.tip = options.chain.head('unsafe')
    this.state = openBuilderState(options.chain.store, this.tip.header.stateRoot)
    this.maxTransactions = options.maxTransactionsPerBlock ?? 20_000
    this.budget =
      options.executionBudgetMs === undefined ? undefined : new ExecutionBudget({ budgetMs: options.executionBudgetMs })
    this.maxDelayed = options.maxDelayedPerBlock ?? 256
    this.now = options.now ?? (() => BigInt(Math.floor(Date.now() / 1000)))
  }

  /** The state after the last sealed block (its write may be in flight): what the mempool admits against. */
  get headState(): StateDb {
    return this.state
  }

  /** The last sealed block (its write may be in flight). */
  get head(): StoredBlock {
    return this.tip
  }

  /**
   * The longest prefix of `ready` whose block is sure to fit in one batch: every block the builder
   * seals must be postable, and a batch holds whole blocks. Sizes are the exact slot encodings with
   * the worst dictionary costs (inline recipient, a fee entry of its own, a two-byte fee index). A
   * blob batch also pays its `groups` table; its slot bound (64 payload bytes per slot, §5.7.1)
   * never binds here, since every slot holds a 64-byte signature and a length byte.
   */
  private fitInOneBatch(ready: T[]): T[] {
    const { config } = this.options
    const capacity = this.options.batchCapacity ?? { da: 'calldata' }
    const blobs = capacity.da === 'blobs'
    const budget = (blobs ? blobCapacity(capacity.maxBlobs) : Number(config.maxBatchBytes)) - BATCH_OVERHEAD_BYTES
    let size = 0
    const fees = new FeeEntrySet()
    for (let i = 0; i < ready.length; i++) {
      const { tx } = ready[i] as T
      size += 1 + worstSlotLength(tx, config.chainId) + (blobs ? BLOB_GROUP_BYTES_PER_SLOT : 0)
      if (fees.add(tx.maxFeePerGas, tx.maxPriorityFeePerGas, tx.gasLimit)) size += BATCH_FEE_ENTRY_BYTES
      if (size > budget || fees.size > BATCH_MAX_FEE_ENTRIES) return ready.slice(0, i)
    }
    return ready
  }

  /** Listeners see each block once it is durable, with its `taken` transactions (see `TransactionSource.sealed`). */
  onSealed(listener: (block: StoredBlock, taken: readonly T[]) => void): () => void {
    this.sealedListeners.add(listener)
    return () => this.sealedListeners.delete(listener)
  }

  /** Re-reads the state at the unsafe head (after the chain was rewound under the builder). */
  async reset(): Promise<void> {
    await this.pendingWrite.catch(() => undefined)
    this.tip = this.options.chain.head('unsafe')
    this.state = openBuilderState(this.options.chain.store, this.tip.header.stateRoot)
    this.options.accountWrites?.reset()
  }

  /** Resolves once every sealed block is durable. */
  async flushed(): Promise<void> {
    await this.pendingWrite
  }

  /**
   * Seals one block if there is anything to put in it (`force` seals an empty block too).
   * Returns the block, whose write may still be in flight (see `flushed`).
   */
  async sealNext({ force = false }: { force?: boolean } = {}): Promise<StoredBlock | undefined> {
    const { chain, config, prepared, transactions, delayed, logger, metrics } = this.options
    const started = performance.now()
    const parent = this.tip
    // Delayed messages beyond the confirmed count would make a batch the inbox refuses.
    let delayedTo = delayed.confirmedCount()
    if (this.options.skipDelayed) delayedTo = parent.header.delayedCountAfter
    const delayedFrom = parent.header.delayedCountAfter
    if (delayedTo < delayedFrom) delayedTo = delayedFrom
    if (delayedTo - delayedFrom > BigInt(this.maxDelayed)) delayedTo = delayedFrom + BigInt(this.maxDelayed)

    const messages: StfMessage[] = []
    let accumulator = parent.header.delayedAccumulator
    for (let index = delayedFrom; index < delayedTo; index++) {
      const message = delayed.get(index)
      if (message === undefined) {
        delayedTo = index
        break
      }
      accumulator = accumulateDelayed(accumulator, delayedMessageHash(message))
      messages.push(delayedToStfMessage(message))
    }
    const delayedMessageCount = messages.length
    const maxCount = this.budget?.maxTransactions(this.maxTransactions) ?? this.maxTransactions
    const held = this.options.transactionGate?.holds(parent.header.number) ?? false
    const ready = held ? [] : this.fitInOneBatch(transactions.takeReady(maxCount, config.l2BlockGasLimit))
    if (!force && ready.length === 0 && delayedMessageCount === 0) return undefined
    for (const t of ready) messages.push({ kind: 'transaction', tx: t.tx, sender: t.sender, raw: t.raw })

    // A block never goes back in time; the batch that carries it clamps to its own L1 time anyway.
    const timestamp = this.now() > parent.header.timestamp ? this.now() : parent.header.timestamp
    const executionStarted = performance.now()
    const block = applyBlock(
      this.options.accountWrites?.recording(this.state) ?? this.state,
      {
        parentHash: parent.hash,
        number: parent.header.number + 1n,
        timestamp,
        delayedCountAfter: delayedTo,
        delayedAccumulator: accumulator,
        messages,
      },
      prepared,
    )
    this.budget?.observe(messages.length, performance.now() - executionStarted)

    const forcedHashes = new Set<string>()
    const dropped: { hash: Uint8Array; reason: string; detail?: string | undefined }[] = []
    const taken: T[] = []
    let slotCount = 0
    for (let i = 0; i < block.outcomes.length; i++) {
      const outcome = block.outcomes[i]
      if (outcome === undefined) continue
      if (i < delayedMessageCount) {
        if (outcome.applied && outcome.kind === 'transaction') {
          const message = messages[i]
          if (message?.kind === 'transaction' && message.raw !== undefined) {
            // the included copy carries the hash of the raw payload
            const included = block.transactions.find((t) => t.raw === message.raw)
            if (included) forcedHashes.add(hashKey(included.hash))
          }
        }
        continue
      }
      const source = ready[i - delayedMessageCount] as T
      if (outcome.applied) {
        slotCount++
        taken.push(source)
      } else dropped.push({ hash: source.hash, reason: outcome.reason, detail: outcome.detail })
    }
    const stored = toStoredBlock(block, {
      messageCountAfter: parent.messageCountAfter + BigInt(delayedMessageCount) + BigInt(slotCount),
      slotCount,
      forcedHashes,
    })
    const ops = chain.appendOps([stored])
    for (const d of dropped) ops.push(chain.droppedOp(d.hash, d.reason, d.detail))

    this.tip = stored
    transactions.sealed(stored, dropped, taken)
    // Execution above overlapped the previous block's write; the next write waits for it.
    await this.pendingWrite
    const { written } = this.state.startCommit(ops)
    this.pendingWrite = written.then(() => {
      chain.applied([stored])
      metrics.transactions.inc({ source: 'sequenced' }, stored.transactions.length)
      metrics.head.set({ head: 'unsafe' }, Number(stored.header.number))
      metrics.blockSeconds.observe((performance.now() - started) / 1000)
      for (const listener of this.sealedListeners) listener(stored, taken)
      if (dropped.length > 0) {
        logger.warn(
          { block: Number(stored.header.number), dropped: dropped.length, reason: dropped[0]?.reason },
          'dropped transactions that no longer apply',
        )
      }
    })
    // Surface a failed write on the next seal or flush; the caller stops the node.
    this.pendingWrite.catch(() => undefined)
    return stored
  }
}

/**
 * The builder's state keeps what each block's commit wrote attached (the account trie's `keepWritten`,
 * bounded by its `maxLoaded`): the pool's senders are in block after block, and without it every
 * block read back from LevelDB (`getSync` on the main thread) the leaves the block before it wrote.
 */
function openBuilderState(store: KeyValueStore, root: Uint8Array): StateDb {
  return new StateDb(store, root, { keepWritten: true })
}
