import { Counter, Gauge, type Registry } from 'prom-client'
import type { HeadAccounts } from './headAccounts.ts'
import type { Mempool } from './mempool.ts'

/**
 * Registers the mempool's gauges on `registry`, read from `mempool.stats()` at each scrape (no work
 * on the admission path): sizes, and the running totals of admissions, refusals and drops by reason.
 */
export function registerMempoolMetrics(registry: Registry, mempool: Mempool, accounts?: HeadAccounts): void {
  if (accounts !== undefined) {
    new Counter({
      name: 'sluice_mempool_account_reads_total',
      help: 'Account reads of admissions since start, by source (cache: the head accounts kept in memory; state: the trie and LevelDB)',
      labelNames: ['source'],
      registers: [registry],
      collect() {
        this.reset()
        this.inc({ source: 'cache' }, accounts.hits)
        this.inc({ source: 'state' }, accounts.misses)
      },
    })
  }
  new Gauge({
    name: 'sluice_mempool_transactions',
    help: 'Transactions in the mempool, by state (ready: executable now; queued: waiting for a lower nonce)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = mempool.stats()
      this.set({ state: 'ready' }, stats.ready)
      this.set({ state: 'queued' }, stats.queued)
    },
  })
  new Gauge({
    name: 'sluice_mempool_limit',
    help: 'The mempool limits as configured: max_executable, max_queued, max_queued_per_sender, max_per_sender, lifetime_seconds',
    labelNames: ['limit'],
    registers: [registry],
    collect() {
      const limits = mempool.limits
      this.set({ limit: 'max_executable' }, limits.maxExecutable)
      this.set({ limit: 'max_queued' }, limits.maxQueued)
      this.set({ limit: 'max_queued_per_sender' }, limits.maxQueuedPerSender)
      this.set({ limit: 'max_per_sender' }, limits.maxPerSender)
      this.set({ limit: 'lifetime_seconds' }, limits.lifetimeMs / 1000)
    },
  })
  new Gauge({
    name: 'sluice_mempool_senders',
    help: 'Senders with transactions in the mempool',
    registers: [registry],
    collect() {
      this.set(mempool.stats().senders)
    },
  })
  new Counter({
    name: 'sluice_mempool_admitted_total',
    help: 'Transactions admitted since start',
    registers: [registry],
    collect() {
      // Totals are kept by the component; the counter mirrors them at each scrape.
      this.reset()
      this.inc(mempool.stats().accepted)
    },
  })
  new Counter({
    name: 'sluice_mempool_refused_total',
    help: 'Transactions refused at admission since start, by refusal code',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      // Totals are kept by the component; the counter mirrors them at each scrape.
      this.reset()
      for (const [reason, count] of Object.entries(mempool.stats().refused)) this.inc({ reason }, count ?? 0)
    },
  })
  new Counter({
    name: 'sluice_mempool_dropped_total',
    help: 'Admitted transactions that left the mempool without inclusion since start, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      // Totals are kept by the component; the counter mirrors them at each scrape.
      this.reset()
      for (const [reason, count] of Object.entries(mempool.stats().dropped)) this.inc({ reason }, count ?? 0)
    },
  })
}
