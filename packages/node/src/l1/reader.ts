import type { BatchOp, DelayedMessageSource, Hex, KeyValueStore } from '@sluice/core'
import type { Logger } from 'pino'
import type { PublicClient } from 'viem'
import { applyDisputeLogs, type DisputeLog, decodeDisputeLogs, rewindClaim, rewindGame } from './disputes.ts'
import { DelayedMessageMismatchError, L1InconsistencyError } from './errors.ts'
import {
  assembleBatch,
  assembleBlobBatch,
  type BatchAppendedEvent,
  batchBytesFromTransaction,
  decodeInboxLogs,
  forcedBatchBytes,
  INBOX_START,
  type InboxPosition,
  kzgHintsFromTransaction,
} from './inbox.ts'
import type { L1ReaderMetrics } from './metrics.ts'
import { decodePortalLogs } from './portal.ts'
import { isTemporaryRpcError, type RetryOptions, withRetry } from './retry.ts'
import {
  decodeCheckpoints,
  decodeClaim,
  decodeGame,
  decodeInboxBatch,
  decodeMeta,
  decodePortalMessage,
  del,
  encodeCheckpoints,
  encodeClaim,
  encodeGame,
  encodeInboxBatch,
  encodeMeta,
  encodePortalMessage,
  type L1Meta,
  l1Keys,
  put,
} from './schema.ts'
import { type L1Header, type L1Log, type L1Source, type L1Transaction, viemL1Source } from './source.ts'
import type {
  ClaimRecord,
  GameRecord,
  InboxBatch,
  L1Addresses,
  L1BlockRef,
  L1Step,
  PortalMessage,
  UnconfirmedView,
} from './types.ts'

const ZERO_HASH = `0x${'00'.repeat(32)}` as Hex

/** Options of `L1Reader`. */
export type L1ReaderOptions = {
  /** Where L1 is read from (`viemL1Source(client)`, or a double in tests). */
  source: L1Source
  /** The contracts to follow and the block to start at. */
  addresses: L1Addresses
  /** Depth an L1 block needs before the reader stores what it holds (the rollup config's value). */
  l1Confirmations: bigint
  /** The node's store; the reader writes only under `l1/`. */
  store: KeyValueStore
  logger?: Logger | undefined
  /** Most L1 blocks per `eth_getLogs` call and per step (default 2,000; halved when the RPC refuses a range). */
  maxBlockRange?: bigint | undefined
  retry?: RetryOptions | undefined
  /**
   * Check each delayed message against `Portal.delayedMessageHash(index)` with one `eth_call`
   * (default true). Off, the hash is still recomputed with the core and the indices must be
   * contiguous.
   */
  verifyDelayedOnL1?: boolean | undefined
  /** Recent processed L1 blocks kept for reorg detection (default 256). */
  checkpointLimit?: number | undefined
  /** Parallel RPC calls within a step (default 8). */
  concurrency?: number | undefined
  /** Prometheus metrics (`createL1ReaderMetrics`). */
  metrics?: L1ReaderMetrics | undefined
}

/** What a range of L1 blocks holds for the rollup, checked but not stored. */
type RangeRecords = {
  batches: InboxBatch[]
  delayed: PortalMessage[]
  disputes: DisputeLog[]
  /** The blocks that held records, with their hashes (verified against the logs'). */
  blocks: L1BlockRef[]
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  })
  await Promise.all(workers)
  return out
}

/**
 * The L1 traversal stage: follows the Portal, the SequencerInbox, the ClaimManager and the
 * DisputeGame block range by block range up to `head − l1Confirmations`, stores what it reads
 * (delayed messages, batches with their bytes, claims, games) under `l1/` in one atomic write per
 * step, and detects L1 reorgs by block-hash continuity: when a block it processed is no longer
 * canonical it finds the newest processed block that still is (the common ancestor), drops every
 * record above it and reports `{ kind: 'reorg' }` so that consumers rewind. It resumes from its
 * stored cursor after a restart.
 *
 * @example
 * const reader = L1Reader.fromClient(publicClient, { addresses, l1Confirmations: 2n, store })
 * for (;;) {
 *   const step = await reader.advance()
 *   if (step.kind === 'reorg') await driver.rewindToL1(step.commonAncestor.number)
 *   if (step.kind === 'idle') await sleep(1000)
 * }
 */
export class L1Reader {
  readonly addresses: L1Addresses
  readonly l1Confirmations: bigint
  readonly store: KeyValueStore
  /** Delayed messages by index, from the stored records (what `core/derive` asks for). */
  readonly delayedSource: DelayedMessageSource
  private readonly source: L1Source
  private readonly logger: Logger | undefined
  private readonly retry: RetryOptions
  private readonly verifyDelayedOnL1: boolean
  private readonly checkpointLimit: number
  private readonly concurrency: number
  private readonly metrics: L1ReaderMetrics | undefined
  private range: bigint
  private meta: L1Meta
  private checkpoints: L1BlockRef[]
  private head: bigint | undefined
  private advancing: Promise<L1Step> | undefined

  /** A reader over a viem client (HTTP or WebSocket). */
  static fromClient(client: PublicClient, options: Omit<L1ReaderOptions, 'source'>): L1Reader {
    return new L1Reader({ ...options, source: viemL1Source(client) })
  }

  constructor(options: L1ReaderOptions) {
    this.source = options.source
    this.addresses = options.addresses
    this.l1Confirmations = options.l1Confirmations
    this.store = options.store
    this.logger = options.logger
    this.retry = options.retry ?? {}
    this.verifyDelayedOnL1 = options.verifyDelayedOnL1 ?? true
    this.checkpointLimit = options.checkpointLimit ?? 256
    this.concurrency = options.concurrency ?? 8
    this.metrics = options.metrics
    this.range = options.maxBlockRange ?? 2_000n
    if (this.range < 1n) throw new RangeError('maxBlockRange must be at least 1')
    const stored = this.store.getSync(l1Keys.meta)
    this.meta =
      stored === undefined
        ? {
            cursor: { number: this.startBlock(), hash: ZERO_HASH },
            batchCount: 0n,
            delayedCount: 0n,
            claimIdLimit: 0n,
            gameIdLimit: 0n,
          }
        : decodeMeta(stored)
    const checkpoints = this.store.getSync(l1Keys.checkpoints)
    this.checkpoints = checkpoints === undefined ? [] : decodeCheckpoints(checkpoints)
    this.delayedSource = (index) => this.delayedMessage(index)
  }

  /** The last L1 block processed: every record at or below it is stored; nothing above it is. */
  get cursor(): L1BlockRef {
    return this.meta.cursor
  }

  /** The L1 head seen by the last `advance` or `readUnconfirmed` (undefined before the first). */
  get lastHead(): bigint | undefined {
    return this.head
  }

  /** Inbox batches stored (indices `0 … batchCount − 1`). */
  get batchCount(): bigint {
    return this.meta.batchCount
  }

  /** Portal delayed messages stored (indices `0 … delayedCount − 1`). */
  get delayedCount(): bigint {
    return this.meta.delayedCount
  }

  batch(index: bigint): InboxBatch | undefined {
    if (index < 0n || index >= this.meta.batchCount) return undefined
    const encoded = this.store.getSync(l1Keys.batch(index))
    return encoded === undefined ? undefined : decodeInboxBatch(encoded)
  }

  /** The last stored batch, or undefined before the first. */
  lastBatch(): InboxBatch | undefined {
    return this.batch(this.meta.batchCount - 1n)
  }

  delayedMessage(index: bigint): PortalMessage | undefined {
    if (index < 0n || index >= this.meta.delayedCount) return undefined
    const encoded = this.store.getSync(l1Keys.delayed(index))
    return encoded === undefined ? undefined : decodePortalMessage(encoded)
  }

  claim(claimId: bigint): ClaimRecord | undefined {
    if (claimId < 0n || claimId >= 1n << 64n) return undefined
    const encoded = this.store.getSync(l1Keys.claim(claimId))
    return encoded === undefined ? undefined : decodeClaim(encoded)
  }

  /** Every claim seen, by id. */
  claims(): ClaimRecord[] {
    const out: ClaimRecord[] = []
    for (let id = 0n; id < this.meta.claimIdLimit; id++) {
      const claim = this.claim(id)
      if (claim !== undefined) out.push(claim)
    }
    return out
  }

  /** The newest `limit` claims, newest first: what a status poll shows without reading every claim. */
  recentClaims(limit: number): ClaimRecord[] {
    const out: ClaimRecord[] = []
    for (let id = this.meta.claimIdLimit - 1n; id >= 0n && out.length < limit; id--) {
      const claim = this.claim(id)
      if (claim !== undefined) out.push(claim)
    }
    return out
  }

  game(gameId: bigint): GameRecord | undefined {
    if (gameId < 0n || gameId >= 1n << 64n) return undefined
    const encoded = this.store.getSync(l1Keys.game(gameId))
    return encoded === undefined ? undefined : decodeGame(encoded)
  }

  /** Every game seen, by id. */
  games(): GameRecord[] {
    const out: GameRecord[] = []
    for (let id = 0n; id < this.meta.gameIdLimit; id++) {
      const game = this.game(id)
      if (game !== undefined) out.push(game)
    }
    return out
  }

  /**
   * One step of L1 traversal: checks that the cursor block is still canonical (else rewinds to the
   * common ancestor and returns `reorg`), then reads at most `maxBlockRange` confirmed blocks after
   * the cursor and stores their records and the new cursor in one atomic write. Concurrent calls
   * share one step.
   */
  advance(): Promise<L1Step> {
    if (this.advancing === undefined) {
      this.advancing = this.step().finally(() => {
        this.advancing = undefined
      })
    }
    return this.advancing
  }

  private async step(): Promise<L1Step> {
    const head = await this.call('eth_blockNumber', () => this.source.headNumber())
    this.head = head
    this.metrics?.head.set(Number(head))
    const reorg = await this.checkContinuity()
    if (reorg !== undefined) return reorg
    const confirmed = head - this.l1Confirmations
    const cursor = this.meta.cursor
    if (confirmed <= cursor.number) return { kind: 'idle', cursor, head }
    const to = cursor.number + this.range < confirmed ? cursor.number + this.range : confirmed
    const toHeader = await this.header(to)
    const records = await this.readRange(cursor.number + 1n, toHeader)
    // L1 may have reorged below the cursor while the range was read: store nothing on a stale base
    const base = await this.call(`eth_getBlockByNumber(${cursor.number})`, () => this.source.header(cursor.number))
    if (base?.hash !== cursor.hash) {
      throw new L1InconsistencyError(`L1 block ${cursor.number} changed while blocks after it were read`)
    }
    const changed = await this.persist(records, toHeader)
    const step: L1Step = {
      kind: 'advanced',
      from: cursor.number,
      to: { number: toHeader.number, hash: toHeader.hash },
      head,
      batches: records.batches,
      delayed: records.delayed,
      claims: changed.claims,
      games: changed.games,
    }
    if (records.batches.length > 0 || records.delayed.length > 0 || records.disputes.length > 0) {
      this.logger?.info(
        {
          from: cursor.number + 1n,
          to: toHeader.number,
          batches: records.batches.length,
          delayed: records.delayed.length,
          disputeEvents: records.disputes.length,
        },
        'L1 range read',
      )
    }
    return step
  }

  /** Calls `advance` until it is idle (or reports a reorg); returns every step taken. */
  async advanceUntilIdle(onStep?: (step: L1Step) => void | Promise<void>): Promise<L1Step[]> {
    const steps: L1Step[] = []
    for (;;) {
      const step = await this.advance()
      steps.push(step)
      await onStep?.(step)
      if (step.kind !== 'advanced') return steps
    }
  }

  /**
   * The records of the blocks above the cursor up to the L1 head (at most `maxBlockRange` of
   * them), checked the same way but not stored: what L1 holds that is not `l1Confirmations` deep
   * yet. It continues the stored indices, so it may throw `L1InconsistencyError` while a reorg is
   * under way; `advance` then resolves it.
   */
  async readUnconfirmed(): Promise<UnconfirmedView> {
    const head = await this.call('eth_blockNumber', () => this.source.headNumber())
    this.head = head
    const from = this.meta.cursor
    const last = from.number + this.range < head ? from.number + this.range : head
    if (last <= from.number) return { from, to: from, batches: [], delayed: [] }
    const toHeader = await this.header(last)
    const records = await this.readRange(from.number + 1n, toHeader)
    return {
      from,
      to: { number: toHeader.number, hash: toHeader.hash },
      batches: records.batches,
      delayed: records.delayed,
    }
  }

  private startBlock(): bigint {
    return this.addresses.deployBlock > 0n ? this.addresses.deployBlock - 1n : 0n
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(what, fn, this.retry)
  }

  private async header(number: bigint): Promise<L1Header> {
    const header = await this.call(`eth_getBlockByNumber(${number})`, () => this.source.header(number))
    if (header === undefined) {
      throw new L1InconsistencyError(`L1 block ${number} is missing although the head is past it`)
    }
    return header
  }

  /** Resolves the cursor hash on the first step; returns a reorg step when the cursor is no longer canonical. */
  private async checkContinuity(): Promise<L1Step | undefined> {
    const cursor = this.meta.cursor
    const current = await this.call(`eth_getBlockByNumber(${cursor.number})`, () => this.source.header(cursor.number))
    if (cursor.hash === ZERO_HASH) {
      if (current === undefined)
        throw new L1InconsistencyError(`L1 has no block ${cursor.number} (the deployment block's parent) yet`)
      this.meta = { ...this.meta, cursor: { number: cursor.number, hash: current.hash } }
      return undefined
    }
    if (current !== undefined && current.hash === cursor.hash) return undefined
    const ancestor = await this.findCommonAncestor()
    this.logger?.warn(
      {
        removedFrom: cursor.number,
        removedHash: cursor.hash,
        commonAncestor: ancestor.number,
        ancestorHash: ancestor.hash,
      },
      'L1 reorg: rewinding the L1 reader to the common ancestor',
    )
    await this.rewind(ancestor)
    this.metrics?.reorgs.inc()
    return {
      kind: 'reorg',
      commonAncestor: ancestor,
      removedFrom: cursor,
      batchCount: this.meta.batchCount,
      delayedCount: this.meta.delayedCount,
    }
  }

  /** The newest processed block L1 still has, or the start block when none is left. */
  private async findCommonAncestor(): Promise<L1BlockRef> {
    const candidates = [...this.checkpoints].filter((c) => c.number <= this.meta.cursor.number).reverse()
    for (const candidate of candidates) {
      const header = await this.call(`eth_getBlockByNumber(${candidate.number})`, () =>
        this.source.header(candidate.number),
      )
      if (header !== undefined && header.hash === candidate.hash) return candidate
    }
    const start = await this.header(this.startBlock())
    return { number: start.number, hash: start.hash }
  }

  /** Drops every record above `ancestor` and moves the cursor to it, in one atomic write. */
  private async rewind(ancestor: L1BlockRef): Promise<void> {
    const ops: BatchOp[] = []
    let batchCount = this.meta.batchCount
    for (;;) {
      const last = this.batch(batchCount - 1n)
      if (last === undefined || last.l1BlockNumber <= ancestor.number) break
      ops.push(del(l1Keys.batch(last.index)))
      batchCount--
    }
    let delayedCount = this.meta.delayedCount
    for (;;) {
      const last = this.delayedMessage(delayedCount - 1n)
      if (last === undefined || last.l1BlockNumber <= ancestor.number) break
      ops.push(del(l1Keys.delayed(last.index)))
      delayedCount--
    }
    for (const claim of this.claims()) {
      if (claim.events.every((e) => e.l1BlockNumber <= ancestor.number)) continue
      const kept = rewindClaim(claim, ancestor.number)
      ops.push(
        kept === undefined ? del(l1Keys.claim(claim.claimId)) : put(l1Keys.claim(claim.claimId), encodeClaim(kept)),
      )
    }
    for (const game of this.games()) {
      if (game.events.every((e) => e.l1BlockNumber <= ancestor.number)) continue
      const kept = rewindGame(game, ancestor.number)
      ops.push(kept === undefined ? del(l1Keys.game(game.gameId)) : put(l1Keys.game(game.gameId), encodeGame(kept)))
    }
    const checkpoints = this.checkpoints.filter((c) => c.number < ancestor.number)
    checkpoints.push(ancestor)
    const meta: L1Meta = { ...this.meta, cursor: ancestor, batchCount, delayedCount }
    ops.push(put(l1Keys.meta, encodeMeta(meta)), put(l1Keys.checkpoints, encodeCheckpoints(checkpoints)))
    await this.store.batch(ops)
    this.meta = meta
    this.checkpoints = checkpoints
    this.updateMetrics()
  }

  private updateMetrics(): void {
    if (this.metrics === undefined) return
    this.metrics.cursor.set(Number(this.meta.cursor.number))
    this.metrics.batches.set(Number(this.meta.batchCount))
    this.metrics.delayedMessages.set(Number(this.meta.delayedCount))
  }

  /** `eth_getLogs` over `[from, to]`, split in halves when the RPC refuses the range. */
  private async fetchLogs(from: bigint, to: bigint): Promise<L1Log[]> {
    const addresses = [
      this.addresses.portal,
      this.addresses.sequencerInbox,
      this.addresses.claimManager,
      this.addresses.disputeGame,
    ]
    try {
      return await this.call(`eth_getLogs(${from}-${to})`, () =>
        this.source.logs({ addresses, fromBlock: from, toBlock: to }),
      )
    } catch (error) {
      if (to <= from || isTemporaryRpcError(error)) throw error
      // "block range too large" / "query returned more than N results": smaller ranges from now on
      const mid = from + (to - from) / 2n
      const half = (to - from + 1n) / 2n
      if (half < this.range) this.range = half > 1n ? half : 1n
      this.logger?.warn({ from, to, maxBlockRange: this.range }, 'eth_getLogs refused a range; splitting it')
      return [...(await this.fetchLogs(from, mid)), ...(await this.fetchLogs(mid + 1n, to))]
    }
  }

  /** Reads and checks the records of blocks `[from, to.number]`, continuing the stored indices. */
  private async readRange(from: bigint, to: L1Header): Promise<RangeRecords> {
    const logs = (await this.fetchLogs(from, to.number)).sort((a, b) =>
      a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
    )
    // every block holding a record: its header gives T_b and proves the log belongs to the canonical chain
    const numbers = [...new Set(logs.map((l) => l.blockNumber))]
    const headers = new Map<bigint, L1Header>()
    for (const header of await mapLimit(numbers, this.concurrency, (n) => this.header(n)))
      headers.set(header.number, header)
    for (const log of logs) {
      const header = headers.get(log.blockNumber) as L1Header
      if (header.hash !== log.blockHash) {
        throw new L1InconsistencyError(
          `a log of L1 block ${log.blockNumber} names block hash ${log.blockHash}, the canonical block is ${header.hash}`,
        )
      }
    }
    const delayed = decodePortalLogs(logs, this.addresses.portal)
    delayed.forEach((message, i) => {
      const expected = this.meta.delayedCount + BigInt(i)
      if (message.index !== expected) {
        throw new L1InconsistencyError(
          `the Portal's delayed message ${message.index} came where ${expected} was expected`,
        )
      }
    })
    if (this.verifyDelayedOnL1) {
      await mapLimit(delayed, this.concurrency, async (message) => {
        const onChain = await this.call(`Portal.delayedMessageHash(${message.index})`, () =>
          this.source.delayedMessageHash(this.addresses.portal, message.index, to.number),
        )
        if (onChain.toLowerCase() !== message.hash)
          throw new DelayedMessageMismatchError(message.index, message.hash, onChain)
      })
    }
    const batches = await this.readBatches(logs, headers)
    const disputes = decodeDisputeLogs(logs, this.addresses)
    return {
      batches,
      delayed,
      disputes,
      blocks: [...headers.values()].map((h) => ({ number: h.number, hash: h.hash })),
    }
  }

  private async readBatches(logs: readonly L1Log[], headers: Map<bigint, L1Header>): Promise<InboxBatch[]> {
    const inbox = decodeInboxLogs(logs, this.addresses.sequencerInbox)
    inbox.appended.forEach((event, i) => {
      const expected = this.meta.batchCount + BigInt(i)
      if (event.index !== expected) {
        throw new L1InconsistencyError(`the inbox's batch ${event.index} came where ${expected} was expected`)
      }
    })
    // A calldata batch's bytes are in its transaction. A blob batch's events say all there is to
    // check; its transaction is read only for the KZG hints, which make checking its blobs cheaper.
    const carriesBytes = new Set(
      inbox.appended
        .filter((e) => !inbox.forced.has(e.index) && !inbox.blobs.has(e.index))
        .map((e) => e.log.transactionHash),
    )
    const hashes = [
      ...new Set(inbox.appended.filter((e) => !inbox.forced.has(e.index)).map((e) => e.log.transactionHash)),
    ]
    const transactions = new Map<Hex, L1Transaction>()
    await mapLimit(hashes, this.concurrency, async (hash) => {
      let tx: L1Transaction | undefined
      try {
        tx = await this.call(`eth_getTransactionByHash(${hash})`, () => this.source.transaction(hash))
      } catch (error) {
        if (carriesBytes.has(hash)) throw error
        return // hints only: the blobs are checked the slow way (logged below)
      }
      if (tx === undefined && carriesBytes.has(hash))
        throw new L1InconsistencyError(`L1 does not return transaction ${hash}, which emitted a batch`)
      if (tx !== undefined) transactions.set(hash, tx)
    })
    const last = this.lastBatch()
    let position: InboxPosition =
      last === undefined
        ? INBOX_START
        : { delayedCount: last.delayedCountAfter, messageCount: last.messageCountAfter, accumulator: last.accumulator }
    const out: InboxBatch[] = []
    for (const event of inbox.appended) {
      const forced = inbox.forced.has(event.index)
      const timestamp = (headers.get(event.log.blockNumber) as L1Header).timestamp
      const versionedHashes = inbox.blobs.get(event.index)
      const batch =
        versionedHashes !== undefined
          ? assembleBlobBatch(event, versionedHashes, position, timestamp, this.kzgHints(event, transactions))
          : assembleBatch(
              event,
              forced
                ? forcedBatchBytes(event)
                : batchBytesFromTransaction(
                    transactions.get(event.log.transactionHash) as L1Transaction,
                    this.addresses.sequencerInbox,
                    event,
                  ),
              forced,
              position,
              timestamp,
            )
      out.push(batch)
      position = {
        delayedCount: batch.delayedCountAfter,
        messageCount: batch.messageCountAfter,
        accumulator: batch.accumulator,
      }
    }
    return out
  }

  /** A blob batch's KZG hints from its transaction; undefined (and a debug line) when it has none to use. */
  private kzgHints(event: BatchAppendedEvent, transactions: ReadonlyMap<Hex, L1Transaction>): Uint8Array | undefined {
    const tx = transactions.get(event.log.transactionHash)
    const found =
      tx === undefined
        ? { problem: 'L1 did not return its transaction' }
        : kzgHintsFromTransaction(tx, this.addresses.sequencerInbox, event)
    if ('hints' in found && found.hints.length > 0) return found.hints
    this.logger?.debug(
      {
        batch: Number(event.index),
        tx: event.log.transactionHash,
        problem: 'problem' in found ? found.problem : 'the call carries none',
      },
      'blob batch without usable KZG hints: its blobs will be checked by computing their commitments',
    )
    return undefined
  }

  /** Stores a range's records and the new cursor in one atomic write; returns the claims and games it changed. */
  private async persist(records: RangeRecords, to: L1Header): Promise<{ claims: ClaimRecord[]; games: GameRecord[] }> {
    const ops: BatchOp[] = []
    for (const batch of records.batches) ops.push(put(l1Keys.batch(batch.index), encodeInboxBatch(batch)))
    for (const message of records.delayed) ops.push(put(l1Keys.delayed(message.index), encodePortalMessage(message)))
    const { claims, games } = applyDisputeLogs(
      records.disputes,
      (id) => this.claim(id),
      (id) => this.game(id),
    )
    let claimIdLimit = this.meta.claimIdLimit
    let gameIdLimit = this.meta.gameIdLimit
    for (const claim of claims) {
      ops.push(put(l1Keys.claim(claim.claimId), encodeClaim(claim)))
      if (claim.claimId >= claimIdLimit) claimIdLimit = claim.claimId + 1n
    }
    for (const game of games) {
      ops.push(put(l1Keys.game(game.gameId), encodeGame(game)))
      if (game.gameId >= gameIdLimit) gameIdLimit = game.gameId + 1n
    }
    const byNumber = new Map<bigint, L1BlockRef>()
    for (const c of this.checkpoints) byNumber.set(c.number, c)
    for (const b of records.blocks) byNumber.set(b.number, b)
    byNumber.set(to.number, { number: to.number, hash: to.hash })
    const checkpoints = [...byNumber.values()]
      .sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0))
      .slice(-this.checkpointLimit)
    const meta: L1Meta = {
      cursor: { number: to.number, hash: to.hash },
      batchCount: this.meta.batchCount + BigInt(records.batches.length),
      delayedCount: this.meta.delayedCount + BigInt(records.delayed.length),
      claimIdLimit,
      gameIdLimit,
    }
    ops.push(put(l1Keys.meta, encodeMeta(meta)), put(l1Keys.checkpoints, encodeCheckpoints(checkpoints)))
    await this.store.batch(ops)
    this.meta = meta
    this.checkpoints = checkpoints
    this.updateMetrics()
    return { claims, games }
  }
}
