/**
 * Gossipsub peer scoring for the blocks topic (gossipsub v1.1; the parameters follow the spec's
 * guidance and Lodestar's use of it). Only the sequencer makes blocks, so a peer's worth is what it
 * relays correctly; what counts against it is what our validation rejects (a wrong signer, bad
 * encoding: `TopicValidatorResult.Reject`) and, through the application-specific score, abuse of
 * blocks-by-range. A peer whose score falls to `disconnectScore` is disconnected; gossipsub keeps
 * its score for an hour, so one that comes back starts where it left.
 */
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score'

/**
 * Score thresholds. One rejected message costs `INVALID_WEIGHT` × count² (−10, −40, −90, −160, …):
 * a stray bad message is forgiven as it decays; seven in a row reach the graylist and the disconnect.
 */
export const PEER_SCORE_THRESHOLDS: PeerScoreThresholds = {
  /** Below: no gossip (IHAVE/IWANT) exchanged with the peer. */
  gossipThreshold: -40,
  /** Below: our own blocks are not published to it. */
  publishThreshold: -80,
  /** Below: everything it sends is ignored unread. */
  graylistThreshold: -400,
  /** Peer exchange is not used (bootstrap peers only); a high bar all the same. */
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 5,
}

/** At or below this score a peer is disconnected (the graylist threshold: it is useless to us). */
export const DISCONNECT_SCORE = PEER_SCORE_THRESHOLDS.graylistThreshold

const INVALID_WEIGHT = -10

/** The blocks topic's parameters (the only topic). */
export function blocksTopicScoreParams(): TopicScoreParams {
  return {
    topicWeight: 1,
    // A little credit for staying in the mesh (at most +3 after five minutes).
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 300,
    // Credit for being first with a valid block (at most +10), decaying within a minute.
    firstMessageDeliveriesWeight: 0.5,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 20,
    // Off: an idle chain seals few blocks, and a relay that has nothing new to send is not at fault.
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    // Rejected messages: squared, decaying by 1% a second (half-life about 70 s).
    invalidMessageDeliveriesWeight: INVALID_WEIGHT,
    invalidMessageDeliveriesDecay: 0.99,
  }
}

export function peerScoreParams(topic: string, appSpecificScore: (peer: string) => number): PeerScoreParams {
  return {
    topics: { [topic]: blocksTopicScoreParams() },
    topicScoreCap: 13,
    appSpecificScore,
    appSpecificWeight: 1,
    // Off: devnets and operators behind one NAT run several honest nodes from one address.
    IPColocationFactorWeight: 0,
    IPColocationFactorThreshold: 10,
    IPColocationFactorWhitelist: new Set(),
    // Broken gossip promises (IWANT not answered), as gossipsub's defaults.
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 0,
    behaviourPenaltyDecay: 0.2,
    decayInterval: 1000,
    decayToZero: 0.1,
    retainScore: 60 * 60 * 1000,
  }
}

/** What the application holds against a peer, in score points. */
export const RANGE_PENALTIES = {
  /** A malformed blocks-by-range request. */
  invalidRequest: 20,
  /** A request refused by the range limits: cheap for a client that backs off, costly for a flood. */
  throttled: 2,
} as const

/**
 * The application-specific score: penalties that halve every `halfLifeMs`, read as a negative score.
 */
export class PeerPenalties {
  readonly #halfLifeMs: number
  readonly #now: () => number
  readonly #penalties = new Map<string, { points: number; at: number }>()

  constructor(halfLifeMs = 60_000, now: () => number = Date.now) {
    this.#halfLifeMs = halfLifeMs
    this.#now = now
  }

  add(peer: string, points: number): void {
    this.#penalties.set(peer, { points: this.#current(peer) + points, at: this.#now() })
    if (this.#penalties.size > 4096) {
      for (const [id] of this.#penalties) if (this.#current(id) < 0.5) this.#penalties.delete(id)
    }
  }

  /** ≤ 0: minus the decayed penalty points. */
  score(peer: string): number {
    return -this.#current(peer)
  }

  #current(peer: string): number {
    const entry = this.#penalties.get(peer)
    if (entry === undefined) return 0
    return entry.points * 0.5 ** ((this.#now() - entry.at) / this.#halfLifeMs)
  }
}
