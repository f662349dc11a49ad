/** Polling with a deadline and progress reports, for the SDK's `waitFor…` actions. */
import { WaitTimeoutError } from '../errors.ts'

/** Options every wait takes. */
export type WaitOptions = {
  /** Milliseconds between polls. Default 1000. */
  pollingInterval?: number | undefined
  /** Milliseconds before giving up with `WaitTimeoutError`. Default 10 minutes. */
  timeout?: number | undefined
  /** Called after each poll that did not finish, with what the wait is at (for progress output). */
  onProgress?: ((progress: string) => void) | undefined
}

/** One poll's verdict: done with a value, or not yet, with a line saying where it stands. */
export type PollResult<T> = { done: true; value: T } | { done: false; progress: string }

export const DEFAULT_TIMEOUT_MS = 10 * 60_000

/** Calls `check` every `pollingInterval` ms until it is done; throws `WaitTimeoutError` at the deadline. */
export async function poll<T>(
  what: string,
  check: () => Promise<PollResult<T>>,
  options: WaitOptions = {},
): Promise<T> {
  const interval = options.pollingInterval ?? 1000
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS
  const deadline = Date.now() + timeout
  let last: string | undefined
  for (;;) {
    const result = await check()
    if (result.done) return result.value
    if (result.progress !== last) options.onProgress?.(result.progress)
    last = result.progress
    if (Date.now() + interval > deadline) throw new WaitTimeoutError({ what, timeoutMs: timeout, last })
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
