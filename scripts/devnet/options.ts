/**
 * `npm run devnet`'s flags. Imports nothing the contract build generates, so that `--help` and flag
 * errors answer on a fresh clone before anything is compiled.
 */
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DevnetError } from './processes.ts'

const REPO_ROOT = resolve(import.meta.dirname, '..', '..')

/** The node's p2p port is its RPC port plus this. */
export const P2P_PORT_OFFSET = 100

export const USAGE = `Usage: npm run devnet -- [options]

  --fresh                 start over: delete the devnet directory first
  --verifiers <n>         verifiers to run (default 1; 0 to 9)
  --da <mode>             where the sequencer posts batches: blobs (default), calldata or auto
  --fault <name>          start the sequencer with --enable-faults --fault <name> (tests only)
  --block-time <ms>       L2 block time (default 250)
  --l1-port <port>        anvil's port (default 8545)
  --sequencer-port <port> the sequencer's RPC port (default 9545; p2p on port + 100)
  --verifier-port <port>  the first verifier's RPC port (default 9546; the next ones follow)
  --dir <dir>             where state, logs and devnet.json go (default .devnet)
  --help                  this text`

export type DevnetOptions = {
  fresh: boolean
  verifiers: number
  fault: string | undefined
  /** The sequencer's --da. */
  da: 'blobs' | 'calldata' | 'auto'
  blockTime: number
  l1Port: number
  sequencerPort: number
  verifierPort: number
  dir: string
}

/** Parses `argv`; undefined means `--help`. Throws for a malformed flag (`DevnetError` or parseArgs' own). */
export function parseDevnetOptions(argv: string[]): DevnetOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      fresh: { type: 'boolean', default: false },
      verifiers: { type: 'string', default: '1' },
      fault: { type: 'string' },
      da: { type: 'string', default: 'blobs' },
      'block-time': { type: 'string', default: '250' },
      'l1-port': { type: 'string', default: '8545' },
      'sequencer-port': { type: 'string', default: '9545' },
      'verifier-port': { type: 'string', default: '9546' },
      dir: { type: 'string', default: join(REPO_ROOT, '.devnet') },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values.help) return undefined
  const integer = (flag: string, value: string, min: number, max: number): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new DevnetError(`--${flag} must be an integer from ${min} to ${max}, not "${value}".`)
    }
    return n
  }
  if (!['blobs', 'calldata', 'auto'].includes(values.da)) {
    throw new DevnetError(`--da must be blobs, calldata or auto, not "${values.da}".`)
  }
  return {
    fresh: values.fresh,
    // Verifier i challenges with anvil account 10 + i; account 19 is the proposer's.
    verifiers: integer('verifiers', values.verifiers, 0, 9),
    fault: values.fault,
    da: values.da as DevnetOptions['da'],
    blockTime: integer('block-time', values['block-time'], 10, 60_000),
    l1Port: integer('l1-port', values['l1-port'], 1, 65_535),
    sequencerPort: integer('sequencer-port', values['sequencer-port'], 1, 65_535 - P2P_PORT_OFFSET),
    verifierPort: integer('verifier-port', values['verifier-port'], 1, 65_535 - P2P_PORT_OFFSET - 16),
    dir: resolve(values.dir),
  }
}
