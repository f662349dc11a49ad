import { Counter, Gauge, type Registry } from 'prom-client'
import { GOSSIP_DROP_REASONS, type GossipDropReason } from './validation.ts'

/** Results of a range request, from the side that counts it. */
export type RangeResult =
  | 'ok'
  | 'invalid_request'
  /** Server: refused by the range limits (busy, or blocks per second). */
  | 'throttled'
  | 'refused'
  | 'server_error'
  | 'bad_response'
  | 'timeout'
  | 'unavailable'

export type P2PMetrics = {
  accepted: Counter
  dropped: Counter<'reason'>
  peers: Gauge
  rangeRequests: Counter<'role' | 'result'>
  rangeBlocks: Counter<'role'>
  rangeServing: Gauge
  lowScoreDisconnects: Counter
}

/**
 * The p2p layer's metrics, registered on `registry`. One set per registry: a second p2p node
 * needs its own registry (prom-client refuses a metric name registered twice).
 */
export function createP2PMetrics(
  registry: Registry,
  connectedPeers: () => number,
  rangeServing: () => number = () => 0,
): P2PMetrics {
  const accepted = new Counter({
    name: 'sluice_p2p_messages_accepted_total',
    help: 'Gossiped blocks that passed validation and were handed to the node',
    registers: [registry],
  })
  const dropped = new Counter({
    name: 'sluice_p2p_messages_dropped_total',
    help: 'Gossiped block messages dropped, by reason (reject: the sender is at fault; ignore: stale, duplicate, far-future)',
    labelNames: ['reason'],
    registers: [registry],
  })
  // Every reason is exported from the start, so a dashboard shows 0 rather than no series.
  for (const reason of GOSSIP_DROP_REASONS) dropped.labels(reason).inc(0)
  const peers = new Gauge({
    name: 'sluice_p2p_peers',
    help: 'Connected libp2p peers',
    registers: [registry],
    collect() {
      this.set(connectedPeers())
    },
  })
  const rangeRequests = new Counter({
    name: 'sluice_p2p_range_requests_total',
    help: 'blocks-by-range requests, as client (asked) or server (answered), by result',
    labelNames: ['role', 'result'],
    registers: [registry],
  })
  const rangeBlocks = new Counter({
    name: 'sluice_p2p_range_blocks_total',
    help: 'Blocks moved by blocks-by-range, as client (received and verified) or server (sent)',
    labelNames: ['role'],
    registers: [registry],
  })
  const serving = new Gauge({
    name: 'sluice_p2p_range_serving',
    help: 'blocks-by-range answers being built or sent now (bounded by the concurrent-answers limit)',
    registers: [registry],
    collect() {
      this.set(rangeServing())
    },
  })
  const lowScoreDisconnects = new Counter({
    name: 'sluice_p2p_low_score_disconnects_total',
    help: 'Peers disconnected because their gossipsub score fell to the disconnect threshold (junk, abuse)',
    registers: [registry],
  })
  return { accepted, dropped, peers, rangeRequests, rangeBlocks, rangeServing: serving, lowScoreDisconnects }
}

export function countDrop(metrics: P2PMetrics, reason: GossipDropReason): void {
  metrics.dropped.labels(reason).inc()
}
