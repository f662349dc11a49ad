/**
 * The `sluice` command line: transfers, deposits, withdrawals and the state of the rollup, on a
 * devnet by default (`.devnet/devnet.json`). Results go to stdout (JSON with `--json`), progress
 * and errors to stderr; exit code 0 on success, 1 on a failure, 2 on a usage error.
 */
import { SluiceError } from '@sluice/core'
import { Command, CommanderError } from 'commander'
import { BaseError as ViemBaseError } from 'viem'
import { DevnetFileError } from '../errors.ts'
import { registerBridge } from './commands/bridge.ts'
import { registerChain } from './commands/chain.ts'
import { registerTransfers } from './commands/transfers.ts'
import { type CliContext, createContext, type GlobalOptions } from './context.ts'
import { CliUsageError } from './errors.ts'
import { type CliIo, processIo, toJson } from './io.ts'

export function createProgram(io: CliIo): Command {
  const program = new Command('sluice')
    .description('Sluice rollup: send, deposit, withdraw, and see where the chain stands')
    .option('--devnet <file>', 'the devnet file (default: .devnet/devnet.json here or in a parent directory)')
    .option('--rpc <url>', 'L2 JSON-RPC URL (default: the devnet sequencer)')
    .option('--l1-rpc <url>', 'L1 JSON-RPC URL (default: the devnet L1)')
    .option('--key <privateKey>', 'private key that signs (default: the first devnet account)')
    .option('--deployment <file>', 'contract addresses from deploy.ts, for a network that is not a devnet')
    .option('--json', 'print the result as JSON')
    .showHelpAfterError('(run `sluice --help` for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
  const context = (command: Command): CliContext => createContext(io, command.optsWithGlobals<GlobalOptions>())
  registerTransfers(program, context)
  registerBridge(program, context)
  registerChain(program, context)
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
  return program
}

/** The first error in `error`'s cause chain that `predicate` accepts. */
function findCause(error: unknown, predicate: (e: Error) => boolean): Error | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (predicate(current)) return current
  }
  return undefined
}

/** What to tell the user about a failure that is not a usage error. */
function describe(error: unknown): { name: string; message: string; hint?: string | undefined } {
  // A node that does not answer is the most common failure; say so whatever wrapped it.
  const unreachable = findCause(error, (e) => e.name === 'HttpRequestError') as (Error & { url?: string }) | undefined
  if (unreachable !== undefined) {
    return {
      name: 'NodeUnreachable',
      message: `Cannot reach ${unreachable.url ?? 'the node'}.`,
      hint: 'Is the devnet running (`npm run devnet`)? Check --rpc / --l1-rpc.',
    }
  }
  if (error instanceof SluiceError) return { name: error.name, message: error.message }
  if (error instanceof ViemBaseError) {
    return { name: error.name, message: error.shortMessage, hint: error.details || undefined }
  }
  return { name: 'Error', message: error instanceof Error ? error.message : String(error) }
}

/** Runs the CLI on `argv` (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = createProgram(io)
  const json = argv.includes('--json')
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed the message (or the help) on stderr already.
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed') return 0
      if (json) {
        const message = error.message.replace(/^error: /, '')
        io.stdout(`${toJson({ error: { name: 'CliUsageError', message, hint: 'run `sluice --help` for usage' } })}\n`)
      }
      return 2
    }
    const usage = error instanceof CliUsageError || error instanceof DevnetFileError
    const { name, message, hint } = describe(error)
    if (json) io.stdout(`${toJson({ error: { name, message, ...(hint ? { hint } : {}) } })}\n`)
    io.stderr(`error: ${message}\n${hint ? `${hint}\n` : ''}`)
    return usage ? 2 : 1
  }
}
