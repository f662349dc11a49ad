import { readFileSync } from 'node:fs'
import { DEFAULT_NODE_CACHE_BYTES, DEFAULT_RESIDENT_DEPTH } from '@sluice/core'
import { ApiKeyFileError, parseApiKeys } from '../rpc/apiKeys.ts'
import { DEFAULT_RPC_LIMITS, type RpcLimits } from '../rpc/types.ts'
import { NodeConfigError, type OptionSpec, type ParsedOptions } from './options.ts'

/** The options every node executable has, parsed. */
export type CommonNodeOptions = {
  l1Rpc: string
  /**
   * Beacon API base URL that blob batches are read from (`/eth/v1/beacon/blobs/{block_id}`). Without
   * it the node derives calldata batches only and waits, reporting it, at the first blob batch.
   */
  l1Beacon: string | undefined
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
  /** The RPC server's limits (docs/operator.md, "RPC limits"). */
  rpcLimits: RpcLimits
  /** `/health` fails when no L1 poll completed for this long (ms). */
  healthMaxL1PollAge: number
  /** `/health` fails when no block was sealed (sequencer) or derived turn completed for this long (ms). */
  healthMaxSealAge: number
  /** Bytes of the trie node cache over the node's store (`--trie-cache-mib`); 0: none. */
  trieCacheBytes: number
}

const MIB = 1024 * 1024
/** The largest node cache (`NodeCache` indexes up to 1 GiB). */
const MAX_TRIE_CACHE_MIB = 1024

type NumericLimit = Exclude<keyof RpcLimits, 'rateLimit' | 'apiKeys'>

/** One flag per numeric RPC limit; defaults from `DEFAULT_RPC_LIMITS`, the one place they are set. */
const RPC_LIMIT_FLAGS: readonly { name: NumericLimit; flag: string; help: string }[] = [
  {
    name: 'maxConnections',
    flag: 'rpc-max-connections',
    help: 'open RPC connections (HTTP and WebSocket), at most the fd limit minus --rpc-fd-reserve',
  },
  {
    name: 'maxConnectionsPerIp',
    flag: 'rpc-max-connections-per-ip',
    help: 'open RPC connections per client IP (0: no cap, e.g. behind a proxy)',
  },
  { name: 'fdReserve', flag: 'rpc-fd-reserve', help: 'file descriptors kept for the node itself (L1, LevelDB, p2p)' },
  { name: 'maxWebSocketConnections', flag: 'rpc-max-ws-connections', help: 'open WebSocket connections' },
  {
    name: 'maxSubscriptionsPerConnection',
    flag: 'rpc-max-subscriptions-per-connection',
    help: 'eth_subscribe subscriptions per WebSocket connection',
  },
  { name: 'maxSubscriptions', flag: 'rpc-max-subscriptions', help: 'eth_subscribe subscriptions over all connections' },
  {
    name: 'maxWebSocketBufferedBytes',
    flag: 'rpc-ws-buffer-per-connection',
    help: 'bytes of unsent WebSocket output per connection before a slow reader is dropped',
  },
  {
    name: 'maxWebSocketBufferedBytesTotal',
    flag: 'rpc-ws-buffer-total',
    help: 'bytes of unsent WebSocket output over all connections',
  },
  {
    name: 'maxRequestCost',
    flag: 'rpc-max-request-cost',
    help: 'cost units one request or batch may cost (about one per block read)',
  },
  { name: 'maxResponseBytes', flag: 'rpc-max-response-bytes', help: 'bytes of one answer (a whole batch)' },
  { name: 'maxBodyBytes', flag: 'rpc-max-body-bytes', help: 'bytes of one request body or WebSocket message' },
  { name: 'maxBatchLength', flag: 'rpc-max-batch-length', help: 'calls in one batch' },
  {
    name: 'maxLogBlockRange',
    flag: 'rpc-max-log-block-range',
    help: 'blocks one eth_getLogs (or log-filter poll) may scan',
  },
  { name: 'maxLogResults', flag: 'rpc-max-log-results', help: 'logs one eth_getLogs may return' },
  { name: 'maxFeeHistoryBlocks', flag: 'rpc-max-fee-history-blocks', help: 'blocks one eth_feeHistory reports' },
  { name: 'maxStorageKeys', flag: 'rpc-max-storage-keys', help: 'storage keys in one eth_getProof' },
  { name: 'maxFilters', flag: 'rpc-max-filters', help: 'installed filters (eth_newFilter and co.)' },
  { name: 'maxFiltersPerIp', flag: 'rpc-max-filters-per-ip', help: 'installed filters per client IP' },
  {
    name: 'filterTimeoutMs',
    flag: 'rpc-filter-timeout',
    help: 'milliseconds after which a filter not polled is removed',
  },
  { name: 'headersTimeoutMs', flag: 'rpc-headers-timeout', help: 'milliseconds a client has to send request headers' },
  { name: 'requestTimeoutMs', flag: 'rpc-request-timeout', help: 'milliseconds a client has to send a whole request' },
  {
    name: 'keepAliveTimeoutMs',
    flag: 'rpc-keep-alive-timeout',
    help: 'milliseconds an idle keep-alive connection stays open',
  },
  { name: 'idleTimeoutMs', flag: 'rpc-idle-timeout', help: 'milliseconds a silent HTTP connection stays open' },
]

const envName = (flag: string) => `SLUICE_${flag.toUpperCase().replaceAll('-', '_')}`

function rpcLimitSpecs(): OptionSpec[] {
  const defaultRate = DEFAULT_RPC_LIMITS.rateLimit === false ? undefined : DEFAULT_RPC_LIMITS.rateLimit
  return [
    ...RPC_LIMIT_FLAGS.map(
      (limit): OptionSpec => ({
        name: limit.name,
        flag: limit.flag,
        env: envName(limit.flag),
        kind: 'integer',
        default: DEFAULT_RPC_LIMITS[limit.name],
        help: limit.help,
      }),
    ),
    {
      name: 'rpcRateLimit',
      flag: 'rpc-rate-limit',
      env: 'SLUICE_RPC_RATE_LIMIT',
      kind: 'integer',
      default: defaultRate?.unitsPerSecond ?? 0,
      help: 'cost units per second per client IP (0: no rate limit)',
    },
    {
      name: 'rpcApiKeys',
      flag: 'rpc-api-keys',
      env: 'SLUICE_RPC_API_KEYS',
      kind: 'string',
      help: 'JSON file of API keys, [{ "name", "key", "unitsPerSecond" }] (0: unlimited): a client sending a key (URL /key/<key> or Authorization: Bearer <key>) is held to its own allowance, not its IP\'s',
    },
    {
      name: 'rpcRateBurst',
      flag: 'rpc-rate-burst',
      env: 'SLUICE_RPC_RATE_BURST',
      kind: 'integer',
      default: defaultRate?.burst ?? 0,
      help: 'cost units a client may spend at once after being idle',
    },
  ]
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
      name: 'l1Beacon',
      flag: 'l1-beacon',
      env: 'SLUICE_L1_BEACON',
      kind: 'url',
      help: 'L1 beacon API URL that blob batches are read from (anvil: its RPC URL); without it blob batches cannot be derived',
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
      name: 'healthMaxL1PollAge',
      flag: 'health-max-l1-poll-age',
      env: 'SLUICE_HEALTH_MAX_L1_POLL_AGE',
      kind: 'integer',
      default: 30_000,
      help: '/health answers 503 when no L1 poll completed for this many milliseconds',
    },
    {
      name: 'healthMaxSealAge',
      flag: 'health-max-seal-age',
      env: 'SLUICE_HEALTH_MAX_SEAL_AGE',
      kind: 'integer',
      default: 10_000,
      help: '/health answers 503 when the sequencer sealed no block for this many milliseconds',
    },
    {
      name: 'trieCacheMiB',
      flag: 'trie-cache-mib',
      env: 'SLUICE_TRIE_CACHE_MIB',
      kind: 'integer',
      default: DEFAULT_NODE_CACHE_BYTES / MIB,
      help: `MiB of trie nodes below the resident depth kept in memory, plus 1/16 for their index (0: none; at most ${MAX_TRIE_CACHE_MIB})`,
    },
    ...rpcLimitSpecs(),
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
    l1Beacon: beaconUrl(o.l1Beacon as string | undefined),
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
    rpcLimits: rpcLimits(o),
    healthMaxL1PollAge: o.healthMaxL1PollAge as number,
    healthMaxSealAge: o.healthMaxSealAge as number,
    trieCacheBytes: trieCacheBytes(o),
  }
}

function trieCacheBytes(o: ParsedOptions): number {
  const mib = o.trieCacheMiB as number
  if (mib > MAX_TRIE_CACHE_MIB) {
    throw new NodeConfigError(
      '--trie-cache-mib (env SLUICE_TRIE_CACHE_MIB)',
      `${mib} MiB is above the largest node cache, ${MAX_TRIE_CACHE_MIB} MiB`,
      `Give 0 (no cache) to ${MAX_TRIE_CACHE_MIB}; the default is ${DEFAULT_NODE_CACHE_BYTES / MIB}. Past the nodes the state has below depth ${DEFAULT_RESIDENT_DEPTH}, more only takes memory.`,
    )
  }
  return mib * MIB
}

function rpcLimits(o: ParsedOptions): RpcLimits {
  const limits: RpcLimits = { ...DEFAULT_RPC_LIMITS }
  for (const { name } of RPC_LIMIT_FLAGS) limits[name] = o[name] as number
  const unitsPerSecond = o.rpcRateLimit as number
  const burst = o.rpcRateBurst as number
  if (unitsPerSecond > 0 && burst < 1) {
    throw new NodeConfigError('--rpc-rate-burst', 'must be at least 1 when --rpc-rate-limit is set')
  }
  limits.rateLimit = unitsPerSecond === 0 ? false : { unitsPerSecond, burst }
  const keyFile = o.rpcApiKeys as string | undefined
  if (keyFile !== undefined) limits.apiKeys = readApiKeys(keyFile)
  return limits
}

function readApiKeys(file: string): RpcLimits['apiKeys'] {
  const field = '--rpc-api-keys (env SLUICE_RPC_API_KEYS)'
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new NodeConfigError(field, `cannot read ${file}: ${(error as Error).message}`)
  }
  try {
    return parseApiKeys(text, file)
  } catch (error) {
    if (error instanceof ApiKeyFileError) {
      throw new NodeConfigError(
        field,
        error.message,
        'Fix the file or leave the option out (every client is then limited per IP).',
      )
    }
    throw error
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

/** The beacon API is plain HTTP (REST): a WebSocket URL is a mistake worth naming at start. */
function beaconUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const { protocol } = new URL(raw)
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new NodeConfigError(
      '--l1-beacon (env SLUICE_L1_BEACON)',
      `unsupported protocol ${protocol}: the beacon API is served over HTTP`,
      "Give the beacon node's REST URL, e.g. http://127.0.0.1:5052 (on anvil: its RPC URL).",
    )
  }
  return raw.replace(/\/+$/, '')
}

function positive(o: ParsedOptions, name: string, flag: string): number {
  const value = o[name] as number
  if (value < 1) throw new NodeConfigError(flag, 'must be at least 1', 'A limit of 0 would refuse every request.')
  return value
}
