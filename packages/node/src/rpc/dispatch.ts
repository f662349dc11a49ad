import type { Logger } from 'pino'
import type { CostModel } from './cost.ts'
import { type JsonRpcErrorObject, RPC_ERROR_CODES, type RpcError, toJsonRpcError } from './errors.ts'
import type { CallContext, MethodHandler } from './methods.ts'
import type { RpcMetrics } from './metrics.ts'

/** A JSON-RPC id as received: echoed back exactly. */
type Id = string | number | null

/**
 * A body's calls as parsed and validated elsewhere: `ids[i]` is call `i`'s id, `invoke(i)` runs its
 * handler synchronously and gives its result (a throw is its error), and `settle()`, called once after
 * the last call ran, resolves when the results may be answered, with the calls whose results were
 * withdrawn meanwhile and the error each answers instead (by call index).
 */
export type PreparedCalls = {
  method: string
  /** A batch (an array) or a single request object. */
  batch: boolean
  ids: readonly Id[]
  invoke(index: number): unknown
  settle(): Promise<ReadonlyMap<number, unknown>>
}

/** What the transport sends back: a JSON body (undefined when every call was a notification) and a status. */
export type DispatchResult = { status: number; body: string | undefined }

/**
 * Decides whether a client may spend `cost` units now; returns the refusal (rate limit) or undefined.
 * Called once per request or message, after parsing, before any call runs.
 */
export type Admission = (cost: number) => RpcError | undefined

export type DispatcherOptions = {
  maxBatchLength: number
  /** Most units one request (a whole batch) may cost. */
  maxRequestCost: number
  /** Largest answer to one request; the calls whose answers go past it answer -32003. */
  maxResponseBytes: number
  costOf: CostModel
  log: Logger
  metrics: RpcMetrics
}

/** A batch gives the event loop back (timers: the block builder, L1 polling) after this much work. */
const SLICE_MS = 4
/** A call dearer than this starts in a macrotask of its own, so consecutive ones cannot chain. */
const YIELD_BEFORE_COST = 64

/** Text that JSON.stringify writes between quotes unchanged: printable ASCII without `"` and `\\`. */
const PLAIN_JSON_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

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

function requestCost(costOf: CostModel, request: unknown): number {
  if (typeof request !== 'object' || request === null) return 1
  const { method, params } = request as Record<string, unknown>
  if (typeof method !== 'string') return 1
  return costOf(method, Array.isArray(params) ? params : [])
}

/** A prepared call's handler threw, or its result was withdrawn (see `outcomeOf`). */
class Failed {
  readonly error: unknown
  constructor(error: unknown) {
    this.error = error
  }
}

/** What a prepared call's handler gives, `invoke(index)`: its result, or its throw as a `Failed`. */
function outcomeOf(invoke: (index: number) => unknown, index: number): unknown {
  try {
    return invoke(index)
  } catch (error) {
    return new Failed(error)
  }
}

/**
 * JSON-RPC 2.0 over any transport: parses a body, validates each request by hand (no schema
 * validation on the hot path), prices it (`cost.ts`) and refuses it whole when it is dearer than a
 * request may be, runs the calls of a batch concurrently (so a submitter can group-commit them) but
 * gives the event loop back every few milliseconds of work, and serializes the answers up to the
 * response-size cap. Never throws: a bug in a method is -32603 and logged.
 */
export class JsonRpcDispatcher {
  private readonly methods: Map<string, MethodHandler>
  private readonly options: DispatcherOptions
  private readonly log: Logger
  private readonly metrics: RpcMetrics

  constructor(methods: Map<string, MethodHandler>, options: DispatcherOptions) {
    this.methods = methods
    this.options = options
    this.log = options.log
    this.metrics = options.metrics
  }

  private tooExpensive(cost: number, what: string): DispatchResult {
    this.metrics.refused.inc({ limit: 'request_cost' })
    return {
      status: 200,
      body: errorResponse(null, {
        code: RPC_ERROR_CODES.limitExceeded,
        message:
          `request too expensive: ${what} costs ${cost} units, at most ${this.options.maxRequestCost} per request ` +
          '(eth_feeHistory costs blocks × (1 + percentiles/10), eth_getLogs one per block of its range); split it or ask for less',
      }),
    }
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

    const { maxBatchLength, costOf } = this.options
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return { status: 200, body: errorResponse(null, invalidRequest('empty batch')) }
      if (parsed.length > maxBatchLength) {
        this.metrics.refused.inc({ limit: 'batch_length' })
        return {
          status: 200,
          body: errorResponse(
            null,
            invalidRequest(`batch too large: ${parsed.length} calls, at most ${maxBatchLength} per batch; split it`),
          ),
        }
      }
      const requests = parsed
      return this.answer(
        true,
        requests.length,
        (i) => requestCost(costOf, requests[i]),
        (i) => this.call(requests[i], context),
        (i) => requests[i],
        admit,
      )
    }
    return this.answer(
      false,
      1,
      () => requestCost(costOf, parsed),
      () => this.call(parsed, context),
      () => parsed,
      admit,
    )
  }

  /**
   * Answers a body whose calls were parsed and validated elsewhere (the sequencer's sender workers
   * prepare bodies of `eth_sendRawTransaction` calls): every call is `method` with a valid id, and
   * `invoke(i)` runs call `i`'s handler. Pricing, rate limit, slicing, answers and the response cap
   * are `handle`'s.
   */
  handlePrepared(prepared: PreparedCalls, admit: Admission): Promise<DispatchResult> {
    const { method, batch, ids, invoke } = prepared
    const cost = this.options.costOf(method, [])
    let withdrawn: ReadonlyMap<number, unknown> | undefined
    return this.answer(
      batch,
      ids.length,
      () => cost,
      (i) => outcomeOf(invoke, i),
      (i) => ({ id: ids[i] }),
      admit,
      (i, outcome) => {
        const answered = withdrawn?.has(i) ? new Failed(withdrawn.get(i)) : outcome
        return answered instanceof Failed
          ? this.failure(method, ids[i] as Id, false, answered.error)
          : this.success(method, ids[i] as Id, false, answered)
      },
      async () => {
        const errors = await prepared.settle()
        if (errors.size > 0) withdrawn = errors
      },
    )
  }

  /**
   * Prices, admits and runs `count` calls (a batch, or one request when `batch` is false). Call `i`'s
   * answer is what `callAt(i)` gives, or settles to, passed through `answerAt` when given; with
   * `afterCalls`, the answers wait for it once every call ran.
   */
  private async answer<Outcome = string | undefined>(
    batch: boolean,
    count: number,
    costAt: (index: number) => number,
    callAt: (index: number) => Outcome | Promise<Outcome>,
    requestAt: (index: number) => unknown,
    admit: Admission,
    answerAt?: (index: number, outcome: Outcome) => string | undefined,
    afterCalls?: () => Promise<void>,
  ): Promise<DispatchResult> {
    const { maxRequestCost, maxResponseBytes } = this.options
    if (!batch) {
      const cost = costAt(0)
      if (cost > maxRequestCost) return this.tooExpensive(cost, 'this call')
      const refusal = admit(cost)
      if (refusal !== undefined) return this.refused(refusal)
      if (cost > YIELD_BEFORE_COST) await yieldToLoop()
      const outcome = await callAt(0)
      if (afterCalls !== undefined) await afterCalls()
      const answer = answerAt === undefined ? (outcome as string | undefined) : answerAt(0, outcome)
      if (answer !== undefined && answer.length > maxResponseBytes) {
        return { status: 200, body: this.tooLarge(requestAt(0)) }
      }
      return { status: 200, body: answer }
    }
    const costs: number[] = new Array(count)
    let total = 0
    for (let i = 0; i < count; i++) {
      const cost = costAt(i)
      costs[i] = cost
      total += cost
    }
    if (total > maxRequestCost) return this.tooExpensive(total, `this batch of ${count} calls`)
    const refusal = admit(total)
    if (refusal !== undefined) return this.refused(refusal)
    const pending: (Outcome | Promise<Outcome>)[] = new Array(count)
    let anyAsync = false
    let sliceStart = performance.now()
    for (let i = 0; i < count; i++) {
      if ((costs[i] as number) > YIELD_BEFORE_COST || performance.now() - sliceStart > SLICE_MS) {
        await yieldToLoop()
        sliceStart = performance.now()
      }
      const outcome = callAt(i)
      if (isThenable(outcome)) anyAsync = true
      pending[i] = outcome
    }
    const outcomes = anyAsync ? await Promise.all(pending) : (pending as Outcome[])
    if (afterCalls !== undefined) await afterCalls()
    const parts: string[] = []
    let bytes = 2
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i] as Outcome
      const answer = answerAt === undefined ? (outcome as string | undefined) : answerAt(i, outcome)
      if (answer === undefined) continue
      bytes += answer.length + 1
      parts.push(bytes > maxResponseBytes ? this.tooLarge(requestAt(i)) : answer)
    }
    if (parts.length === 0) return { status: 200, body: undefined }
    // The brackets go on the first and last answers so that `join` writes the body once, flat: a
    // bracketed join is a rope that the socket's write would flatten into a second copy of it all.
    parts[0] = `[${parts[0]}`
    parts[parts.length - 1] = `${parts[parts.length - 1]}]`
    return { status: 200, body: parts.join(',') }
  }

  /** geth's answer (-32003) for a call whose answer would not fit the response-size cap. */
  private tooLarge(request: unknown): string {
    this.metrics.refused.inc({ limit: 'response_bytes' })
    const id = (request as { id?: unknown } | null)?.id
    return errorResponse(typeof id === 'string' || typeof id === 'number' ? id : null, {
      code: RPC_ERROR_CODES.responseTooLarge,
      message: `response too large: answers are limited to ${this.options.maxResponseBytes} bytes per request; ask for less (a narrower range, fewer calls per batch)`,
    })
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

    return this.run(method, replyId, isNotification, handler, args, context)
  }

  /** Runs a validated call's handler and turns its result or error into the answer. */
  private run(
    method: string,
    replyId: Id,
    isNotification: boolean,
    handler: MethodHandler,
    args: readonly unknown[],
    context: CallContext,
  ): string | undefined | Promise<string | undefined> {
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
    // A string that JSON writes as it is (a hash, a quantity) is quoted in place: JSON.stringify would
    // copy it into a string of its own first, once per call of every batch.
    if (typeof result === 'string' && PLAIN_JSON_STRING.test(result)) {
      this.metrics.call(method, true)
      return isNotification ? undefined : `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":"${result}"}`
    }
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
