import type { Logger } from 'pino'
import { type JsonRpcErrorObject, RPC_ERROR_CODES, type RpcError, toJsonRpcError } from './errors.ts'
import type { CallContext, MethodHandler } from './methods.ts'
import type { RpcMetrics } from './metrics.ts'

/** A JSON-RPC id as received: echoed back exactly. */
type Id = string | number | null

/** What the transport sends back: a JSON body (undefined when every call was a notification) and a status. */
export type DispatchResult = { status: number; body: string | undefined }

/**
 * Decides whether a client may make `calls` calls now; returns the refusal (rate limit) or undefined.
 * Called once per request or message, after parsing, before any call runs.
 */
export type Admission = (calls: number) => RpcError | undefined

function errorResponse(id: Id, error: JsonRpcErrorObject): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${JSON.stringify(error)}}`
}

function invalidRequest(message: string): JsonRpcErrorObject {
  return { code: RPC_ERROR_CODES.invalidRequest, message: `invalid request: ${message}` }
}

function shortName(method: string): string {
  return method.length > 64 ? `${method.slice(0, 64)}…` : method
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * JSON-RPC 2.0 over any transport: parses a body, validates each request by hand (no schema
 * validation on the hot path), runs the calls of a batch concurrently (so a submitter can
 * group-commit them), and serializes the answers. Never throws: a bug in a method is -32603 and logged.
 */
export class JsonRpcDispatcher {
  private readonly methods: Map<string, MethodHandler>
  private readonly maxBatchLength: number
  private readonly log: Logger
  private readonly metrics: RpcMetrics

  constructor(
    methods: Map<string, MethodHandler>,
    options: { maxBatchLength: number; log: Logger; metrics: RpcMetrics },
  ) {
    this.methods = methods
    this.maxBatchLength = options.maxBatchLength
    this.log = options.log
    this.metrics = options.metrics
  }

  /** Handles one HTTP body or WebSocket message. */
  async handle(text: string, context: CallContext, admit: Admission): Promise<DispatchResult> {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      const reason = error instanceof SyntaxError ? error.message : 'invalid JSON'
      return {
        status: 200,
        body: errorResponse(null, { code: RPC_ERROR_CODES.parseError, message: `parse error: ${reason}` }),
      }
    }

    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return { status: 200, body: errorResponse(null, invalidRequest('empty batch')) }
      if (parsed.length > this.maxBatchLength) {
        return {
          status: 200,
          body: errorResponse(
            null,
            invalidRequest(
              `batch too large: ${parsed.length} calls, at most ${this.maxBatchLength} per batch; split it`,
            ),
          ),
        }
      }
      const refusal = admit(parsed.length)
      if (refusal !== undefined) return this.refused(refusal)
      const pending: (string | undefined | Promise<string | undefined>)[] = new Array(parsed.length)
      let anyAsync = false
      for (let i = 0; i < parsed.length; i++) {
        const answer = this.call(parsed[i], context)
        if (typeof answer === 'object') anyAsync = true
        pending[i] = answer
      }
      const answers = anyAsync ? await Promise.all(pending) : (pending as (string | undefined)[])
      const parts = answers.filter((answer): answer is string => answer !== undefined)
      return { status: 200, body: parts.length === 0 ? undefined : `[${parts.join(',')}]` }
    }

    const refusal = admit(1)
    if (refusal !== undefined) return this.refused(refusal)
    return { status: 200, body: await this.call(parsed, context) }
  }

  private refused(error: RpcError): DispatchResult {
    return { status: error.httpStatus, body: errorResponse(null, toJsonRpcError(error).error) }
  }

  /** One request object: its answer as JSON text, or undefined for a notification (no id). */
  private call(request: unknown, context: CallContext): string | undefined | Promise<string | undefined> {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return errorResponse(null, invalidRequest('expected a JSON-RPC request object'))
    }
    const { jsonrpc, id, method, params } = request as Record<string, unknown>
    const isNotification = !Object.hasOwn(request, 'id')
    if (!isNotification && id !== null && typeof id !== 'string' && typeof id !== 'number') {
      return errorResponse(null, invalidRequest('id must be a string, a number or null'))
    }
    const replyId = (isNotification ? null : id) as Id
    if (jsonrpc !== '2.0') return errorResponse(replyId, invalidRequest('"jsonrpc" must be "2.0"'))
    if (typeof method !== 'string') return errorResponse(replyId, invalidRequest('"method" must be a string'))

    const handler = this.methods.get(method)
    if (handler === undefined) {
      this.metrics.call(method, false)
      if (isNotification) return undefined
      return errorResponse(replyId, {
        code: RPC_ERROR_CODES.methodNotFound,
        message: `the method ${shortName(method)} does not exist/is not available`,
      })
    }
    let args: readonly unknown[]
    if (params === undefined || params === null) args = []
    else if (Array.isArray(params)) args = params
    else {
      this.metrics.call(method, false)
      if (isNotification) return undefined
      return errorResponse(replyId, {
        code: RPC_ERROR_CODES.invalidParams,
        message: 'invalid params: named parameters are not supported; send "params" as an array',
      })
    }

    let result: unknown
    try {
      result = handler(args, context)
    } catch (error) {
      return this.failure(method, replyId, isNotification, error)
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => this.success(method, replyId, isNotification, value),
        (error: unknown) => this.failure(method, replyId, isNotification, error),
      )
    }
    return this.success(method, replyId, isNotification, result)
  }

  private success(method: string, id: Id, isNotification: boolean, result: unknown): string | undefined {
    let json: string | undefined
    try {
      json = JSON.stringify(result ?? null)
    } catch (error) {
      return this.failure(method, id, isNotification, error)
    }
    this.metrics.call(method, true)
    return isNotification ? undefined : `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${json}}`
  }

  private failure(method: string, id: Id, isNotification: boolean, error: unknown): string | undefined {
    this.metrics.call(method, false)
    const { error: answer, internal } = toJsonRpcError(error)
    if (internal) this.log.error({ err: error, method }, 'JSON-RPC method failed')
    else if (this.log.isLevelEnabled('debug'))
      this.log.debug({ method, code: answer.code, message: answer.message }, 'JSON-RPC call refused')
    return isNotification ? undefined : errorResponse(id, answer)
  }
}
