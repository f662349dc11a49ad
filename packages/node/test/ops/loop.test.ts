import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startLoop } from '../../src/ops/loop.ts'
import { createNodeMetrics } from '../../src/ops/metrics.ts'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Runs a loop whose steps take `stepMs` each, for `forMs` of fake time; returns when each step started. */
async function stepStarts(stepMs: number, options: { fixedRate?: boolean }, forMs = 1_000): Promise<number[]> {
  const starts: number[] = []
  const t0 = Date.now()
  const loop = startLoop({
    name: 'test',
    intervalMs: 100,
    fixedRate: options.fixedRate,
    logger: pino({ level: 'silent' }),
    metrics: createNodeMetrics(),
    onFatal: (error) => {
      throw error
    },
    step: async () => {
      starts.push(Date.now() - t0)
      await new Promise((resolve) => setTimeout(resolve, stepMs))
    },
  })
  await vi.advanceTimersByTimeAsync(forMs)
  const stopped = loop.stop()
  await vi.advanceTimersByTimeAsync(stepMs)
  await stopped
  return starts
}

const gaps = (starts: number[]) => starts.slice(1).map((at, i) => at - (starts[i] as number))

describe('startLoop', () => {
  it('waits the interval after each step ends by default', async () => {
    const starts = await stepStarts(60, {})
    expect(starts.length).toBeGreaterThan(3)
    expect(new Set(gaps(starts))).toEqual(new Set([160]))
  })

  it('with fixedRate, starts a step every interval while steps are shorter than it', async () => {
    const starts = await stepStarts(60, { fixedRate: true })
    expect(starts.length).toBeGreaterThan(3)
    expect(new Set(gaps(starts))).toEqual(new Set([100]))
  })

  it('with fixedRate, starts the next step at once when a step took longer than the interval', async () => {
    const starts = await stepStarts(150, { fixedRate: true })
    expect(starts.length).toBeGreaterThan(3)
    // Node runs a 0 ms timer after 1 ms: the one event-loop turn the loop gives between steps.
    expect(new Set(gaps(starts))).toEqual(new Set([151]))
  })
})
