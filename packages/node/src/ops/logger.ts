import { type LevelWithSilent, type Logger, pino } from 'pino'

export type { Logger } from 'pino'

/** Structured JSON logs on stdout (pino); `component` names the part of the node that logs. */
export function createLogger({ level = 'info', name }: { level?: string; name: string }): Logger {
  return pino({
    name,
    level: level as LevelWithSilent,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  })
}
