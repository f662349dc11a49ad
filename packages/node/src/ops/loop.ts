import { SluiceError } from '@sluice/core'
import type { Logger } from 'pino'
import type { Liveness } from './liveness.ts'
import type { NodeMetrics } from './metrics.ts'

/**
 * A node loop: runs `step` every `intervalMs` (immediately again when it reports more work), and
 * branches on the severity of what it throws — `temporary` and `invalidInput` are logged and retried
 * with backoff, `reset` calls `onReset` then retries, `critical` (and any non-Sluice error, which is a
 * bug) stops the loop and calls `onFatal`, which stops the node.
 */
export type LoopOptions = {
  name: string
  intervalMs: number
  /** Returns true when there is more work right away (the loop then runs again without waiting). */
  step: () => Promise<unknown>
  logger: Logger
  metrics: NodeMetrics
  onReset?: (error: SluiceError) => Promise<void>
  onFatal: (error: unknown) => void
  maxBackoffMs?: number
  /** Told of every completed turn under the loop's name (health and the loop-gap metrics). */
  liveness?: Liveness | undefined
  /**
   * Count `intervalMs` from the start of the previous step instead of its end, so that steps start
   * every `intervalMs` while they are shorter than it, and one after another when they are longer
   * (the block builder: a block every block time, not every block time plus the time to seal one).
   */
  fixedRate?: boolean | undefined
}

export type Loop = {
  readonly name: string
  /** Resolves once the loop has finished its current step and stopped. */
  stop(): Promise<void>
  /** Runs the next step now instead of after the interval. */
  poke(): void
  /** The last error, cleared by the next successful step. */
  readonly lastError: unknown
}

export function startLoop(options: LoopOptions): Loop {
  const { name, intervalMs, step, logger, metrics } = options
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let wake: (() => void) | undefined
  let lastError: unknown
  let failures = 0
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve
      timer = setTimeout(resolve, ms)
    })
  const done = (async () => {
    while (!stopped) {
      let again = false
      const stepStartedAt = Date.now()
      try {
        again = (await step()) === true
        lastError = undefined
        failures = 0
        options.liveness?.beat(name)
      } catch (error) {
        lastError = error
        failures++
        const severity = error instanceof SluiceError ? error.severity : 'critical'
        metrics.errors.inc({ component: name, kind: error instanceof Error ? error.name : 'unknown' })
        if (severity === 'critical') {
          logger.fatal({ err: error, loop: name }, `${name} stopped on a critical error`)
          stopped = true
          options.onFatal(error)
          break
        }
        if (severity === 'reset' && options.onReset) {
          logger.warn({ err: error, loop: name }, `${name}: resetting`)
          try {
            await options.onReset(error as SluiceError)
          } catch (resetError) {
            logger.fatal({ err: resetError, loop: name }, `${name}: reset failed`)
            stopped = true
            options.onFatal(resetError)
            break
          }
        } else {
          logger.warn({ err: error, loop: name, failures }, `${name}: retrying after an error`)
        }
        await sleep(Math.min(options.maxBackoffMs ?? 10_000, intervalMs * 2 ** Math.min(failures, 8)))
        continue
      }
      if (!stopped && !again) {
        // sleep(0) still yields a turn of the event loop (timers, I/O) between back-to-back steps.
        await sleep(options.fixedRate ? Math.max(0, stepStartedAt + intervalMs - Date.now()) : intervalMs)
      }
    }
  })()
  return {
    name,
    get lastError() {
      return lastError
    },
    poke() {
      if (timer) clearTimeout(timer)
      wake?.()
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      wake?.()
      await done
    },
  }
}
