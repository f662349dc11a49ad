import { Buffer } from 'node:buffer'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import cors from '@fastify/cors'
import websocket from '@fastify/websocket'
import { transactionRecords, unpackTransaction } from '@sluice/core'
import Fastify, {
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RouteShorthandOptionsWithHandler,
} from 'fastify'
import { type Logger, pino } from 'pino'
import { Registry } from 'prom-client'
import { rateLimitedLog } from '../ops/rateLimitedLog.ts'
import { ConnectionGuard, connectionLimit, fileDescriptorLimit } from './connections.ts'
import { createCostModel } from './cost.ts'
import { type Admission, type DispatchResult, JsonRpcDispatcher } from './dispatch.ts'
import { RPC_ERROR_CODES, RpcError } from './errors.ts'
import { explorerStatic } from './explorerStatic.ts'
import { FilterStore } from './filters.ts'
import { toJson } from './format.ts'
import { type CallContext, createMethods } from './methods.ts'
import { createRpcMetrics } from './metrics.ts'
import { RateLimiter } from './rateLimit.ts'
import { SubscriptionHub, type WebSocketLike, WebSocketSender } from './subscriptions.ts'
import {
  DEFAULT_RPC_LIMITS,
  type HealthReport,
  type RpcLimits,
  type RpcServerOptions,
  type SendBodyIntake,
} from './types.ts'

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
interface ServerWebSocket extends WebSocketLike {
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown
  on(event: 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

const JSON_TYPES = ['application/json', 'application/json-rpc', 'application/jsonrequest']
/** Closes a WebSocket opened past the connection cap ("try again later"). */
const CLOSE_TRY_LATER = 1013
/** RFC 6455's close code for a connection refused by the server's policy (an unknown API key). */
const CLOSE_POLICY_VIOLATION = 1008

/** Whose allowance a request is charged to: an API key's (`keyName`) or an IP's. */
type RateClient = {
  /** The limiter's bucket: the key's name or the IP. */
  readonly id: string
  readonly keyName?: string
  /** Undefined: unlimited. */
  readonly limiter: RateLimiter | undefined
  readonly unitsPerSecond: number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Whose allowance an HTTP JSON-RPC request is charged to, resolved once in its `onRequest`. */
    rateClient: RateClient | undefined
  }
}

/** The API key a request presents in its URL (`/key/<key>`) or as `Authorization: Bearer <key>`. */
function presentedApiKey(request: FastifyRequest): string | undefined {
  const fromPath = (request.params as { key?: string } | undefined)?.key
  if (fromPath !== undefined) return fromPath
  const authorization = request.headers.authorization
  return authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : undefined
}

/** A prepared body's answer when every call it admitted is durable. */
const NOTHING_WITHDRAWN: ReadonlyMap<number, unknown> = new Map()

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
 * JSON-RPC on `/` (upgrade) and `/ws` with `eth_subscribe` (newHeads, logs, newPendingTransactions,
 * syncing), the filter methods, `GET /health`, `GET /metrics`. Every resource a client can take has a
 * budget (docs/operator.md, "RPC limits"): connections in total and per IP (within the fd reserve),
 * header/request/idle timeouts, body size (413), batch length, cost per request and per IP per second
 * (429), response size, WebSocket connections, subscriptions and unsent output, filters. Every
 * refusal is a JSON-RPC error body or a WebSocket close reason, and nothing a client sends stops the
 * server or delays the node's own loops by more than a few milliseconds.
 */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const limits: RpcLimits = { ...DEFAULT_RPC_LIMITS, ...options.limits }
  const log = makeLogger(options.logger)
  const clientErrorLog = rateLimitedLog(log)
  const registry = options.metrics ?? new Registry()
  const metrics = createRpcMetrics(registry, [])
  const filters = new FilterStore({ chain: options.chain, limits, metrics })
  const sender = new WebSocketSender({
    perConnection: limits.maxWebSocketBufferedBytes,
    total: limits.maxWebSocketBufferedBytesTotal,
    metrics,
    log,
  })
  const hub = new SubscriptionHub({
    sender,
    limits: {
      perConnection: limits.maxSubscriptionsPerConnection,
      total: limits.maxSubscriptions,
      maxLogResults: limits.maxLogResults,
    },
    metrics,
  })
  // Every transaction this node accepts is announced to newPendingTransactions subscribers and filters.
  const announced = (hash: Uint8Array): Uint8Array => {
    hub.onPendingTransaction(hash)
    filters.onPendingTransaction(hash)
    return hash
  }
  const submit =
    options.submit === undefined
      ? undefined
      : async (raw: Uint8Array): Promise<Uint8Array> =>
          announced(await (options.submit as (raw: Uint8Array) => Promise<Uint8Array>)(raw))
  const methods = createMethods({
    chain: options.chain,
    submit,
    pending: options.pending,
    rollup: options.rollup,
    clientVersion: options.clientVersion,
    limits,
    suggestedPriorityFeePerGas: options.suggestedPriorityFeePerGas ?? 0n,
    filters,
  })
  const boundMetrics = createRpcMetrics(registry, methods.keys())
  const dispatcher = new JsonRpcDispatcher(methods, {
    maxBatchLength: limits.maxBatchLength,
    maxRequestCost: limits.maxRequestCost,
    maxResponseBytes: limits.maxResponseBytes,
    costOf: createCostModel(options.chain, limits),
    log,
    metrics: boundMetrics,
  })
  const sendBodies = options.submit === undefined ? undefined : options.sendBodies
  /**
   * An HTTP body or WebSocket message of `eth_sendRawTransaction` calls, parsed, decoded, hashed
   * and recovered in a sender worker; the main thread admits each transaction at once and answers
   * them all when the intake says they are durable. Any other body (or a worker failure) is answered
   * by `dispatcher.handle`, so errors stay exactly as they are there.
   */
  const handleSendBody = async (
    intake: SendBodyIntake,
    text: string,
    context: CallContext,
    admit: Admission,
  ): Promise<DispatchResult> => {
    const prepared = await intake.prepare(text, limits.maxBatchLength).catch(() => undefined)
    if (prepared === undefined) return dispatcher.handle(text, context, admit)
    const bytes = new Uint8Array(prepared.bytes)
    const offsets = new Uint32Array(prepared.offsets)
    const hashes = new Uint8Array(prepared.hashes)
    const senders = new Uint8Array(prepared.senders)
    const transactions = transactionRecords(prepared.transactions)
    const admission = intake.admission()
    /** The hash of each admitted transaction and its call, in admission order. */
    const admittedHashes: Uint8Array[] = []
    const admittedCalls: number[] = []
    return dispatcher.handlePrepared(
      {
        method: 'eth_sendRawTransaction',
        batch: prepared.batch,
        ids: prepared.ids,
        // Copies, not views: a pooled transaction must not keep the whole body's buffer alive.
        invoke: (i) => {
          const accepted = admission.admit(bytes.slice(offsets[i], offsets[i + 1]), {
            hash: hashes.slice(i * 32, i * 32 + 32),
            sender: senders.slice(i * 20, i * 20 + 20),
            tx: unpackTransaction(transactions, i),
          })
          admittedHashes.push(accepted.hash)
          admittedCalls.push(i)
          return accepted.hashHex
        },
        settle: async () => {
          const failures = await admission.durable()
          if (failures.length === 0) {
            for (const hash of admittedHashes) announced(hash)
            return NOTHING_WITHDRAWN
          }
          const withdrawn = new Map<number, unknown>()
          let next = 0
          for (let a = 0; a < admittedHashes.length; a++) {
            const failure = failures[next]
            if (failure !== undefined && failure.admitted === a) {
              withdrawn.set(admittedCalls[a] as number, failure.error)
              next++
            } else announced(admittedHashes[a] as Uint8Array)
          }
          return withdrawn
        },
      },
      admit,
    )
  }
  const explorer = explorerStatic()
  const limiter = limits.rateLimit === false ? undefined : new RateLimiter(limits.rateLimit)
  const ipUnitsPerSecond = limits.rateLimit === false ? Number.POSITIVE_INFINITY : limits.rateLimit.unitsPerSecond
  const keyedClients = new Map<string, RateClient>()
  for (const apiKey of limits.apiKeys) {
    const unlimited = apiKey.unitsPerSecond === 0
    keyedClients.set(apiKey.key, {
      id: apiKey.name,
      keyName: apiKey.name,
      unitsPerSecond: unlimited ? Number.POSITIVE_INFINITY : apiKey.unitsPerSecond,
      // A second's worth of burst, as the per-IP default allows two.
      limiter: unlimited
        ? undefined
        : new RateLimiter({ unitsPerSecond: apiKey.unitsPerSecond, burst: Math.max(1, apiKey.unitsPerSecond) }),
    })
  }
  /**
   * Whose allowance a request is charged to: the API key it presents (URL `/key/<key>` or
   * `Authorization: Bearer <key>`), or else its IP's. A key the node does not know is refused, never
   * quietly charged to the IP: a client with a mistyped key should find out at once.
   */
  const clientOf = (request: FastifyRequest): RateClient | RpcError => {
    const key = presentedApiKey(request)
    if (key === undefined) return { id: request.ip, limiter, unitsPerSecond: ipUnitsPerSecond }
    const client = keyedClients.get(key)
    if (client === undefined) {
      metrics.refused.inc({ limit: 'api_key' })
      return new RpcError(
        RPC_ERROR_CODES.invalidRequest,
        'unknown API key: check the key in the URL (/key/<key>) or the Authorization header, or leave it out to be limited per IP',
        { httpStatus: 401 },
      )
    }
    metrics.apiKeyRequests.inc({ key: client.id })
    return client
  }
  const fdLimit = fileDescriptorLimit()
  const maxConnections = connectionLimit(limits.maxConnections, limits.fdReserve, fdLimit)
  if (maxConnections < limits.maxConnections) {
    log.warn(
      { configured: limits.maxConnections, inForce: maxConnections, fdLimit, fdReserve: limits.fdReserve },
      'RPC connection cap lowered to keep the file-descriptor reserve; raise the open-files limit (ulimit -n) to allow more',
    )
  }
  const guard = new ConnectionGuard({ limit: maxConnections, perIpLimit: limits.maxConnectionsPerIp, metrics })
  const timers = [
    setInterval(() => {
      limiter?.sweep()
      for (const client of keyedClients.values()) client.limiter?.sweep()
    }, 30_000),
    setInterval(() => filters.sweep(), Math.min(60_000, limits.filterTimeoutMs)),
    setInterval(() => sender.resync(), 1_000),
  ]
  for (const timer of timers) timer.unref()

  const rateLimited = (client: RateClient): RpcError => {
    metrics.rateLimited.inc()
    metrics.refused.inc({ limit: 'rate' })
    const wait = client.limiter?.retryAfterSeconds(client.id) ?? 1
    const whose = client.keyName === undefined ? 'per client' : `for API key ${client.keyName}`
    return new RpcError(
      RPC_ERROR_CODES.limitExceeded,
      `rate limit exceeded: at most ${client.unitsPerSecond} cost units per second ${whose} (a simple call costs 1; ` +
        `eth_getLogs and eth_feeHistory one per block they read); retry in ${wait} s`,
      { httpStatus: 429 },
    )
  }
  const contextFor = (ip: string, client: RateClient): CallContext => ({
    transport: 'http',
    ip,
    charge: (units) => client.limiter?.charge(client.id, units),
  })
  const admitFor =
    (client: RateClient) =>
    (cost: number): RpcError | undefined =>
      client.limiter === undefined || client.limiter.take(client.id, cost) ? undefined : rateLimited(client)

  // Node's own http server, so that the slowloris timeouts are set where Node enforces them.
  const serverFactory = (handler: (request: IncomingMessage, response: ServerResponse) => void): Server => {
    const server = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // How often Node checks the two timeouts above (its default, 30 s, lets idle sockets pile up).
        connectionsCheckingInterval: Math.max(250, Math.min(1_000, limits.headersTimeoutMs / 4)),
      },
      handler,
    )
    server.setTimeout(limits.idleTimeoutMs)
    guard.attach(server)
    return server
  }

  const app = Fastify({
    loggerInstance: log,
    bodyLimit: limits.maxBodyBytes,
    trustProxy: options.trustProxy ?? false,
    // One log line per request would be noise at thousands of transactions per second.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: true,
    serverFactory,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    // Malformed HTTP and timed-out requests are the client's doing: counted, logged a few times a minute.
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return
      const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      metrics.clientErrors.inc({ kind: timeout ? 'http_timeout' : 'http' })
      if (!timeout) clientErrorLog({ code: error.code, ip: socket.remoteAddress }, 'HTTP client error')
      const status = timeout
        ? '408 Request Timeout'
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request'
      if (socket.writable) socket.write(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
      socket.destroy()
    },
  })
  // Declared up front so that every request object has the same shape (fastify's rule for request state).
  app.decorateRequest('rateClient', undefined)

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
  app.register(websocket, {
    options: { maxPayload: limits.maxBodyBytes },
    // A bad frame or an abrupt disconnect is the client's doing: counted, logged a few times a minute, never as a node error.
    errorHandler: (error: Error, socket: WebSocketLike, request: FastifyRequest) => {
      metrics.clientErrors.inc({ kind: 'ws' })
      clientErrorLog({ message: error.message, ip: request.ip }, 'WebSocket client error')
      socket.terminate()
    },
  })

  // --- WebSocket connections and subscriptions --------------------------------------------

  let openSockets = 0
  const stopHeads = options.chain.onNewHead((block) => {
    try {
      hub.onHead(block)
    } catch (error) {
      log.error({ err: error }, 'subscriptions: could not notify a new head')
    }
  })

  const wsHandler = (socket: ServerWebSocket, request: FastifyRequest): void => {
    guard.markWebSocket(request.raw.socket)
    if (openSockets >= limits.maxWebSocketConnections) {
      metrics.refused.inc({ limit: 'websocket_connections' })
      socket.close(
        CLOSE_TRY_LATER,
        `too many WebSocket connections (at most ${limits.maxWebSocketConnections}); try later`,
      )
      return
    }
    const client = clientOf(request)
    if (client instanceof RpcError) {
      socket.close(CLOSE_POLICY_VIOLATION, client.shortMessage)
      return
    }
    openSockets++
    metrics.webSocketConnections.inc()
    sender.add(socket)
    const subscriptions = hub.connection(socket)
    const context: CallContext = {
      transport: 'ws',
      ip: request.ip,
      subscriptions,
      charge: (units) => client.limiter?.charge(client.id, units),
    }
    const admit = admitFor(client)

    socket.on('message', (raw) => {
      if (client.limiter !== undefined && !client.limiter.mayProceed(client.id)) {
        const refusal = rateLimited(client)
        sender.send(socket, errorBody(refusal.rpcCode, refusal.shortMessage))
        return
      }
      const text = messageText(raw)
      // Sends take the sender workers here too (decode, hash and recovery off the main thread).
      const handled =
        sendBodies !== undefined && text.includes('"eth_sendRawTransaction"')
          ? handleSendBody(sendBodies, text, context, admit)
          : dispatcher.handle(text, context, admit)
      handled.then(
        (result: DispatchResult) => {
          if (result.body !== undefined) sender.send(socket, result.body)
        },
        (error: unknown) => log.error({ err: error }, 'WebSocket JSON-RPC message failed'),
      )
    })
    socket.on('close', () => {
      openSockets--
      metrics.webSocketConnections.dec()
      sender.remove(socket)
      subscriptions.close()
    })
  }

  // --- routes --------------------------------------------------------------------------------

  app.register(async (instance) => {
    const jsonRpcOverHttp: RouteShorthandOptionsWithHandler = {
      onRequest: (request, reply, done) => {
        const client = clientOf(request)
        if (client instanceof RpcError) {
          sendError(reply, 401, client.rpcCode, client.shortMessage)
          return
        }
        request.rateClient = client
        if (client.limiter !== undefined && !client.limiter.mayProceed(client.id)) {
          const refusal = rateLimited(client)
          reply.header('retry-after', String(client.limiter.retryAfterSeconds(client.id)))
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
        // Set by onRequest, which answered every request it could not resolve.
        const client = request.rateClient as RateClient
        const context = contextFor(request.ip, client)
        const result =
          sendBodies !== undefined && body.includes('"eth_sendRawTransaction"')
            ? await handleSendBody(sendBodies, body, context, admitFor(client))
            : await dispatcher.handle(body, context, admitFor(client))
        if (result.status === 429 && client.limiter !== undefined) {
          reply.header('retry-after', String(client.limiter.retryAfterSeconds(client.id)))
        }
        if (result.body === undefined) return reply.code(204).send()
        return reply.code(result.status).type('application/json').send(result.body)
      },
    }
    instance.post('/', jsonRpcOverHttp)
    instance.post('/key/:key', jsonRpcOverHttp)

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
    instance.route({
      method: 'GET',
      url: '/key/:key',
      handler: (_request, reply) =>
        sendError(
          reply,
          405,
          RPC_ERROR_CODES.invalidRequest,
          'JSON-RPC over HTTP uses POST with an application/json body; GET /key/<key> is for WebSocket upgrades',
        ),
      wsHandler,
    })
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
      for (const timer of timers) clearInterval(timer)
      hub.clear()
      filters.clear()
      await app.close()
    },
    address: () => bound,
  }
}
