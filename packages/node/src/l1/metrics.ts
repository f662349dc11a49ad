import { Counter, Gauge, type Registry } from 'prom-client'

/** What the L1 reader exports on `/metrics`. */
export type L1ReaderMetrics = {
  /** The last L1 block processed (confirmed). */
  cursor: Gauge
  /** The L1 head seen last. */
  head: Gauge
  /** Inbox batches and Portal delayed messages stored. */
  batches: Gauge
  delayedMessages: Gauge
  /** L1 reorgs that reached processed blocks. */
  reorgs: Counter
}

/** Registers the L1 reader's metrics on `registry` (once per registry). */
export function createL1ReaderMetrics(registry: Registry): L1ReaderMetrics {
  const registers = [registry]
  return {
    cursor: new Gauge({
      name: 'sluice_l1_cursor_block',
      help: 'Last L1 block the reader processed (confirmed)',
      registers,
    }),
    head: new Gauge({ name: 'sluice_l1_head_block', help: 'L1 head block seen by the reader', registers }),
    batches: new Gauge({ name: 'sluice_l1_batches', help: 'Inbox batches stored by the L1 reader', registers }),
    delayedMessages: new Gauge({
      name: 'sluice_l1_delayed_messages',
      help: 'Portal delayed messages stored by the L1 reader',
      registers,
    }),
    reorgs: new Counter({ name: 'sluice_l1_reorgs_total', help: 'L1 reorgs that reached processed blocks', registers }),
  }
}
