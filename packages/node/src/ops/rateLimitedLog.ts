import type { Logger } from 'pino'

export type LimitedLog = (fields: Record<string, unknown>, message: string) => void

/**
 * A log for what clients cause (bad frames, malformed requests): at most `perMinute` lines a
 * minute at `level`, then one line saying how many were left out. A client cannot flood the logs.
 */
export function rateLimitedLog(
  log: Logger,
  {
    level = 'warn',
    perMinute = 10,
    now = Date.now,
  }: { level?: 'warn' | 'info' | 'debug'; perMinute?: number; now?: () => number } = {},
): LimitedLog {
  let windowStart = Number.NEGATIVE_INFINITY
  let written = 0
  let suppressed = 0
  return (fields, message) => {
    const at = now()
    if (at - windowStart >= 60_000) {
      if (suppressed > 0) log[level]({ suppressed }, 'more client errors in the last minute were not logged')
      windowStart = at
      written = 0
      suppressed = 0
    }
    if (written < perMinute) {
      written++
      log[level](fields, message)
    } else suppressed++
  }
}
