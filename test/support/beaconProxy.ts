/**
 * A beacon API a test can take down and bring back: an HTTP proxy in the test process that forwards
 * GETs to `target` (anvil serves the beacon API's blob endpoints on its RPC port). `stop` closes the
 * port (connections refused, as a beacon node that is down), `start` listens on the same port again.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type BeaconProxy = {
  url: string
  /** Requests forwarded so far. */
  readonly forwarded: number
  start(): Promise<void>
  stop(): Promise<void>
}

export async function startBeaconProxy(target: string): Promise<BeaconProxy> {
  let forwarded = 0
  const make = (): Server =>
    createServer((req, res) => {
      forwarded++
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET' })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
          res.end(Buffer.from(await answer.arrayBuffer()))
        })
        .catch(() => {
          res.writeHead(502)
          res.end()
        })
    })
  let server = make()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  let listening = true
  return {
    url: `http://127.0.0.1:${port}`,
    get forwarded() {
      return forwarded
    },
    async start() {
      if (listening) return
      server = make()
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, '127.0.0.1', resolve)
      })
      listening = true
    },
    async stop() {
      if (!listening) return
      listening = false
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
