/**
 * The e2e figure's loaded window, computed from the sequencer's scrapes: it ends at the scrape that
 * first saw every transfer ever included, so the drain's empty blocks and idle CPU are left out.
 */
import { describe, expect, it } from 'vitest'
import { loadedTiming, safeLag, sequencerTiming } from './e2e.ts'
import type { Scrape } from './e2eScraper.ts'

type Point = { s: number; included: number; blocks: number; gapSeconds: number; sealSeconds: number; mainUs: number }

/** Scrapes whose counters are the running sums of `points` (one point per second of the run). */
function scrapes(points: readonly Point[]): Scrape[] {
  let blocks = 0
  let gaps = 0
  let seals = 0
  return points.map((p) => {
    blocks += p.blocks
    gaps += p.gapSeconds
    seals += p.sealSeconds
    const metrics = [
      `sluice_transactions_total{source="sequenced"} ${p.included}`,
      `sluice_liveness_gap_seconds_sum{loop="seal"} ${gaps}`,
      `sluice_liveness_gap_seconds_count{loop="seal"} ${blocks}`,
      `sluice_block_seal_seconds_sum ${seals}`,
      `sluice_block_seal_seconds_count ${blocks}`,
      `sluice_event_loop_delay_seconds{stat="p99"} ${p.blocks > 1 ? 0.2 : 0.01}`,
      `sluice_event_loop_delay_seconds{stat="max"} ${p.blocks > 1 ? 0.25 : 0.02}`,
    ].join('\n')
    return { atMs: p.s * 1000, metrics, threads: { main: p.mainUs, WorkerThread: p.mainUs / 2 } }
  })
}

// Funding is done (3,000 transfers, blocks counted before the window); 5 s of the load generator's
// preparation; then 3 s of load, then a 27 s drain that includes nothing more while an empty block is
// sealed every second.
const run = scrapes([
  { s: -5, included: 3_000, blocks: 35, gapSeconds: 35, sealSeconds: 0.35, mainUs: 990_000 },
  // the load generator prepares its requests: empty blocks, a little CPU
  { s: 0, included: 3_000, blocks: 5, gapSeconds: 5, sealSeconds: 0.05, mainUs: 1_000_000 },
  { s: 1, included: 5_000, blocks: 4, gapSeconds: 1, sealSeconds: 0.4, mainUs: 1_300_000 },
  { s: 2, included: 8_000, blocks: 3, gapSeconds: 0.9, sealSeconds: 0.6, mainUs: 1_600_000 },
  { s: 3, included: 9_000, blocks: 3, gapSeconds: 0.9, sealSeconds: 0.6, mainUs: 1_900_000 },
  { s: 4, included: 9_000, blocks: 1, gapSeconds: 1, sealSeconds: 0.01, mainUs: 1_920_000 },
  { s: 30, included: 9_000, blocks: 26, gapSeconds: 26, sealSeconds: 0.26, mainUs: 2_400_000 },
])

describe('e2e figure: the loaded window', () => {
  it('runs from the last scrape without transfers in blocks to the first that saw the last one', () => {
    const loaded = loadedTiming(run)
    expect(loaded).toBeDefined()
    expect(loaded?.windowS).toBe(3)
    expect(loaded?.included).toBe(6_000)
    expect(loaded?.blocksSealed).toBe(10)
    // CPU over the window per transfer included in it: 900,000 µs / 6,000
    expect(loaded?.threadCpuUsPerTx).toEqual({ main: 150, WorkerThread: 75 })
  })

  it('takes the blocks’ interval, seal time and size from the first scrape with transfers in blocks', () => {
    const loaded = loadedTiming(run)
    // seconds 1–3: 6 blocks, 1.8 s of gaps, 1.2 s of sealing, 4,000 transfers
    expect(loaded?.blockIntervalMs).toBe(300)
    expect(loaded?.sealMeanMs).toBe(200)
    expect(loaded?.transfersPerBlock).toBe(667)
    expect(loaded?.eventLoopDelayP99Ms).toBe(200)
  })

  it('differs from the whole window, whose interval includes the drain', () => {
    const whole = sequencerTiming(run, 6_000, null)
    expect(whole.blocksSealed).toBe(42)
    expect(whole.sealIntervalMs).toBeCloseTo((34.8 / 42) * 1000, 0)
    expect(whole.eventLoopDelayMaxMs).toBe(250)
  })

  it('is undefined when nothing was included', () => {
    const idle = scrapes([
      { s: 0, included: 10, blocks: 1, gapSeconds: 1, sealSeconds: 0.01, mainUs: 10 },
      { s: 1, included: 10, blocks: 1, gapSeconds: 1, sealSeconds: 0.01, mainUs: 20 },
    ])
    expect(loadedTiming(idle)).toBeUndefined()
  })
})

/** Scrapes of the heads alone: [seconds, transfers in blocks, unsafe head, safe head]. */
function headScrapes(points: readonly [number, number, number, number][]): Scrape[] {
  return points.map(([s, included, unsafe, safe]) => ({
    atMs: s * 1000,
    metrics: [
      `sluice_transactions_total{source="sequenced"} ${included}`,
      `sluice_head_number{head="unsafe"} ${unsafe}`,
      `sluice_head_number{head="safe"} ${safe}`,
    ].join('\n'),
    threads: {},
  }))
}

describe("e2e figure: the safe head's lag", () => {
  // 10 blocks a second under load to s = 3 (the last transfer in block 40), then a drain of empty
  // blocks while the batcher catches up: block 40 is safe at s = 7
  const lagging = headScrapes([
    [0, 0, 10, 10],
    [1, 1_000, 20, 10],
    [2, 2_000, 30, 12],
    [3, 3_000, 40, 15],
    [5, 3_000, 42, 30],
    [7, 3_000, 44, 41],
  ])

  it('reads the largest and the last lag of the loaded window in blocks and as the age of the safe head', () => {
    const lag = safeLag(lagging)
    // at s = 3: 25 blocks; the unsafe head passed block 15 at s = 1
    expect(lag).toMatchObject({ maxBlocks: 25, endBlocks: 25, maxSeconds: 2, endSeconds: 2, lastLoadedBlock: 40 })
  })

  it('times the catch-up from the end of the loaded window to the first scrape with its last block safe', () => {
    expect(safeLag(lagging)?.catchUpS).toBe(4)
    // not within the scrapes: unknown, not zero
    expect(safeLag(lagging.slice(0, 5))?.catchUpS).toBeUndefined()
  })

  it('is zero for a batcher that keeps up', () => {
    const keepingUp = headScrapes([
      [0, 0, 10, 10],
      [1, 1_000, 20, 20],
      [2, 2_000, 30, 30],
    ])
    expect(safeLag(keepingUp)).toMatchObject({ maxBlocks: 0, maxSeconds: 0, catchUpS: 0 })
  })
})
