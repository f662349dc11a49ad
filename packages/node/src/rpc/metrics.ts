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

export function createRpcMetrics(registry: Registry, knownMethods: Iterable<string>): RpcMetrics {
  const calls =
    existing<Counter<'method' | 'outcome'>>(registry, 'sluice_rpc_calls_total') ??
    new Counter({
      name: 'sluice_rpc_calls_total',
      help: 'JSON-RPC calls answered, by method and outcome (ok or error)',
      labelNames: ['method', 'outcome'],
      registers: [registry],
    })
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

  // Children bound once per label pair: the hot path does a Map lookup, not a label hash.
  const children = new Map<string, { ok: Counter.Internal; error: Counter.Internal }>()
  const bind = (method: string) => ({ ok: calls.labels(method, 'ok'), error: calls.labels(method, 'error') })
  for (const method of knownMethods) children.set(method, bind(method))
  const unknown = bind('unknown')

  return {
    call(method, ok) {
      const child = children.get(method) ?? unknown
      ;(ok ? child.ok : child.error).inc()
    },
    httpDuration,
    rateLimited,
    webSocketConnections,
    refused,
    connections,
    connectionLimit,
    slowConsumersDropped,
    webSocketBufferedBytes,
    subscriptions,
    filters,
    clientErrors,
  }
}
