/**
 * What blocks-by-range may cost a node: a bounded number of answers in progress at once, and blocks
 * per second per peer and in total (token buckets). A request is admitted whole or refused with
 * when to retry; blocks a shorter answer did not send are given back.
 */

/** Tokens refill continuously at `perSecond` up to `burst`. */
export class TokenBucket {
  readonly #perSecond: number
  readonly #burst: number
  readonly #now: () => number
  #tokens: number
  #at: number

  constructor(perSecond: number, burst: number, now: () => number = performance.now.bind(performance)) {
    this.#perSecond = perSecond
    this.#burst = burst
    this.#now = now
    this.#tokens = burst
    this.#at = now()
  }

  get tokens(): number {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) * this.#perSecond) / 1000)
    this.#at = now
    return this.#tokens
  }

  /** True when the bucket is full: it can be forgotten without changing anything. */
  get full(): boolean {
    return this.tokens >= this.#burst
  }

  /** Milliseconds until `count` tokens are there (0 when they are). */
  waitFor(count: number): number {
    const missing = Math.min(count, this.#burst) - this.tokens
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.#perSecond)
  }

  take(count: number): void {
    this.#tokens = this.tokens - count
  }

  give(count: number): void {
    this.#tokens = Math.min(this.#burst, this.tokens + count)
  }
}

export type RangeServeLimits = {
  /** Answers being built or sent at once, over all peers (beyond: refused as busy). */
  maxConcurrent: number
  /** Blocks per second over all peers; the burst is the same number (at least one full request). */
  blocksPerSecond: number
  /** Blocks per second to one peer; the burst is the same number (at least one full request). */
  blocksPerSecondPerPeer: number
}

/** A request admitted: call `done(sent)` once, with the blocks actually sent. */
export type RangeTicket = { done(sent: number): void }

export type RangeRefusal = { refused: string }

export class RangeServeLimiter {
  readonly #limits: RangeServeLimits
  readonly #minimumBurst: number
  readonly #now: (() => number) | undefined
  readonly #total: TokenBucket
  readonly #perPeer = new Map<string, TokenBucket>()
  #active = 0

  /** `minimumBurst`: the largest request (MAX_RANGE_COUNT), so that a full request can ever pass. */
  constructor(limits: RangeServeLimits, minimumBurst: number, now?: () => number) {
    this.#limits = limits
    this.#minimumBurst = minimumBurst
    this.#now = now
    this.#total = new TokenBucket(limits.blocksPerSecond, Math.max(minimumBurst, limits.blocksPerSecond), now)
  }

  /** Answers in progress. */
  get active(): number {
    return this.#active
  }

  /** Admits a request of `count` blocks from `peer`, or says why not and when to retry. */
  admit(peer: string, count: number): RangeTicket | RangeRefusal {
    if (this.#active >= this.#limits.maxConcurrent) {
      return { refused: `busy: ${this.#active} range requests in progress; retry later` }
    }
    const own = this.#bucket(peer)
    const wait = Math.max(own.waitFor(count), this.#total.waitFor(count))
    if (wait > 0) return { refused: `rate limited: retry in ${wait} ms` }
    own.take(count)
    this.#total.take(count)
    this.#active++
    let settled = false
    return {
      done: (sent) => {
        if (settled) return
        settled = true
        this.#active--
        own.give(count - sent)
        this.#total.give(count - sent)
      },
    }
  }

  #bucket(peer: string): TokenBucket {
    let bucket = this.#perPeer.get(peer)
    if (bucket === undefined) {
      // Forget peers whose buckets refilled: the map stays as small as the set of recent askers.
      if (this.#perPeer.size >= 1024) for (const [id, other] of this.#perPeer) if (other.full) this.#perPeer.delete(id)
      const rate = this.#limits.blocksPerSecondPerPeer
      bucket = new TokenBucket(rate, Math.max(this.#minimumBurst, rate), this.#now)
      this.#perPeer.set(peer, bucket)
    }
    return bucket
  }
}
