import { SluiceError } from '@sluice/core'
import { helpText, NodeConfigError, type OptionSpec } from '../config/options.ts'
import type { Logger } from './logger.ts'
import { applyProcessDefaults, type ProcessDefaults } from './processDefaults.ts'

/** What an executable's `start` returns: enough to stop it cleanly and to notice it stopping itself. */
export type RunningNode = {
  logger: Logger
  stop(): Promise<void>
  /** Resolves when the node stopped itself on a fatal error. */
  fatal: Promise<unknown>
}

/**
 * The `main` of a node executable: `--help`, option parsing, start, a clean stop on SIGTERM/SIGINT
 * (exit 0) or on a fatal error (exit 1), and a one-line message for a bad configuration.
 */
export function runNode<O>(program: {
  name: string
  summary: string
  options: readonly OptionSpec[]
  parse: (argv: readonly string[], env: Record<string, string | undefined>) => O
  start: (options: O) => Promise<RunningNode>
  /** V8 flags and environment the process restarts itself with, unless the operator set them (processDefaults.ts). */
  processDefaults?: ProcessDefaults
}): void {
  const main = async (): Promise<void> => {
    const argv = process.argv.slice(2)
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(helpText(program.name, program.summary, program.options))
      return
    }
    // Before anything is opened: this may replace the process (same pid) with one started with them.
    if (program.processDefaults !== undefined) applyProcessDefaults(program.processDefaults)
    const node = await program.start(program.parse(argv, process.env))
    let stopping = false
    const stop = async (signal: string, code: number) => {
      if (stopping) return
      stopping = true
      node.logger.info({ signal }, 'stopping')
      try {
        await node.stop()
      } finally {
        node.logger.info('stopped')
        process.exit(code)
      }
    }
    process.on('SIGTERM', () => void stop('SIGTERM', 0))
    process.on('SIGINT', () => void stop('SIGINT', 0))
    void node.fatal.then(() => stop('fatal', 1))
  }
  main().catch((error: unknown) => {
    if (error instanceof NodeConfigError) console.error(`${program.name}: ${error.message}`)
    // Sluice's own errors say what is wrong and what to do; a stack adds nothing for an operator.
    else if (error instanceof SluiceError)
      console.error(`${program.name}: failed to start: ${error.name}: ${error.message}`)
    else console.error(`${program.name}: failed to start:`, error)
    process.exit(1)
  })
}
