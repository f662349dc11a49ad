import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { fileDescriptorLimit } from '@sluice/core'
import { RPC_ERROR_CODES } from './errors.ts'
import type { RpcMetrics } from './metrics.ts'

/** The process's open-file limit (one reading for LevelDB's table cache and the RPC connection cap). */
export { fileDescriptorLimit }

/** The least connection cap the fd reserve may leave: below it the node would be useless as an RPC server. */
const MIN_CONNECTIONS = 16

/**
 * The connection cap in force: the configured one, cut so that `fdReserve` descriptors stay free for
 * the node's own work (L1 requests, LevelDB files, p2p) however many clients connect.
 */
export function connectionLimit(maxConnections: number, fdReserve: number, fdLimit: number | undefined): number {
  if (fdLimit === undefined) return maxConnections
  return Math.min(maxConnections, Math.max(MIN_CONNECTIONS, fdLimit - fdReserve))
}

export type ConnectionKind = 'http' | 'ws'

type Tracked = { ip: string; kind: ConnectionKind }

/**
 * Caps TCP connections to the RPC server in total and per client IP (HTTP and WebSocket alike: a
 * WebSocket is an upgraded HTTP connection), at accept time, before any byte is parsed. A refused
 * connection gets one HTTP 503 answer with a JSON-RPC error saying which limit, then is closed.
 */
export class ConnectionGuard {
  private readonly sockets = new Map<Socket, Tracked>()
  private readonly perIp = new Map<string, number>()
  private readonly limit: number
  private readonly perIpLimit: number
  private readonly metrics: RpcMetrics

  constructor(options: { limit: number; perIpLimit: number; metrics: RpcMetrics }) {
    this.limit = options.limit
    this.perIpLimit = options.perIpLimit
    this.metrics = options.metrics
    this.metrics.connectionLimit.set(this.limit)
  }

  /** Watches `server`'s connections; runs before the HTTP parser is attached. */
  attach(server: Server): void {
    server.prependListener('connection', (socket: Socket) => this.admit(socket))
  }

  get size(): number {
    return this.sockets.size
  }

  /** Counts `socket` as a WebSocket from now on. */
  markWebSocket(socket: Socket): void {
    const tracked = this.sockets.get(socket)
    if (tracked === undefined || tracked.kind === 'ws') return
    this.metrics.connections.dec({ kind: tracked.kind })
    tracked.kind = 'ws'
    this.metrics.connections.inc({ kind: 'ws' })
  }

  private admit(socket: Socket): void {
    const ip = socket.remoteAddress
    if (ip === undefined) {
      socket.destroy()
      return
    }
    const fromIp = this.perIp.get(ip) ?? 0
    if (this.sockets.size >= this.limit) {
      this.refuse(socket, 'connections', `too many connections to this node (at most ${this.limit}); try again later`)
      return
    }
    if (this.perIpLimit > 0 && fromIp >= this.perIpLimit) {
      this.refuse(
        socket,
        'connections_per_ip',
        `too many connections from your address (at most ${this.perIpLimit}); reuse connections (keep-alive) or close some`,
      )
      return
    }
    this.perIp.set(ip, fromIp + 1)
    const tracked: Tracked = { ip, kind: 'http' }
    this.sockets.set(socket, tracked)
    this.metrics.connections.inc({ kind: 'http' })
    socket.once('close', () => {
      this.sockets.delete(socket)
      this.metrics.connections.dec({ kind: tracked.kind })
      const left = (this.perIp.get(ip) ?? 1) - 1
      if (left <= 0) this.perIp.delete(ip)
      else this.perIp.set(ip, left)
    })
  }

  private refuse(socket: Socket, limit: string, message: string): void {
    this.metrics.refused.inc({ limit })
    const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: RPC_ERROR_CODES.limitExceeded, message } })
    const answer =
      'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: application/json\r\n' +
      `retry-after: 1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    // Closed as soon as the answer is written (or after a second if the client does not take it).
    socket.on('error', () => undefined)
    socket.write(answer, () => socket.destroy())
    socket.setTimeout(1_000, () => socket.destroy())
  }
}
