import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/**
 * The metrics every node exports on `/metrics` (Prometheus). Components register their own on the
 * same registry; names start with `sluice_`.
 */
export type NodeMetrics = {
  registry: Registry
  /** Head block numbers: unsafe, safe, finalized; and the L1 head and confirmed head. */
  head: Gauge<'head'>
  /** Errors the node loops caught, by component and error name. */
  errors: Counter<'component' | 'kind'>
  /** Transactions executed into blocks (sequenced or derived). */
  transactions: Counter<'source'>
  blockSeconds: Histogram
}

export function createNodeMetrics(): NodeMetrics {
  const registry = new Registry()
  // prom-client's names already start with process_ or nodejs_: sluice_process_resident_memory_bytes, sluice_nodejs_heap_size_used_bytes
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' })
  return {
    registry,
    head: new Gauge({
      name: 'sluice_head_number',
      help: 'Head numbers by name (L2 unsafe/safe/finalized, l1, l1_confirmed)',
      labelNames: ['head'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'sluice_errors_total',
      help: 'Errors caught by node loops',
      labelNames: ['component', 'kind'],
      registers: [registry],
    }),
    transactions: new Counter({
      name: 'sluice_transactions_total',
      help: 'Transactions executed into L2 blocks',
      labelNames: ['source'],
      registers: [registry],
    }),
    blockSeconds: new Histogram({
      name: 'sluice_block_seal_seconds',
      help: 'Time to execute and commit one L2 block',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  }
}
