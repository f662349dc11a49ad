import { bytesToHex, transactionHash } from '@sluice/core'
import { TXPOOL_REFUSALS } from '@sluice/node'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../../../test/support/processes.ts'
import { IntakeLog, type ReplayRefusal, TransactionIntake } from '../../src/intake/index.ts'
import { MempoolError } from '../../src/mempool/index.ts'
import { alice, bob, closeRecovery, ETH, FakeView, makePool, tx } from '../mempool/support.ts'

afterAll(closeRecovery)

describe('TransactionIntake', () => {
  it('acknowledges only durable transactions, refuses without logging, replays after a restart', async () => {
    const directory = tempDir('sluice-intake-')
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    let log = await IntakeLog.open({ directory })
    let { pool } = makePool(view)
    let intake = new TransactionIntake({ mempool: pool, log })

    const raws = [tx(alice, 0n), tx(alice, 1n), tx(bob, 0n), tx(bob, 1n)]
    const pooled = await Promise.all(raws.map((raw) => intake.submit(raw)))
    await expect(intake.submit(tx(alice, 5n, { value: 2n * ETH }))).rejects.toThrow(TXPOOL_REFUSALS.insufficientFunds)
    expect(log.stats()).toMatchObject({ appends: 4, nextSequence: 4n })
    expect(intake.unresolved).toBe(4)

    // alice's 0 is sealed in a block; the builder resolves it and the log may be compacted to it.
    intake.resolve([pooled[0]?.hash as Uint8Array])
    expect(intake.watermark).toBe(0n)
    await log.close()

    // Restart: alice's 0 is in the chain store; a forced transaction spent bob's nonce 0.
    view.set(alice, { nonce: 1n }).set(bob, { nonce: 1n })
    log = await IntakeLog.open({ directory })
    ;({ pool } = makePool(view))
    intake = new TransactionIntake({ mempool: pool, log })
    const refused: ReplayRefusal[] = []
    const inBlocks = new Set([pooled[0]?.hashHex])
    const summary = await intake.replay({
      isResolved: (hash) => inBlocks.has(bytesToHex(hash)),
      onRefused: (refusal) => {
        refused.push(refusal)
      },
    })
    expect(summary).toEqual({ records: 4, resolved: 1, readmitted: 2, refused: 1, duplicates: 0 })
    expect(refused.map((r) => [bytesToHex(r.hash), r.error.shortMessage])).toEqual([
      [pooled[2]?.hashHex, TXPOOL_REFUSALS.nonceTooLow],
    ])
    expect(refused[0]?.error).toBeInstanceOf(MempoolError)
    expect(pool.get(pooled[1]?.hash as Uint8Array)).toBeDefined()
    expect(pool.get(pooled[3]?.hash as Uint8Array)).toBeDefined()
    // Sequences 0 (in a block) and 2 (reported dropped) are resolved, 1 is not: the watermark is 0.
    expect(intake.watermark).toBe(0n)
    intake.resolve([pooled[1]?.hash as Uint8Array])
    expect(intake.watermark).toBe(2n)
    // The sequencer resolves a block's transactions by the pool's keys (`blockHashKeys`).
    intake.resolveByKey([pooled[3]?.hashKey as string])
    expect(intake.watermark).toBe(3n)
    await intake.checkpoint()
    const next = await intake.submit(tx(alice, 2n))
    expect(transactionHash(next.raw)).toEqual(next.hash)
    await log.close()

    // Only the new record is left to replay.
    const reopened = await IntakeLog.open({ directory })
    const left: bigint[] = []
    for await (const record of reopened.replay()) left.push(record.sequence)
    expect(left).toEqual([4n])
    await reopened.close()
  })

  it('admits with a hash and sender computed off the main thread as submit does: refusals, log, replay', async () => {
    const directory = tempDir('sluice-intake-')
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    let log = await IntakeLog.open({ directory })
    let { pool } = makePool(view)
    let intake = new TransactionIntake({ mempool: pool, log })
    const known = (raw: Uint8Array, sender = alice.address) => ({ hash: transactionHash(raw), sender })

    const first = tx(alice, 0n)
    const pooled = await intake.submitRecovered(first, known(first))
    expect(pooled.hashHex).toBe(bytesToHex(transactionHash(first)))
    expect(pooled.senderHex).toBe(alice.addressHex)
    expect(pool.pendingNonce(alice.address)).toBe(1n)
    expect(log.stats()).toMatchObject({ appends: 1 })
    // The same refusals as submit, and none is logged.
    await expect(intake.submitRecovered(first, known(first))).rejects.toThrow(TXPOOL_REFUSALS.alreadyKnown)
    await expect(intake.submit(first)).rejects.toThrow(TXPOOL_REFUSALS.alreadyKnown)
    const dear = tx(alice, 1n, { value: 2n * ETH })
    await expect(intake.submitRecovered(dear, known(dear))).rejects.toThrow(TXPOOL_REFUSALS.insufficientFunds)
    const stale = tx(bob, 0n)
    view.set(bob, { nonce: 1n })
    await expect(intake.submitRecovered(stale, known(stale, bob.address))).rejects.toThrow(TXPOOL_REFUSALS.nonceTooLow)
    expect(log.stats()).toMatchObject({ appends: 1 })
    const second = tx(alice, 1n)
    await intake.submitRecovered(second, known(second))
    await log.close()

    // Both are replayed with the sender they were admitted with.
    log = await IntakeLog.open({ directory })
    ;({ pool } = makePool(view))
    intake = new TransactionIntake({ mempool: pool, log })
    const summary = await intake.replay({ isResolved: () => false, onRefused: () => undefined })
    expect(summary).toMatchObject({ records: 2, readmitted: 2 })
    expect(pool.get(transactionHash(second))?.senderHex).toBe(alice.addressHex)
    await log.close()
  })

  it('replays admissions with their sender and age: no recovery, and an expired one never comes back', async () => {
    const directory = tempDir('sluice-intake-')
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    let now = 1_000_000
    const clock = { now: () => now, lifetimeMs: 60_000 }
    let log = await IntakeLog.open({ directory })
    let made = makePool(view, clock)
    let intake = new TransactionIntake({ mempool: made.pool, log })
    const parked = await intake.submit(tx(alice, 1n)) // alice's 0 never comes
    const executable = await intake.submit(tx(bob, 0n))
    await log.close()

    // Down for longer than the lifetime. The sequencer persists every drop, and a persisted drop is resolved.
    now += 61_000
    const persisted = new Set<string>()
    const restart = async () => {
      log = await IntakeLog.open({ directory })
      made = makePool(view, clock)
      intake = new TransactionIntake({ mempool: made.pool, log })
      const summary = await intake.replay({
        isResolved: (hash) => persisted.has(bytesToHex(hash)),
        onRefused: () => undefined,
      })
      made.pool.expire()
      for (const d of made.dropped) {
        persisted.add(d.transaction.hashHex)
        intake.resolveDropped(d.transaction)
      }
      return summary
    }
    expect(await restart()).toMatchObject({ records: 2, readmitted: 2 })
    expect(made.pool.stats().recoveryBatches).toBe(0)
    expect(made.pool.get(executable.hash)?.admittedAt).toBe(1_000_000)
    expect(made.dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([[parked.hashHex, 'expired']])
    expect(intake.unresolved).toBe(1)
    await log.close()

    expect(await restart()).toMatchObject({ records: 2, resolved: 1, readmitted: 1 })
    expect(made.pool.has(parked.hash)).toBe(false)
    expect(made.pool.has(executable.hash)).toBe(true)
    await log.close()
  })

  it('replays a replacement after the transaction it replaced, keeping the replacement', async () => {
    const directory = tempDir('sluice-intake-')
    const view = new FakeView().set(alice, { balance: ETH })
    let log = await IntakeLog.open({ directory })
    let made = makePool(view)
    let intake = new TransactionIntake({ mempool: made.pool, log })
    await intake.submit(tx(alice, 0n, { tipGwei: 1n }))
    const replacement = await intake.submit(tx(alice, 0n, { tipGwei: 2n }))
    expect(made.dropped.map((d) => d.reason)).toEqual(['replaced'])
    await log.close()

    log = await IntakeLog.open({ directory })
    made = makePool(view)
    intake = new TransactionIntake({ mempool: made.pool, log })
    const summary = await intake.replay({ isResolved: () => false, onRefused: () => undefined })
    expect(summary).toMatchObject({ records: 2, readmitted: 2, refused: 0 })
    expect(made.pool.takeReady(10, 1_000_000n).map((p) => p.hashHex)).toEqual([replacement.hashHex])
    expect(made.dropped.map((d) => d.reason)).toEqual(['replaced'])
    await log.close()
  })

  it('resolves a dropped admission without resolving a later resubmission of the same transaction', async () => {
    const directory = tempDir('sluice-intake-')
    const view = new FakeView().set(alice, { balance: ETH })
    const log = await IntakeLog.open({ directory })
    const { pool, dropped } = makePool(view)
    const intake = new TransactionIntake({ mempool: pool, log })
    const raw = tx(alice, 0n)
    const first = await intake.submit(raw)
    pool.onNewHead(view.clone().set(alice, { balance: 0n }), [alice.address])
    expect(dropped.map((d) => d.transaction)).toEqual([first])
    // The balance comes back and the wallet sends the same bytes again, before the drop is persisted.
    pool.onNewHead(view, [alice.address])
    const again = await intake.submit(raw)
    expect(again.hashHex).toBe(first.hashHex)
    intake.resolveDropped(first)
    expect(intake.watermark).toBe(0n)
    expect(intake.unresolved).toBe(1)
    intake.resolve([again.hash])
    expect(intake.watermark).toBe(1n)
    await log.close()
  })

  it('resolves transactions by hash given as bytes or as 0x hex in any case', async () => {
    const directory = tempDir('sluice-intake-')
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    const log = await IntakeLog.open({ directory })
    const { pool } = makePool(view)
    const intake = new TransactionIntake({ mempool: pool, log })
    const [a, b] = await Promise.all([intake.submit(tx(alice, 0n)), intake.submit(tx(bob, 0n))])
    expect(intake.unresolved).toBe(2)
    intake.resolve([`0x${(b?.hashHex as string).slice(2).toUpperCase()}`])
    expect(intake.unresolved).toBe(1)
    expect(intake.watermark).toBe(-1n)
    intake.resolve([a?.hash as Uint8Array])
    expect(intake.unresolved).toBe(0)
    expect(intake.watermark).toBe(1n)
    await log.close()
  })
  it('never acknowledges a transaction the log could not store: it leaves the pool and its record is resolved', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view)
    let failure: Error | undefined
    let sequence = 0n
    const log = {
      enqueue: () => {
        if (failure !== undefined && failure.message === 'sync') throw failure
        return { sequence: sequence++, durable: failure === undefined ? Promise.resolve() : Promise.reject(failure) }
      },
      get nextSequence() {
        return sequence
      },
    }
    const intake = new TransactionIntake({ mempool: pool, log: log as unknown as IntakeLog })
    const known = (raw: Uint8Array) => ({ hash: transactionHash(raw), sender: alice.address })
    const first = tx(alice, 0n)
    expect((await intake.submitRecovered(first, known(first))).hashHex).toBe(bytesToHex(transactionHash(first)))

    failure = new Error('disk full')
    const second = tx(alice, 1n)
    await expect(intake.submitRecovered(second, known(second))).rejects.toBe(failure)
    expect(pool.has(transactionHash(second))).toBe(false)
    expect(intake.unresolved).toBe(1)

    // A log that throws at once still answers with a rejected promise, as the async path did.
    failure = new Error('sync')
    const third = tx(alice, 1n)
    const answer = intake.submitRecovered(third, known(third))
    await expect(answer).rejects.toBe(failure)
  })
  it('admits a body one call at a time and settles it per group commit: a failed group is taken back whole', async () => {
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    const { pool } = makePool(view)
    // Groups the test settles by hand: a new one starts whenever `flush` is called.
    type Group = { durable: Promise<void>; resolve(): void; reject(error: Error): void }
    const openGroup = (): Group => {
      const group = Promise.withResolvers<void>()
      return { durable: group.promise, resolve: () => group.resolve(), reject: (error) => group.reject(error) }
    }
    let group = openGroup()
    const groups = [group]
    let sequence = 0n
    const log = {
      enqueue: () => ({ sequence: sequence++, durable: group.durable }),
      get nextSequence() {
        return sequence
      },
    }
    const flush = () => {
      group = openGroup()
      groups.push(group)
    }
    const intake = new TransactionIntake({ mempool: pool, log: log as unknown as IntakeLog })
    const known = (raw: Uint8Array, sender = alice.address) => ({ hash: transactionHash(raw), sender })

    // One group, durable: every admission answered at once, in order; a refusal throws and is not logged.
    const body = intake.openBody()
    const a0 = tx(alice, 0n)
    expect(body.admit(a0, known(a0)).hashHex).toBe(bytesToHex(transactionHash(a0)))
    expect(() => body.admit(a0, known(a0))).toThrow(TXPOOL_REFUSALS.alreadyKnown)
    const b0 = tx(bob, 0n)
    body.admit(b0, known(b0, bob.address))
    expect(sequence).toBe(2n)
    const settled = body.durable()
    let done = false
    void settled.then(() => {
      done = true
    })
    await Promise.resolve()
    expect(done).toBe(false) // not before the group commit
    groups[0]?.resolve()
    expect(await settled).toEqual([])
    expect(intake.unresolved).toBe(2)

    // Two groups, the second fails: only its admissions are taken back (pool and records), each with the error.
    flush()
    const second = intake.openBody()
    const a1 = tx(alice, 1n)
    const b1 = tx(bob, 1n)
    const a2 = tx(alice, 2n)
    second.admit(a1, known(a1))
    flush()
    second.admit(b1, known(b1, bob.address))
    second.admit(a2, known(a2))
    const failure = new Error('disk full')
    groups[2]?.reject(failure)
    groups[1]?.resolve()
    expect(await second.durable()).toEqual([
      { admitted: 1, error: failure },
      { admitted: 2, error: failure },
    ])
    expect(pool.has(transactionHash(a1))).toBe(true)
    expect(pool.has(transactionHash(b1))).toBe(false)
    expect(pool.has(transactionHash(a2))).toBe(false)
    expect(intake.unresolved).toBe(3)

    // A body whose only group fails: all taken back, and a body with nothing admitted settles at once.
    flush()
    const third = intake.openBody()
    const b2 = tx(bob, 1n, { value: 2n })
    third.admit(b2, known(b2, bob.address))
    groups[3]?.reject(failure)
    expect(await third.durable()).toEqual([{ admitted: 0, error: failure }])
    expect(pool.has(transactionHash(b2))).toBe(false)
    expect(intake.unresolved).toBe(3)
    expect(await intake.openBody().durable()).toEqual([])
  })
})
