import { SluiceError } from '@sluice/core'
import { RPC_ERROR_CODES, RpcError } from './errors.ts'
import { data, parseHash } from './hex.ts'

export type ForwardOptions = {
  /** Abort a forwarded batch after this long. Default 10 s. */
  timeoutMs?: number | undefined
  /** Most transactions in one forwarded batch (the upstream's batch limit). Default 1,000. */
  maxBatchLength?: number | undefined
}

/** The upstream node could not be reached or failed; the client may retry. */
export class ForwardError extends SluiceError {
  override name = 'ForwardError'
  constructor(shortMessage: string, cause?: unknown) {
    super(shortMessage, { severity: 'temporary', code: 'ForwardError', cause })
  }
}

type Waiter = { raw: Uint8Array; resolve: (hash: Uint8Array) => void; reject: (error: unknown) => void }

type UpstreamAnswer = { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } }

/**
 * A `submit` for a node that does not sequence (the verifier): forwards each transaction to the
 * sequencer's JSON-RPC. Transactions submitted in the same tick (a client's batch) go upstream as one
 * batch, so the sequencer can group-commit them. The sequencer's refusals are passed on with its code
 * and text unchanged; an unreachable or failing sequencer is a `ForwardError` (-32000, retry).
 */
export function forwardTransactions(
  upstreamUrl: string,
  options: ForwardOptions = {},
): (raw: Uint8Array) => Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const maxBatchLength = options.maxBatchLength ?? 1_000
  let queue: Waiter[] = []
  let scheduled = false

  const send = async (waiters: Waiter[]): Promise<void> => {
    const body = JSON.stringify(
      waiters.map((w, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [data(w.raw)] })),
    )
    let answers: UpstreamAnswer[]
    try {
      const response = await fetch(upstreamUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      })
      const parsed = (await response.json()) as unknown
      if (!Array.isArray(parsed)) {
        const message = (parsed as UpstreamAnswer | null)?.error?.message
        throw new Error(`HTTP ${response.status}: ${typeof message === 'string' ? message : 'not a batch answer'}`)
      }
      answers = parsed as UpstreamAnswer[]
    } catch (error) {
      const failure = new ForwardError(
        'the sequencer did not take the transaction: it is unreachable; try again',
        error,
      )
      for (const w of waiters) w.reject(failure)
      return
    }
    const byId = new Map<unknown, UpstreamAnswer>(answers.map((a) => [a.id, a]))
    waiters.forEach((w, id) => {
      const answer = byId.get(id)
      if (answer?.error !== undefined) {
        const code = typeof answer.error.code === 'number' ? answer.error.code : RPC_ERROR_CODES.server
        const message = typeof answer.error.message === 'string' ? answer.error.message : 'refused by the sequencer'
        w.reject(
          code === RPC_ERROR_CODES.internal
            ? new ForwardError('the sequencer failed to take the transaction; try again')
            : new RpcError(code, message),
        )
        return
      }
      try {
        w.resolve(parseHash(answer?.result, 0, 'upstream hash'))
      } catch (error) {
        w.reject(new ForwardError('the sequencer answered without a transaction hash', error))
      }
    })
  }

  const flush = (): void => {
    scheduled = false
    const taken = queue
    queue = []
    for (let i = 0; i < taken.length; i += maxBatchLength) void send(taken.slice(i, i + maxBatchLength))
  }

  return (raw) =>
    new Promise<Uint8Array>((resolve, reject) => {
      queue.push({ raw, resolve, reject })
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    })
}

/**
 * The pending nonce of an address as the sequencer counts it (its mempool), for a node that forwards
 * transactions there: back-to-back sends through a verifier then get consecutive nonces. Undefined
 * when the sequencer cannot be asked (the caller answers from its own state, as before).
 */
export function forwardPendingNonce(
  upstreamUrl: string,
  options: { timeoutMs?: number | undefined } = {},
): (address: Uint8Array) => Promise<bigint | undefined> {
  const timeoutMs = options.timeoutMs ?? 2_000
  return async (address) => {
    try {
      const response = await fetch(upstreamUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'eth_getTransactionCount',
          params: [data(address), 'pending'],
        }),
        signal: AbortSignal.timeout(timeoutMs),
      })
      const answer = (await response.json()) as UpstreamAnswer
      return typeof answer.result === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(answer.result)
        ? BigInt(answer.result)
        : undefined
    } catch {
      return undefined
    }
  }
}
