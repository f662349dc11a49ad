/**
 * A small keep-alive JSON-RPC client over node:http. The load generator shares the cores with the
 * node it measures, so it posts pre-built JSON strings on a bounded pool of sockets rather than
 * going through `fetch` (whose per-request cost shows at thousands of requests per second).
 */
import { Agent, request } from 'node:http'

export type RpcError = { code: number; message: string }
export type RpcAnswer = { id: number; result?: unknown; error?: RpcError }

export class RpcClient {
  readonly url: URL
  private readonly agent: Agent

  /** `sockets`: the most requests open at once (more wait in the agent's queue). */
  constructor(url: string, sockets = 16) {
    this.url = new URL(url)
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets })
  }

  /** POSTs `body` (JSON text) and parses the JSON answer; rejects on transport errors, non-2xx and timeouts. */
  post(body: string | Buffer, timeoutMs = 30_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            if ((res.statusCode ?? 0) >= 300) {
              reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`))
              return
            }
            try {
              resolve(JSON.parse(text))
            } catch {
              reject(new Error(`answer is not JSON: ${text.slice(0, 200)}`))
            }
          })
          res.on('error', reject)
        },
      )
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end(body)
    })
  }

  /** One call; throws the node's error message. */
  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const answer = (await this.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))) as RpcAnswer
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`)
    return answer.result as T
  }

  /** Several calls in one JSON-RPC batch; answers in request order. */
  async batch(calls: readonly { method: string; params: unknown[] }[]): Promise<RpcAnswer[]> {
    const body = JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, method: c.method, params: c.params })))
    const answers = (await this.post(body)) as RpcAnswer[]
    if (!Array.isArray(answers)) throw new Error(`batch answered with ${JSON.stringify(answers).slice(0, 200)}`)
    return [...answers].sort((a, b) => a.id - b.id)
  }

  close(): void {
    this.agent.destroy()
  }
}
