/**
 * What hostile clients do, for the tests that check a node survives them: WebSocket connections that
 * subscribe and then stop reading, idle sockets with half-sent headers (slowloris), and readings of
 * a node's metrics and memory. Every socket binds a chosen loopback address (127.0.0.2, …) so that
 * per-IP limits apply to the attacker and not to the honest client on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'

/** The `i`-th attacker address: 127.0.0.2, 127.0.0.3, … (all of 127/8 is loopback on Linux). */
export function attackerAddress(i: number): string {
  return `127.0.${Math.floor(i / 250)}.${(i % 250) + 2}`
}

function tcp(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress })
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** A WebSocket client frame (masked, as clients must send), text opcode. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = randomBytes(4)
  const length = payload.length
  const header =
    length < 126
      ? Buffer.from([0x81, 0x80 | length])
      : Buffer.from([0x81, 0x80 | 126, (length >> 8) & 0xff, length & 0xff])
  const masked = Buffer.alloc(length)
  for (let i = 0; i < length; i++) masked[i] = (payload[i] as number) ^ (mask[i % 4] as number)
  return Buffer.concat([header, mask, masked])
}

export type RawWebSocket = {
  socket: Socket
  /** Sends one JSON-RPC text message. */
  send(text: string): void
  /** Stops reading: whatever the server sends piles up in the kernel, then in the server. */
  stopReading(): void
  /** Resolves when the server closed the connection. */
  closed: Promise<void>
  destroy(): void
}

/** Opens a WebSocket by hand (so that it can stop reading at will), from `localAddress`. */
export async function rawWebSocket(port: number, localAddress: string): Promise<RawWebSocket> {
  const socket = await tcp(port, localAddress)
  socket.on('error', () => undefined)
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  const key = randomBytes(16).toString('base64')
  socket.write(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  await new Promise<void>((resolve, reject) => {
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      if (head.startsWith('HTTP/1.1 101')) resolve()
      else reject(new Error(`WebSocket refused: ${head.split('\r\n')[0]} ${head.split('\r\n\r\n')[1] ?? ''}`))
    }
    socket.on('data', onData)
    void closed.then(() => reject(new Error('WebSocket closed during the handshake')))
  })
  // Reads (and discards) until told to stop.
  socket.on('data', () => undefined)
  return {
    socket,
    send: (text) => socket.write(textFrame(text)),
    stopReading: () => {
      socket.removeAllListeners('data')
      socket.pause()
    },
    closed,
    destroy: () => socket.destroy(),
  }
}

/** A connection that sends half a request's headers and then nothing (slowloris). */
export async function idleHttpSocket(
  port: number,
  localAddress: string,
): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = await tcp(port, localAddress)
  socket.on('error', () => undefined)
  socket.on('data', () => undefined)
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n')
  return { socket, closed }
}

/** Resident memory of a process, in bytes (Linux). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1]) * 1024
}

/** Sums the samples of a Prometheus metric whose labels include `labels` (0 when absent). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line)
    if (match === null || match[1] !== name) continue
    const labelText = match[2] ?? ''
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) sum += Number(match[3])
  }
  return sum
}

/** `/metrics` of a node. */
export async function scrape(rpcUrl: string): Promise<string> {
  return (await fetch(`${rpcUrl}/metrics`)).text()
}

/** Samples of a histogram above `bound` seconds: count − the count in the `le=bound` bucket. */
export function histogramAbove(text: string, name: string, labels: Record<string, string>, bound: number): number {
  return (
    metricValue(text, `${name}_count`, labels) - metricValue(text, `${name}_bucket`, { ...labels, le: String(bound) })
  )
}
