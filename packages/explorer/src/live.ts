/**
 * The overview's live view of the node, kept outside the UI so that a flood of heads costs a few
 * counters, never a render per block: heads arrive over WebSocket into a bounded ring, per-block
 * transaction counts are fetched in batches twice a second, status is polled every second, and
 * listeners are told at most four times a second.
 */
import { num } from './format.ts'
import { type HeadHeader, type Hex, NodeUnreachableError, type RpcClient } from './rpc.ts'

/** Where heads come from (`HeadStream` over the node's WebSocket; a test feeds them by hand). */
export interface HeadSource {
  onHead: ((header: HeadHeader) => void) | undefined
  onState: ((connected: boolean) => void) | undefined
  start(): void
  stop(): void
}

export type HeadRef = { number: Hex; hash: Hex; timestamp: Hex }

/** `sluice_syncStatus`, the fields the explorer reads (docs/sdk.md). */
export type SyncStatus = {
  chainId: Hex
  unsafe: HeadRef
  safe: HeadRef
  finalized: HeadRef
  l1?: { head: Hex | null; confirmed: { number: Hex; hash: Hex } }
  batches?: { count: Hex; l1Count: Hex }
  derivation?: {
    batchIndex: Hex | null
    messageCount: Hex
    targetMessageCount?: Hex
    transactionsPerSecond?: number
    blocksPerSecond?: number
    etaSeconds?: number | null
  }
  sequencer?: Record<string, unknown>
  disputes?: Record<string, unknown>
}

export type BlockStat = { number: number; timestamp: number; transactions: number; fill: number }
export type LatestTransaction = { hash: Hex; from: Hex; to: Hex | null; value: Hex; blockNumber: Hex }

const RING = 4_000
const WINDOW_SECONDS = 120
const NOTIFY_MS = 250
/** Status older than this is not shown as live. */
export const STALE_MS = 5_000

export class LiveNode {
  readonly rpc: RpcClient
  private readonly heads: HeadSource
  status: SyncStatus | undefined
  statusAt = 0
  reachable: boolean | undefined
  unreachableSince: number | undefined
  lastError: string | undefined
  webSocket = false
  peers: number | undefined
  /** Blocks seen, oldest first, at most `RING`. */
  readonly blocks: BlockStat[] = []
  private readonly waiting: HeadHeader[] = []
  latestTransactions: LatestTransaction[] = []
  /** Heads per second over the last 10 s of heads. */
  headRate = 0
  private readonly headTimes: number[] = []
  private readonly listeners = new Set<() => void>()
  private notifyTimer: ReturnType<typeof setTimeout> | undefined
  private timers: ReturnType<typeof setInterval>[] = []
  private lastTxBlock = -1

  constructor(rpc: RpcClient, heads: HeadSource) {
    this.rpc = rpc
    this.heads = heads
    rpc.onReachability = (reachable) => {
      if (!reachable && this.reachable !== false) this.unreachableSince = Date.now()
      if (reachable) this.unreachableSince = undefined
      this.reachable = reachable
      this.changed()
    }
    this.heads.onState = (connected) => {
      this.webSocket = connected
      this.changed()
    }
    this.heads.onHead = (header) => this.onHead(header)
  }

  /** True when the numbers on screen are the node's current ones. */
  get live(): boolean {
    return this.reachable === true && Date.now() - this.statusAt < STALE_MS
  }

  /** A verifier catching up: derivation far behind L1's batches. */
  get syncing(): { blocksPerSecond: number | undefined; etaSeconds: number | undefined; behind: number } | undefined {
    const s = this.status
    if (s === undefined) return undefined
    const target = num(s.derivation?.targetMessageCount)
    const done = num(s.derivation?.messageCount) ?? 0
    const batchesBehind = (num(s.batches?.l1Count) ?? 0) - (num(s.batches?.count) ?? 0)
    if ((target === undefined || target <= done) && batchesBehind <= 1) return undefined
    return {
      blocksPerSecond: s.derivation?.blocksPerSecond,
      etaSeconds: s.derivation?.etaSeconds ?? undefined,
      behind: Math.max(batchesBehind, 0),
    }
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  start(): void {
    this.heads.start()
    const every = (ms: number, task: () => Promise<void>) => {
      let running = false
      const run = () => {
        if (running) return
        running = true
        task()
          .catch((error: unknown) => {
            this.lastError = error instanceof Error ? error.message : String(error)
            this.changed()
          })
          .finally(() => {
            running = false
          })
      }
      run()
      this.timers.push(setInterval(run, ms))
    }
    every(1_000, () => this.loadStatus())
    every(500, () => this.loadCounts())
    every(2_000, () => this.fetchLatestTransactions())
    every(5_000, () => this.fetchPeers())
  }

  stop(): void {
    this.heads.stop()
    for (const timer of this.timers) clearInterval(timer)
    this.timers = []
  }

  /** Transactions per second and average block fill, per second over the last minutes. */
  series(): { seconds: number[]; transactionsPerSecond: number[]; fillPercent: number[] } {
    const last = this.blocks[this.blocks.length - 1]
    if (last === undefined) return { seconds: [], transactionsPerSecond: [], fillPercent: [] }
    const from = last.timestamp - WINDOW_SECONDS + 1
    const txs = new Array<number>(WINDOW_SECONDS).fill(0)
    const fillSum = new Array<number>(WINDOW_SECONDS).fill(0)
    const fillCount = new Array<number>(WINDOW_SECONDS).fill(0)
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const block = this.blocks[i] as BlockStat
      if (block.timestamp < from) break
      const slot = block.timestamp - from
      txs[slot] = (txs[slot] ?? 0) + block.transactions
      fillSum[slot] = (fillSum[slot] ?? 0) + block.fill
      fillCount[slot] = (fillCount[slot] ?? 0) + 1
    }
    const firstSeen = Math.max(from, this.blocks[0]?.timestamp ?? from)
    const seconds: number[] = []
    const transactionsPerSecond: number[] = []
    const fillPercent: number[] = []
    for (let slot = firstSeen - from; slot < WINDOW_SECONDS; slot++) {
      seconds.push(from + slot)
      transactionsPerSecond.push(txs[slot] ?? 0)
      const count = fillCount[slot] ?? 0
      fillPercent.push(count === 0 ? 0 : ((fillSum[slot] ?? 0) / count) * 100)
    }
    return { seconds, transactionsPerSecond, fillPercent }
  }

  latestBlocks(count: number): BlockStat[] {
    return this.blocks.slice(-count).reverse()
  }

  private onHead(header: HeadHeader): void {
    const now = Date.now()
    this.headTimes.push(now)
    while (this.headTimes.length > 0 && (this.headTimes[0] as number) < now - 10_000) this.headTimes.shift()
    this.headRate = this.headTimes.length / 10
    this.waiting.push(header)
    // A reader far behind keeps the newest heads only.
    if (this.waiting.length > 400) this.waiting.splice(0, this.waiting.length - 400)
    if (this.status !== undefined) {
      const number = num(header.number) ?? 0
      if (number > (num(this.status.unsafe.number) ?? 0)) {
        this.status = {
          ...this.status,
          unsafe: { number: header.number, hash: header.hash, timestamp: header.timestamp },
        }
      }
    }
    this.changed()
  }

  /** Reads `sluice_syncStatus` (every second once started). */
  async loadStatus(): Promise<void> {
    this.status = await this.rpc.call<SyncStatus>('sluice_syncStatus')
    this.statusAt = Date.now()
    this.lastError = undefined
    this.changed()
  }

  /** Fetches the transaction counts of the heads received since the last call, 100 at most per call. */
  async loadCounts(): Promise<void> {
    const heads = this.waiting.splice(0, 100)
    if (heads.length === 0) return
    const counts = await this.rpc.batch(
      heads.map((h) => ({ method: 'eth_getBlockTransactionCountByNumber', params: [h.number] })),
    )
    heads.forEach((header, i) => {
      const count = counts[i]
      if (typeof count !== 'string') return
      const gasLimit = Number(BigInt(header.gasLimit))
      const stat: BlockStat = {
        number: Number(BigInt(header.number)),
        timestamp: Number(BigInt(header.timestamp)),
        transactions: Number(BigInt(count)),
        fill: gasLimit === 0 ? 0 : Number(BigInt(header.gasUsed)) / gasLimit,
      }
      // A reorg re-sends heights: the newer block replaces what followed.
      while (this.blocks.length > 0 && (this.blocks[this.blocks.length - 1] as BlockStat).number >= stat.number) {
        this.blocks.pop()
      }
      this.blocks.push(stat)
    })
    if (this.blocks.length > RING) this.blocks.splice(0, this.blocks.length - RING)
    this.changed()
  }

  private async fetchLatestTransactions(): Promise<void> {
    let newest: BlockStat | undefined
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const block = this.blocks[i] as BlockStat
      if (block.transactions > 0) {
        newest = block
        break
      }
    }
    if (newest === undefined || newest.number === this.lastTxBlock) return
    const block = await this.rpc.call<{ transactions: Hex[] } | null>('eth_getBlockByNumber', [
      `0x${newest.number.toString(16)}`,
      false,
    ])
    if (block === null) return
    const hashes = block.transactions.slice(-8).reverse()
    const answers = await this.rpc.batch(hashes.map((hash) => ({ method: 'eth_getTransactionByHash', params: [hash] })))
    const found = answers.filter(
      (a): a is LatestTransaction => typeof a === 'object' && a !== null && !(a instanceof Error),
    )
    this.lastTxBlock = newest.number
    this.latestTransactions = [...found, ...this.latestTransactions.filter((t) => !hashes.includes(t.hash))].slice(
      0,
      10,
    )
    this.changed()
  }

  private async fetchPeers(): Promise<void> {
    try {
      const response = await fetch('/metrics', { signal: AbortSignal.timeout(5_000) })
      const text = await response.text()
      const match = /^sluice_p2p_peers(?:\{[^}]*\})? (\d+)/m.exec(text)
      this.peers = match === null ? undefined : Number(match[1])
    } catch (error) {
      throw new NodeUnreachableError(`could not read /metrics (${String(error)})`)
    }
  }

  private changed(): void {
    if (this.notifyTimer !== undefined) return
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined
      for (const listener of this.listeners) listener()
    }, NOTIFY_MS)
  }
}
