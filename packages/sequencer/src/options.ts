import { NodeConfigError, type OptionSpec, parseOptions } from '@sluice/node'

/** Every option of `sluice-sequencer` (flag, environment, config file). */
export const SEQUENCER_OPTIONS: readonly OptionSpec[] = [
  { name: 'l1Rpc', flag: 'l1-rpc', env: 'SLUICE_L1_RPC', kind: 'url', required: true, help: 'L1 JSON-RPC URL' },
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
    help: 'data directory (LevelDB, intake log, p2p key)',
  },
  {
    name: 'sequencerKey',
    flag: 'sequencer-key',
    env: 'SLUICE_SEQUENCER_KEY',
    kind: 'privateKey',
    required: true,
    secret: true,
    help: "the sequencer's private key (its address is the config's sequencer)",
  },
  {
    name: 'proposerKey',
    flag: 'proposer-key',
    env: 'SLUICE_PROPOSER_KEY',
    kind: 'privateKey',
    secret: true,
    help: 'key that proposes claims and pays their bonds (default: the sequencer key)',
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
    default: 9545,
    help: 'JSON-RPC port (HTTP and WebSocket)',
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
    default: 9645,
    help: 'libp2p TCP port (0: no p2p)',
  },
  {
    name: 'peers',
    flag: 'peer',
    env: 'SLUICE_PEERS',
    kind: 'list',
    default: [],
    help: 'multiaddr of a peer to dial (repeatable)',
  },
  {
    name: 'blockTime',
    flag: 'block-time',
    env: 'SLUICE_BLOCK_TIME',
    kind: 'integer',
    default: 250,
    help: 'milliseconds between blocks',
  },
  {
    name: 'emptyBlockInterval',
    flag: 'empty-block-interval',
    env: 'SLUICE_EMPTY_BLOCK_INTERVAL',
    kind: 'integer',
    default: 1000,
    help: 'seal an empty block when none was sealed for this many milliseconds',
  },
  {
    name: 'batchAge',
    flag: 'batch-age',
    env: 'SLUICE_BATCH_AGE',
    kind: 'integer',
    default: 2000,
    help: 'post a batch once its oldest block is this many milliseconds old',
  },
  {
    name: 'proposeEvery',
    flag: 'propose-every',
    env: 'SLUICE_PROPOSE_EVERY',
    kind: 'integer',
    default: 1,
    help: 'propose a claim for every k-th batch (0: never)',
  },
  {
    name: 'l1PollInterval',
    flag: 'l1-poll-interval',
    env: 'SLUICE_L1_POLL_INTERVAL',
    kind: 'integer',
    default: 500,
    help: 'milliseconds between L1 polls',
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
    help: 'fault to inject: bad-claim, apply-invalid-tx, skip-deposit',
  },
]

export const SEQUENCER_FAULTS = ['bad-claim', 'apply-invalid-tx', 'skip-deposit'] as const
export type SequencerFault = (typeof SEQUENCER_FAULTS)[number]

export type SequencerOptions = {
  l1Rpc: string
  deployment: string
  dataDir: string
  sequencerKey: `0x${string}`
  proposerKey: `0x${string}`
  rpcHost: string
  rpcPort: number
  p2pHost: string
  p2pPort: number
  peers: string[]
  blockTime: number
  emptyBlockInterval: number
  batchAge: number
  proposeEvery: number
  l1PollInterval: number
  logLevel: string
  faults: SequencerFault[]
}

export function parseSequencerOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): SequencerOptions {
  const o = parseOptions(SEQUENCER_OPTIONS, argv, env)
  const faults = (o.faults as string[]).filter((f) => f !== '')
  for (const fault of faults) {
    if (!(SEQUENCER_FAULTS as readonly string[]).includes(fault)) {
      throw new NodeConfigError('--fault', `unknown fault "${fault}"`, `Known faults: ${SEQUENCER_FAULTS.join(', ')}.`)
    }
  }
  if (faults.length > 0 && o.enableFaults !== true) {
    throw new NodeConfigError(
      '--fault',
      'fault injection is disabled',
      'Faults are for tests and demonstrations only; add --enable-faults to allow them.',
    )
  }
  return {
    l1Rpc: o.l1Rpc as string,
    deployment: o.deployment as string,
    dataDir: o.dataDir as string,
    sequencerKey: o.sequencerKey as `0x${string}`,
    proposerKey: (o.proposerKey ?? o.sequencerKey) as `0x${string}`,
    rpcHost: o.rpcHost as string,
    rpcPort: o.rpcPort as number,
    p2pHost: o.p2pHost as string,
    p2pPort: o.p2pPort as number,
    peers: o.peers as string[],
    blockTime: o.blockTime as number,
    emptyBlockInterval: o.emptyBlockInterval as number,
    batchAge: o.batchAge as number,
    proposeEvery: o.proposeEvery as number,
    l1PollInterval: o.l1PollInterval as number,
    logLevel: o.logLevel as string,
    faults: faults as SequencerFault[],
  }
}
