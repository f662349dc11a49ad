import { sequencerInboxAbi } from '@sluice/contracts'
import {
  BatchEncodeError,
  type BatchOp,
  BYTES_PER_BLOB,
  blobBatchHash,
  bytesToBigint,
  bytesToHex,
  decodeRlp,
  encodeBlobs,
  encodeRlp,
  equalBytes,
  hexToBytes,
  keccak256,
  kzg,
  kzgCommitmentToVersionedHash,
  MAX_BLOBS_PER_BATCH,
  MAX_BLOCKS_PER_BATCH,
  type RollupConfig,
  SluiceError,
} from '@sluice/core'
import {
  BlobStore,
  type ChainStore,
  type Deployment,
  encodeKzgHints,
  KZG_HINT_BYTES,
  type L1BlobSidecars,
  type L1Fees,
  L1SendError,
  type L1Wallet,
  type Logger,
  type PostedBatch,
  type StoredBlock,
} from '@sluice/node'
import { Counter, Gauge, type Registry } from 'prom-client'
import { encodeFunctionData, type Hex, type PublicClient } from 'viem'
import {
  chooseDataAvailability,
  type DataAvailabilityKind,
  type DataAvailabilityMode,
  type L1DataPrices,
} from './dataAvailability.ts'
import { BatchEncoder, BatchSelfCheckError, type EncodingBatch } from './encoder.ts'

export { BatchSelfCheckError } from './encoder.ts'

/**
 * A batch the batcher decided to post, written to the database **before** it is sent: after a crash
 * it is re-sent with the same bytes and the same `expectedIndex`, so it lands at most once and no
 * block is ever posted twice.
 */
export type BatchIntent = {
  expectedIndex: bigint
  firstBlock: bigint
  lastBlock: bigint
  /** Where the bytes go: the calldata of `appendBatch` (version 1) or blobs of `appendBlobBatch` (body version 2). */
  da: DataAvailabilityKind
  /** calldata: the batch (version 1); blobs: the body the blobs carry. */
  bytes: Uint8Array
  /** blobs: `appendBlobBatch`'s arguments beside `expectedIndex`. */
  delayedCountAfter: bigint
  slotCount: number
  /** blobs: the versioned hashes of the blobs, in order (what the inbox hashes). */
  versionedHashes: Hex[]
  /** Hash of the last L1 transaction sent for it (replacements change it). */
  txHash: Hex | undefined
  sentAt: number
  /** Nonce and fee caps of the last send: a stuck transaction is replaced at that nonce with bumped caps. */
  nonce: number | undefined
  fees: L1Fees | undefined
}

/** The inbox holds someone else's batch where ours was to land (a forced batch): the unsafe chain must be rebuilt. */
export class BatchConflictError extends SluiceError {
  override name = 'BatchConflictError'
  constructor(index: bigint) {
    super(`inbox batch ${index} is not the batch this sequencer posted there`, {
      details:
        'Another batch (a forced inclusion) took this index. The unsafe blocks from this batch on must be rebuilt on top of what L1 derived.',
      severity: 'reset',
    })
  }
}

export type BatcherOptions = {
  chain: ChainStore
  config: RollupConfig
  deployment: Deployment
  publicClient: PublicClient
  wallet: L1Wallet
  logger: Logger
  registry: Registry
  /** Post once the oldest unbatched block is this old, even if the batch is not full. */
  maxBatchAgeMs?: number
  /** Batches in flight (sent, not yet confirmed) at most. */
  maxInFlight?: number
  /** Re-send with higher fees when a transaction has not landed after this long. */
  stuckAfterMs?: number
  /** A batch of empty blocks only (no transaction, no delayed message) waits this long. */
  maxEmptyBatchAgeMs?: number
  /** Where batches go (default `auto`). */
  da?: DataAvailabilityMode
  /** Blobs per blob batch at most (default `MAX_BLOBS_PER_BATCH`). */
  maxBlobs?: number
  /** Whether the L1 takes blob transactions (checked at startup); without blobs `auto` posts calldata. */
  l1HasBlobs?: boolean
}

const META_NEXT = 'batcher/next'
const META_INTENT = 'batcher/intent/'
const META_RANGE = 'batcher/intents'
const META_POSTED = 'batcher/posted/'
/**
 * Confirmed batches whose posted record is kept (the newest ones): derivation rewound by an L1 reorg
 * can still adopt them when they land again. An older batch has no record and is executed.
 */
const POSTED_KEPT = 64n
/** Raw transaction bytes of stored blocks the batcher reads before it offers them to the encoder (~2,300 transfers). */
const READ_AHEAD_BYTES = 256 << 10

/**
 * Fills batches with the core `BatchBuilder` from sealed unsafe blocks and posts them with
 * `SequencerInbox.appendBatch(batch, expectedIndex)`; follows each to `l1Confirmations`, re-posts
 * after an L1 reorg or a dropped transaction, bumps fees when stuck, and resumes after a restart
 * from its intents and what the inbox holds.
 */
export class Batcher {
  private readonly options: BatcherOptions
  private readonly intents: BatchIntent[] = []
  private nextBlock = 1n
  private firstUnbatchedSeenAt: number | undefined
  private halted: SluiceError | undefined
  /** When each intent's transaction was first found missing from L1 (neither mined nor pending). */
  private readonly missingSince = new Map<bigint, number>()
  /** KZG commitments and proofs of blob intents, computed once (again after a restart when re-sent). */
  private readonly sidecars = new Map<bigint, L1BlobSidecars>()
  /** What `auto` chose last (for its hysteresis). */
  private lastChoice: DataAvailabilityKind | undefined
  /**
   * The batch being filled from `nextBlock` on, kept across ticks so that each new block is encoded
   * once: refilling from scratch every tick until the batch was full or old enough encoded each block
   * ~4 times (a 2 s batch age at a 250 ms tick).
   */
  private filling: Filling | undefined
  /** Encoding and self-check of batches, on a worker thread. */
  private readonly encoder = new BatchEncoder()
  /** Moves when the unsafe chain is rebuilt: a batch filled from the old chain meanwhile is not posted. */
  private chainEpoch = 0
  private readonly metrics: {
    batches: Counter<'outcome'>
    posted: Counter<'da'>
    bytes: Counter
    blobBytes: Counter
    blobs: Counter
    transactions: Counter
    gas: Counter
    blobGas: Counter
    inFlight: Gauge
    blocksEncoded: Counter
    bytesPerTx: Gauge
    blobFill: Gauge
  }

  constructor(options: BatcherOptions) {
    this.options = options
    const registers = [options.registry]
    this.metrics = {
      batches: new Counter({
        name: 'sluice_batcher_batches_total',
        help: 'Batches by outcome',
        labelNames: ['outcome'],
        registers,
      }),
      posted: new Counter({
        name: 'sluice_batcher_posted_total',
        help: 'Batches posted, by data availability (blobs or calldata)',
        labelNames: ['da'],
        registers,
      }),
      bytes: new Counter({ name: 'sluice_batcher_bytes_total', help: 'Batch bytes posted', registers }),
      blobBytes: new Counter({
        name: 'sluice_batcher_blob_bytes_total',
        help: 'Batch body bytes posted in blobs',
        registers,
      }),
      blobs: new Counter({ name: 'sluice_batcher_blobs_total', help: 'Blobs posted', registers }),
      transactions: new Counter({ name: 'sluice_batcher_transactions_total', help: 'Batch slots posted', registers }),
      gas: new Counter({ name: 'sluice_batcher_l1_gas_total', help: 'L1 gas spent on batches', registers }),
      blobGas: new Counter({
        name: 'sluice_batcher_l1_blob_gas_total',
        help: 'L1 blob gas paid for confirmed blob batches',
        registers,
      }),
      inFlight: new Gauge({ name: 'sluice_batcher_in_flight', help: 'Batches sent and not yet confirmed', registers }),
      blocksEncoded: new Counter({
        name: 'sluice_batcher_blocks_encoded_total',
        help: 'Blocks offered to a batch encoder (a block that did not fit is offered again to the next batch)',
        registers,
      }),
      bytesPerTx: new Gauge({
        name: 'sluice_batcher_bytes_per_tx',
        help: 'Bytes per slot of the last batch',
        registers,
      }),
      blobFill: new Gauge({
        name: 'sluice_batcher_blob_fill_ratio',
        help: "Body bytes of the last blob batch over its blobs' 131,072 bytes each",
        registers,
      }),
    }
  }

  /** Where batches go, and what `auto` chose last (for `sluice_syncStatus`). */
  get dataAvailability(): { mode: DataAvailabilityMode; maxBlobs: number; last: DataAvailabilityKind | null } {
    return { mode: this.mode, maxBlobs: this.maxBlobs, last: this.lastChoice ?? null }
  }

  private get mode(): DataAvailabilityMode {
    return this.options.da ?? 'auto'
  }

  private get maxBlobs(): number {
    return this.options.maxBlobs ?? MAX_BLOBS_PER_BATCH
  }

  /** Stops the encoder's worker. */
  async close(): Promise<void> {
    await this.encoder.close()
  }

  /** Set when the batcher stopped itself; the node reports it on /health. */
  get haltReason(): SluiceError | undefined {
    return this.halted
  }

  get pendingIntents(): readonly BatchIntent[] {
    return this.intents
  }

  /** The first unsafe block not yet in a batch. */
  get nextUnbatchedBlock(): bigint {
    return this.nextBlock
  }

  /** Loads intents and the next block from the database. */
  load(): void {
    const { chain } = this.options
    const next = chain.store.getSync(chain.metaKey(META_NEXT))
    this.nextBlock = next === undefined ? 1n : bytesToBigint(decodeRlp(next) as Uint8Array)
    const range = chain.store.getSync(chain.metaKey(META_RANGE))
    if (range === undefined) return
    const [from, to] = (decodeRlp(range) as Uint8Array[]).map((b) => bytesToBigint(b)) as [bigint, bigint]
    for (let index = from; index < to; index++) {
      const raw = chain.store.getSync(chain.metaKey(`${META_INTENT}${index}`))
      if (raw === undefined) throw new BatchSelfCheckError(`batch intent ${index} is missing from the database`)
      this.intents.push(decodeIntent(raw))
    }
  }

  /**
   * What this sequencer posted at inbox index `index` (kept from before it is sent until it is
   * `POSTED_KEPT` batches behind the newest confirmed one), for derivation to adopt the batch instead of
   * executing it again (`PostedBatchAdoption`).
   */
  posted(index: bigint): PostedBatch | undefined {
    const raw = this.options.chain.store.getSync(this.postedKey(index))
    if (raw === undefined) return undefined
    const [firstBlock, lastBlock, lastBlockHash, batchHash, transactions] = decodeRlp(raw) as Uint8Array[]
    return {
      index,
      firstBlock: bytesToBigint(firstBlock as Uint8Array),
      lastBlock: bytesToBigint(lastBlock as Uint8Array),
      lastBlockHash: lastBlockHash as Uint8Array,
      batchHash: batchHash as Uint8Array,
      transactions: Number(bytesToBigint(transactions as Uint8Array)),
    }
  }

  private postedKey(index: bigint): Uint8Array {
    return this.options.chain.metaKey(`${META_POSTED}${index}`)
  }

  /** The write of `posted(intent.expectedIndex)`: the blocks the intent encodes (none: nothing to adopt). */
  private postedOps(intent: BatchIntent, blocks: readonly StoredBlock[]): BatchOp[] {
    const last = blocks[blocks.length - 1]
    if (last === undefined) return []
    let transactions = 0
    for (const block of blocks) transactions += block.transactions.length
    const record = [intent.firstBlock, last.header.number, last.hash, intentBatchHash(intent), BigInt(transactions)]
    return [{ type: 'put', key: this.postedKey(intent.expectedIndex), value: encodeRlp(record) }]
  }

  /** The write that records which intents exist (contiguous by index). */
  private rangeOp(): { type: 'put'; key: Uint8Array; value: Uint8Array } {
    const first = this.intents[0]?.expectedIndex ?? 0n
    const end = first + BigInt(this.intents.length)
    return { type: 'put', key: this.options.chain.metaKey(META_RANGE), value: encodeRlp([first, end]) }
  }

  /**
   * After the unsafe chain was replaced from block `from` on (a forced-inclusion batch, or an L1
   * reorg that changed what the sequencer's blocks derive to): every intent that has not landed was
   * built on the old chain and is dropped, and batching resumes after the chain's new safe blocks.
   */
  async rebuildFrom(from: bigint): Promise<void> {
    const { chain, logger } = this.options
    const count = await this.inboxCount()
    const dropped = this.intents.filter((intent) => intent.expectedIndex >= count)
    this.intents.splice(this.intents.length - dropped.length, dropped.length)
    for (const intent of dropped) this.sidecars.delete(intent.expectedIndex)
    // Blocks up to the safe head are on L1 (the replaced ones came from L1 itself); the rest are new.
    this.nextBlock = chain.head('safe').header.number + 1n
    this.firstUnbatchedSeenAt = undefined
    this.halted = undefined
    this.chainEpoch++
    this.dropFilling()
    await chain.store.batch([
      ...dropped.flatMap((intent) => [
        { type: 'del' as const, key: chain.metaKey(`${META_INTENT}${intent.expectedIndex}`) },
        { type: 'del' as const, key: this.postedKey(intent.expectedIndex) },
      ]),
      { type: 'put', key: chain.metaKey(META_NEXT), value: encodeRlp(this.nextBlock) },
      this.rangeOp(),
    ])
    logger.warn(
      { from: Number(from), droppedIntents: dropped.length, nextBlock: Number(this.nextBlock) },
      'batcher follows the rebuilt chain',
    )
  }

  /** One round: reconcile what is in flight with L1, then post a new batch if one is due. */
  async tick(): Promise<void> {
    if (this.halted) return
    try {
      await this.reconcile()
      await this.maybePost()
    } catch (error) {
      // The batch being filled may have lost blocks or its worker: the next round fills it afresh.
      this.dropFilling()
      if (error instanceof SluiceError && (error.severity === 'critical' || error.severity === 'reset')) {
        this.halted = error
        this.options.logger.error({ err: error }, 'batcher halted')
        return
      }
      // An L1 read or send that failed: the intents are durable, the next round retries.
      throw error instanceof SluiceError ? error : new L1SendError('batcher round', error)
    }
  }

  /**
   * Follows the intents on L1. Their reads go out together, not one intent after another: under a
   * saturated builder every await waits for a turn of a busy event loop (p99 ~0.7 s in the e2e bench),
   * and two to three reads per intent, one intent after another, added seconds to a round while six
   * batches in flight waited for their confirmations to be seen.
   */
  private async reconcile(): Promise<void> {
    const { publicClient, deployment, config, logger, chain } = this.options
    if (this.intents.length === 0) return
    const [count, l1Head] = await Promise.all([this.inboxCount(), publicClient.getBlockNumber()])
    // Intents are contiguous by index: those the inbox counts come first.
    const landed = this.intents.filter((intent) => count > intent.expectedIndex)
    const landedReads = await Promise.all(
      landed.map((intent) =>
        Promise.all([
          publicClient.readContract({
            address: deployment.sequencerInbox,
            abi: sequencerInboxAbi,
            functionName: 'batchHash',
            args: [intent.expectedIndex],
          }),
          intent.txHash === undefined ? undefined : this.receipt(intent.txHash),
        ]),
      ),
    )
    const confirmedOps: BatchOp[] = []
    let confirmed = 0
    // Thrown once the batches confirmed before it are recorded.
    let conflict: BatchConflictError | undefined
    for (const [i, intent] of landed.entries()) {
      const [onChain, receipt] = landedReads[i] as (typeof landedReads)[number]
      if (!equalBytes(hexToBytes(onChain), intentBatchHash(intent))) {
        conflict = new BatchConflictError(intent.expectedIndex)
        break
      }
      const landedAt = receipt?.blockNumber ?? (await this.findBatchBlock(intent.expectedIndex))
      if (landedAt === undefined || l1Head - landedAt + 1n < config.l1Confirmations) break
      if (receipt) {
        this.metrics.gas.inc(Number(receipt.gasUsed))
        this.metrics.blobGas.inc(Number(receipt.blobGasUsed ?? 0n))
      }
      this.metrics.batches.inc({ outcome: 'confirmed' })
      logger.info({ batch: Number(intent.expectedIndex), l1Block: Number(landedAt), da: intent.da }, 'batch confirmed')
      this.sidecars.delete(intent.expectedIndex)
      confirmedOps.push({ type: 'del', key: chain.metaKey(`${META_INTENT}${intent.expectedIndex}`) })
      if (intent.expectedIndex >= POSTED_KEPT)
        confirmedOps.push({ type: 'del', key: this.postedKey(intent.expectedIndex - POSTED_KEPT) })
      confirmed++
    }
    if (confirmed > 0) {
      this.intents.splice(0, confirmed)
      await chain.store.batch([...confirmedOps, this.rangeOp()])
    }
    if (conflict !== undefined) throw conflict
    // Intents that have not landed: re-send if their transaction vanished (reorg, dropped) or is stuck.
    const unlanded = this.intents.filter((intent) => count <= intent.expectedIndex)
    const unlandedReads = await Promise.all(unlanded.map((intent) => this.transactionState(intent.txHash)))
    for (const [i, intent] of unlanded.entries()) {
      const { receipt, pending } = unlandedReads[i] as (typeof unlandedReads)[number]
      if (receipt !== undefined && receipt.status === 'success') continue
      const stuck = Date.now() - intent.sentAt > (this.options.stuckAfterMs ?? 30_000)
      let replaces: { nonce: number; fees: L1Fees } | undefined
      if (receipt === undefined && pending !== undefined && !stuck) {
        this.missingSince.delete(intent.expectedIndex)
        continue
      }
      if (receipt?.status === 'reverted') {
        // An earlier batch of ours was reorged out and this one ran first: send it again behind it.
        logger.warn(
          { batch: Number(intent.expectedIndex), tx: intent.txHash },
          'batch transaction reverted; re-sending',
        )
      } else if (pending === undefined && receipt === undefined && intent.txHash !== undefined) {
        // A node may briefly not know a transaction it just took: re-post only once it stays missing.
        const since = this.missingSince.get(intent.expectedIndex)
        if (since === undefined) {
          this.missingSince.set(intent.expectedIndex, Date.now())
          continue
        }
        if (Date.now() - since < 1_000) continue
        this.missingSince.delete(intent.expectedIndex)
        logger.warn(
          { batch: Number(intent.expectedIndex), tx: intent.txHash },
          'batch transaction vanished from L1 (reorg or dropped); re-posting',
        )
        this.metrics.batches.inc({ outcome: 'reposted' })
      } else if (stuck) {
        // A replacement at the same nonce, of the same kind (a blob transaction is only replaced by a
        // blob transaction), with the caps the L1 pools require over the pending one's.
        if (intent.nonce !== undefined && intent.fees !== undefined)
          replaces = { nonce: intent.nonce, fees: intent.fees }
        logger.warn(
          { batch: Number(intent.expectedIndex), da: intent.da, nonce: intent.nonce, tx: intent.txHash },
          'batch transaction stuck; replacing it with higher fees',
        )
      }
      await this.send(intent, replaces)
    }
    this.metrics.inFlight.set(this.intents.length)
  }

  /** An intent's last transaction: its receipt once mined, else the pending transaction if the L1 node knows it. */
  private async transactionState(hash: Hex | undefined) {
    if (hash === undefined) return { receipt: undefined, pending: undefined }
    const receipt = await this.receipt(hash)
    if (receipt !== undefined && receipt.status === 'success') return { receipt, pending: undefined }
    return { receipt, pending: await this.pendingTransaction(hash) }
  }

  private async maybePost(): Promise<void> {
    const { chain } = this.options
    const maxInFlight = this.options.maxInFlight ?? 6
    while (this.intents.length < maxInFlight) {
      const head = chain.head('unsafe').header.number
      if (this.nextBlock > head) {
        this.firstUnbatchedSeenAt = undefined
        return
      }
      this.firstUnbatchedSeenAt ??= Date.now()
      const epoch = this.chainEpoch
      const previous = chain.blockByNumber(this.nextBlock - 1n) as StoredBlock
      const blobsPossible = this.mode !== 'calldata' && this.options.l1HasBlobs !== false
      let built = await this.fillIncrementally(blobsPossible ? 'blobs' : 'calldata', previous, head)
      const age = Date.now() - this.firstUnbatchedSeenAt
      const empty = built.slotCount === 0 && built.delayedCountAfter === previous.header.delayedCountAfter
      const maxAge = empty ? (this.options.maxEmptyBatchAgeMs ?? 60_000) : (this.options.maxBatchAgeMs ?? 2_000)
      if (!built.full && age < maxAge) return
      if (this.mode === 'auto' && blobsPossible) {
        const da = chooseDataAvailability({
          mode: 'auto',
          prices: await this.l1Prices(),
          bytes: built.size,
          blobCount: built.blobCount,
          previous: this.lastChoice,
        })
        this.lastChoice = da
        // Calldata carries fewer bytes: refill with the calldata encoder (the rest waits for the next
        // batch). A block too large for any calldata batch goes in blobs whatever the price.
        if (da === 'calldata') built = await this.fillCalldataOr(built, previous, head)
      } else {
        this.lastChoice = built.da
      }
      // The unsafe chain was rebuilt while this batch was filled: the next round fills one from the new chain.
      if (epoch !== this.chainEpoch) {
        this.encoder.drop(built)
        return
      }
      await this.post(built, previous, epoch)
    }
  }

  /** A new batch from `nextBlock` on with the encoder of `da`, filled up to `head`; `full` when a block did not fit. */
  private async fill(da: DataAvailabilityKind, previous: StoredBlock, head: bigint): Promise<EncodingBatch> {
    const batch = await this.newBatch(da, previous)
    try {
      await this.addBlocks(batch, this.nextBlock, head)
    } catch (error) {
      this.encoder.drop(batch)
      throw error
    }
    return batch
  }

  /**
   * `fill`, continuing the batch of the previous tick when it is still the one to post: same
   * encoder, same first block and parent, and its last block still on the chain (a block hash
   * commits to its ancestors, so a rebuilt chain under it shows there). Only blocks sealed since
   * are encoded.
   */
  private async fillIncrementally(
    da: DataAvailabilityKind,
    previous: StoredBlock,
    head: bigint,
  ): Promise<EncodingBatch> {
    const { chain } = this.options
    let filling = this.filling
    const last = filling?.batch.blocks[filling.batch.blocks.length - 1]
    if (
      filling === undefined ||
      !this.encoder.holds(filling.batch) ||
      filling.batch.da !== da ||
      filling.firstBlock !== this.nextBlock ||
      !equalBytes(filling.previousHash, previous.hash) ||
      (last !== undefined && !equalBytes(chain.blockByNumber(last.header.number)?.hash ?? new Uint8Array(0), last.hash))
    ) {
      this.dropFilling()
      filling = { batch: await this.newBatch(da, previous), firstBlock: this.nextBlock, previousHash: previous.hash }
      this.filling = filling
    }
    await this.addBlocks(filling.batch, filling.firstBlock, head)
    return filling.batch
  }

  private dropFilling(): void {
    if (this.filling !== undefined) this.encoder.drop(this.filling.batch)
    this.filling = undefined
  }

  private newBatch(da: DataAvailabilityKind, previous: StoredBlock): Promise<EncodingBatch> {
    const { config } = this.options
    return this.encoder.start({
      da,
      chainId: config.chainId,
      prevDelayedCount: previous.header.delayedCountAfter,
      ...(da === 'blobs' ? { maxBlobs: this.maxBlobs } : { maxBatchBytes: Number(config.maxBatchBytes) }),
    })
  }

  /**
   * Offers the blocks after those `batch` holds (it starts at `firstBlock`), up to `head`, to its
   * encoder until one does not fit (`full`). A block the encoder refuses by throwing is met again
   * at the next round, not the ones before it.
   */
  private async addBlocks(batch: EncodingBatch, firstBlock: bigint, head: bigint): Promise<void> {
    const { chain } = this.options
    const from = firstBlock + BigInt(batch.blocks.length)
    // One block more than a batch can hold at most: the one that finds it full.
    const to = bigintMin(head, from + BigInt(MAX_BLOCKS_PER_BATCH - batch.blocks.length))
    if (batch.full || from > to) return
    const before = this.encoder.blocksEncoded
    try {
      // Read in groups of about READ_AHEAD_BYTES of raw transactions, stopping once the batch is full:
      // a batcher behind its head by a hundred blocks of 1,500 transfers read and decoded all of them
      // (blocks past the chain store's cache come from LevelDB) in one synchronous stretch of 2–3 s
      // at every fill, for a batch that takes a few of them.
      let n = from
      while (n <= to && !batch.full) {
        const group: StoredBlock[] = []
        let bytes = 0
        for (; n <= to && (bytes < READ_AHEAD_BYTES || group.length === 0); n++) {
          const block = chain.blockByNumber(n) as StoredBlock
          group.push(block)
          for (const t of block.transactions) bytes += t.raw.length
        }
        const added = await this.encoder.add(batch, group)
        if (added < group.length) break
      }
    } finally {
      this.metrics.blocksEncoded.inc(this.encoder.blocksEncoded - before)
    }
  }

  private async fillCalldataOr(blobs: EncodingBatch, previous: StoredBlock, head: bigint): Promise<EncodingBatch> {
    const last = blobs.blocks[blobs.blocks.length - 1]
    try {
      const calldata = await this.fill('calldata', previous, last === undefined ? head : last.header.number)
      calldata.full ||= blobs.full
      this.dropFilling()
      return calldata
    } catch (error) {
      if (!(error instanceof BatchEncodeError)) throw error
      this.options.logger.info({ block: Number(this.nextBlock) }, 'block too large for a calldata batch: posting blobs')
      this.lastChoice = 'blobs'
      return blobs
    }
  }

  /** The L1 prices now: the latest block's base fee and the blob base fee. */
  private async l1Prices(): Promise<L1DataPrices> {
    const { publicClient } = this.options
    const [block, blobBaseFee] = await Promise.all([
      publicClient.getBlock({ blockTag: 'latest' }),
      publicClient.getBlobBaseFee().catch(() => undefined),
    ])
    return { baseFeePerGas: block.baseFeePerGas ?? 0n, blobBaseFee }
  }

  /**
   * Finishes a filled batch with its self-check (both in the encoder's worker), computes its blobs'
   * KZG off the main thread, stores the intent, sends.
   */
  private async post(batch: EncodingBatch, previous: StoredBlock, epoch: number): Promise<void> {
    const { chain, logger, config } = this.options
    // The next batch starts afresh, whether this one is posted or fails on the way.
    this.filling = undefined
    const { blocks, da } = batch
    const last = blocks.length === 0 ? previous.header.number : (blocks[blocks.length - 1] as StoredBlock).header.number
    // Where a post's wall time goes (each await also waits for a turn of the event loop): logged with it.
    const started = performance.now()
    const bytes = await this.encoder.finish(batch, {
      delayedBefore: previous.header.delayedCountAfter,
      chainId: config.chainId,
      prevTimestamp: previous.header.timestamp,
      maxSequencerDrift: config.maxSequencerDrift,
    })
    const expectedIndex =
      this.intents.length > 0
        ? (this.intents[this.intents.length - 1] as BatchIntent).expectedIndex + 1n
        : await this.inboxCount()
    const finished = performance.now()
    const sidecars = da === 'blobs' ? await blobSidecars(bytes) : undefined
    const committed = performance.now()
    // Blocks of a chain rebuilt meanwhile are not posted (the next round batches the new chain).
    if (epoch !== this.chainEpoch) return
    const intent: BatchIntent = {
      expectedIndex,
      firstBlock: this.nextBlock,
      lastBlock: last,
      da,
      bytes,
      delayedCountAfter: batch.delayedCountAfter,
      slotCount: batch.slotCount,
      versionedHashes: sidecars === undefined ? [] : [...sidecars.versionedHashes],
      txHash: undefined,
      sentAt: 0,
      nonce: undefined,
      fees: undefined,
    }
    if (sidecars !== undefined) this.sidecars.set(expectedIndex, sidecars)
    // Durable before sent: a crash after the send finds the intent and re-sends the same bytes.
    this.intents.push(intent)
    await chain.store.batch([
      { type: 'put', key: chain.metaKey(`${META_INTENT}${expectedIndex}`), value: encodeIntent(intent) },
      ...this.postedOps(intent, blocks),
      // Its own blobs, under the versioned hashes of their own commitments: derivation keeps every blob
      // batch's blobs, and reads these back from here instead of fetching and checking them again.
      ...(sidecars === undefined ? [] : new BlobStore(chain.store).putOps(sidecars.versionedHashes, sidecars.blobs)),
      { type: 'put', key: chain.metaKey(META_NEXT), value: encodeRlp(last + 1n) },
      this.rangeOp(),
    ])
    this.nextBlock = last + 1n
    this.firstUnbatchedSeenAt = undefined
    const slots = batch.slotCount
    const blobCount = intent.versionedHashes.length
    this.metrics.posted.inc({ da })
    this.metrics.bytes.inc(bytes.length)
    if (da === 'blobs') {
      this.metrics.blobBytes.inc(bytes.length)
      this.metrics.blobs.inc(blobCount)
      this.metrics.blobFill.set(bytes.length / (blobCount * BYTES_PER_BLOB))
    }
    this.metrics.transactions.inc(slots)
    if (slots > 0) this.metrics.bytesPerTx.set(bytes.length / slots)
    logger.info(
      {
        batch: Number(expectedIndex),
        blocks: [Number(intent.firstBlock), Number(last)],
        da,
        ...(da === 'blobs' ? { blobs: blobCount } : {}),
        bytes: bytes.length,
        slots,
        ms: {
          finish: Math.round(finished - started),
          ...(da === 'blobs' ? { kzg: Math.round(committed - finished) } : {}),
          store: Math.round(performance.now() - committed),
        },
      },
      'posting batch',
    )
    await this.send(intent)
  }

  private async inboxCount(): Promise<bigint> {
    return this.options.publicClient.readContract({
      address: this.options.deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'batchCount',
    })
  }

  private async send(intent: BatchIntent, replaces?: { nonce: number; fees: L1Fees }): Promise<void> {
    const { wallet, deployment, chain, logger } = this.options
    const what = `${intent.da === 'blobs' ? 'appendBlobBatch' : 'appendBatch'}(${intent.expectedIndex})`
    const sidecars = intent.da === 'blobs' ? await this.sidecarsOf(intent) : undefined
    const request =
      sidecars !== undefined
        ? {
            to: deployment.sequencerInbox,
            data: encodeFunctionData({
              abi: sequencerInboxAbi,
              functionName: 'appendBlobBatch',
              // the KZG hints: nodes that read the blobs from a beacon API without proofs check each by
              // its proof (~3 ms) instead of computing its commitment (~50 ms)
              args: [
                intent.expectedIndex,
                intent.delayedCountAfter,
                intent.slotCount,
                bytesToHex(encodeKzgHints(sidecars.commitments, sidecars.proofs)),
              ],
            }),
            gas: appendBlobBatchGas(intent.versionedHashes.length),
            blobs: sidecars,
            replaces,
          }
        : {
            to: deployment.sequencerInbox,
            data: encodeFunctionData({
              abi: sequencerInboxAbi,
              functionName: 'appendBatch',
              args: [bytesToHex(intent.bytes), intent.expectedIndex],
            }),
            gas: appendBatchGas(intent.bytes),
            replaces,
          }
    const sent = await wallet.send(request, what)
    intent.txHash = sent.hash
    intent.sentAt = Date.now()
    intent.nonce = sent.nonce
    intent.fees = sent.fees
    await chain.store.batch([
      { type: 'put', key: chain.metaKey(`${META_INTENT}${intent.expectedIndex}`), value: encodeIntent(intent) },
    ])
    logger.debug({ batch: Number(intent.expectedIndex), tx: sent.hash, nonce: sent.nonce }, 'batch transaction sent')
  }

  /** The intent's blobs with their KZG commitments and proofs (recomputed after a restart), checked against its hashes. */
  private async sidecarsOf(intent: BatchIntent): Promise<L1BlobSidecars> {
    let sidecars = this.sidecars.get(intent.expectedIndex)
    if (sidecars === undefined) {
      sidecars = await blobSidecars(intent.bytes)
      if (sidecars.versionedHashes.join() !== intent.versionedHashes.join()) {
        throw new BatchSelfCheckError(
          `batch ${intent.expectedIndex}: its blobs no longer give the versioned hashes stored with it`,
        )
      }
      this.sidecars.set(intent.expectedIndex, sidecars)
    }
    return sidecars
  }

  private async receipt(hash: Hex) {
    try {
      return await this.options.publicClient.getTransactionReceipt({ hash })
    } catch {
      return undefined
    }
  }

  private async pendingTransaction(hash: Hex) {
    try {
      return await this.options.publicClient.getTransaction({ hash })
    } catch {
      return undefined
    }
  }

  private async findBatchBlock(index: bigint): Promise<bigint | undefined> {
    const logs = await this.options.publicClient.getContractEvents({
      address: this.options.deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      eventName: 'BatchAppended',
      args: { index },
      fromBlock: this.options.deployment.deployBlock,
    })
    return logs[0]?.blockNumber ?? undefined
  }
}

/**
 * Gas for `appendBatch` without an estimate (a batch behind another in flight cannot be estimated):
 * EIP-7623's floor (10 gas per zero byte, 40 per non-zero) or standard pricing plus the inbox's work,
 * whichever is higher, with headroom.
 */
export function appendBatchGas(batch: Uint8Array): bigint {
  let zero = 0n
  for (const byte of batch) if (byte === 0) zero++
  const nonZero = BigInt(batch.length) + 4n + 64n - zero
  const floor = 21_000n + 10n * (zero + 4n * nonZero)
  const standard = 21_000n + 4n * zero + 16n * nonZero + 150_000n + BigInt(batch.length) * 2n
  const gas = floor > standard ? floor + 150_000n : standard
  return (gas * 125n) / 100n
}

/**
 * Gas for `appendBlobBatch` without an estimate: the call and the inbox's work (the batch record,
 * one stored versioned hash per blob, two events) and the KZG hints' calldata (16 gas a byte), with
 * headroom. Blob gas is paid apart.
 */
export function appendBlobBatchGas(blobCount: number): bigint {
  const perBlob = 25_000n + 16n * BigInt(KZG_HINT_BYTES)
  return ((21_000n + 160_000n + perBlob * BigInt(blobCount)) * 125n) / 100n
}

/** The batch being filled across rounds: it starts at `firstBlock`, on the block whose hash is `previousHash`. */
type Filling = { batch: EncodingBatch; firstBlock: bigint; previousHash: Uint8Array }

function bigintMin(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}

/** The inbox's hash of an intent's batch (protocol.md §5.1 for calldata, §5.7.1 for blobs). */
function intentBatchHash(intent: BatchIntent): Uint8Array {
  return intent.da === 'blobs'
    ? blobBatchHash(intent.delayedCountAfter, intent.slotCount, intent.versionedHashes.map(hexToBytes))
    : keccak256(intent.bytes)
}

/**
 * The blobs of a body with their KZG commitments and proofs, computed on the KZG library's own
 * threads (its tokio runtime; ~0.13–0.17 s of CPU per blob: on the main thread it would stall block
 * sealing). One at a time, so the KZG work never holds both cores while the builder seals and
 * LevelDB writes the sealed blocks.
 */
export async function blobSidecars(body: Uint8Array): Promise<L1BlobSidecars> {
  const blobs = encodeBlobs(body)
  const k = kzg()
  const commitments: Uint8Array[] = []
  const proofs: Uint8Array[] = []
  for (const blob of blobs) {
    const commitment = await k.blobToCommitmentAsync(blob)
    commitments.push(commitment)
    proofs.push(await k.computeBlobProofAsync(blob, commitment))
  }
  return {
    blobs,
    commitments,
    proofs,
    versionedHashes: commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c)) as Hex),
  }
}

const DA_CODE: Record<DataAvailabilityKind, bigint> = { calldata: 0n, blobs: 1n }

function encodeIntent(intent: BatchIntent): Uint8Array {
  const fees = intent.fees
  return encodeRlp([
    intent.expectedIndex,
    intent.firstBlock,
    intent.lastBlock,
    intent.bytes,
    intent.txHash === undefined ? new Uint8Array(0) : hexToBytes(intent.txHash),
    BigInt(intent.sentAt),
    // Was the fee-bump percent; kept so that older records decode.
    100n,
    DA_CODE[intent.da],
    intent.delayedCountAfter,
    BigInt(intent.slotCount),
    intent.versionedHashes.map(hexToBytes),
    intent.nonce === undefined ? new Uint8Array(0) : encodeRlp(BigInt(intent.nonce)),
    fees === undefined
      ? []
      : [
          fees.maxFeePerGas,
          fees.maxPriorityFeePerGas,
          ...(fees.maxFeePerBlobGas === undefined ? [] : [fees.maxFeePerBlobGas]),
        ],
  ])
}

function decodeIntent(raw: Uint8Array): BatchIntent {
  const f = decodeRlp(raw) as (Uint8Array | Uint8Array[])[]
  const n = (i: number) => bytesToBigint(f[i] as Uint8Array)
  const txHash = f[4] as Uint8Array
  // Intents written before blob batches have 7 fields: a calldata batch, nonce and fees unknown.
  const nonce = f[11] as Uint8Array | undefined
  const fees = (f[12] as Uint8Array[] | undefined)?.map((b) => bytesToBigint(b))
  return {
    expectedIndex: n(0),
    firstBlock: n(1),
    lastBlock: n(2),
    da: f.length > 7 && n(7) === DA_CODE.blobs ? 'blobs' : 'calldata',
    bytes: f[3] as Uint8Array,
    delayedCountAfter: f.length > 7 ? n(8) : 0n,
    slotCount: f.length > 7 ? Number(n(9)) : 0,
    versionedHashes: f.length > 7 ? (f[10] as Uint8Array[]).map((h) => bytesToHex(h) as Hex) : [],
    txHash: txHash.length === 0 ? undefined : bytesToHex(txHash),
    sentAt: Number(n(5)),
    nonce:
      nonce === undefined || nonce.length === 0 ? undefined : Number(bytesToBigint(decodeRlp(nonce) as Uint8Array)),
    fees:
      fees === undefined || fees.length < 2
        ? undefined
        : {
            maxFeePerGas: fees[0] as bigint,
            maxPriorityFeePerGas: fees[1] as bigint,
            ...(fees[2] === undefined ? {} : { maxFeePerBlobGas: fees[2] }),
          },
  }
}
