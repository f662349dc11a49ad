/**
 * Issue 17 item 3: non-executable (gapped) transactions cannot take the room of executable ones,
 * cannot crowd each other out unfairly, and expire.
 */
import { TXPOOL_REFUSALS } from '@sluice/node'
import { afterAll, describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { testAccount } from '../../../../test/support/wallet.ts'
import { MempoolError } from '../../src/mempool/index.ts'
import { alice, bob, closeRecovery, config, ETH, FakeView, makePool, tx } from './support.ts'

afterAll(closeRecovery)

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'accepted'
  } catch (error) {
    if (error instanceof MempoolError) return error.shortMessage
    throw error
  }
}

/** Funded senders other than the shared ones. */
function senders(count: number, view: FakeView, first = 100) {
  return Array.from({ length: count }, (_, i) => {
    const who = testAccount(first + i)
    view.set(who, { balance: ETH })
    return who
  })
}

describe('Mempool parking', () => {
  it('keeps gapped transactions in their own budget: an honest sender at tip 0 gets in when it is full', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const parkers = senders(4, view)
    const { pool } = makePool(view, { maxExecutable: 8, maxQueued: 8, maxQueuedPerSender: 2 })
    for (const parker of parkers) {
      // nonce 0 never sent; the cheapest tip there is.
      await pool.add(tx(parker, 1n, { tipGwei: 0n }))
      await pool.add(tx(parker, 2n, { tipGwei: 0n }))
    }
    expect(pool.stats()).toMatchObject({ ready: 0, queued: 8 })
    expect(await refusal(pool.add(tx(parkers[0] as never, 3n)))).toBe(TXPOOL_REFUSALS.accountLimitExceeded)
    // Every parker holds 2: a new gapped sender would hold 1, fewer than any: it is not refused...
    const late = senders(1, view, 200)[0] as never
    expect(await refusal(pool.add(tx(late, 1n)))).toBe('accepted')
    // ...but room was made from a parker with 2; now shares are level (2,2,2,1,1) and a third
    // gapped transaction of a sender with 1 would make 2, as many as the largest: refused.
    expect(await refusal(pool.add(tx(late, 2n)))).toBe(TXPOOL_REFUSALS.txpoolFull)
    // Executable transactions are never refused for parked ones, whatever their tip.
    expect(await refusal(pool.add(tx(alice, 0n, { tipGwei: 0n })))).toBe('accepted')
    expect(await refusal(pool.add(tx(alice, 1n, { tipGwei: 0n })))).toBe('accepted')
    expect(pool.stats()).toMatchObject({ ready: 2, queued: 8, dropped: { evicted: 1 } })
  })

  it('evicts the cheapest executable tail with the higher nonces that wait on it, never a lower one alone', async () => {
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    const [carol] = senders(1, view)
    const { pool, dropped } = makePool(view, { maxExecutable: 2 })
    const a0 = await pool.add(tx(alice, 0n, { tipGwei: 1n }))
    const a2 = await pool.add(tx(alice, 2n, { tipGwei: 1n })) // waits on alice's 1
    await pool.add(tx(bob, 0n, { tipGwei: 5n }))
    expect(await refusal(pool.add(tx(carol as never, 0n, { tipGwei: 1n })))).toBe(TXPOOL_REFUSALS.underpriced)
    await pool.add(tx(carol as never, 0n, { tipGwei: 2n }))
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([
      [a2.hashHex, 'evicted'],
      [a0.hashHex, 'evicted'],
    ])
    expect(pool.stats()).toMatchObject({ size: 2, ready: 2, queued: 0 })
  })

  it('expires transactions that stay non-executable past the lifetime, with the nonces above them', async () => {
    let now = 1_000_000
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    const { pool, dropped } = makePool(view, { lifetimeMs: 10_000, now: () => now })
    await pool.add(tx(alice, 0n)) // executable: never expires
    const a2 = await pool.add(tx(alice, 2n))
    now += 6_000
    const a3 = await pool.add(tx(alice, 3n))
    const b5 = await pool.add(tx(bob, 5n))
    expect(pool.expire()).toBe(0)
    now += 4_000
    // alice's 2 is 10 s old: it goes, and her 3 (only 4 s old) with it, since it waits on 2.
    expect(pool.expire()).toBe(2)
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([
      [a3.hashHex, 'expired'],
      [a2.hashHex, 'expired'],
    ])
    expect(dropped[1]?.detail).toMatch(/non-executable for more than 10 s/)
    expect(pool.stats()).toMatchObject({ ready: 1, queued: 1, dropped: { expired: 2 } })
    now += 6_000
    expect(pool.expire()).toBe(1)
    expect(pool.has(b5.hash)).toBe(false)
    expect(pool.stats()).toMatchObject({ size: 1, ready: 1, queued: 0 })
  })

  it('readmits with the recorded sender and admission time, without a recovery', async () => {
    let now = 5_000
    const view = new FakeView().set(alice, { balance: ETH })
    const first = makePool(view, { now: () => now })
    const original = await first.pool.add(tx(alice, 1n))
    now = 50_000
    const { pool } = makePool(view, { lifetimeMs: 40_000, now: () => now })
    const again = pool.readmit(original.raw, { sender: original.sender, admittedAt: original.admittedAt })
    expect(again.admittedAt).toBe(5_000)
    expect(pool.stats().recoveryBatches).toBe(0)
    expect(pool.expire()).toBe(1)
  })

  it('keeps its executable and non-executable counts exact through random admissions, blocks and drops', async () => {
    const prng = new Prng(17)
    const view = new FakeView()
    const accounts = senders(6, view, 300)
    let now = 0
    const lifetimeMs = 60_000
    const { pool } = makePool(view, {
      maxExecutable: 12,
      maxQueued: 6,
      maxQueuedPerSender: 3,
      maxPerSender: 8,
      lifetimeMs,
      now: () => now,
    })
    let mostQueued = 0
    for (let step = 0; step < 300; step++) {
      const who = accounts[prng.int(accounts.length)] as (typeof accounts)[number]
      const action = prng.int(10)
      if (action < 7) {
        const nonce = view.account(who.address).nonce + BigInt(prng.int(6))
        await refusal(pool.add(tx(who, nonce, { tipGwei: BigInt(prng.int(4)), value: BigInt(1 + prng.int(3)) })))
      } else if (action < 9) {
        const block = pool.takeReady(1 + prng.int(4), config.l2BlockGasLimit)
        pool.markIncluded(block.map((p) => p.hash))
        const next = view.clone()
        for (const included of block) {
          const state = next.account(included.sender)
          next.accounts.set(included.senderHex, { nonce: included.nonce + 1n, balance: state.balance - 21_000n })
        }
        for (const [key, value] of next.accounts) view.accounts.set(key, value)
        pool.onNewHead(
          view,
          block.map((p) => p.sender),
        )
      } else {
        now += prng.int(3) === 0 ? lifetimeMs : 1_000
        pool.expire()
      }
      // The counts kept incrementally equal a recount from scratch.
      let ready = 0
      let size = 0
      for (const who of accounts) {
        const pending = pool.pendingNonce(who.address)
        ready += Number(pending - view.account(who.address).nonce)
      }
      for (const _ of pool.transactions()) size++
      const stats = pool.stats()
      expect(stats.size).toBe(size)
      expect(stats.ready).toBe(ready)
      expect(stats.queued).toBe(size - ready)
      expect(stats.queued).toBeLessThanOrEqual(6)
      expect(stats.ready).toBeLessThanOrEqual(12 + 3)
      mostQueued = Math.max(mostQueued, stats.queued)
    }
    // The walk went through full queues, evictions and expiries, not only the easy states.
    expect(mostQueued).toBe(6)
    expect(pool.stats()).toMatchObject({ dropped: { evicted: expect.any(Number), expired: expect.any(Number) } })
    expect(pool.stats().accepted).toBeGreaterThan(50)
  })
})
