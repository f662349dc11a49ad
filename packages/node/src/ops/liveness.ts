import { readdirSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Gauge, Histogram, type Registry } from 'prom-client'
import { fileDescriptorLimit } from '../rpc/connections.ts'
import type { HealthReport, RpcJson } from '../rpc/types.ts'

/** A loop whose staleness makes `/health` fail: its name, how old its last beat may be, and what it is. */
export type LivenessCheck = { loop: string; maxAgeMs: number; what: string }

function openFileDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length
  } catch {
    return undefined
  }
}

/**
 * What tells the truth about a node under load: each loop (block sealing, L1 polling, batch posting)
 * reports here when it completes a turn, so `/health` can fail when one stalled, and `/metrics` shows
 * each loop's age and the gaps between its turns, the event-loop delay and file descriptors in use.
 */
export class Liveness {
  private readonly beats = new Map<string, number>()
  private readonly delay = monitorEventLoopDelay({ resolution: 10 })
  private readonly gaps: Histogram<'loop'>
  private readonly now: () => number
  private lastDelayMaxMs = 0

  constructor(registry: Registry, now: () => number = Date.now) {
    this.now = now
    this.delay.enable()
    this.gaps = new Histogram({
      name: 'sluice_liveness_gap_seconds',
      help: 'Time between consecutive turns of a node loop (seal: blocks sealed; l1: L1 polls; batcher, builder: loop turns)',
      labelNames: ['loop'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60],
      registers: [registry],
    })
    const self = this
    new Gauge({
      name: 'sluice_liveness_age_seconds',
      help: 'Seconds since a node loop last completed a turn (seal: last block sealed; l1: last L1 poll)',
      labelNames: ['loop'],
      registers: [registry],
      collect() {
        for (const loop of self.beats.keys()) this.set({ loop }, (self.ageMs(loop) ?? 0) / 1000)
      },
    })
    new Gauge({
      name: 'sluice_event_loop_delay_seconds',
      help: 'Event-loop delay since the previous scrape (max, p99, mean): how long timers, hence block sealing, waited',
      labelNames: ['stat'],
      registers: [registry],
      collect() {
        const h = self.delay
        self.lastDelayMaxMs = h.max / 1e6
        this.set({ stat: 'max' }, h.max / 1e9)
        this.set({ stat: 'p99' }, h.percentile(99) / 1e9)
        this.set({ stat: 'mean' }, Number.isNaN(h.mean) ? 0 : h.mean / 1e9)
        h.reset()
      },
    })
    new Gauge({
      name: 'sluice_open_fds',
      help: 'File descriptors this process has open',
      registers: [registry],
      collect() {
        const open = openFileDescriptors()
        if (open !== undefined) this.set(open)
      },
    })
    const limit = fileDescriptorLimit()
    if (limit !== undefined) {
      new Gauge({ name: 'sluice_max_fds', help: 'Open-file limit of this process', registers: [registry] }).set(limit)
    }
  }

  /** A loop completed a turn. */
  beat(loop: string): void {
    const at = this.now()
    const previous = this.beats.get(loop)
    if (previous !== undefined) this.gaps.observe({ loop }, (at - previous) / 1000)
    this.beats.set(loop, at)
  }

  /** Milliseconds since `loop` last completed a turn; undefined before its first. */
  ageMs(loop: string): number | undefined {
    const at = this.beats.get(loop)
    return at === undefined ? undefined : this.now() - at
  }

  /**
   * Unhealthy when a checked loop's last turn is older than its threshold (a loop that never turned
   * counts from when the node started), with the ages and the event-loop delay in the details.
   */
  health(checks: readonly LivenessCheck[], startedAt: number, details: Record<string, RpcJson> = {}): HealthReport {
    const ages: Record<string, number> = {}
    let reason: string | undefined
    for (const check of checks) {
      const age = this.ageMs(check.loop) ?? this.now() - startedAt
      ages[`${check.loop}AgeMs`] = age
      if (age > check.maxAgeMs && reason === undefined) {
        reason = `${check.what} stalled: none for ${(age / 1000).toFixed(1)} s (threshold ${(check.maxAgeMs / 1000).toFixed(1)} s)`
      }
    }
    const all: Record<string, RpcJson> = {
      ...details,
      ...ages,
      eventLoopDelayMaxMs: Math.round(Math.max(this.lastDelayMaxMs, this.delay.max / 1e6)),
    }
    return reason === undefined ? { healthy: true, details: all } : { healthy: false, reason, details: all }
  }

  stop(): void {
    this.delay.disable()
  }
}
