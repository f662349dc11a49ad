import {
  checkStatelessRules,
  decodeTransaction,
  effectiveGasPrice,
  type Hex,
  hexToBytes,
  keccak256,
  type NoopReason,
  protocolIntrinsicGas,
  type SignedTransaction,
  TransactionDecodeError,
  TX_BASE_GAS,
  UnsupportedTransactionTypeError,
} from '@sluice/core'
import { TXPOOL_REFUSALS, type TxPoolRefusalCode } from '@sluice/node'
import { type DropReason, MempoolConfigError, MempoolError, refusalForNoop } from './errors.ts'
import { HashIndex } from './hashIndex.ts'
import { Heap } from './heap.ts'
import { keyOf, plainHex } from './keys.ts'
import { RecoveryBatcher } from './recoveryBatcher.ts'
import type {
  AccountState,
  AccountView,
  DroppedTransaction,
  MempoolLimits,
  MempoolOptions,
  MempoolStats,
  PoolTransaction,
  RecoveredTransaction,
} from './types.ts'

/**
 * Stands in for the sender while the stateless rules run before recovery: `checkStatelessRules`
 * then checks every rule of protocol.md §7.3 1–15 but the recovery itself (rule 8), which the
 * sender pool does off the main thread. Cheap refusals thus never cost a recovery.
 */
const NOT_YET_RECOVERED = new Uint8Array(20)

/** One sender's transactions, by nonce. */
type SenderQueue = {
  readonly address: Uint8Array
  /** `plainHex(address)`: the key of `#senders`. */
  readonly key: string
  /** `0x${key}`. The sender's pooled transactions share `address`, `key` and this, rather than hold copies. */
  readonly hex: Hex
  /** By `nonceKey(nonce)`. */
  readonly txs: Map<NonceKey, PoolTransaction>
  /** The account nonce at the head as the pool last learnt it (markIncluded / onNewHead). */
  stateNonce: bigint
  /** First nonce ≥ stateNonce missing from `txs`: [stateNonce, readyEnd) is executable now. */
  readyEnd: bigint
  /** Highest nonce: what makes room when the sender is at its own limit (never leave a gap below a kept one). */
  tail: PoolTransaction | undefined
  /** Sum of `cost` over `txs`. */
  totalCost: bigint
  /** readyEnd − stateNonce as last counted into the pool's totals (`#sync`). */
  readyCount: number
  /** The rest of `txs`: waiting for a lower nonce. */
  queuedCount: number
  /** The executable transaction with the highest nonce: the one that may be evicted for a better-paying one. */
  readyTail: PoolTransaction | undefined
  /**
   * False when every pooled nonce is known to be ≥ `stateNonce` (what `#revalidate`'s fast path needs);
   * true once a transaction may sit below it (a block included a higher nonce first, or one was admitted
   * below it against a view behind the pool), until the next full re-check.
   */
  mayHoldBelowState: boolean
  /** The `onNewHeadByKey` call that last re-checked it: a block's senders repeat, each is re-checked once. */
  recheckedAt: number
}

/** Highest tip first; equal tips in arrival order. */
const byTipDescending = (a: PoolTransaction, b: PoolTransaction): boolean =>
  a.tip > b.tip || (a.tip === b.tip && a.arrival < b.arrival)

/** Lowest tip first; equal tips: the newest goes first. */
const byTipAscending = (a: PoolTransaction, b: PoolTransaction): boolean =>
  a.tip < b.tip || (a.tip === b.tip && a.arrival > b.arrival)

/**
 * The sequencer's transaction pool. Admission (`add`) refuses at the door every transaction the STF
 * would no-op, with geth's texts; the block builder reads it with `takeReady` and reports blocks with
 * `markIncluded` and `onNewHead`, which drop what became invalid, with the reason, through `onDropped`.
 *
 * @example
 * const pool = new Mempool({ config, view, recovery: createSenderPool(), onDropped: (d) => store.markDropped(d) })
 * const { hash } = await pool.add(raw)
 * const block = pool.takeReady(10_000, config.l2BlockGasLimit)
 */
export class Mempool {
  readonly #config: MempoolOptions['config']
  readonly #onDropped: MempoolOptions['onDropped']
  readonly #logger: MempoolOptions['logger']
  readonly #maxExecutable: number
  readonly #maxQueued: number
  readonly #maxQueuedPerSender: number
  readonly #lifetimeMs: number
  readonly #now: () => number
  readonly #maxPerSender: number
  readonly #maxNonceGap: bigint
  readonly #maxTransactionBytes: number
  readonly #priceBump: bigint
  readonly #minTip: bigint
  readonly #batcher: RecoveryBatcher
  #view: AccountView

  /** By `hashKey` (plain hex: see `plainHex`); a table that keeps its capacity as the pool drains into each block. */
  readonly #byHash = new HashIndex<PoolTransaction>()
  /** By `senderKey`. */
  readonly #senders = new Map<string, SenderQueue>()
  /** Hashes past the stateless checks and waiting for their sender: a second copy is `already known`. */
  readonly #admitting = new Set<string>()
  /** Every sender's executable tail, cheapest first; entries that stopped being one are skipped lazily. */
  #readyTails = new Heap<PoolTransaction>(byTipAscending)
  /** Senders with non-executable transactions: where expiry looks, and where a full queue makes room. */
  readonly #queuedSenders = new Set<SenderQueue>()
  #readyCount = 0
  #queuedCount = 0
  /** `onNewHeadByKey` calls so far (see `SenderQueue.recheckedAt`). */
  #rechecks = 0
  #arrivals = 0
  #accepted = 0
  readonly #refused: Partial<Record<TxPoolRefusalCode, number>> = {}
  readonly #dropped: Partial<Record<DropReason, number>> = {}

  constructor(options: MempoolOptions) {
    this.#config = options.config
    this.#view = options.view
    this.#onDropped = options.onDropped
    this.#logger = options.logger
    this.#maxExecutable = positiveInteger('maxExecutable', options.maxExecutable ?? 100_000)
    this.#maxQueued = positiveInteger('maxQueued', options.maxQueued ?? 16_384)
    this.#maxQueuedPerSender = positiveInteger('maxQueuedPerSender', options.maxQueuedPerSender ?? 16)
    this.#lifetimeMs = positiveInteger('lifetimeMs', options.lifetimeMs ?? 3 * 60 * 60 * 1000)
    this.#now = options.now ?? Date.now
    this.#maxPerSender = positiveInteger('maxPerSender', options.maxPerSender ?? 64)
    this.#maxNonceGap = BigInt(positiveInteger('maxNonceGap', options.maxNonceGap ?? 64))
    this.#maxTransactionBytes = positiveInteger('maxTransactionBytes', options.maxTransactionBytes ?? 1024)
    this.#priceBump = BigInt(positiveInteger('priceBumpPercent', options.priceBumpPercent ?? 10))
    this.#minTip = options.minTipPerGas ?? 0n
    this.#batcher = new RecoveryBatcher(
      options.recovery,
      options.config.chainId,
      positiveInteger('maxRecoveryBatch', options.maxRecoveryBatch ?? 4096),
    )
  }

  /** Transactions in the pool. */
  get size(): number {
    return this.#byHash.size
  }

  get limits(): MempoolLimits {
    return {
      maxExecutable: this.#maxExecutable,
      maxQueued: this.#maxQueued,
      maxQueuedPerSender: this.#maxQueuedPerSender,
      maxPerSender: this.#maxPerSender,
      maxNonceGap: Number(this.#maxNonceGap),
      lifetimeMs: this.#lifetimeMs,
    }
  }

  /**
   * Admits a raw signed transaction: stateless rules, sender recovery (batched with every other
   * admission of this event-loop turn), then nonce, balance, replacement and limits against the head
   * state and the sender's pooled transactions. Rejects with a `MempoolError` naming the refusal.
   */
  async add(raw: Uint8Array): Promise<PoolTransaction> {
    const candidate = this.#checkStateless(raw)
    this.#admitting.add(candidate.hashKey)
    let sender: Uint8Array | undefined
    try {
      sender = await this.#batcher.recover(raw)
    } finally {
      this.#admitting.delete(candidate.hashKey)
    }
    if (sender === undefined) throw this.#refuse('invalidSender', 'no sender can be recovered from the signature')
    return this.#insert(candidate, sender, this.#now())
  }

  /**
   * `add` for a transaction whose hash and sender a sender worker already computed from these very
   * bytes (`SenderPool.prepareSendBody`), with its decoded form when the worker packed one: the same
   * rules and refusals, without the recovery round trip (nor a second decode), inserted synchronously.
   */
  addRecovered(raw: Uint8Array, known: RecoveredTransaction): PoolTransaction {
    return this.#insert(this.#checkStateless(raw, known.hash, known.tx), known.sender, this.#now())
  }

  /**
   * Admits again a transaction this pool acknowledged before a restart, with the sender and the
   * admission time the intake log kept: no recovery (the log is the node's own, checksummed), and the
   * lifetime runs from the first admission. Same rules and refusals as `add` otherwise.
   */
  readmit(raw: Uint8Array, known: { sender: Uint8Array; admittedAt: number }): PoolTransaction {
    return this.#insert(this.#checkStateless(raw), known.sender, known.admittedAt)
  }

  /**
   * Drops, as `expired`, every non-executable transaction admitted more than the lifetime ago, with
   * the sender's higher nonces (they could only run after it). Returns how many were dropped.
   */
  expire(now: number = this.#now()): number {
    const cutoff = now - this.#lifetimeMs
    let expired = 0
    for (const queue of [...this.#queuedSenders]) {
      let first: bigint | undefined
      for (const pooled of queue.txs.values()) {
        if (
          pooled.nonce >= queue.readyEnd &&
          pooled.admittedAt <= cutoff &&
          (first === undefined || pooled.nonce < first)
        )
          first = pooled.nonce
      }
      if (first === undefined) continue
      const doomed = [...queue.txs.values()].filter((pooled) => pooled.nonce >= (first as bigint))
      doomed.sort((a, b) => compare(b.nonce, a.nonce))
      const seconds = Math.round(this.#lifetimeMs / 1000)
      for (const pooled of doomed) {
        const detail =
          pooled.nonce === first
            ? `non-executable for more than ${seconds} s (nonce ${queue.readyEnd} of address 0x${queue.key} never came)`
            : `it waited on nonce ${first}, which expired`
        this.#drop(pooled, queue, 'expired', detail)
        expired++
      }
    }
    return expired
  }

  /** A pooled transaction by hash (`eth_getTransactionByHash` of a pending transaction). */
  get(hash: Uint8Array | Hex): PoolTransaction | undefined {
    return this.#byHash.get(keyOf(hash))
  }

  has(hash: Uint8Array | Hex): boolean {
    return this.#byHash.has(keyOf(hash))
  }

  /**
   * The nonce the sender's next transaction should carry (`eth_getTransactionCount(…, 'pending')`):
   * the account nonce at the head, advanced past the sender's consecutive pooled transactions.
   */
  pendingNonce(address: Uint8Array | Hex): bigint {
    const bytes = typeof address === 'string' ? hexToBytes(address) : address
    const queue = this.#senders.get(plainHex(bytes))
    const account = this.#view.account(bytes)
    return queue === undefined ? account.nonce : readyEndFrom(queue, account.nonce)
  }

  /**
   * Up to `maxCount` executable transactions whose gas limits sum to at most `maxGas`: each sender's
   * in nonce order, across senders the highest effective tip first. Nothing is removed: the builder
   * reports what it sealed with `markIncluded`.
   */
  takeReady(maxCount: number, maxGas: bigint): PoolTransaction[] {
    const heads: PoolTransaction[] = []
    // forEach rather than for-of: no iterator result per sender, and every sender is visited per block.
    // Only a sender with executable transactions (`readyEnd`) has its first nonce pooled.
    this.#senders.forEach((queue) => {
      if (queue.readyCount === 0) return
      const first = queue.txs.get(nonceKey(queue.stateNonce))
      if (first !== undefined) heads.push(first)
    })
    const heap = new Heap(byTipDescending, heads)
    const out: PoolTransaction[] = []
    let gasLeft = maxGas
    while (out.length < maxCount && heap.size > 0 && gasLeft >= TX_BASE_GAS) {
      const next = heap.pop() as PoolTransaction
      // A transaction that does not fit ends its sender's run for this block (the later nonces
      // cannot go before it); smaller ones of other senders may still fit.
      if (next.gasLimit > gasLeft) continue
      out.push(next)
      gasLeft -= next.gasLimit
      const queue = this.#senders.get(next.senderKey) as SenderQueue
      const following = queue.txs.get(nonceKey(next.nonce + 1n))
      if (following !== undefined) heap.push(following)
    }
    return out
  }

  /**
   * Removes transactions the builder sealed into a block (silently: they are included) and advances
   * their senders' nonces. Unknown hashes are ignored (forced transactions, or already gone).
   */
  markIncluded(hashes: Iterable<Uint8Array | Hex>): void {
    for (const hash of hashes) this.#markIncluded(keyOf(hash))
  }

  /**
   * `markIncluded` by the pool's keys of the hashes (`PoolTransaction.hashKey`, `keyOf`): the builder
   * hands back the keys of the transactions it took (`blockHashKeys`) rather than have them encoded again.
   */
  markIncludedByKey(hashKeys: readonly string[]): void {
    for (let i = 0; i < hashKeys.length; i++) this.#markIncluded(hashKeys[i] as string)
  }

  #markIncluded(hashKey: string): void {
    const included = this.#byHash.get(hashKey)
    if (included === undefined) return
    const queue = this.#senders.get(included.senderKey) as SenderQueue
    const readyEnd = queue.readyEnd
    if (included.nonce !== queue.stateNonce) queue.mayHoldBelowState = true
    this.#remove(included, queue)
    if (included.nonce >= queue.stateNonce) queue.stateNonce = included.nonce + 1n
    // The run above the included nonce is still consecutive: keep its end instead of walking it
    // again (which would make a block of k transactions of one sender cost k²).
    queue.readyEnd = readyEnd > queue.stateNonce ? readyEnd : queue.stateNonce
    advanceReady(queue)
    this.#sync(queue)
  }

  /**
   * Adopts the state of a new unsafe head and re-checks pooled transactions against it: those whose
   * nonce is now below the account's (another transaction took it, e.g. a forced one) and those the
   * balance no longer covers are dropped with their reason through `onDropped`. Call it after
   * `markIncluded` for the same block. `senders` limits the re-check to these accounts (pass the
   * senders of every transaction the block applied, forced ones included: only they can lose
   * balance or gain nonces); omit it after a reorg to re-check every pooled sender.
   */
  onNewHead(view: AccountView, senders?: Iterable<Uint8Array | Hex>): void {
    this.#view = view
    if (senders === undefined) {
      for (const queue of [...this.#senders.values()]) this.#revalidate(queue)
      return
    }
    const keys: string[] = []
    for (const address of senders) keys.push(keyOf(address))
    this.onNewHeadByKey(view, keys)
  }

  /** `onNewHead` with the pool's keys of the senders (`PoolTransaction.senderKey`, `keyOf`; see `blockSenderKeys`). */
  onNewHeadByKey(view: AccountView, senderKeys: readonly string[]): void {
    this.#view = view
    const recheck = ++this.#rechecks
    for (let i = 0; i < senderKeys.length; i++) {
      const queue = this.#senders.get(senderKeys[i] as string)
      if (queue === undefined || queue.recheckedAt === recheck) continue
      queue.recheckedAt = recheck
      this.#revalidate(queue)
    }
  }

  /**
   * Drops a pooled transaction for a reason the caller knows (the builder found it a no-op, the
   * intake log could not store it), reporting it through `onDropped`. Returns false when not pooled.
   */
  remove(hash: Uint8Array | Hex, reason: DropReason, detail?: string): boolean {
    const pooled = this.#byHash.get(keyOf(hash))
    if (pooled === undefined) return false
    this.#drop(pooled, this.#senders.get(pooled.senderKey) as SenderQueue, reason, detail)
    return true
  }

  /** Every pooled transaction, senders in no particular order, each sender's in nonce order. */
  *transactions(): IterableIterator<PoolTransaction> {
    for (const queue of this.#senders.values()) yield* [...queue.txs.values()].sort((a, b) => compare(a.nonce, b.nonce))
  }

  stats(): MempoolStats {
    return {
      size: this.#byHash.size,
      ready: this.#readyCount,
      queued: this.#queuedCount,
      senders: this.#senders.size,
      accepted: this.#accepted,
      refused: { ...this.#refused },
      dropped: { ...this.#dropped },
      recoveryBatches: this.#batcher.batches,
    }
  }

  // ----------------------------------------------------------------------------------- admission

  /**
   * Size, decoding, duplicates and rules 1–15 but 8 (protocol.md §7.3): everything before recovery.
   * `decoded` is `raw` already decoded (by a sender worker), which cannot fail to decode.
   */
  #checkStateless(raw: Uint8Array, knownHash?: Uint8Array, decoded?: SignedTransaction): Candidate {
    if (raw.length > this.#maxTransactionBytes) {
      throw this.#refuse('oversizedData', `${raw.length} bytes; the limit is ${this.#maxTransactionBytes}`)
    }
    const hash = knownHash ?? keccak256(raw)
    const hashKey = plainHex(hash)
    if (this.#byHash.has(hashKey) || this.#admitting.has(hashKey)) throw this.#refuse('alreadyKnown', `0x${hashKey}`)
    let tx: SignedTransaction
    try {
      tx = decoded ?? decodeTransaction(raw)
    } catch (error) {
      if (error instanceof UnsupportedTransactionTypeError) {
        throw this.#refuse('typeNotSupported', error.shortMessage, error)
      }
      if (error instanceof TransactionDecodeError) throw this.#refuse('undecodable', error.shortMessage, error)
      throw error
    }
    const config = this.#config
    const rules = checkStatelessRules(tx, config, NOT_YET_RECOVERED)
    if (!rules.ok) throw this.#refuse(refusalForNoop(rules.reason), this.#statelessDetail(rules.reason, tx))
    if (tx.gasLimit > config.l2BlockGasLimit) {
      throw this.#refuse('gasLimitExceeded', `gas limit ${tx.gasLimit}, block gas limit ${config.l2BlockGasLimit}`)
    }
    const tip = effectiveGasPrice(tx, config.baseFeePerGas) - config.baseFeePerGas
    if (tip < this.#minTip) throw this.#refuse('underpriced', `tip ${tip} wei per gas, minimum ${this.#minTip}`)
    return { raw, hash, hashKey, tx, tip, cost: tx.value + tx.gasLimit * tx.maxFeePerGas }
  }

  /** Nonce, balance, replacement and limits; then the insertion. Synchronous: no admission interleaves. */
  #insert(candidate: Candidate, sender: Uint8Array, admittedAt: number): PoolTransaction {
    const { tx, hashKey } = candidate
    const hashHex: Hex = `0x${hashKey}`
    if (this.#byHash.has(hashKey)) throw this.#refuse('alreadyKnown', hashHex)
    const lookupKey = plainHex(sender)
    const queue = this.#senders.get(lookupKey)
    // A pooled transaction outlives a few scavenges (it waits for its block), so what it holds is
    // promoted: its sender's address and keys are the queue's, not fresh copies per transaction.
    const senderKey = queue?.key ?? lookupKey
    const senderHex: Hex = queue?.hex ?? `0x${senderKey}`
    const senderAddress = queue?.address ?? sender
    const account = this.#view.account(senderAddress)
    const nonce = tx.nonce
    if (nonce < account.nonce) {
      throw this.#refuse('nonceTooLow', `address ${senderHex}, tx: ${nonce} state: ${account.nonce}`)
    }
    const replaced = queue?.txs.get(nonceKey(nonce))
    let evictOwnTail = false
    /** Becomes executable now (versus waiting for a lower nonce); undefined for a replacement. */
    let executable: boolean | undefined
    if (replaced !== undefined) {
      const bump = 100n + this.#priceBump
      if (
        tx.maxFeePerGas * 100n < replaced.tx.maxFeePerGas * bump ||
        tx.maxPriorityFeePerGas * 100n < replaced.tx.maxPriorityFeePerGas * bump
      ) {
        throw this.#refuse(
          'replacementUnderpriced',
          `both fee caps must rise by ${this.#priceBump}%: have maxFeePerGas ${tx.maxFeePerGas} and maxPriorityFeePerGas ` +
            `${tx.maxPriorityFeePerGas}, pooled ${replaced.tx.maxFeePerGas} and ${replaced.tx.maxPriorityFeePerGas}`,
        )
      }
    } else {
      const pending = queue === undefined ? account.nonce : readyEndFrom(queue, account.nonce)
      if (nonce >= pending + this.#maxNonceGap) {
        throw this.#refuse(
          'nonceTooHigh',
          `address ${senderHex}, tx: ${nonce}, pending nonce: ${pending}, at most ${this.#maxNonceGap - 1n} ahead`,
        )
      }
      executable = nonce === pending
      if (queue !== undefined && queue.txs.size >= this.#maxPerSender) {
        // Filling a gap below the sender's highest nonce: that one makes room. Otherwise refuse.
        if (queue.tail === undefined || queue.tail.nonce < nonce) {
          throw this.#refuse('accountLimitExceeded', `address ${senderHex} has ${queue.txs.size} pooled transactions`)
        }
        evictOwnTail = true
      }
      if (!executable && !evictOwnTail && (queue?.queuedCount ?? 0) >= this.#maxQueuedPerSender) {
        throw this.#refuse(
          'accountLimitExceeded',
          `address ${senderHex} has ${queue?.queuedCount} non-executable transactions, the limit; send nonce ${pending} first`,
        )
      }
    }
    let othersCost = 0n
    if (queue !== undefined) {
      othersCost = queue.totalCost
      if (account.nonce > queue.stateNonce) {
        // The head moved before markIncluded told the pool: its included transactions cost nothing more.
        for (const pooled of queue.txs.values()) if (pooled.nonce < account.nonce) othersCost -= pooled.cost
      }
      if (replaced !== undefined) othersCost -= replaced.cost
      if (evictOwnTail && queue.tail !== undefined) othersCost -= queue.tail.cost
    }
    if (othersCost + candidate.cost > account.balance) {
      throw this.#refuse(
        'insufficientFunds',
        `address ${senderHex} have ${account.balance} want ${othersCost + candidate.cost}` +
          (othersCost > 0n ? ` (${othersCost} for its other pending transactions)` : ''),
      )
    }
    // Room: executable and non-executable transactions have separate budgets, so parked (gapped)
    // transactions can never take the place of ones that would run.
    let evictOwn: PoolTransaction | undefined
    let evictReady: PoolTransaction | undefined
    let evictQueued: PoolTransaction | undefined
    if (evictOwnTail) evictOwn = queue?.tail
    if (executable === true && this.#readyCount >= this.#maxExecutable) {
      evictReady = this.#cheapestReadyTail()
      if (evictReady === undefined) throw this.#refuse('txpoolFull', `${this.#readyCount} executable transactions`)
      if (evictReady.senderKey === senderKey) {
        throw this.#refuse(
          'txpoolFull',
          `the cheapest executable transaction is this sender's nonce ${evictReady.nonce}`,
        )
      }
      if (evictReady.tip >= candidate.tip) {
        throw this.#refuse(
          'underpriced',
          `the pool holds its limit of ${this.#maxExecutable} executable transactions and the cheapest tips ${evictReady.tip} wei per gas`,
        )
      }
    } else if (executable === false && !evictOwnTail && this.#queuedCount >= this.#maxQueued) {
      // Fair shares: room is made from the sender holding the most non-executable slots, never
      // for a sender that would then hold as many.
      const own = (queue?.queuedCount ?? 0) + 1
      const largest = this.#mostQueued()
      if (largest === undefined || largest.queuedCount <= own) {
        throw this.#refuse(
          'txpoolFull',
          `the pool holds its limit of ${this.#maxQueued} non-executable (gapped) transactions; send nonce ` +
            `${queue === undefined ? account.nonce : readyEndFrom(queue, account.nonce)} of ${senderHex} first`,
        )
      }
      evictQueued = largest.tail
    }

    // Every check passed: change the pool.
    const pooled: PoolTransaction = {
      hash: candidate.hash,
      hashHex,
      hashKey,
      raw: candidate.raw,
      tx,
      sender: senderAddress,
      senderHex,
      senderKey,
      nonce,
      gasLimit: tx.gasLimit,
      cost: candidate.cost,
      tip: candidate.tip,
      arrival: this.#arrivals++,
      admittedAt,
      intakeRecords: undefined,
    }
    if (evictOwn !== undefined) {
      this.#drop(
        evictOwn,
        queue as SenderQueue,
        'evicted',
        `the sender's pooled transactions are at their limit; ${hashHex} fills a lower nonce`,
      )
    }
    if (evictReady !== undefined) this.#evictReadyTail(evictReady, hashHex)
    if (evictQueued !== undefined) {
      this.#drop(
        evictQueued,
        this.#senders.get(evictQueued.senderKey) as SenderQueue,
        'evicted',
        `the pool's non-executable transactions are at their limit and this sender held the most; room made for ${hashHex}`,
      )
    }
    if (replaced !== undefined) this.#drop(replaced, queue as SenderQueue, 'replaced', `replaced by ${hashHex}`)
    let target = this.#senders.get(senderKey)
    if (target === undefined) {
      target = {
        address: senderAddress,
        key: senderKey,
        hex: senderHex,
        txs: new Map(),
        stateNonce: account.nonce,
        readyEnd: account.nonce,
        tail: undefined,
        totalCost: 0n,
        readyCount: 0,
        queuedCount: 0,
        readyTail: undefined,
        mayHoldBelowState: false,
        recheckedAt: 0,
      }
      this.#senders.set(senderKey, target)
    }
    if (nonce < target.stateNonce) target.mayHoldBelowState = true
    target.txs.set(nonceKey(nonce), pooled)
    target.totalCost += pooled.cost
    this.#byHash.set(hashKey, pooled)
    if (nonce === target.readyEnd) advanceReady(target)
    if (target.tail === undefined || nonce >= target.tail.nonce) target.tail = pooled
    this.#sync(target)
    this.#accepted++
    return pooled
  }

  #statelessDetail(reason: NoopReason, tx: SignedTransaction): string | undefined {
    const config = this.#config
    switch (reason) {
      case 'wrongChainId':
        return `have ${tx.chainId ?? `legacy v ${tx.v}`}, want ${config.chainId}`
      case 'maxFeeBelowBaseFee':
        return `maxFeePerGas: ${tx.maxFeePerGas}, baseFee: ${config.baseFeePerGas}`
      case 'priorityFeeAboveMaxFee':
        return `maxPriorityFeePerGas: ${tx.maxPriorityFeePerGas}, maxFeePerGas: ${tx.maxFeePerGas}`
      case 'intrinsicGasTooLow':
        return `gas ${tx.gasLimit}, minimum needed ${protocolIntrinsicGas(tx.data)}`
      case 'invalidData':
        return 'Sluice has no EVM: data must be empty, except on a withdrawal to the message passer 0x5100…00, whose data may be one 32-byte word with its top 12 bytes zero (the L1 recipient)'
      case 'contractCreation':
        return 'Sluice has no EVM; send value to an address'
      case 'accessListNotEmpty':
        return 'Sluice has no EVM; send an empty access list'
      // geth's txpool answers these "invalid sender: invalid transaction v, r, s values".
      case 'invalidYParity':
        return `${TXPOOL_REFUSALS.invalidSignature}: yParity is neither 0 nor 1`
      case 'rOutOfRange':
        return `${TXPOOL_REFUSALS.invalidSignature}: r is 0 or not below the curve order`
      case 'sOutOfRange':
        return `${TXPOOL_REFUSALS.invalidSignature}: s is 0 or not below the curve order`
      case 'highS':
        return `${TXPOOL_REFUSALS.invalidSignature}: s is above n/2 (EIP-2); sign with a low-s signer`
      default:
        return undefined
    }
  }

  #refuse(refusal: TxPoolRefusalCode, details?: string, cause?: unknown): MempoolError {
    this.#refused[refusal] = (this.#refused[refusal] ?? 0) + 1
    // A refusal is the client's doing, answered at once and never logged with a stack: capturing
    // one per refusal is pure cost when a full pool refuses thousands a second.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      return new MempoolError(refusal, { details, cause })
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
  }

  // -------------------------------------------------------------------------------- maintenance

  /** Re-checks a sender's transactions against the current view (nonce, then cumulative balance). */
  #revalidate(queue: SenderQueue): void {
    const account: AccountState = this.#view.account(queue.address)
    // What a block's senders are re-checked for almost every time: the nonce markIncluded already
    // advanced to, and a balance that covers all the sender's pooled costs. Then no transaction is
    // below the nonce or beyond the balance (every prefix costs at most the total), and `readyEnd`
    // is already the end of the run: the full pass below (a sorted copy of every pooled
    // transaction of the sender) would change nothing.
    if (!queue.mayHoldBelowState && account.nonce === queue.stateNonce && queue.totalCost <= account.balance) return
    queue.stateNonce = account.nonce
    if (queue.readyEnd < queue.stateNonce) queue.readyEnd = queue.stateNonce
    const ordered = [...queue.txs.values()].sort((a, b) => compare(a.nonce, b.nonce))
    let spent = 0n
    for (const pooled of ordered) {
      if (pooled.nonce < account.nonce) {
        this.#drop(pooled, queue, 'nonceTooLow', `address 0x${queue.key}, tx: ${pooled.nonce} state: ${account.nonce}`)
      } else if (spent + pooled.cost > account.balance) {
        this.#drop(
          pooled,
          queue,
          'insufficientFunds',
          `address 0x${queue.key} have ${account.balance} want ${spent + pooled.cost}`,
        )
      } else {
        spent += pooled.cost
      }
    }
    queue.readyEnd = queue.stateNonce
    queue.mayHoldBelowState = false
    advanceReady(queue)
    this.#sync(queue)
  }

  #drop(pooled: PoolTransaction, queue: SenderQueue, reason: DropReason, detail: string | undefined): void {
    this.#remove(pooled, queue)
    this.#sync(queue)
    this.#dropped[reason] = (this.#dropped[reason] ?? 0) + 1
    if (this.#onDropped === undefined) return
    const message =
      reason === 'replaced'
        ? 'replaced by a transaction with the same nonce and higher fees'
        : reason === 'evicted'
          ? 'evicted: txpool is full and it paid the lowest tip or waited on a missing nonce'
          : reason === 'expired'
            ? 'expired: it waited on a missing lower nonce for longer than the pool lifetime'
            : reason === 'removed'
              ? 'removed by the sequencer'
              : TXPOOL_REFUSALS[reason]
    const dropped: DroppedTransaction = { transaction: pooled, reason, message, detail }
    try {
      this.#onDropped(dropped)
    } catch (error) {
      this.#logger?.error({ err: error, hash: pooled.hashHex }, 'onDropped callback failed')
    }
  }

  #remove(pooled: PoolTransaction, queue: SenderQueue): void {
    this.#byHash.delete(pooled.hashKey)
    queue.txs.delete(nonceKey(pooled.nonce))
    queue.totalCost -= pooled.cost
    if (pooled.nonce >= queue.stateNonce && pooled.nonce < queue.readyEnd) queue.readyEnd = pooled.nonce
    if (queue.txs.size === 0) {
      this.#senders.delete(queue.key)
      queue.tail = undefined
      return
    }
    if (queue.tail === pooled) {
      let tail: PoolTransaction | undefined
      for (const other of queue.txs.values()) if (tail === undefined || other.nonce > tail.nonce) tail = other
      queue.tail = tail
    }
  }

  /**
   * Brings the pool's executable / non-executable totals, the set of senders with non-executable
   * transactions and the executable-tail heap up to date with `queue` after any change to it.
   */
  #sync(queue: SenderQueue): void {
    const alive = this.#senders.get(queue.key) === queue
    const ready = alive ? Number(queue.readyEnd - queue.stateNonce) : 0
    const queued = alive ? queue.txs.size - ready : 0
    this.#readyCount += ready - queue.readyCount
    this.#queuedCount += queued - queue.queuedCount
    queue.readyCount = ready
    queue.queuedCount = queued
    if (queued > 0) this.#queuedSenders.add(queue)
    else this.#queuedSenders.delete(queue)
    const readyTail = ready > 0 ? queue.txs.get(nonceKey(queue.readyEnd - 1n)) : undefined
    if (readyTail === queue.readyTail) return
    queue.readyTail = readyTail
    if (readyTail === undefined) return
    this.#readyTails.push(readyTail)
    // Stale entries accumulate as tails change; rebuild before they outweigh the live ones.
    if (this.#readyTails.size > 2 * this.#senders.size + 1024) {
      const live: PoolTransaction[] = []
      for (const other of this.#senders.values()) if (other.readyTail !== undefined) live.push(other.readyTail)
      this.#readyTails = new Heap(byTipAscending, live)
    }
  }

  #cheapestReadyTail(): PoolTransaction | undefined {
    for (;;) {
      const top = this.#readyTails.peek()
      if (top === undefined) return undefined
      if (this.#byHash.get(top.hashKey) === top && this.#senders.get(top.senderKey)?.readyTail === top) return top
      this.#readyTails.pop()
    }
  }

  /** The sender holding the most non-executable transactions (ties: any). */
  #mostQueued(): SenderQueue | undefined {
    let largest: SenderQueue | undefined
    for (const queue of this.#queuedSenders)
      if (largest === undefined || queue.queuedCount > largest.queuedCount) largest = queue
    return largest
  }

  /** Evicts a sender's executable tail and, first, its higher (non-executable) nonces that could only follow it. */
  #evictReadyTail(victim: PoolTransaction, forHash: Hex): void {
    const queue = this.#senders.get(victim.senderKey) as SenderQueue
    const doomed = [...queue.txs.values()].filter((pooled) => pooled.nonce >= victim.nonce)
    doomed.sort((a, b) => compare(b.nonce, a.nonce))
    for (const pooled of doomed) {
      this.#drop(
        pooled,
        queue,
        'evicted',
        pooled === victim
          ? `the pool's executable transactions are at their limit; room made for ${forHash}, which tips more`
          : `nonce ${victim.nonce} of the same sender was evicted`,
      )
    }
  }
}

type Candidate = {
  raw: Uint8Array
  hash: Uint8Array
  hashKey: string
  tx: SignedTransaction
  tip: bigint
  cost: bigint
}

/**
 * A nonce as the key of a sender's map: a number below 2^53, the bigint itself from there (a view
 * may report such a nonce, although no chain reaches it). One key per nonce either way; a number
 * key costs about a fifth of a bigint one per Map operation (measured: 20 against 88 ns for a get,
 * a get of the next nonce and a set), and the pool does a dozen per transaction.
 */
type NonceKey = number | bigint

function nonceKey(nonce: bigint): NonceKey {
  return nonce <= MAX_NUMBER_KEY ? Number(nonce) : nonce
}

const MAX_NUMBER_KEY = BigInt(Number.MAX_SAFE_INTEGER)

function advanceReady(queue: SenderQueue): void {
  while (queue.txs.has(nonceKey(queue.readyEnd))) queue.readyEnd++
}

/** The sender's pending nonce when the head's account nonce is `accountNonce`. */
function readyEndFrom(queue: SenderQueue, accountNonce: bigint): bigint {
  let next = accountNonce > queue.stateNonce ? accountNonce : queue.readyEnd
  while (queue.txs.has(nonceKey(next))) next++
  return next
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new MempoolConfigError(`${name} must be a positive integer, not ${value}`)
  }
  return value
}
