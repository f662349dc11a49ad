import { Counter, Gauge, type Registry } from 'prom-client'
import type { IntakeLog } from './intakeLog.ts'

/** Registers the intake log's metrics on `registry`, read from `log.stats()` at each scrape. */
export function registerIntakeLogMetrics(registry: Registry, log: IntakeLog): void {
  new Counter({
    name: 'sluice_intake_records_total',
    help: 'Transactions appended to the intake log since start',
    registers: [registry],
    collect() {
      // Totals are kept by the component; the counter mirrors them at each scrape.
      this.reset()
      this.inc(log.stats().appends)
    },
  })
  new Counter({
    name: 'sluice_intake_fsyncs_total',
    help: 'Group commits (one write and one fdatasync each) since start',
    registers: [registry],
    collect() {
      // Totals are kept by the component; the counter mirrors them at each scrape.
      this.reset()
      this.inc(log.stats().flushes)
    },
  })
  new Counter({
    name: 'sluice_intake_bytes_total',
    help: 'Bytes written to the intake log since start',
    registers: [registry],
    collect() {
      // Totals are kept by the component; the counter mirrors them at each scrape.
      this.reset()
      this.inc(log.stats().bytesWritten)
    },
  })
  new Gauge({
    name: 'sluice_intake_segments',
    help: 'Segment files in the intake directory',
    registers: [registry],
    collect() {
      this.set(log.stats().segments)
    },
  })
}
