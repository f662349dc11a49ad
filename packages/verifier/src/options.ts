import { NodeConfigError, type OptionSpec, parseOptions } from '@sluice/node'

/** Every option of `sluice-verifier` (flag, environment, config file). */
export const VERIFIER_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'l1Rpc',
    flag: 'l1-rpc',
    env: 'SLUICE_L1_RPC',
    kind: 'url',
    required: true,
    help: 'L1 JSON-RPC URL (any EVM chain with the Sluice contracts)',
  },
  {
    name: 'deployment',
    flag: 'deployment',
    env: 'SLUICE_DEPLOYMENT',
    kind: 'string',
    required: true,
    help: 'deployment file written by packages/contracts/scripts/deploy.ts',
  },
  {
    name: 'dataDir',
    flag: 'data-dir',
    env: 'SLUICE_DATA_DIR',
    kind: 'string',
    required: true,
    help: 'data directory (LevelDB, p2p key)',
  },
  {
    name: 'rpcHost',
    flag: 'rpc-host',
    env: 'SLUICE_RPC_HOST',
    kind: 'string',
    default: '127.0.0.1',
    help: 'JSON-RPC listen address',
  },
  {
    name: 'rpcPort',
    flag: 'rpc-port',
    env: 'SLUICE_RPC_PORT',
    kind: 'port',
    default: 9546,
    help: 'JSON-RPC port (HTTP and WebSocket)',
  },
  {
    name: 'sequencerRpc',
    flag: 'sequencer-rpc',
    env: 'SLUICE_SEQUENCER_RPC',
    kind: 'url',
    help: 'sequencer RPC that eth_sendRawTransaction is forwarded to (optional)',
  },
  {
    name: 'p2pHost',
    flag: 'p2p-host',
    env: 'SLUICE_P2P_HOST',
    kind: 'string',
    default: '127.0.0.1',
    help: 'libp2p listen address',
  },
  {
    name: 'p2pPort',
    flag: 'p2p-port',
    env: 'SLUICE_P2P_PORT',
    kind: 'port',
    default: 9646,
    help: 'libp2p TCP port (0: no p2p)',
  },
  {
    name: 'peers',
    flag: 'peer',
    env: 'SLUICE_PEERS',
    kind: 'list',
    default: [],
    help: 'multiaddr of a peer, e.g. the sequencer (repeatable)',
  },
  {
    name: 'challengerKey',
    flag: 'challenger-key',
    env: 'SLUICE_CHALLENGER_KEY',
    kind: 'privateKey',
    secret: true,
    help: 'key that challenges wrong claims (optional)',
  },
  {
    name: 'l1PollInterval',
    flag: 'l1-poll-interval',
    env: 'SLUICE_L1_POLL_INTERVAL',
    kind: 'integer',
    default: 1000,
    help: 'milliseconds between L1 polls',
  },
  {
    name: 'stakeClaims',
    flag: 'stake-claims',
    env: 'SLUICE_STAKE_CLAIMS',
    kind: 'boolean',
    default: false,
    help: 'with --challenger-key: also stake a bond on every claim this node finds correct, and defend it',
  },
  {
    name: 'logLevel',
    flag: 'log-level',
    env: 'SLUICE_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    help: 'trace, debug, info, warn, error',
  },
  {
    name: 'enableFaults',
    flag: 'enable-faults',
    env: 'SLUICE_ENABLE_FAULTS',
    kind: 'boolean',
    default: false,
    help: 'allow --fault (tests and demonstrations only)',
  },
  {
    name: 'faults',
    flag: 'fault',
    env: 'SLUICE_FAULT',
    kind: 'list',
    default: [],
    help: 'fault to inject: challenge-honest (with --challenger-key: challenge correct claims instead of wrong ones)',
  },
]

export const VERIFIER_FAULTS = ['challenge-honest'] as const
export type VerifierFault = (typeof VERIFIER_FAULTS)[number]

export type VerifierOptions = {
  l1Rpc: string
  deployment: string
  dataDir: string
  rpcHost: string
  rpcPort: number
  sequencerRpc: string | undefined
  p2pHost: string
  p2pPort: number
  peers: string[]
  challengerKey: `0x${string}` | undefined
  stakeClaims: boolean
  l1PollInterval: number
  logLevel: string
  faults: VerifierFault[]
}

export function parseVerifierOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): VerifierOptions {
  const o = parseOptions(VERIFIER_OPTIONS, argv, env)
  const faults = (o.faults as string[]).filter((f) => f !== '')
  for (const fault of faults) {
    if (!(VERIFIER_FAULTS as readonly string[]).includes(fault)) {
      throw new NodeConfigError('--fault', `unknown fault "${fault}"`, `Known faults: ${VERIFIER_FAULTS.join(', ')}.`)
    }
  }
  if (faults.length > 0 && o.enableFaults !== true) {
    throw new NodeConfigError(
      '--fault',
      'fault injection is disabled',
      'Faults are for tests and demonstrations only; add --enable-faults to allow them.',
    )
  }
  if (o.stakeClaims === true && o.challengerKey === undefined) {
    throw new NodeConfigError('--stake-claims', 'staking needs a key that pays the bonds', 'Add --challenger-key.')
  }
  if (faults.includes('challenge-honest') && o.challengerKey === undefined) {
    throw new NodeConfigError('--fault', 'challenge-honest needs a challenger', 'Add --challenger-key.')
  }
  return {
    l1Rpc: o.l1Rpc as string,
    deployment: o.deployment as string,
    dataDir: o.dataDir as string,
    rpcHost: o.rpcHost as string,
    rpcPort: o.rpcPort as number,
    sequencerRpc: o.sequencerRpc as string | undefined,
    p2pHost: o.p2pHost as string,
    p2pPort: o.p2pPort as number,
    peers: (o.peers as string[]).filter((p) => p !== ''),
    challengerKey: o.challengerKey as `0x${string}` | undefined,
    stakeClaims: o.stakeClaims === true,
    l1PollInterval: o.l1PollInterval as number,
    logLevel: o.logLevel as string,
    faults: faults as VerifierFault[],
  }
}
