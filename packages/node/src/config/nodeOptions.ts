import { NodeConfigError, type OptionSpec, type ParsedOptions } from './options.ts'

/** The options every node executable has, parsed. */
export type CommonNodeOptions = {
  l1Rpc: string
  deployment: string
  dataDir: string
  rpcHost: string
  rpcPort: number
  p2pHost: string
  p2pPort: number
  peers: string[]
  /** blocks-by-range serving limits (the rest of `P2PLimits` keeps its defaults). */
  p2pLimits: { maxConcurrentRangeServes: number; rangeBlocksPerSecond: number; rangeBlocksPerSecondPerPeer: number }
  l1PollInterval: number
  logLevel: string
}

/**
 * The option specs every node executable shares (L1, deployment, data directory, RPC and p2p
 * addresses, polling, logs, fault injection), with the defaults of one executable.
 */
export function commonNodeOptionSpecs(defaults: {
  rpcPort: number
  p2pPort: number
  l1PollInterval: number
  faults: readonly string[]
}): OptionSpec[] {
  return [
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
      help: 'data directory (LevelDB, p2p key, …)',
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
      default: defaults.rpcPort,
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
      default: defaults.p2pPort,
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
      name: 'p2pRangeServes',
      flag: 'p2p-range-serves',
      env: 'SLUICE_P2P_RANGE_SERVES',
      kind: 'integer',
      default: 4,
      help: 'blocks-by-range answers served at once over all peers; more are refused as busy',
    },
    {
      name: 'p2pRangeBlocksPerSecond',
      flag: 'p2p-range-blocks-per-second',
      env: 'SLUICE_P2P_RANGE_BLOCKS_PER_SECOND',
      kind: 'integer',
      default: 1024,
      help: 'blocks served by blocks-by-range per second over all peers (token bucket)',
    },
    {
      name: 'p2pRangeBlocksPerSecondPerPeer',
      flag: 'p2p-range-blocks-per-second-per-peer',
      env: 'SLUICE_P2P_RANGE_BLOCKS_PER_SECOND_PER_PEER',
      kind: 'integer',
      default: 256,
      help: 'blocks served by blocks-by-range per second to one peer (token bucket)',
    },
    {
      name: 'l1PollInterval',
      flag: 'l1-poll-interval',
      env: 'SLUICE_L1_POLL_INTERVAL',
      kind: 'integer',
      default: defaults.l1PollInterval,
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
      help: `fault to inject: ${defaults.faults.join(', ')}`,
    },
  ]
}

/** The shared options of parsed `o`. */
export function commonNodeOptions(o: ParsedOptions): CommonNodeOptions {
  return {
    l1Rpc: o.l1Rpc as string,
    deployment: o.deployment as string,
    dataDir: o.dataDir as string,
    rpcHost: o.rpcHost as string,
    rpcPort: o.rpcPort as number,
    p2pHost: o.p2pHost as string,
    p2pPort: o.p2pPort as number,
    peers: (o.peers as string[]).filter((peer) => peer !== ''),
    p2pLimits: {
      maxConcurrentRangeServes: positive(o, 'p2pRangeServes', '--p2p-range-serves'),
      rangeBlocksPerSecond: positive(o, 'p2pRangeBlocksPerSecond', '--p2p-range-blocks-per-second'),
      rangeBlocksPerSecondPerPeer: positive(
        o,
        'p2pRangeBlocksPerSecondPerPeer',
        '--p2p-range-blocks-per-second-per-peer',
      ),
    },
    l1PollInterval: o.l1PollInterval as number,
    logLevel: o.logLevel as string,
  }
}

/** The faults of `o`, each one of `known`; refused unless `--enable-faults` is given too. */
export function parseFaults<F extends string>(o: ParsedOptions, known: readonly F[]): F[] {
  const faults = (o.faults as string[]).filter((fault) => fault !== '')
  for (const fault of faults) {
    if (!(known as readonly string[]).includes(fault)) {
      throw new NodeConfigError('--fault', `unknown fault "${fault}"`, `Known faults: ${known.join(', ')}.`)
    }
  }
  if (faults.length > 0 && o.enableFaults !== true) {
    throw new NodeConfigError(
      '--fault',
      'fault injection is disabled',
      'Faults are for tests and demonstrations only; add --enable-faults to allow them.',
    )
  }
  return faults as F[]
}

function positive(o: ParsedOptions, name: string, flag: string): number {
  const value = o[name] as number
  if (value < 1) throw new NodeConfigError(flag, 'must be at least 1', 'A limit of 0 would refuse every request.')
  return value
}
