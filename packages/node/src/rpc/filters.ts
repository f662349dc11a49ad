import type { ChainReader } from '../chain/types.ts'
import { RPC_ERROR_CODES, RpcError } from './errors.ts'
import { data, randomId } from './hex.ts'
import { type LogQuery, logsInRange, rangeEnd } from './logFilter.ts'
import type { RpcMetrics } from './metrics.ts'
import type { RpcJson } from './types.ts'

type FilterBase = { id: string; ip: string; lastPolled: number }
type BlockFilter = FilterBase & { kind: 'block'; next: bigint }
type LogFilter = FilterBase & { kind: 'logs'; query: LogQuery; next: bigint }
type PendingFilter = FilterBase & { kind: 'pending'; hashes: string[] }
type Filter = BlockFilter | LogFilter | PendingFilter

export type FilterLimits = {
  maxFilters: number
  maxFiltersPerIp: number
  filterTimeoutMs: number
  maxLogBlockRange: number
  maxLogResults: number
}

/** Pending hashes a pending-transaction filter keeps between polls (the oldest go first). */
const MAX_PENDING_HASHES = 4_096

function notFound(): RpcError {
  // geth's text, which viem and ethers recognise to reinstall a filter.
  return new RpcError(RPC_ERROR_CODES.server, 'filter not found')
}

/**
 * Polling filters (`eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
 * `eth_getFilterChanges`, `eth_getFilterLogs`, `eth_uninstallFilter`), as geth keeps them: a filter
 * not polled for `filterTimeoutMs` is removed, and the number installed is capped per client IP and
 * in total. Block and log filters keep only a cursor (the next block to report) and read the chain
 * when polled, at most `maxLogBlockRange` blocks per poll; pending filters keep the hashes since the
 * last poll, at most a few thousand.
 */
export class FilterStore {
  private readonly filters = new Map<string, Filter>()
  private readonly perIp = new Map<string, number>()
  private readonly pending = new Set<PendingFilter>()
  private readonly chain: ChainReader
  private readonly limits: FilterLimits
  private readonly metrics: RpcMetrics
  private readonly now: () => number

  constructor(options: { chain: ChainReader; limits: FilterLimits; metrics: RpcMetrics; now?: () => number }) {
    this.chain = options.chain
    this.limits = options.limits
    this.metrics = options.metrics
    this.now = options.now ?? Date.now
  }

  get size(): number {
    return this.filters.size
  }

  newBlockFilter(ip: string): string {
    return this.install({ kind: 'block', ...this.base(ip), next: this.head() + 1n })
  }

  newLogFilter(ip: string, query: LogQuery): string {
    return this.install({ kind: 'logs', ...this.base(ip), query, next: this.head() + 1n })
  }

  newPendingTransactionFilter(ip: string): string {
    const filter: PendingFilter = { kind: 'pending', ...this.base(ip), hashes: [] }
    const id = this.install(filter)
    this.pending.add(filter)
    return id
  }

  /** Records a transaction the node accepted for every pending-transaction filter. */
  onPendingTransaction(hash: Uint8Array): void {
    if (this.pending.size === 0) return
    const hex = data(hash)
    for (const filter of this.pending) {
      if (filter.hashes.length >= MAX_PENDING_HASHES) filter.hashes.shift()
      filter.hashes.push(hex)
    }
  }

  /**
   * What happened since the last poll: block hashes, transaction hashes, or logs. `charge` is told the
   * blocks read, for the client's rate limit.
   */
  changes(id: string, charge: (units: number) => void): RpcJson[] {
    const filter = this.get(id)
    switch (filter.kind) {
      case 'pending': {
        const hashes = filter.hashes
        filter.hashes = []
        return hashes
      }
      case 'block': {
        const head = this.head()
        // A client that polls rarely gets the newest blocks, no more than a log query's range.
        const from =
          head - filter.next + 1n > BigInt(this.limits.maxLogBlockRange)
            ? head - BigInt(this.limits.maxLogBlockRange) + 1n
            : filter.next
        const out: RpcJson[] = []
        for (let n = from; n <= head; n++) {
          const block = this.chain.blockByNumber(n)
          if (block !== undefined) out.push(data(block.hash))
        }
        charge(out.length)
        filter.next = head + 1n
        return out
      }
      case 'logs': {
        const { query } = filter
        if (query.blockHash !== undefined) return []
        const head = this.head()
        const to =
          query.toBlock === undefined || query.toBlock === null
            ? head
            : rangeEnd(this.chain, query.toBlock, 'filter.toBlock')
        const start =
          query.fromBlock === undefined || query.fromBlock === null
            ? filter.next
            : this.max(filter.next, rangeEnd(this.chain, query.fromBlock, 'filter.fromBlock'))
        if (start > to) return []
        const end =
          to - start + 1n > BigInt(this.limits.maxLogBlockRange)
            ? start + BigInt(this.limits.maxLogBlockRange) - 1n
            : to
        const logs = logsInRange(this.chain, query, start, end, this.limits)
        charge(Number(end - start + 1n))
        filter.next = end + 1n
        return logs
      }
    }
  }

  /** Every log of a log filter's whole range (`eth_getFilterLogs`), within a log query's limits. */
  logs(id: string, charge: (units: number) => void): RpcJson[] {
    const filter = this.get(id)
    if (filter.kind !== 'logs') throw new RpcError(RPC_ERROR_CODES.server, 'filter not found: it is not a log filter')
    const { query } = filter
    if (query.blockHash !== undefined) {
      const block = this.chain.blockByHash(query.blockHash)
      if (block === undefined) throw new RpcError(RPC_ERROR_CODES.server, 'unknown block')
      return logsInRange(this.chain, query, block.header.number, block.header.number, this.limits)
    }
    const from = rangeEnd(this.chain, query.fromBlock, 'filter.fromBlock')
    const to = rangeEnd(this.chain, query.toBlock, 'filter.toBlock')
    if (from > to) return []
    const logs = logsInRange(this.chain, query, from, to, this.limits)
    charge(Number(to - from + 1n))
    return logs
  }

  uninstall(id: string): boolean {
    const filter = this.filters.get(id)
    if (filter === undefined) return false
    this.remove(filter)
    return true
  }

  /** Removes filters not polled within the timeout. */
  sweep(): void {
    const cutoff = this.now() - this.limits.filterTimeoutMs
    for (const filter of this.filters.values()) if (filter.lastPolled < cutoff) this.remove(filter)
  }

  clear(): void {
    for (const filter of [...this.filters.values()]) this.remove(filter)
  }

  private head(): bigint {
    return this.chain.head('unsafe').header.number
  }

  private max(a: bigint, b: bigint): bigint {
    return a > b ? a : b
  }

  private base(ip: string): FilterBase {
    return { id: randomId(), ip, lastPolled: this.now() }
  }

  private install(filter: Filter): string {
    if (this.filters.size >= this.limits.maxFilters) {
      this.metrics.refused.inc({ limit: 'filters' })
      throw new RpcError(
        RPC_ERROR_CODES.limitExceeded,
        `too many filters on this node (at most ${this.limits.maxFilters}); uninstall unused ones or try later`,
      )
    }
    const fromIp = this.perIp.get(filter.ip) ?? 0
    if (fromIp >= this.limits.maxFiltersPerIp) {
      this.metrics.refused.inc({ limit: 'filters_per_ip' })
      throw new RpcError(
        RPC_ERROR_CODES.limitExceeded,
        `too many filters from your address (at most ${this.limits.maxFiltersPerIp}); uninstall unused ones (eth_uninstallFilter)`,
      )
    }
    this.perIp.set(filter.ip, fromIp + 1)
    this.filters.set(filter.id, filter)
    this.metrics.filters.set(this.filters.size)
    return filter.id
  }

  private get(id: string): Filter {
    const filter = this.filters.get(id)
    if (filter === undefined) throw notFound()
    if (filter.lastPolled < this.now() - this.limits.filterTimeoutMs) {
      this.remove(filter)
      throw notFound()
    }
    filter.lastPolled = this.now()
    return filter
  }

  private remove(filter: Filter): void {
    this.filters.delete(filter.id)
    if (filter.kind === 'pending') this.pending.delete(filter)
    const left = (this.perIp.get(filter.ip) ?? 1) - 1
    if (left <= 0) this.perIp.delete(filter.ip)
    else this.perIp.set(filter.ip, left)
    this.metrics.filters.set(this.filters.size)
  }
}
