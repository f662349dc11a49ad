/**
 * The overview's live state under a flood of heads: bounded memory, aggregated series, at most one
 * notification per 250 ms, and an honest "live" / "syncing" state. No browser needed: the node is a
 * fake answering the few calls `LiveNode` makes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type HeadSource, LiveNode, STALE_MS, type SyncStatus } from '../src/live.ts'
import type { HeadHeader, Hex, RpcClient } from '../src/rpc.ts'

const hex = (n: number): Hex => `0x${n.toString(16)}`
const GAS_LIMIT = 30_000_000

/** Block n holds n % 7 transactions, uses n % 7 × 21,000 gas, and is stamped second ⌊n / 4⌋. */
const header = (n: number): HeadHeader => ({
  number: hex(n),
  hash: `0x${n.toString(16).padStart(64, '0')}`,
  timestamp: hex(1_000 + Math.floor(n / 4)),
  gasUsed: hex((n % 7) * 21_000),
  gasLimit: hex(GAS_LIMIT),
})

function status(
  derivation: NonNullable<SyncStatus['derivation']>,
  batches: NonNullable<SyncStatus['batches']> = { count: '0x5', l1Count: '0x5' },
): SyncStatus {
  const ref = { number: hex(10), hash: `0x${'00'.repeat(32)}` as Hex, timestamp: hex(1) }
  return {
    chainId: hex(1),
    unsafe: ref,
    safe: ref,
    finalized: ref,
    derivation,
    batches,
  }
}

function setup(answer: SyncStatus = status({ batchIndex: hex(4), messageCount: hex(100) })) {
  const calls: string[] = []
  const rpc = {
    onReachability: undefined,
    async call(method: string) {
      calls.push(method)
      if (method === 'sluice_syncStatus') return answer
      throw new Error(`unexpected ${method}`)
    },
    async batch(list: readonly { method: string; params: readonly unknown[] }[]) {
      calls.push(`batch of ${list.length}`)
      return list.map((c) => hex(Number(BigInt(c.params[0] as string)) % 7))
    },
  } as unknown as RpcClient
  const heads: HeadSource = { onHead: undefined, onState: undefined, start() {}, stop() {} }
  const live = new LiveNode(rpc, heads)
  const feed = (n: number) => heads.onHead?.(header(n))
  return { live, feed, calls, rpc }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('LiveNode', () => {
  it('tells its listeners at most once per 250 ms, however many heads arrive', async () => {
    const { live, feed } = setup()
    let notified = 0
    live.subscribe(() => notified++)
    for (let n = 1; n <= 5_000; n++) feed(n)
    expect(notified).toBe(0)
    await vi.advanceTimersByTimeAsync(250)
    expect(notified).toBe(1)
    for (let n = 5_001; n <= 5_100; n++) feed(n)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(notified).toBe(2)
  })

  it('keeps a bounded ring of blocks and counts transactions in batched calls, newest heads first when behind', async () => {
    const { live, feed, calls } = setup()
    for (let n = 1; n <= 5_000; n++) feed(n)
    // A reader far behind keeps the newest 400 heads; each load fetches up to 100 counts in one call.
    for (let i = 0; i < 10; i++) await live.loadCounts()
    expect(calls).toEqual(['batch of 100', 'batch of 100', 'batch of 100', 'batch of 100'])
    expect(live.blocks.map((b) => b.number)).toEqual(Array.from({ length: 400 }, (_, i) => 4_601 + i))
    for (let n = 5_001; n <= 12_000; n++) {
      feed(n)
      if (n % 100 === 0) await live.loadCounts()
    }
    expect(live.blocks.length).toBeLessThanOrEqual(4_000)
    expect(live.blocks[live.blocks.length - 1]?.number).toBe(12_000)
  })

  it('aggregates transactions per second and block fill per second of chain time', async () => {
    const { live, feed } = setup()
    for (let n = 1; n <= 40; n++) feed(n)
    await live.loadCounts()
    const { seconds, transactionsPerSecond, fillPercent } = live.series()
    // Blocks 4k … 4k+3 share second 1000 + k (block 1–3 in the first).
    expect(seconds[0]).toBe(1_000)
    expect(seconds[seconds.length - 1]).toBe(1_010)
    const txsIn = (second: number) => {
      let sum = 0
      for (let n = 1; n <= 40; n++) if (1_000 + Math.floor(n / 4) === second) sum += n % 7
      return sum
    }
    seconds.forEach((second, i) => {
      expect(transactionsPerSecond[i]).toBe(txsIn(second))
      const blocks = Array.from({ length: 40 }, (_, k) => k + 1).filter((n) => 1_000 + Math.floor(n / 4) === second)
      const fill = blocks.reduce((sum, n) => sum + ((n % 7) * 21_000) / GAS_LIMIT, 0) / blocks.length
      expect(fillPercent[i]).toBeCloseTo(fill * 100, 10)
    })
    // A replaced height (reorg) drops what followed it.
    feed(20)
    await live.loadCounts()
    expect(live.blocks[live.blocks.length - 1]?.number).toBe(20)
    expect(live.blocks).toHaveLength(20)
  })

  it('is live only while the node answers, and says when it is catching up', async () => {
    const caughtUp = setup()
    expect(caughtUp.live.live).toBe(false)
    await caughtUp.live.loadStatus()
    expect(caughtUp.live.live).toBe(false) // reachability is reported by the HTTP client
    caughtUp.rpc.onReachability?.(true)
    expect(caughtUp.live.live).toBe(true)
    expect(caughtUp.live.syncing).toBeUndefined()
    await vi.advanceTimersByTimeAsync(STALE_MS + 1)
    expect(caughtUp.live.live).toBe(false)
    caughtUp.rpc.onReachability?.(false)
    expect(caughtUp.live.unreachableSince).toBeDefined()

    const behind = setup(
      status(
        {
          batchIndex: hex(4),
          messageCount: hex(100),
          targetMessageCount: hex(5_000),
          blocksPerSecond: 120,
          etaSeconds: 42,
        },
        { count: '0x5', l1Count: '0x40' },
      ),
    )
    await behind.live.loadStatus()
    expect(behind.live.syncing).toEqual({ blocksPerSecond: 120, etaSeconds: 42, behind: 0x40 - 5 })
  })
})
