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
  }
}
