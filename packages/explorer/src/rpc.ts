/**
 * The explorer's only way to the node: its own JSON-RPC on the address the page came from, over
 * HTTP (calls, batches) and WebSocket (`eth_subscribe newHeads`, reconnecting on its own).
 */

export type Hex = `0x${string}`

/** A JSON-RPC error answer (the node's message says what to do). */
export class RpcCallError extends Error {
  override name = 'RpcCallError'
  readonly code: number
  constructor(method: string, code: number, message: string) {
    super(`${method}: ${message}`)
    this.code = code
  }
}

/** The node did not answer (down, restarting, or the network is gone). */
export class NodeUnreachableError extends Error {
  override name = 'NodeUnreachableError'
}

type JsonRpcAnswer = { id: number; result?: unknown; error?: { code: number; message: string } }

const TIMEOUT_MS = 10_000

export class RpcClient {
  private readonly url: string
  private nextId = 1
  /** Called with true after an answer, false after a failed request. */
  onReachability: ((reachable: boolean) => void) | undefined

  constructor(url: string) {
    this.url = url
  }

  private async post(body: unknown): Promise<unknown> {
    let response: Response
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch (error) {
      this.onReachability?.(false)
      throw new NodeUnreachableError(`the node at ${this.url} did not answer (${String(error)})`)
    }
    this.onReachability?.(true)
    return response.json()
  }

  async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    const answer = (await this.post({ jsonrpc: '2.0', id: this.nextId++, method, params })) as JsonRpcAnswer
    if (answer.error !== undefined) throw new RpcCallError(method, answer.error.code, answer.error.message)
    return answer.result as T
  }

  /** Several calls in one request; each result or the error of that call, in order. */
  async batch(calls: readonly { method: string; params: readonly unknown[] }[]): Promise<(unknown | RpcCallError)[]> {
    if (calls.length === 0) return []
    const first = this.nextId
    this.nextId += calls.length
    const answers = (await this.post(
      calls.map((c, i) => ({ jsonrpc: '2.0', id: first + i, method: c.method, params: c.params })),
    )) as JsonRpcAnswer[] | JsonRpcAnswer
    const list = Array.isArray(answers) ? answers : [answers]
    const byId = new Map(list.map((a) => [a.id, a]))
    return calls.map((c, i) => {
      const answer = byId.get(first + i)
      if (answer === undefined) return new RpcCallError(c.method, -32603, 'no answer in the batch')
      if (answer.error !== undefined) return new RpcCallError(c.method, answer.error.code, answer.error.message)
      return answer.result
    })
  }
}

/** What `newHeads` sends: a block header (numbers as hex quantities). */
export type HeadHeader = { number: Hex; hash: Hex; timestamp: Hex; gasUsed: Hex; gasLimit: Hex }

/**
 * A `newHeads` subscription that reconnects with backoff. `onHead` gets every header; `onState`
 * whether the socket is subscribed.
 */
export class HeadStream {
  private readonly url: string
  private socket: WebSocket | undefined
  private retryMs = 500
  private stopped = false
  private timer: ReturnType<typeof setTimeout> | undefined
  onHead: ((header: HeadHeader) => void) | undefined
  onState: ((connected: boolean) => void) | undefined

  constructor(url: string) {
    this.url = url
  }

  start(): void {
    this.stopped = false
    this.open()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.socket?.close()
  }

  private open(): void {
    const socket = new WebSocket(this.url)
    this.socket = socket
    let subscription: string | undefined
    socket.onopen = () => {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
    }
    socket.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as {
        id?: number
        result?: unknown
        params?: { subscription: string; result: HeadHeader }
      }
      if (message.id === 1 && typeof message.result === 'string') {
        subscription = message.result
        this.retryMs = 500
        this.onState?.(true)
      } else if (message.params !== undefined && message.params.subscription === subscription) {
        this.onHead?.(message.params.result)
      }
    }
    socket.onclose = () => {
      this.onState?.(false)
      if (this.stopped) return
      this.timer = setTimeout(() => this.open(), this.retryMs)
      this.retryMs = Math.min(this.retryMs * 2, 10_000)
    }
    // Errors are followed by a close; the close schedules the retry.
    socket.onerror = () => undefined
  }
}

/** The node this page was served by: its RPC is at the same origin. */
export function nodeUrls(location: Location): { http: string; ws: string } {
  const http = `${location.protocol}//${location.host}/`
  const ws = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
  return { http, ws }
}
