import { Buffer } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import cors from '@fastify/cors'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import { type Logger, pino } from 'pino'
import { Registry } from 'prom-client'
import type { StoredBlock } from '../chain/types.ts'
import { type DispatchResult, JsonRpcDispatcher } from './dispatch.ts'
import { RPC_ERROR_CODES, RpcError } from './errors.ts'
import { explorerStatic } from './explorerStatic.ts'
import { formatHeader, toJson } from './format.ts'
import { type CallContext, createMethods, type SubscriptionHost } from './methods.ts'
import { createRpcMetrics } from './metrics.ts'
import { RateLimiter } from './rateLimit.ts'
import { DEFAULT_RPC_LIMITS, type HealthReport, type RpcLimits, type RpcServerOptions } from './types.ts'

/** A running (or ready to run) JSON-RPC server. */
export type RpcServer = {
  /** Starts serving; resolves with the bound address (port 0 picks a free port). */
  listen(host: string, port: number): Promise<RpcServerAddress>
  /** Stops accepting, closes WebSockets and idle connections, and detaches from the chain. */
  close(): Promise<void>
  /** The bound address once listening. */
  address(): RpcServerAddress | undefined
}

export type RpcServerAddress = { host: string; port: number; url: string; wsUrl: string }

/** What the server uses of a `ws` WebSocket (the `ws` package ships no types here). */
interface WebSocketLike {
  readonly readyState: number
  readonly bufferedAmount: number
  send(data: string): void
  close(code?: number, reason?: string): void
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown
  on(event: 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

const WS_OPEN = 1
const JSON_TYPES = ['application/json', 'application/json-rpc', 'application/jsonrequest']
const HTTP_CONTEXT: CallContext = { transport: 'http' }

function errorBody(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } })
}

function messageText(raw: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8')
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8')
  return raw.toString('utf8')
}

function makeLogger(option: RpcServerOptions['logger']): Logger {
  if (option === undefined || typeof option === 'string') {
    return pino({ level: option ?? 'info', base: { component: 'rpc' } })
  }
  return option.child({ component: 'rpc' })
}

/**
 * The node's JSON-RPC server (fastify): `POST /` for HTTP JSON-RPC (single and batch), WebSocket
 * JSON-RPC on `/` (upgrade) and `/ws` with `eth_subscribe newHeads`, `GET /health`, `GET /metrics`.
 * Limits: body size (413), batch length, per-IP rate (429), content type (415); CORS for browsers.
 * Every refusal is a JSON-RPC error body, and nothing a client sends stops the server.
 */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const limits: RpcLimits = { ...DEFAULT_RPC_LIMITS, ...options.limits }
  const log = makeLogger(options.logger)
  const registry = options.metrics ?? new Registry()
  const methods = createMethods({
    chain: options.chain,
    submit: options.submit,
    pending: options.pending,
    rollup: options.rollup,
    clientVersion: options.clientVersion,
    limits,
    suggestedPriorityFeePerGas: options.suggestedPriorityFeePerGas ?? 0n,
  })
  const metrics = createRpcMetrics(registry, methods.keys())
  const explorer = explorerStatic()
  const dispatcher = new JsonRpcDispatcher(methods, { maxBatchLength: limits.maxBatchLength, log, metrics })
  const limiter = limits.rateLimit === false ? undefined : new RateLimiter(limits.rateLimit)
  const sweep = limiter === undefined ? undefined : setInterval(() => limiter.sweep(), 30_000)
  sweep?.unref()

  const callsPerSecond = limits.rateLimit === false ? Number.POSITIVE_INFINITY : limits.rateLimit.callsPerSecond
  const rateLimited = (ip: string): RpcError => {
    metrics.rateLimited.inc()
    const wait = limiter?.retryAfterSeconds(ip) ?? 1
    return new RpcError(
      RPC_ERROR_CODES.limitExceeded,
      `rate limit exceeded: at most ${callsPerSecond} calls per second per client; retry in ${wait} s`,
      { httpStatus: 429 },
    )
  }
  const admitFor =
    (ip: string) =>
    (calls: number): RpcError | undefined =>
      limiter === undefined || limiter.take(ip, calls) ? undefined : rateLimited(ip)

  const app = Fastify({
    loggerInstance: log,
    bodyLimit: limits.maxBodyBytes,
    trustProxy: options.trustProxy ?? false,
    // One log line per request would be noise at thousands of transactions per second.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: true,
  })

  app.removeAllContentTypeParsers()
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body))

  const sendError = (reply: FastifyReply, status: number, code: number, message: string): FastifyReply =>
    reply.code(status).type('application/json').send(errorBody(code, message))

  app.setErrorHandler((error: FastifyError, request, reply) => {
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(
          reply,
          413,
          RPC_ERROR_CODES.invalidRequest,
          `request body too large: the limit is ${limits.maxBodyBytes} bytes; send smaller batches`,
        )
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(
          reply,
          415,
          RPC_ERROR_CODES.invalidRequest,
          `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '(none)')}: send JSON-RPC as application/json`,
        )
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      return sendError(reply, status, RPC_ERROR_CODES.invalidRequest, `invalid request: ${error.message}`)
    }
    request.log.error({ err: error, url: request.url }, 'RPC server error')
    return sendError(reply, 500, RPC_ERROR_CODES.internal, 'internal error: the node failed to answer; see its logs')
  })

  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      RPC_ERROR_CODES.invalidRequest,
      `no such endpoint: ${request.method} ${request.url.slice(0, 100)}; JSON-RPC is served by POST / and WebSocket on / and /ws`,
    ),
  )

  app.register(cors, {
    origin: typeof options.corsOrigin === 'object' ? [...options.corsOrigin] : (options.corsOrigin ?? true),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type'],
    maxAge: 86_400,
  })
  app.register(websocket, { options: { maxPayload: limits.maxBodyBytes } })

  // --- WebSocket connections and newHeads ------------------------------------------------------

  /** Connections with at least one newHeads subscription, and their subscription ids. */
  const headSubscribers = new Map<WebSocketLike, Set<string>>()
  let openSockets = 0

  const send = (socket: WebSocketLike, text: string): void => {
    if (socket.readyState !== WS_OPEN) return
    if (socket.bufferedAmount > limits.maxWebSocketBufferedBytes) {
      // A reader that does not keep up would grow our memory without bound.
      socket.close(1008, 'the client does not read its messages fast enough')
      return
    }
    socket.send(text)
  }

  const stopHeads = options.chain.onNewHead((block: StoredBlock) => {
    if (headSubscribers.size === 0) return
    let header: string
    try {
      header = JSON.stringify(formatHeader(block))
    } catch (error) {
      log.error({ err: error }, 'newHeads: could not format the block')
      return
    }
    for (const [socket, ids] of headSubscribers) {
      for (const id of ids) {
        send(
          socket,
          `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":${header}}}`,
        )
      }
    }
  })

  const wsHandler = (socket: WebSocketLike, request: FastifyRequest): void => {
    if (openSockets >= limits.maxWebSocketConnections) {
      socket.close(1013, `too many WebSocket connections (at most ${limits.maxWebSocketConnections}); try later`)
      return
    }
    openSockets++
    metrics.webSocketConnections.inc()
    const ip = request.ip
    const ids = new Set<string>()
    const subscriptions: SubscriptionHost = {
      subscribe() {
        if (ids.size >= limits.maxSubscriptionsPerConnection) {
          throw new RpcError(
            RPC_ERROR_CODES.limitExceeded,
            `too many subscriptions on this connection (at most ${limits.maxSubscriptionsPerConnection})`,
          )
        }
        const id = `0x${randomBytes(16).toString('hex')}`
        ids.add(id)
        headSubscribers.set(socket, ids)
        return id
      },
      unsubscribe(id) {
        const removed = ids.delete(id)
        if (ids.size === 0) headSubscribers.delete(socket)
        return removed
      },
    }
    const context: CallContext = { transport: 'ws', subscriptions }
    const admit = admitFor(ip)

    socket.on('message', (raw) => {
      if (limiter !== undefined && !limiter.mayProceed(ip)) {
        const refusal = rateLimited(ip)
        send(socket, errorBody(refusal.rpcCode, refusal.shortMessage))
        return
      }
      dispatcher.handle(messageText(raw), context, admit).then(
        (result: DispatchResult) => {
          if (result.body !== undefined) send(socket, result.body)
        },
        (error: unknown) => log.error({ err: error }, 'WebSocket JSON-RPC message failed'),
      )
    })
    socket.on('error', (error) => log.debug({ err: error, ip }, 'WebSocket error'))
    socket.on('close', () => {
      openSockets--
      metrics.webSocketConnections.dec()
      headSubscribers.delete(socket)
      ids.clear()
    })
  }

  // --- routes --------------------------------------------------------------------------------

  app.register(async (instance) => {
    instance.post('/', {
      onRequest: (request, reply, done) => {
        if (limiter !== undefined && !limiter.mayProceed(request.ip)) {
          const refusal = rateLimited(request.ip)
          reply.header('retry-after', String(limiter.retryAfterSeconds(request.ip)))
          sendError(reply, 429, refusal.rpcCode, refusal.shortMessage)
          return
        }
        done()
      },
      onResponse: (_request, reply, done) => {
        metrics.httpDuration.observe({ status: String(reply.statusCode) }, reply.elapsedTime / 1000)
        done()
      },
      handler: async (request, reply) => {
        const body = request.body
        if (typeof body !== 'string') {
          return sendError(
            reply,
            415,
            RPC_ERROR_CODES.invalidRequest,
            `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '(none)')}: send JSON-RPC as application/json`,
          )
        }
        const result = await dispatcher.handle(body, HTTP_CONTEXT, admitFor(request.ip))
        if (result.status === 429 && limiter !== undefined) {
          reply.header('retry-after', String(limiter.retryAfterSeconds(request.ip)))
        }
        if (result.body === undefined) return reply.code(204).send()
        return reply.code(result.status).type('application/json').send(result.body)
      },
    })

    instance.route({
      method: 'GET',
      url: '/',
      handler: (request, reply) =>
        explorer.index(request, reply) ??
        sendError(
          reply,
          405,
          RPC_ERROR_CODES.invalidRequest,
          'JSON-RPC over HTTP uses POST with an application/json body; GET / is for WebSocket upgrades',
        ),
      wsHandler,
    })
    instance.get('/ws', { websocket: true }, wsHandler)
    instance.get('/assets/:file', explorer.asset)

    instance.get('/health', async (_request, reply) => {
      let report: HealthReport
      try {
        report = options.health === undefined ? { healthy: true } : await options.health()
      } catch (error) {
        log.error({ err: error }, 'health check failed')
        report = {
          healthy: false,
          reason: `the health check failed: ${error instanceof Error ? error.message : String(error)}`,
        }
      }
      const details = (toJson(report.details ?? {}) ?? {}) as Record<string, unknown>
      const body = report.healthy
        ? { status: 'ok', ...details }
        : { status: 'unavailable', reason: report.reason, ...details }
      return reply
        .code(report.healthy ? 200 : 503)
        .type('application/json')
        .send(JSON.stringify(body))
    })

    instance.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
  })

  let bound: RpcServerAddress | undefined
  let closed = false

  return {
    async listen(host, port) {
      await app.listen({ host, port })
      const info = app.server.address() as AddressInfo
      const hostPart = info.family === 'IPv6' ? `[${info.address}]` : info.address
      bound = {
        host: info.address,
        port: info.port,
        url: `http://${hostPart}:${info.port}`,
        wsUrl: `ws://${hostPart}:${info.port}`,
      }
      log.info({ url: bound.url }, 'JSON-RPC server listening')
      return bound
    },
    async close() {
      if (closed) return
      closed = true
      stopHeads()
      if (sweep !== undefined) clearInterval(sweep)
      headSubscribers.clear()
      await app.close()
    },
    address: () => bound,
  }
}
