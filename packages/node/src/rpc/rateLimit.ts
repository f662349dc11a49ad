import type { RateLimit } from './types.ts'

type Bucket = { tokens: number; updatedAt: number }

/**
 * A token bucket per client key (its IP), counted in cost units (`rpc/cost.ts`). A request is
 * admitted while its client has at least one token and then pays its whole cost, possibly going
 * into debt: a batch dearer than the burst is not refused forever, and the debt holds the client
 * back until it is repaid at `unitsPerSecond`. Work whose cost is known only afterwards (the logs
 * a query returned) is charged with `charge`. Idle clients are forgotten by `sweep`.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly limit: RateLimit
  private readonly now: () => number

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    if (!(limit.unitsPerSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError(`a rate limit needs unitsPerSecond > 0 and burst ≥ 1, got ${JSON.stringify(limit)}`)
    }
    this.limit = limit
    this.now = now
  }

  private refill(key: string): Bucket {
    const now = this.now()
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      bucket = { tokens: this.limit.burst, updatedAt: now }
      this.buckets.set(key, bucket)
      return bucket
    }
    const refilled = bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.limit.unitsPerSecond
    bucket.tokens = refilled > this.limit.burst ? this.limit.burst : refilled
    bucket.updatedAt = now
    return bucket
  }

  /** True when `key` may send a request now (it has a token); does not spend. */
  mayProceed(key: string): boolean {
    return this.refill(key).tokens >= 1
  }

  /** Spends `units` tokens if the client has at least one; false (nothing spent) otherwise. */
  take(key: string, units: number): boolean {
    const bucket = this.refill(key)
    if (bucket.tokens < 1) return false
    bucket.tokens -= units
    return true
  }

  /** Spends `units` tokens whatever the balance: work already done, paid for afterwards. */
  charge(key: string, units: number): void {
    if (units > 0) this.refill(key).tokens -= units
  }

  /** Seconds until `key` has a token again (for `Retry-After`). */
  retryAfterSeconds(key: string): number {
    const bucket = this.refill(key)
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.limit.unitsPerSecond)
  }

  /** Drops clients whose bucket is full again: they are indistinguishable from new ones. */
  sweep(): void {
    const now = this.now()
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.limit.unitsPerSecond >= this.limit.burst) {
        this.buckets.delete(key)
      }
    }
  }

  get clientCount(): number {
    return this.buckets.size
  }
}
