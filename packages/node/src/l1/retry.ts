import { L1RpcError } from './errors.ts'

/** How RPC calls are retried: exponential backoff from `baseDelayMs`, capped at `maxDelayMs`. */
export type RetryOptions = {
  /** Attempts in all, the first included (default 5). */
  attempts?: number
  /** Delay before the first retry (default 200 ms); doubles each time. */
  baseDelayMs?: number
  /** Longest delay between attempts (default 5 s). */
  maxDelayMs?: number
}

/**
 * Errors worth another attempt: transport failures, timeouts, rate limits and JSON-RPC "server
 * busy / limit exceeded" answers. A revert or an invalid request is answered the same every time.
 */
export function isTemporaryRpcError(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const name = current.name
    if (
      name === 'HttpRequestError' ||
      name === 'TimeoutError' ||
      name === 'WebSocketRequestError' ||
      name === 'SocketClosedError' ||
      name === 'LimitExceededRpcError' ||
      name === 'ResourceUnavailableRpcError' ||
      name === 'InternalRpcError' ||
      name === 'UnknownRpcError' ||
      name === 'BlockNotFoundError'
    ) {
      return true
    }
    const status = (current as { status?: unknown }).status
    if (typeof status === 'number' && (status === 429 || status >= 500)) return true
    const code = (current as { code?: unknown }).code
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === -32005) return true
    current = current.cause
  }
  return false
}

/**
 * Runs `call` until it succeeds, retrying temporary RPC errors with exponential backoff; any other
 * error is thrown at once. After the last attempt the error is wrapped in an `L1RpcError`
 * (severity `temporary`: the caller's loop tries again on its next step).
 */
export async function withRetry<T>(what: string, call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5)
  const base = options.baseDelayMs ?? 200
  const max = options.maxDelayMs ?? 5_000
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!isTemporaryRpcError(error)) throw error
      lastError = error
      if (attempt < attempts) {
        const delay = Math.min(max, base * 2 ** (attempt - 1))
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
  }
  throw new L1RpcError(what, attempts, lastError)
}
