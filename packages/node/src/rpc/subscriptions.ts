import type { Logger } from 'pino'
import type { StoredBlock } from '../chain/types.ts'
import { RPC_ERROR_CODES, RpcError } from './errors.ts'
import { formatHeader } from './format.ts'
import { data, randomId } from './hex.ts'
import { collectBlockLogs, type LogCriteria } from './logFilter.ts'
import type { RpcMetrics } from './metrics.ts'
import type { RpcJson } from './types.ts'

/** What the server uses of a `ws` WebSocket (the `ws` package ships no types here). */
export interface WebSocketLike {
  readonly readyState: number
  readonly bufferedAmount: number
  send(data: string): void
  close(code?: number, reason?: string): void
  terminate(): void
}

const WS_OPEN = 1
/** Policy violation: what a client that does not read its messages gets before it is cut off. */
export const CLOSE_SLOW_CONSUMER = 1008
/** Close before the backlog is freed: the close frame waits behind it, and a client that does not read never sees it. */
const TERMINATE_AFTER_MS = 250

/**
 * Sends WebSocket messages within two budgets of unsent output: one per connection and one over all
 * connections. A connection that already has a backlog and would go over either is closed at once
 * (code 1008 with the reason, then cut off): a client that does not read cannot make the node hold
 * more than the budgets. One message to a connection with no backlog always goes out, however large,
 * so a slow but honest reader of a big answer is not dropped. The total is tracked from what each send
 * observes and recomputed every second (`resync`).
 */
export class WebSocketSender {
  private readonly observed = new Map<WebSocketLike, number>()
  private total = 0
  private readonly perConnection: number
  private readonly totalBudget: number
  private readonly metrics: RpcMetrics
  private readonly log: Logger
  /** Told of every connection dropped, so that nothing more is prepared for it. */
  onDrop: ((socket: WebSocketLike) => void) | undefined

  constructor(options: { perConnection: number; total: number; metrics: RpcMetrics; log: Logger }) {
    this.perConnection = options.perConnection
    this.totalBudget = options.total
    this.metrics = options.metrics
    this.log = options.log
  }

  get bufferedTotal(): number {
    return this.total
  }

  add(socket: WebSocketLike): void {
    this.observed.set(socket, 0)
  }

  remove(socket: WebSocketLike): void {
    this.total -= this.observed.get(socket) ?? 0
    this.observed.delete(socket)
  }

  /** Sends `text` unless that would exceed a budget (then the connection is dropped); false when not sent. */
  send(socket: WebSocketLike, text: string): boolean {
    if (socket.readyState !== WS_OPEN) return false
    const backlog = socket.bufferedAmount
    if (backlog > 0) {
      if (backlog + text.length > this.perConnection) {
        this.drop(
          socket,
          'connection',
          `the client does not read its messages (over ${this.perConnection} bytes unsent)`,
        )
        return false
      }
      if (this.total + text.length > this.totalBudget) {
        this.drop(
          socket,
          'total',
          'the node has too much unsent output and this client is behind; reconnect and read faster',
        )
        return false
      }
    }
    socket.send(text)
    const after = socket.bufferedAmount
    const before = this.observed.get(socket)
    if (before !== undefined) {
      this.total += after - before
      this.observed.set(socket, after)
    }
    return true
  }

  /** Recomputes the total from every connection (sends only see their own). */
  resync(): void {
    let total = 0
    for (const socket of this.observed.keys()) {
      const buffered = socket.bufferedAmount
      this.observed.set(socket, buffered)
      total += buffered
    }
    this.total = total
    this.metrics.webSocketBufferedBytes.set(total)
  }

  /** Closes a connection that cannot keep up (its budget exceeded), counted by budget. */
  drop(socket: WebSocketLike, budget: 'connection' | 'total' | 'queue', reason: string): void {
    this.metrics.slowConsumersDropped.inc({ budget })
    this.log.debug({ budget, buffered: socket.bufferedAmount }, 'WebSocket slow consumer dropped')
    this.remove(socket)
    this.onDrop?.(socket)
    socket.close(CLOSE_SLOW_CONSUMER, reason.slice(0, 120))
    setTimeout(() => socket.terminate(), TERMINATE_AFTER_MS).unref()
  }
}

export type SubscriptionKind = 'newHeads' | 'logs' | 'newPendingTransactions' | 'syncing'

type Subscription = { id: string; kind: SubscriptionKind; socket: WebSocketLike; criteria: LogCriteria | undefined }

/** Subscriptions of one WebSocket connection (what `eth_subscribe` and `eth_unsubscribe` use). */
export interface SubscriptionHost {
  /** Starts a subscription and returns its id; `criteria` for `logs`. */
  subscribe(kind: SubscriptionKind, criteria?: LogCriteria): string
  /** Ends a subscription; false when the connection has no such id. */
  unsubscribe(id: string): boolean
}

/** Notifications sent per turn of the event loop: a fan-out to thousands of subscribers yields between chunks. */
const SENDS_PER_TURN = 256
/**
 * Notifications waiting for their turn, per connection and in total (one entry is a closure and a
 * share of a header string). A connection with more waiting is behind however fast it reads — the
 * node produces faster than it can send — and is dropped, as geth drops a subscriber whose queue is
 * full; the total bounds the queue whatever the number of connections.
 */
const MAX_QUEUED_PER_CONNECTION = 2_048
const MAX_QUEUED_PER_SUBSCRIPTION_SLOT = 4

function notification(id: string, result: string): string {
  return `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":${result}}}`
}

/**
 * Every subscription of every connection, with caps per connection and in total. New heads and their
 * logs, and new pending transaction hashes, are fanned out a few hundred sends per turn of the event
 * loop, so a node with thousands of subscribers keeps sealing blocks on time.
 */
export class SubscriptionHub {
  private readonly byConnection = new Map<WebSocketLike, Map<string, Subscription>>()
  private readonly byKind: Record<SubscriptionKind, Map<string, Subscription>> = {
    newHeads: new Map(),
    logs: new Map(),
    newPendingTransactions: new Map(),
    syncing: new Map(),
  }
  private count = 0
  private readonly queue: (() => void)[] = []
  private queueHead = 0
  private readonly queuedByConnection = new Map<WebSocketLike, number>()
  private draining = false
  private readonly sender: WebSocketSender
  private readonly limits: { perConnection: number; total: number; maxLogResults: number }
  private readonly metrics: RpcMetrics

  constructor(options: {
    sender: WebSocketSender
    limits: { perConnection: number; total: number; maxLogResults: number }
    metrics: RpcMetrics
  }) {
    this.sender = options.sender
    this.sender.onDrop = (socket) => this.forget(socket)
    this.limits = options.limits
    this.metrics = options.metrics
  }

  get size(): number {
    return this.count
  }

  /** The subscriptions of one connection; `close` when it ends. */
  connection(socket: WebSocketLike): SubscriptionHost & { close(): void } {
    const own = new Map<string, Subscription>()
    this.byConnection.set(socket, own)
    const remove = (sub: Subscription) => {
      own.delete(sub.id)
      this.byKind[sub.kind].delete(sub.id)
      this.count--
      this.metrics.subscriptions.dec({ kind: sub.kind })
    }
    return {
      subscribe: (kind, criteria) => {
        if (own.size >= this.limits.perConnection) {
          this.metrics.refused.inc({ limit: 'subscriptions_per_connection' })
          throw new RpcError(
            RPC_ERROR_CODES.limitExceeded,
            `too many subscriptions on this connection (at most ${this.limits.perConnection}); unsubscribe first`,
          )
        }
        if (this.count >= this.limits.total) {
          this.metrics.refused.inc({ limit: 'subscriptions' })
          throw new RpcError(
            RPC_ERROR_CODES.limitExceeded,
            `too many subscriptions on this node (at most ${this.limits.total}); try again later`,
          )
        }
        const sub: Subscription = { id: randomId(), kind, socket, criteria }
        own.set(sub.id, sub)
        this.byKind[kind].set(sub.id, sub)
        this.count++
        this.metrics.subscriptions.inc({ kind })
        return sub.id
      },
      unsubscribe: (id) => {
        const sub = own.get(id)
        if (sub === undefined) return false
        remove(sub)
        return true
      },
      close: () => {
        for (const sub of [...own.values()]) remove(sub)
        this.byConnection.delete(socket)
      },
    }
  }

  /** Fans out a new head to `newHeads` subscribers and its matching logs to `logs` subscribers. */
  onHead(block: StoredBlock): void {
    if (this.byKind.newHeads.size > 0) {
      const header = JSON.stringify(formatHeader(block))
      for (const sub of this.byKind.newHeads.values()) this.enqueue(sub, header)
    }
    if (this.byKind.logs.size > 0 && block.transactions.some((t) => t.logs.length > 0)) {
      // Matched when its turn comes, not here: thousands of log filters must not hold up the sealer.
      for (const sub of this.byKind.logs.values()) {
        this.schedule(() => {
          if (this.byKind.logs.get(sub.id) !== sub) return
          const matched: Record<string, RpcJson>[] = []
          collectBlockLogs(block, sub.criteria as LogCriteria, matched, this.limits.maxLogResults)
          for (const log of matched) this.sender.send(sub.socket, notification(sub.id, JSON.stringify(log)))
        })
      }
    }
  }

  /** Fans out the hash of a transaction the node just accepted. */
  onPendingTransaction(hash: Uint8Array): void {
    if (this.byKind.newPendingTransactions.size === 0) return
    const result = `"${data(hash)}"`
    for (const sub of this.byKind.newPendingTransactions.values()) this.enqueue(sub, result)
  }

  clear(): void {
    for (const kind of Object.values(this.byKind)) kind.clear()
    this.byConnection.clear()
    this.queue.length = 0
    this.queueHead = 0
    this.queuedByConnection.clear()
  }

  private enqueue(sub: Subscription, result: string): void {
    const socket = sub.socket
    const queued = this.queuedByConnection.get(socket) ?? 0
    const waiting = this.queue.length - this.queueHead
    if (
      queued >= MAX_QUEUED_PER_CONNECTION ||
      (queued > 0 && waiting >= MAX_QUEUED_PER_SUBSCRIPTION_SLOT * this.limits.total)
    ) {
      this.sender.drop(socket, 'queue', 'too many notifications waiting for this connection; subscribe to less')
      return
    }
    this.queuedByConnection.set(socket, queued + 1)
    this.schedule(() => {
      const left = (this.queuedByConnection.get(socket) ?? 1) - 1
      if (left > 0) this.queuedByConnection.set(socket, left)
      else this.queuedByConnection.delete(socket)
      // Unsubscribed or disconnected since: nothing to send.
      if (this.byKind[sub.kind].get(sub.id) !== sub) return
      this.sender.send(socket, notification(sub.id, result))
    })
  }

  /** Forgets a dropped connection's subscriptions at once, so nothing more is queued for it. */
  forget(socket: WebSocketLike): void {
    const own = this.byConnection.get(socket)
    if (own === undefined) return
    for (const sub of own.values()) {
      this.byKind[sub.kind].delete(sub.id)
      this.count--
      this.metrics.subscriptions.dec({ kind: sub.kind })
    }
    own.clear()
  }

  private schedule(job: () => void): void {
    this.queue.push(job)
    if (!this.draining) {
      this.draining = true
      setImmediate(() => this.drain())
    }
  }

  private drain(): void {
    const end = Math.min(this.queue.length, this.queueHead + SENDS_PER_TURN)
    for (; this.queueHead < end; this.queueHead++) {
      try {
        ;(this.queue[this.queueHead] as () => void)()
      } catch {
        // A notification that cannot be made (more logs than a query may return) is skipped, and counted.
        this.metrics.refused.inc({ limit: 'notification' })
      }
    }
    if (this.queueHead < this.queue.length) {
      if (this.queueHead >= 4 * SENDS_PER_TURN) {
        this.queue.splice(0, this.queueHead)
        this.queueHead = 0
      }
      setImmediate(() => this.drain())
      return
    }
    this.queue.length = 0
    this.queueHead = 0
    this.draining = false
  }
}
