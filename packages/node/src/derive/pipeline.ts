import { SluiceError } from '@sluice/core'
import type { Logger } from 'pino'
import type { L1Reader } from '../l1/reader.ts'
import type { L1Step } from '../l1/types.ts'
import type { DerivationDriver } from './driver.ts'
import type { SafeTip } from './types.ts'

/** What one `DerivationPipeline.step()` did. */
export type PipelineStep = {
  /** The L1 traversal step. */
  l1: L1Step
  /** Set when the step rewound derivation (an L1 reorg, or a tip the L1 records no longer hold). */
  rewoundTo: SafeTip | undefined
  /** Batches derived in this step. */
  derived: number
}

/**
 * The whole derivation, wired: L1 traversal (`L1Reader.advance`), a rewind of the driver when L1
 * reorged, then derivation of every batch the reader holds. The safe head therefore moves only
 * over L1 blocks `l1Confirmations` deep (the reader stores nothing shallower).
 */
export class DerivationPipeline {
  readonly reader: L1Reader
  readonly driver: DerivationDriver
  private readonly logger: Logger | undefined

  constructor(options: { reader: L1Reader; driver: DerivationDriver; logger?: Logger | undefined }) {
    this.reader = options.reader
    this.driver = options.driver
    this.logger = options.logger
  }

  /** One L1 step and the derivation it allows. */
  async step(options: { maxBatches?: number } = {}): Promise<PipelineStep> {
    const l1 = await this.reader.advance()
    let rewoundTo: SafeTip | undefined
    if (l1.kind === 'reorg') {
      const before = this.driver.tip.batchIndex
      rewoundTo = await this.driver.rewindToL1(l1.commonAncestor.number)
      if (rewoundTo.batchIndex === before) rewoundTo = undefined
    }
    rewoundTo = (await this.driver.reconcile()) ?? rewoundTo
    const derived = await this.driver.deriveAvailable(options)
    return { l1, rewoundTo, derived }
  }

  /** Steps until L1 has nothing confirmed left to read and every stored batch is derived. */
  async syncToConfirmed(): Promise<PipelineStep[]> {
    const steps: PipelineStep[] = []
    for (;;) {
      const step = await this.step()
      steps.push(step)
      if (step.l1.kind === 'idle') return steps
    }
  }

  /**
   * Steps until `signal` aborts: waits `idleMs` when L1 has nothing new, retries `temporary` and
   * `reset` errors after `errorBackoffMs` (logged), and throws anything else (critical: stop the node).
   */
  async run(signal: AbortSignal, options: { idleMs?: number; errorBackoffMs?: number } = {}): Promise<void> {
    const idleMs = options.idleMs ?? 1_000
    const backoffMs = options.errorBackoffMs ?? 2_000
    while (!signal.aborted) {
      let wait = 0
      try {
        const step = await this.step()
        if (step.l1.kind === 'idle') wait = idleMs
      } catch (error) {
        if (!(error instanceof SluiceError) || (error.severity !== 'temporary' && error.severity !== 'reset'))
          throw error
        this.logger?.warn({ err: error, severity: error.severity }, 'derivation step failed; retrying')
        wait = backoffMs
      }
      if (wait > 0) await sleep(wait, signal)
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
