import type { Logger } from '@sluice/node'
import { Counter, Gauge, type Registry } from 'prom-client'

export type SafeLagThrottleOptions = {
  /**
   * Most blocks the unsafe head may run ahead of the safe head before the builder stops taking
   * transactions (op-node's `--sequencer.max-safe-lag`); 0 never throttles.
   */
  maxBlocks: number
  /** The safe head's number now (blocks derived from batches on L1). */
  safeHead: () => bigint
  logger: Logger
  registry: Registry
}

/**
 * Bounds how far the unsafe chain runs ahead of what the batcher got onto L1. A sequencer that
 * seals faster than its batcher posts (saturated intake, a slow or stalled L1) piles up blocks that
 * exist only on its own disk: the safe head falls further behind for as long as the load lasts, and
 * so does every user's wait for L1 safety. Past `maxBlocks`, the builder takes no mempool
 * transactions (delayed messages still enter, and the idle empty block still keeps wallets moving)
 * until the batcher has brought the safe head back within the bound; the transactions wait in the
 * mempool meanwhile, so its admission limits push back on clients.
 */
export class SafeLagThrottle {
  private readonly options: SafeLagThrottleOptions
  private throttling = false
  private throttledSince = 0
  private readonly lag: Gauge
  private readonly throttledBlocks: Counter

  constructor(options: SafeLagThrottleOptions) {
    this.options = options
    const registers = [options.registry]
    this.lag = new Gauge({
      name: 'sluice_safe_lag_blocks',
      help: 'Unsafe head minus safe head, L2 blocks, at the last block the builder started',
      registers,
    })
    this.throttledBlocks = new Counter({
      name: 'sluice_builder_safe_lag_throttled_total',
      help: 'Block seals that took no transactions because the unsafe head was max-safe-lag blocks past the safe head',
      registers,
    })
  }

  /** Whether a block on top of unsafe block `tip` must take no transactions (the next block would exceed the bound). */
  holds(tip: bigint): boolean {
    const { maxBlocks, safeHead, logger } = this.options
    const safe = safeHead()
    const lag = tip > safe ? Number(tip - safe) : 0
    this.lag.set(lag)
    const hold = maxBlocks > 0 && lag >= maxBlocks
    if (hold) this.throttledBlocks.inc()
    if (hold && !this.throttling) {
      this.throttledSince = Date.now()
      logger.warn(
        { unsafe: Number(tip), safe: Number(safe), maxSafeLag: maxBlocks },
        'unsafe head is max-safe-lag blocks past the safe head: sealing without transactions until the batcher catches up',
      )
    } else if (!hold && this.throttling) {
      logger.info(
        { unsafe: Number(tip), safe: Number(safe), throttledMs: Date.now() - this.throttledSince },
        'safe head back within max-safe-lag: taking transactions again',
      )
    }
    this.throttling = hold
    return hold
  }
}
