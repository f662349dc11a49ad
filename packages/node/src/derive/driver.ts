import {
  type BatchOp,
  BYTES_PER_BLOB,
  bytesToHex,
  type DerivationConfig,
  EMPTY_DELAYED_ACCUMULATOR,
  equalBytes,
  genesisBlock,
  type KeyValueStore,
  type PreparedBlockConfig,
  prepareBlockConfig,
  type RollupConfig,
  type SenderPool,
  StateDb,
  writeGenesisState,
} from '@sluice/core'
import type { Logger } from 'pino'
import { BlobStore } from '../chain/blobStore.ts'
import type { BlobProvider } from '../l1/beacon.ts'
import type { InboxBatch } from '../l1/types.ts'
import { type BatchBlobs, type BlobReadAhead, BlobRetrieval, type BlobWait } from './blobs.ts'
import { DerivationBusyError, DerivationStoreCorruptError, GenesisMismatchError } from './errors.ts'
import { adoptBatch, executeBatch } from './executor.ts'
import type { DerivationMetrics } from './metrics.ts'
import { BatchPlanner } from './planner.ts'
import { ProgressTracker } from './progress.ts'
import { positionAfter, retrieveNextBatch, tipMatchesSource } from './retrieval.ts'
import { decodeHead, decodeTip, deriveKeys, tipOps } from './schema.ts'
import type {
  BatchSource,
  DerivationSink,
  DerivedBatch,
  OwnBatches,
  PlannedBatch,
  PlanningTip,
  SafeTip,
  SyncProgress,
} from './types.ts'

const ZERO_HASH = bytesToHex(new Uint8Array(32))

/** A derived batch whose atomic write (state, tip, sink records) was submitted and may still be in flight. */
type PendingCommit = { derived: DerivedBatch; written: Promise<void>; started: number }

/** A batch laid out (its planning tip after it is known), its senders possibly still being recovered. */
type Prepared = { after: PlanningTip; planned: Promise<PlannedBatch> }

/** Whether a derivation run is over (what it planned ahead is then dropped). */
type RunState = { ended: boolean }

/**
 * A batch whose preparation (blobs, layout, sender recovery) was started: `laidOut` is undefined
 * while its blobs cannot be had. `retrievalError`: the batch after the previous one did not
 * continue it; thrown where derivation reaches it, as if retrieved there.
 */
type Preparation = { batch: InboxBatch; laidOut: Promise<Prepared | undefined> } | { retrievalError: unknown }

/** Options of `DerivationDriver.open`. */
export type DerivationDriverOptions = {
  /** The node's store: state trie nodes, `derive/` tips and whatever the sink writes share it. */
  store: KeyValueStore
  config: RollupConfig
  /** Batches and delayed messages from L1 (the `L1Reader`). */
  source: BatchSource
  /** Where derived batches go; without one only state and tips are written. */
  sink?: DerivationSink | undefined
  /** Sender recovery in worker threads (core `createSenderPool`); the caller owns and closes it. */
  senderPool?: SenderPool | undefined
  logger?: Logger | undefined
  /** Called with the catch-up progress at most every `progressIntervalMs` and after each run. */
  onProgress?: ((progress: SyncProgress) => void) | undefined
  /** Default 5,000 ms. */
  progressIntervalMs?: number | undefined
  /** Prometheus metrics (`createDerivationMetrics`). */
  metrics?: DerivationMetrics | undefined
  /**
   * Where the blobs of blob batches come from when this node does not hold them yet (the beacon API,
   * `BeaconBlobProvider`). Without one, derivation stops and waits at the first blob batch it lacks.
   */
  blobProvider?: BlobProvider | undefined
  /**
   * A sequencer's own batches, adopted instead of executed when the node provably already holds
   * the blocks they derive to. Verifiers leave it out: they execute every batch.
   */
  ownBatches?: OwnBatches | undefined
  /**
   * Most bytes of blobs read ahead of the batch being derived (default 4 MiB: five six-blob batches).
   * The next batches' blobs are read and checked while the current one executes; this bounds what
   * that holds. 0: read each batch's blobs only when it is planned.
   */
  blobReadAheadBytes?: number | undefined
}

/** Default `blobReadAheadBytes`. */
export const DEFAULT_BLOB_READ_AHEAD_BYTES = 4 * 1024 * 1024

/** The genesis tip of `config` (batch −1, L2 block 0, `root_0`). */
export function genesisTip(config: RollupConfig): SafeTip {
  const genesis = genesisBlock(config)
  return {
    batchIndex: -1n,
    l2: {
      hash: genesis.hash,
      number: 0n,
      timestamp: genesis.header.timestamp,
      delayedAccumulator: EMPTY_DELAYED_ACCUMULATOR,
    },
    stateRoot: genesis.header.stateRoot,
    messageCount: 0n,
    delayedCount: 0n,
    accumulator: ZERO_HASH,
    batchHash: ZERO_HASH,
    l1BlockNumber: 0n,
    l1BlockHash: ZERO_HASH,
  }
}

/**
 * The derivation driver (op-node's pipeline, over `core/derive`): from the safe tip, takes the next
 * batch from the L1 records (retrieval), lays it out and recovers its senders (plan), executes it
 * on a `StateDb` (execute) and commits the state, the new tip and the sink's records in one atomic
 * write per batch. While a batch executes the next one is planned and its senders recovered in the
 * worker pool, and the previous batch's write lands; a verifier also lays out the batch after the next
 * as soon as the next one is laid out, so the workers recover its senders without waiting for the
 * next batch to execute. The next batch's accounts are prefetched once its predecessor's commit is
 * submitted. The blobs of the batches after that are read (and checked)
 * meanwhile too, up to `blobReadAheadBytes`; execution gives the event loop a turn between blocks so
 * that all of this moves while a batch executes.
 *
 * The tip after every batch is kept, so an L1 reorg rewinds to the tip of the last batch at or
 * below the common ancestor (`rewindToL1`), and `reconcile` finds the same on its own after a
 * crash between the reader's rewind and the driver's. Resumes from `derive/head` after a restart.
 *
 * @example
 * const driver = await DerivationDriver.open({ store, config, source: reader, sink, senderPool })
 * const step = await reader.advance()
 * if (step.kind === 'reorg') await driver.rewindToL1(step.commonAncestor.number)
 * await driver.deriveAvailable()
 */
export class DerivationDriver {
  readonly store: KeyValueStore
  private readonly config: DerivationConfig & PreparedBlockConfig
  private readonly source: BatchSource
  private readonly sink: DerivationSink | undefined
  private readonly planner: BatchPlanner
  private readonly blobStore: BlobStore
  private readonly blobs: BlobRetrieval
  private readonly logger: Logger | undefined
  private readonly onProgress: ((progress: SyncProgress) => void) | undefined
  private readonly progressIntervalMs: number
  private readonly metrics: DerivationMetrics | undefined
  private readonly ownBatches: OwnBatches | undefined
  private readonly blobReadAheadBytes: number
  private readonly tracker = new ProgressTracker()
  private lastReport = 0
  private current: SafeTip
  private stateDb: StateDb
  private busy = false

  private constructor(options: DerivationDriverOptions, tip: SafeTip) {
    this.store = options.store
    this.config = {
      ...prepareBlockConfig(options.config),
      maxSequencerDrift: options.config.maxSequencerDrift,
    }
    this.source = options.source
    this.sink = options.sink
    this.planner = new BatchPlanner({
      config: this.config,
      delayed: options.source.delayedSource,
      senderPool: options.senderPool,
    })
    this.blobStore = new BlobStore(options.store)
    this.blobs = new BlobRetrieval({
      store: this.blobStore,
      provider: options.blobProvider,
      logger: options.logger,
      metrics: options.metrics,
    })
    this.logger = options.logger
    this.onProgress = options.onProgress
    this.progressIntervalMs = options.progressIntervalMs ?? 5_000
    this.metrics = options.metrics
    this.ownBatches = options.ownBatches
    this.blobReadAheadBytes = options.blobReadAheadBytes ?? DEFAULT_BLOB_READ_AHEAD_BYTES
    this.current = tip
    this.stateDb = openState(this.store, tip.stateRoot)
  }

  /**
   * Opens the driver at its stored head, or, on an empty store, writes the genesis state and the
   * genesis tip first (checking `root_0` against the config).
   */
  static async open(options: DerivationDriverOptions): Promise<DerivationDriver> {
    const head = options.store.getSync(deriveKeys.head)
    if (head !== undefined) {
      const encoded = options.store.getSync(deriveKeys.tip(decodeHead(head)))
      if (encoded === undefined) throw new DerivationStoreCorruptError('derive/tip of the head')
      return new DerivationDriver(options, decodeTip(encoded))
    }
    const state = new StateDb(options.store)
    const root = bytesToHex(writeGenesisState(state))
    if (root !== options.config.genesisStateRoot.toLowerCase()) {
      throw new GenesisMismatchError(root, options.config.genesisStateRoot)
    }
    const tip = genesisTip(options.config)
    await state.commit(tipOps(tip))
    return new DerivationDriver(options, tip)
  }

  /** The safe tip: the last batch derived and committed. */
  get tip(): SafeTip {
    return this.current
  }

  /** The state at the tip (read it; do not write through it). */
  get state(): StateDb {
    return this.stateDb
  }

  /** Why derivation waits at the next batch (its blobs cannot be had yet), or undefined when it does not. */
  blobWait(): BlobWait | undefined {
    return this.blobs.wait
  }

  /** The stored tip after batch `batchIndex` (−1n: genesis), if derived. */
  tipAt(batchIndex: bigint): SafeTip | undefined {
    if (batchIndex < -1n || batchIndex > this.current.batchIndex) return undefined
    const encoded = this.store.getSync(deriveKeys.tip(batchIndex))
    return encoded === undefined ? undefined : decodeTip(encoded)
  }

  /** Catch-up progress towards the last batch the source has (undefined before the first batch). */
  progress(): SyncProgress | undefined {
    const last = this.source.batch(this.source.batchCount - 1n)
    return this.tracker.snapshot(last?.messageCountAfter ?? this.current.messageCount)
  }

  /**
   * Checks the tip against the L1 records: when its batch is gone or differs (L1 reorged, possibly
   * while the node was down), rewinds to the newest tip that still matches. Returns that tip, or
   * undefined when nothing had to change.
   */
  async reconcile(): Promise<SafeTip | undefined> {
    if (tipMatchesSource(this.source, this.current)) return undefined
    let index = this.current.batchIndex - 1n
    for (; index >= 0n; index--) {
      const tip = this.tipAt(index)
      if (tip !== undefined && tipMatchesSource(this.source, tip)) break
    }
    return this.rewindTo(index)
  }

  /** Rewinds to the tip of the last batch whose L1 block is at or below `l1BlockNumber`. */
  async rewindToL1(l1BlockNumber: bigint): Promise<SafeTip> {
    let index = this.current.batchIndex
    for (; index >= 0n; index--) {
      const tip = this.tipAt(index)
      if (tip !== undefined && tip.l1BlockNumber <= l1BlockNumber) break
    }
    if (index === this.current.batchIndex) return this.current
    return this.rewindTo(index)
  }

  /**
   * Makes the tip after `batchIndex` the head: drops the later tips, lets the sink undo its records
   * in the same atomic write, and reopens the state at that tip's root (state nodes are
   * content-addressed and stay; they are simply no longer reachable from the head).
   */
  async rewindTo(batchIndex: bigint): Promise<SafeTip> {
    return this.exclusive(async () => {
      const from = this.current
      if (batchIndex >= from.batchIndex) return from
      const target = this.tipAt(batchIndex < -1n ? -1n : batchIndex)
      if (target === undefined) throw new DerivationStoreCorruptError(`derive/tip ${batchIndex}`)
      const ops: BatchOp[] = []
      for (let i = target.batchIndex + 1n; i <= from.batchIndex; i++) ops.push({ type: 'del', key: deriveKeys.tip(i) })
      ops.push(...tipOps(target))
      if (this.sink !== undefined) ops.push(...this.sink.rewindOps(target, from))
      await this.stateDb.flushed()
      await this.store.batch(ops)
      this.current = target
      this.stateDb = openState(this.store, target.stateRoot)
      this.metrics?.rewinds.inc()
      this.metrics?.safeBlock.set(Number(target.l2.number))
      this.metrics?.batchIndex.set(Number(target.batchIndex))
      this.logger?.warn(
        {
          fromBatch: from.batchIndex,
          fromBlock: from.l2.number,
          toBatch: target.batchIndex,
          toBlock: target.l2.number,
          l1Block: target.l1BlockNumber,
        },
        'derivation rewound',
      )
      await this.sink?.rewound?.(target, from)
      return target
    })
  }

  /** Derives the next batch, if L1 has given it. */
  async deriveNext(): Promise<DerivedBatch | undefined> {
    let last: DerivedBatch | undefined
    await this.run(1, (derived) => {
      last = derived
    })
    return last
  }

  /**
   * Derives every batch the source has after the tip (at most `maxBatches`), reconciling with the
   * source first. Returns the number of batches derived.
   */
  async deriveAvailable(options: { maxBatches?: number } = {}): Promise<number> {
    await this.reconcile()
    return this.run(options.maxBatches ?? Number.POSITIVE_INFINITY)
  }

  private async run(maxBatches: number, each?: (derived: DerivedBatch) => void): Promise<number> {
    return this.exclusive(async () => {
      let count = 0
      let executed = 0
      // the previous batch, executed and submitted: its write lands while this batch executes
      let pending: PendingCommit | undefined
      const finish = async (commit: PendingCommit): Promise<void> => {
        pending = undefined
        await commit.written
        // durable from here on: the tip moves even if what follows fails
        this.current = commit.derived.tip
        count++
        this.tracker.record(commit.derived)
        this.recordMetrics(commit.derived, commit.started)
        each?.(commit.derived)
        await this.sink?.batchCommitted?.(commit.derived)
        this.report(false)
      }
      const first = retrieveNextBatch(this.source, this.current)
      const readAhead = new BlobReadAheads(
        this.source,
        this.blobs,
        this.blobReadAheadBytes,
        this.current.batchIndex + 1n + BigInt(Math.min(maxBatches, Number.MAX_SAFE_INTEGER)),
      )
      const firstPreparation = first === undefined ? undefined : this.start(first, this.current.l2, this.current)
      // asked after the first batch's own read, so that the wait for the first block is not longer for them
      if (first !== undefined) readAhead.fill(first.index + 1n)
      // A verifier (no own batches to adopt) plans two batches ahead: the batch after the next is laid
      // out as soon as the next one is, so the workers recover its senders while the next one's
      // recovery or the current execution still runs, instead of idling until the next batch executes.
      // With own batches, the next batch is prepared on the current one's exact tip (adopted unplanned).
      const runState: RunState = { ended: false }
      const planAhead = this.ownBatches === undefined
      // the batch after `planned`, when its preparation started before `planned` was executed
      let following: Preparation | undefined =
        planAhead && firstPreparation !== undefined && 1 < maxBatches
          ? this.startAfter(firstPreparation, readAhead, runState)
          : undefined
      let planned: PlannedBatch | undefined
      try {
        planned = firstPreparation === undefined ? undefined : await plannedOf(firstPreparation)
        if (planned !== undefined) await this.stateDb.prefetch(planned.touched)
      } catch (error) {
        runState.ended = true
        throw error
      }
      // whether `planned` was prepared on its exact tip (then adopting it was already decided)
      let preparedOnTip = true
      try {
        while (planned !== undefined) {
          const started = performance.now()
          const tip = pending?.derived.tip ?? this.current
          // planned before its tip was known (after an executed batch): it may still be this node's own
          if (!preparedOnTip) planned = this.adoptPlanned(planned, tip)
          // plan the following batch now (unless planned ahead already): its senders are recovered in
          // the workers while this one executes
          let nextPreparation = following
          following = undefined
          if (nextPreparation !== undefined && 'retrievalError' in nextPreparation) throw nextPreparation.retrievalError
          const nextBatch =
            nextPreparation === undefined && executed + 1 < maxBatches
              ? retrieveNextBatch(this.source, positionAfter(planned.batch))
              : undefined
          const adopted = planned.adopted && adoptBatch(planned.batch, planned.adopted, tip)
          if (nextBatch !== undefined) {
            // the blobs of the batches after the next one are read while this one executes (bounded)
            readAhead.fill(nextBatch.index + 1n)
            // after an adopted batch the next one's tip is known now, so it may be adopted unplanned
            nextPreparation = this.start(nextBatch, planned.after, adopted?.tip, readAhead.take(nextBatch.index))
          }
          if (planAhead && nextPreparation !== undefined && executed + 2 < maxBatches)
            following = this.startAfter(nextPreparation, readAhead, runState)
          let derived: DerivedBatch
          if (adopted !== undefined) {
            derived = adopted
            // Continue from the adopted root, once the previous batch's write (on the old StateDb) landed.
            // The builder wrote its nodes to this store (content-addressed) in the same writes as its
            // blocks, and `adopt` names only blocks whose write is done.
            if (pending !== undefined) await finish(pending)
            this.stateDb = openState(this.store, derived.stateRoot)
          } else {
            derived = await executeBatch(this.stateDb, planned, tip, this.config)
          }
          executed++
          // The sink records a batch on the chain as the batches before it left it, so the previous
          // batch is made durable and applied first (its write ran while this batch executed).
          if (pending !== undefined) await finish(pending)
          // a blob batch's blobs are kept in the same write as its blocks: the dispute agent and a
          // re-derivation find them here once the beacon chain has pruned them
          const ops = [
            ...(this.sink?.batchOps(derived) ?? []),
            ...(planned.blobs?.fetched
              ? this.blobStore.putOps(planned.blobs.versionedHashes, planned.blobs.blobs)
              : []),
            ...tipOps(derived.tip),
          ]
          // The state of the batch's earlier blocks is written first (submitted while later blocks
          // executed, so usually done by now): the tip never lands before a block state it covers,
          // and a failed block write stops the batch here instead of being lost.
          await Promise.all(derived.blockWrites ?? [])
          const { written } = this.stateDb.startCommit(ops)
          written.catch(() => {})
          pending = { derived, written, started }
          let next: PlannedBatch | undefined
          try {
            next = nextPreparation === undefined ? undefined : await plannedOf(nextPreparation)
            // after startCommit: a commit releases what was prefetched before it
            if (next !== undefined) await this.stateDb.prefetch(next.touched)
          } catch (error) {
            await finish(pending)
            throw error
          }
          planned = next
          preparedOnTip = adopted !== undefined
        }
        if (pending !== undefined) await finish(pending)
      } catch (error) {
        // A batch submitted before the failure still becomes the tip once its write lands; whatever
        // was executed but not written is dropped: continue from the last durable tip.
        if (pending !== undefined) await finish(pending).catch(() => {})
        await this.stateDb.flushed().catch(() => {})
        this.stateDb = openState(this.store, this.current.stateRoot)
        throw error
      } finally {
        runState.ended = true
      }
      if (count > 0) this.report(true)
      return count
    })
  }

  /** Starts preparing `batch` on `tip` (`prepare`); its outcome is awaited later, through `plannedOf`. */
  private start(batch: InboxBatch, tip: PlanningTip, exactTip?: SafeTip, ahead?: BlobReadAhead): Preparation {
    const laidOut = this.prepare(batch, tip, exactTip, ahead)
    laidOut.catch(() => {}) // awaited later; keeps an early rejection from counting as unhandled
    return { batch, laidOut }
  }

  /**
   * Starts preparing the batch after `previous` (if L1 has given it) on the tip `previous` is laid out
   * to, as soon as it is (while `run` lasts); nothing when `previous` cannot be had. Its blob read is
   * taken over now.
   */
  private startAfter(previous: Preparation, readAhead: BlobReadAheads, run: RunState): Preparation | undefined {
    if ('retrievalError' in previous) return undefined
    let batch: InboxBatch | undefined
    try {
      batch = retrieveNextBatch(this.source, positionAfter(previous.batch))
    } catch (error) {
      return { retrievalError: error }
    }
    if (batch === undefined) return undefined
    const next = batch
    readAhead.fill(next.index + 1n)
    const ahead = readAhead.take(next.index)
    const laidOut = previous.laidOut.then((prepared) =>
      // a run that ended (failed) before it got here leaves the batch alone: no blob read or wait, no recovery
      prepared === undefined || run.ended ? undefined : this.prepare(next, prepared.after, undefined, ahead),
    )
    laidOut.catch(() => {}) // awaited later; keeps an early rejection from counting as unhandled
    return { batch: next, laidOut }
  }

  /**
   * The data-availability stage then the plan stage: a blob batch's blobs (kept or fetched and
   * checked), then its layout; its senders are then recovered (`planned`). Undefined while the blobs
   * cannot be had: derivation stops before the batch and `blobWait()` says why.
   */
  private async prepare(
    batch: InboxBatch,
    tip: PlanningTip,
    exactTip?: SafeTip,
    ahead?: BlobReadAhead,
  ): Promise<Prepared | undefined> {
    let blobs: BatchBlobs | undefined
    if (batch.dataAvailability.kind === 'blobs') {
      blobs = await this.blobs.blobs(batch, ahead)
      if (blobs === undefined) return undefined
    }
    // The node's own batch on a known tip is not planned at all (no decoding, no sender recovery).
    const adopted = exactTip === undefined ? undefined : this.ownBatches?.adopt(batch, exactTip)
    if (adopted !== undefined) {
      const { number, timestamp, delayedAccumulator } = adopted.l2
      const after = { number, timestamp, delayedAccumulator }
      const planned = { batch, plans: [], after, touched: [], transactionMessages: 0, blobs, adopted }
      return { after, planned: Promise.resolve(planned) }
    }
    const laidOut = this.planner.layOut(batch, tip, blobs)
    const planned = this.planner.recover(laidOut)
    planned.catch(() => {}) // awaited through `plannedOf`
    return { after: laidOut.after, planned }
  }

  /**
   * `planned` adopted after all, when `OwnBatches` takes it on `tip` and its blocks end where the
   * plan does (the next batch may be planned from that end); otherwise `planned` as it is.
   */
  private adoptPlanned(planned: PlannedBatch, tip: SafeTip): PlannedBatch {
    const adopted = this.ownBatches?.adopt(planned.batch, tip)
    if (adopted === undefined) return planned
    const { after } = planned
    const same =
      adopted.l2.number === after.number &&
      adopted.l2.timestamp === after.timestamp &&
      equalBytes(adopted.l2.delayedAccumulator, after.delayedAccumulator)
    return same ? { ...planned, plans: [], adopted } : planned
  }

  private recordMetrics(derived: DerivedBatch, started: number): void {
    const m = this.metrics
    if (m === undefined) return
    let transactions = 0
    for (const block of derived.blocks) transactions += block.transactions.length
    m.blocks.inc(Number(derived.tip.l2.number - derived.previous.l2.number))
    // re-executed transactions only: an adopted batch's were executed once, when its blocks were built
    m.transactions.inc(transactions)
    m.batches.inc({ mode: derived.adopted === undefined ? 'executed' : 'adopted' })
    m.messages.inc(Number(derived.tip.messageCount - derived.previous.messageCount))
    m.safeBlock.set(Number(derived.tip.l2.number))
    m.batchIndex.set(Number(derived.tip.batchIndex))
    m.batchSeconds.observe((performance.now() - started) / 1000)
  }

  private report(force: boolean): void {
    const now = performance.now()
    if (!force && now - this.lastReport < this.progressIntervalMs) return
    this.lastReport = now
    const progress = this.progress()
    if (progress === undefined) return
    this.metrics?.transactionsPerSecond.set(progress.transactionsPerSecond)
    this.onProgress?.(progress)
    this.logger?.info(
      {
        safeBlock: progress.safeBlock,
        batch: progress.batchIndex,
        messages: progress.messageCount,
        targetMessages: progress.targetMessageCount,
        blocksPerSecond: Math.round(progress.blocksPerSecond),
        txPerSecond: Math.round(progress.transactionsPerSecond),
        etaSeconds: progress.etaSeconds === undefined ? undefined : Math.round(progress.etaSeconds),
      },
      'derivation progress',
    )
  }

  /** Runs `fn` alone: derivation and rewinds never interleave. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) {
      throw new DerivationBusyError()
    }
    this.busy = true
    try {
      return await fn()
    } finally {
      this.busy = false
    }
  }
}

/**
 * The state derivation executes on. Its commits keep the account leaves they wrote in memory: a
 * batch's blocks, and the batches after it, change mostly the same accounts again (every sender of a
 * busy chain sends in most batches), which would otherwise be read back from the store and decoded
 * by the next block or the next batch's prefetch right after being written.
 */
function openState(store: KeyValueStore, root: Uint8Array): StateDb {
  return new StateDb(store, root, { keepWritten: true })
}

/** The planned batch of `preparation` (senders recovered), or undefined while its blobs cannot be had. */
async function plannedOf(preparation: Preparation): Promise<PlannedBatch | undefined> {
  if ('retrievalError' in preparation) throw preparation.retrievalError
  const prepared = await preparation.laidOut
  return prepared === undefined ? undefined : prepared.planned
}

/**
 * The blob reads one derivation run started ahead of the batch it plans, by batch index: at most
 * `maxBytes` of blobs held (read or in flight), and none for a batch at or past `end` (the run stops
 * before it). They live as long as the run: an L1 reorg is only seen by the reader's next step, after
 * the run, and a read is only taken for the batch L1 holds at its index (`BlobRetrieval.blobs`).
 */
class BlobReadAheads {
  private readonly reads = new Map<bigint, BlobReadAhead>()
  private readonly source: BatchSource
  private readonly retrieval: BlobRetrieval
  private readonly maxBytes: number
  private readonly end: bigint
  private held = 0
  private next = -1n

  constructor(source: BatchSource, retrieval: BlobRetrieval, maxBytes: number, end: bigint) {
    this.source = source
    this.retrieval = retrieval
    this.maxBytes = maxBytes
    this.end = end
  }

  /** Starts the reads of the batches from `index` on, as far as the bound allows. */
  fill(index: bigint): void {
    if (this.next < index) this.next = index
    while (this.next < this.end) {
      const batch = this.source.batch(this.next)
      if (batch === undefined) return
      if (batch.dataAvailability.kind === 'blobs') {
        const bytes = batch.dataAvailability.versionedHashes.length * BYTES_PER_BLOB
        if (this.held + bytes > this.maxBytes) return
        const read = this.retrieval.readAhead(batch)
        if (read !== undefined) {
          this.reads.set(batch.index, read)
          this.held += read.bytes
        }
      }
      this.next++
    }
  }

  /** The read started for batch `index`, handed over (no longer counted), if any. */
  take(index: bigint): BlobReadAhead | undefined {
    const read = this.reads.get(index)
    if (read === undefined) return undefined
    this.reads.delete(index)
    this.held -= read.bytes
    return read
  }
}
