import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** The RPC server's metrics, registered once per registry (two servers on one registry share them). */
export type RpcMetrics = {
  /** Counts one call by method and outcome. Unknown method names are counted as `unknown`. */
  call(method: string, ok: boolean): void
  /** Seconds per HTTP request (a whole batch is one request). */
  httpDuration: Histogram<'status'>
  /** Requests and WebSocket messages refused by the per-client rate limit. */
  rateLimited: Counter
  webSocketConnections: Gauge
  /** Anything refused by a limit, by limit (connections, request cost, subscriptions, filters, …). */
  refused: Counter<'limit'>
  /** HTTP requests and WebSocket connections that presented an API key, by the key's name. */
  apiKeyRequests: Counter<'key'>
  /** Open TCP connections of the RPC server by kind (http, ws). */
  connections: Gauge<'kind'>
  /** The connection cap in force (the configured one, cut to keep the file-descriptor reserve). */
  connectionLimit: Gauge
  /** WebSocket connections closed because the client did not read, by budget (connection, total). */
  slowConsumersDropped: Counter<'budget'>
  /** Unsent WebSocket output over all connections, as last observed. */
  webSocketBufferedBytes: Gauge
  /** Live subscriptions by kind. */
  subscriptions: Gauge<'kind'>
  /** Installed filters. */
  filters: Gauge
  /** Client protocol errors (bad WebSocket frames, malformed HTTP), counted; logged at most a few per minute. */
  clientErrors: Counter<'kind'>
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined
}

/** One method's calls counted since `sluice_rpc_calls_total` was last read. */
type UncollectedCalls = { method: string; ok: number; error: number }

/**
 * Each calls counter's uncollected counts, shared by the servers on its registry. A call is counted
 * in plain numbers and added to the counter when it is read (its `collect`): prom-client's labelled
 * `inc` hashes the labels into a new string and returns a new object every time, ~240 B per call on
 * the send path (hundreds of calls per batch body).
 */
const uncollectedByCounter = new WeakMap<Counter<'method' | 'outcome'>, Map<string, UncollectedCalls>>()

function callsCounter(registry: Registry): Counter<'method' | 'outcome'> {
  const found = existing<Counter<'method' | 'outcome'>>(registry, 'sluice_rpc_calls_total')
  if (found !== undefined) return found
  const uncollected = new Map<string, UncollectedCalls>()
  const counter = new Counter({
    name: 'sluice_rpc_calls_total',
    help: 'JSON-RPC calls answered, by method and outcome (ok or error)',
    labelNames: ['method', 'outcome'],
    registers: [registry],
    collect() {
      for (const counts of uncollected.values()) {
        if (counts.ok > 0) this.inc({ method: counts.method, outcome: 'ok' }, counts.ok)
        if (counts.error > 0) this.inc({ method: counts.method, outcome: 'error' }, counts.error)
        counts.ok = 0
        counts.error = 0
      }
    },
  })
  uncollectedByCounter.set(counter, uncollected)
  return counter
}

export function createRpcMetrics(registry: Registry, knownMethods: Iterable<string>): RpcMetrics {
  const calls = callsCounter(registry)
  const httpDuration =
    existing<Histogram<'status'>>(registry, 'sluice_rpc_http_request_seconds') ??
    new Histogram({
      name: 'sluice_rpc_http_request_seconds',
      help: 'Time to answer one HTTP JSON-RPC request (a batch is one request), by HTTP status',
      labelNames: ['status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    })
  const rateLimited =
    existing<Counter>(registry, 'sluice_rpc_rate_limited_total') ??
    new Counter({
      name: 'sluice_rpc_rate_limited_total',
      help: 'HTTP requests and WebSocket messages refused by the per-client rate limit',
      registers: [registry],
    })
  const webSocketConnections =
    existing<Gauge>(registry, 'sluice_rpc_websocket_connections') ??
    new Gauge({
      name: 'sluice_rpc_websocket_connections',
      help: 'Open JSON-RPC WebSocket connections',
      registers: [registry],
    })

  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    existing<Gauge<L>>(registry, name) ?? new Gauge<L>({ name, help, labelNames, registers: [registry] })
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    existing<Counter<L>>(registry, name) ?? new Counter<L>({ name, help, labelNames, registers: [registry] })
  const refused = counter(
    'sluice_rpc_refused_total',
    'Requests, connections, subscriptions and filters refused by a limit, by limit',
    ['limit'],
  )
  const apiKeyRequests = counter(
    'sluice_rpc_api_key_requests_total',
    'HTTP requests and WebSocket connections that presented a known API key, by key name',
    ['key'],
  )
  const connections = gauge('sluice_rpc_connections', 'Open RPC TCP connections by kind (http, ws)', ['kind'])
  const connectionLimit = gauge(
    'sluice_rpc_connection_limit',
    'RPC connection cap in force (after the file-descriptor reserve)',
  )
  const slowConsumersDropped = counter(
    'sluice_rpc_ws_slow_consumers_dropped_total',
    'WebSocket connections closed because the client did not read its messages, by budget exceeded (connection, total)',
    ['budget'],
  )
  const webSocketBufferedBytes = gauge('sluice_rpc_ws_buffered_bytes', 'Unsent WebSocket output over all connections')
  const subscriptions = gauge('sluice_rpc_subscriptions', 'Live eth_subscribe subscriptions by kind', ['kind'])
  const filters = gauge(
    'sluice_rpc_filters',
    'Installed filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter)',
  )
  const clientErrors = counter(
    'sluice_rpc_client_errors_total',
    'Client protocol errors (bad WebSocket frames, malformed HTTP) by kind',
    ['kind'],
  )

  // Counts bound once per method: the hot path does a Map lookup and an addition, not a label hash.
  // A counter registered by something else (no uncollected counts of ours) is counted into directly.
  const uncollected = uncollectedByCounter.get(calls)
  const children = new Map<string, UncollectedCalls>()
  const bind = (method: string): UncollectedCalls => {
    const shared = uncollected?.get(method)
    if (shared !== undefined) return shared
    const counts = { method, ok: 0, error: 0 }
    uncollected?.set(method, counts)
    return counts
  }
  for (const method of knownMethods) children.set(method, bind(method))
  const unknown = bind('unknown')

  return {
    call(method, ok) {
      const counts = children.get(method) ?? unknown
      if (uncollected === undefined) calls.inc({ method: counts.method, outcome: ok ? 'ok' : 'error' })
      else if (ok) counts.ok++
      else counts.error++
    },
    httpDuration,
    rateLimited,
    webSocketConnections,
    refused,
    apiKeyRequests,
    connections,
    connectionLimit,
    slowConsumersDropped,
    webSocketBufferedBytes,
    subscriptions,
    filters,
    clientErrors,
  }
}
