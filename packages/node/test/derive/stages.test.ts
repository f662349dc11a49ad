import {
  type BatchOp,
  bytesToHex,
  checkSignature,
  createSenderPool,
  deriveBatch,
  encodeTransaction,
  type L2Block,
  MemoryStore,
  MissingDelayedMessageError,
  planBatch,
  prepareBlockConfig,
  type SenderPool,
  StateDb,
  StoreError,
  tipOf,
  transactionHash,
  writeGenesisState,
} from '@sluice/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { sampleL1History } from '../../../../test/support/l1Inputs.ts'
import { waitFor } from '../../../../test/support/processes.ts'
import { WrittenReadsStore } from '../../../../test/support/writtenReadsStore.ts'
import {
  BatchContinuityError,
  BatchPlanner,
  DerivationDriver,
  type DerivationSink,
  type DerivedBatch,
  executeBatch,
  genesisTip,
  ProgressTracker,
  retrieveNextBatch,
  type SafeTip,
} from '../../src/derive/index.ts'
import { inboxBatches, MemoryBatchSource } from './memorySource.ts'

const config = testConfig()
const chainIdOf = () => config.chainId
const prepared = { ...prepareBlockConfig(config), maxSequencerDrift: config.maxSequencerDrift }

/** What the core derives directly: every batch on one in-memory state, from genesis. */
function deriveDirectly(): { blocks: L2Block[]; rootsPerBatch: string[] } {
  const history = sampleL1History(config)
  const state = new StateDb(new MemoryStore())
  writeGenesisState(state)
  let tip = genesisTip(config).l2
  const blocks: L2Block[] = []
  const rootsPerBatch: string[] = []
  for (const batch of history.batches) {
    const derived = deriveBatch(state, batch, (i) => history.delayed[Number(i)], tip, prepared)
    blocks.push(...derived)
    const last = derived[derived.length - 1]
    if (last !== undefined) tip = tipOf(last)
    rootsPerBatch.push(bytesToHex(state.stateRoot()))
  }
  return { blocks, rootsPerBatch }
}

function source(): MemoryBatchSource {
  const history = sampleL1History(config)
  return new MemoryBatchSource(inboxBatches(history.batches), history.delayed)
}

/** A sink that records what it is given and writes one marker key per batch. */
class RecordingSink implements DerivationSink {
  derived: DerivedBatch[] = []
  committed: bigint[] = []
  rewinds: { to: bigint; from: bigint }[] = []
  batchOps(derived: DerivedBatch): BatchOp[] {
    this.derived.push(derived)
    return [{ type: 'put', key: marker(derived.batch.index), value: derived.stateRoot }]
  }
  batchCommitted(derived: DerivedBatch): void {
    this.committed.push(derived.batch.index)
  }
  rewindOps(to: SafeTip, from: SafeTip): BatchOp[] {
    this.rewinds.push({ to: to.batchIndex, from: from.batchIndex })
    const ops: BatchOp[] = []
    for (let i = to.batchIndex + 1n; i <= from.batchIndex; i++) ops.push({ type: 'del', key: marker(i) })
    return ops
  }
}
const marker = (index: bigint) => new TextEncoder().encode(`test/batch/${index}`)

describe('batch retrieval stage', () => {
  it('returns the batch after the tip, and nothing when L1 has not given it yet', () => {
    const s = source()
    const tip = genesisTip(config)
    expect(retrieveNextBatch(s, tip)?.index).toBe(0n)
    expect(retrieveNextBatch(s, { ...tip, batchIndex: 2n })).toBeUndefined()
  })

  it('refuses a batch that does not continue the tip (reset severity)', () => {
    const s = source()
    const tip = { ...genesisTip(config), batchIndex: 0n, delayedCount: 5n, messageCount: 10n }
    const error = (() => {
      try {
        retrieveNextBatch(s, tip)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(BatchContinuityError)
    expect((error as BatchContinuityError).severity).toBe('reset')
  })
})

describe('plan stage', () => {
  let pool: SenderPool
  beforeAll(() => {
    pool = createSenderPool({ threads: 2 })
  })
  afterAll(async () => {
    await pool.close()
  })

  it('lays a batch out as the core does and passes recovered senders, encodings and hashes into its transactions', async () => {
    const s = source()
    const batch = s.batch(0n)!
    const tip = genesisTip(config).l2
    const expected = planBatch(batch, s.delayedSource, tip, prepared)
    const planned = await new BatchPlanner({ config: prepared, delayed: s.delayedSource, senderPool: pool }).plan(
      batch,
      tip,
    )
    expect(planned.plans.map((p) => [p.number, p.timestamp, p.delayedCountAfter, p.messages.length])).toEqual(
      expected.map((p) => [p.number, p.timestamp, p.delayedCountAfter, p.messages.length]),
    )
    const transactions = planned.plans.flatMap((p) => p.messages).filter((m) => m.kind === 'transaction')
    expect(transactions.length).toBe(planned.transactionMessages)
    expect(transactions.length).toBeGreaterThan(0)
    for (const m of transactions) {
      expect(m.sender).toEqual(checkSignature(m.tx, { expectedChainId: chainIdOf() }).sender)
      expect(m.raw).toEqual(encodeTransaction(m.tx))
      expect(m.hash).toEqual(transactionHash(m.raw!))
    }
    // the accounts to prefetch include every sender and every recipient
    const touched = new Set(planned.touched.map(bytesToHex))
    for (const m of transactions) {
      expect(touched.has(bytesToHex(m.sender!))).toBe(true)
      expect(touched.has(bytesToHex(m.tx.to!))).toBe(true)
    }
    const last = expected[expected.length - 1]!
    expect(planned.after).toEqual({
      number: last.number,
      timestamp: last.timestamp,
      delayedAccumulator: last.delayedAccumulator,
    })
  })
})

describe('execute stage', () => {
  it('gives the blocks core deriveBatch gives, with cumulative message counts per block', async () => {
    const direct = deriveDirectly()
    const s = source()
    const state = new StateDb(new MemoryStore())
    writeGenesisState(state)
    const planner = new BatchPlanner({ config: prepared, delayed: s.delayedSource })
    let tip = genesisTip(config)
    const blocks: L2Block[] = []
    for (const batch of s.batches) {
      const derived = await executeBatch(state, await planner.plan(batch, tip.l2), tip, prepared)
      blocks.push(...derived.blocks)
      expect(derived.messageCountAfterPerBlock[derived.messageCountAfterPerBlock.length - 1]).toBe(
        batch.messageCountAfter,
      )
      derived.blocks.forEach((block, i) => {
        expect(derived.delayedPerBlock[i]! + derived.slotsPerBlock[i]!).toBe(block.outcomes.length)
      })
      expect(derived.tip.messageCount).toBe(batch.messageCountAfter)
      expect(derived.tip.delayedCount).toBe(batch.delayedCountAfter)
      tip = derived.tip
    }
    expect(blocks.map((b) => bytesToHex(b.hash))).toEqual(direct.blocks.map((b) => bytesToHex(b.hash)))
  })

  it('lets the event loop turn between the blocks of a batch (what reads and recovers the next batches runs there)', async () => {
    const s = source()
    const state = new StateDb(new MemoryStore())
    writeGenesisState(state)
    const planner = new BatchPlanner({ config: prepared, delayed: s.delayedSource })
    let tip = genesisTip(config)
    let multiBlock = 0
    for (const batch of s.batches) {
      const planned = await planner.plan(batch, tip.l2)
      let turns = 0
      let running = true
      const turn = () => {
        turns++
        if (running) setImmediate(turn)
      }
      setImmediate(turn)
      const derived = await executeBatch(state, planned, tip, prepared)
      running = false
      if (derived.blocks.length > 1) {
        multiBlock++
        expect(turns).toBeGreaterThanOrEqual(derived.blocks.length - 1)
      }
      tip = derived.tip
    }
    expect(multiBlock).toBeGreaterThan(0)
  })
})

describe('DerivationDriver', () => {
  let pool: SenderPool
  beforeAll(() => {
    pool = createSenderPool({ threads: 2 })
  })
  afterAll(async () => {
    await pool.close()
  })

  it('derives every available batch to the core result, committing state, tip and sink records together', async () => {
    const direct = deriveDirectly()
    const store = new MemoryStore()
    const sink = new RecordingSink()
    const driver = await DerivationDriver.open({ store, config, source: source(), sink, senderPool: pool })
    expect(await driver.deriveAvailable()).toBe(3)
    const hashes = sink.derived.flatMap((d) => d.blocks.map((b) => bytesToHex(b.hash)))
    expect(hashes).toEqual(direct.blocks.map((b) => bytesToHex(b.hash)))
    expect(sink.committed).toEqual([0n, 1n, 2n])
    expect(sink.derived.map((d) => bytesToHex(d.stateRoot))).toEqual(direct.rootsPerBatch)
    // the sink's records are in the store, and the state at the tip's root reads back
    for (const d of sink.derived) expect(store.getSync(marker(d.batch.index))).toEqual(d.stateRoot)
    expect(bytesToHex(new StateDb(store, driver.tip.stateRoot).stateRoot())).toBe(direct.rootsPerBatch[2])
    expect(driver.tip.l2.number).toBe(BigInt(direct.blocks.length))
    expect(await driver.deriveAvailable()).toBe(0)
  })

  it('reads back none of the state nodes its blocks wrote: they stay in memory for the blocks after', async () => {
    const store = new WrittenReadsStore()
    const driver = await DerivationDriver.open({ store, config, source: source(), senderPool: pool })
    store.track = true
    expect(await driver.deriveAvailable()).toBe(3)
    expect(bytesToHex(driver.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
    // the sample's users send and receive in block after block: each block's commit used to turn the
    // leaves it wrote back into references, and the next block read them again
    expect(store.written.size).toBeGreaterThan(0)
    expect(store.writtenReads).toBe(0)
  })

  it('resumes from its stored tip when opened again on the same store', async () => {
    const store = new MemoryStore()
    const s = source()
    const first = await DerivationDriver.open({ store, config, source: s })
    expect(await first.deriveAvailable({ maxBatches: 2 })).toBe(2)
    const reopened = await DerivationDriver.open({ store, config, source: s })
    expect(reopened.tip).toEqual(first.tip)
    expect(await reopened.deriveAvailable()).toBe(1)
    expect(bytesToHex(reopened.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
  })

  it('rewinds to the last batch at or below an L1 block and derives the replacement', async () => {
    const store = new MemoryStore()
    const sink = new RecordingSink()
    const s = source()
    const driver = await DerivationDriver.open({ store, config, source: s, sink })
    await driver.deriveAvailable()
    const afterBatch0 = driver.tipAt(0n)!
    // batch 1 lies in L1 block 101: rewinding to L1 block 100 keeps batch 0 only
    const tip = await driver.rewindToL1(100n)
    expect(tip).toEqual(afterBatch0)
    expect(driver.tip).toEqual(afterBatch0)
    expect(sink.rewinds).toEqual([{ to: 0n, from: 2n }])
    expect(store.getSync(marker(1n))).toBeUndefined()
    expect(driver.tipAt(1n)).toBeUndefined()
    expect(bytesToHex(driver.state.stateRoot())).toBe(bytesToHex(afterBatch0.stateRoot))
    // the same batches derive to the same blocks again
    sink.derived = []
    expect(await driver.deriveAvailable()).toBe(2)
    expect(bytesToHex(driver.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
  })

  it('keeps the committed tip when the next batch cannot be planned yet, and continues once it can', async () => {
    const store = new MemoryStore()
    const s = source()
    const all = s.delayed
    s.delayed = all.slice(0, 6) // batch 1 takes delayed message 6, which is not known yet
    const driver = await DerivationDriver.open({ store, config, source: s })
    const error = await driver.deriveAvailable().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MissingDelayedMessageError)
    expect((error as MissingDelayedMessageError).severity).toBe('temporary')
    expect(driver.tip.batchIndex).toBe(0n)
    expect((await DerivationDriver.open({ store, config, source: s })).tip).toEqual(driver.tip)
    s.delayed = all
    expect(await driver.deriveAvailable()).toBe(2)
    expect(bytesToHex(driver.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
  })

  it('stops at a failed write of a block state before the batch commit, and the tip stays where it was', async () => {
    /**
     * A store whose `failAt`-th batch write fails late, as LevelDB's does: its nodes are readable
     * while it is in flight (LevelStore serves reads from a batch being written), then it rejects.
     */
    class FailingStore extends MemoryStore {
      writes = 0
      failAt = 0
      override async batch(ops: readonly BatchOp[]): Promise<void> {
        this.writes++
        await super.batch(ops)
        if (this.writes !== this.failAt) return
        await new Promise((resolve) => setTimeout(resolve, 20))
        throw new StoreError('disk full')
      }
    }
    const store = new FailingStore()
    const s = source()
    const driver = await DerivationDriver.open({ store, config, source: s, senderPool: pool })
    // batch 0 holds two blocks: the first block's state is its own write, before the batch's commit
    store.failAt = store.writes + 1
    await expect(driver.deriveAvailable()).rejects.toThrow(StoreError)
    expect(driver.tip.batchIndex).toBe(-1n)
    const reopened = await DerivationDriver.open({ store, config, source: s, senderPool: pool })
    expect(reopened.tip.batchIndex).toBe(-1n)
    expect(await reopened.deriveAvailable()).toBe(3)
    expect(bytesToHex(reopened.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
  })

  it('executes the next batch while a batch commit is written, and records it only once that commit is durable', async () => {
    /**
     * A store that holds the write carrying batch 0's records until the test settles it. Meanwhile
     * reads see it (LevelStore serves reads from a batch being written); failed, nothing of it lands.
     */
    class HoldingStore extends MemoryStore {
      held: readonly BatchOp[] | undefined
      writesWhileHeld = 0
      settle: ((ok: boolean) => void) | undefined
      override getSync(key: Uint8Array): Uint8Array | undefined {
        const op = this.held?.findLast((o) => bytesToHex(o.key) === bytesToHex(key))
        if (op !== undefined) return op.type === 'put' ? op.value : undefined
        return super.getSync(key)
      }
      override async batch(ops: readonly BatchOp[]): Promise<void> {
        if (this.held !== undefined) this.writesWhileHeld++
        if (ops.some((op) => bytesToHex(op.key) === bytesToHex(marker(0n)))) {
          this.held = ops
          const ok = await new Promise<boolean>((resolve) => {
            this.settle = resolve
          })
          this.held = undefined
          if (!ok) throw new StoreError('disk full')
        }
        await super.batch(ops)
      }
    }
    const s = source()
    for (const outcome of ['fails', 'lands'] as const) {
      const store = new HoldingStore()
      const sink = new RecordingSink()
      const driver = await DerivationDriver.open({ store, config, source: s, sink, senderPool: pool })
      const run = driver.deriveAvailable().catch((e: unknown) => e)
      // batch 1 has two blocks: executing it writes its first block's state, here while batch 0's commit is held
      await waitFor('batch 1 to execute while batch 0 is written', () => store.writesWhileHeld > 0, {
        timeoutMs: 20_000,
        intervalMs: 5,
      })
      expect(sink.derived.map((d) => d.batch.index)).toEqual([0n])
      expect(driver.tip.batchIndex).toBe(-1n)
      store.settle?.(outcome === 'lands')
      if (outcome === 'fails') {
        expect(await run).toBeInstanceOf(StoreError)
        expect(driver.tip.batchIndex).toBe(-1n)
        expect(sink.committed).toEqual([])
        expect(store.getSync(marker(1n))).toBeUndefined()
        const reopened = await DerivationDriver.open({ store, config, source: s, senderPool: pool })
        expect(reopened.tip.batchIndex).toBe(-1n)
        expect(await reopened.deriveAvailable()).toBe(3)
        expect(bytesToHex(reopened.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
      } else {
        expect(await run).toBe(3)
        expect(sink.committed).toEqual([0n, 1n, 2n])
        expect(bytesToHex(driver.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
      }
    }
  })

  /**
   * The sample history's batches as a source that records which delayed messages planning reads (a
   * batch is laid out when its delayed messages are read: batch 1 reads 6, batch 2 reads 7), over a
   * sender pool whose recovery of batch 1 (its second call) is held until the test releases it.
   */
  function heldRecovery() {
    const s = source()
    const delayedRead: bigint[] = []
    const all = s.delayed
    const recording = Object.assign(s, {
      delayedSource: (index: bigint) => {
        delayedRead.push(index)
        return s.delayed[Number(index)]
      },
    })
    let calls = 0
    let release: () => void = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const heldPool: SenderPool = {
      ...pool,
      recoverWithHashes: async (raws, chainId) => {
        calls++
        if (calls === 2) await released
        return pool.recoverWithHashes(raws, chainId)
      },
    }
    return { source: recording, all, delayedRead, heldPool, release, calls: () => calls }
  }

  it('lays out the batch after the next one while the next one’s senders are still being recovered', async () => {
    const held = heldRecovery()
    const sink = new RecordingSink()
    const driver = await DerivationDriver.open({
      store: new MemoryStore(),
      config,
      source: held.source,
      sink,
      senderPool: held.heldPool,
    })
    const run = driver.deriveAvailable()
    // batch 2 is planned (its delayed message read) although batch 1's recovery has not answered
    await waitFor('batch 2 to be laid out', () => held.delayedRead.includes(7n), { timeoutMs: 20_000, intervalMs: 5 })
    expect(held.calls()).toBe(2)
    expect(sink.derived.map((d) => d.batch.index)).toEqual([0n])
    held.release()
    expect(await run).toBe(3)
    expect(sink.committed).toEqual([0n, 1n, 2n])
    expect(sink.derived.map((d) => bytesToHex(d.stateRoot))).toEqual(deriveDirectly().rootsPerBatch)
  })

  it('commits the batches before one planned ahead that cannot be planned, then fails there and continues once it can', async () => {
    const held = heldRecovery()
    held.release()
    held.source.delayed = held.all.slice(0, 7) // batch 2 takes delayed message 7, not known yet
    const store = new MemoryStore()
    const driver = await DerivationDriver.open({ store, config, source: held.source, senderPool: held.heldPool })
    const error = await driver.deriveAvailable().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MissingDelayedMessageError)
    expect(driver.tip.batchIndex).toBe(1n)
    expect(bytesToHex(driver.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[1])
    held.source.delayed = held.all
    expect(await driver.deriveAvailable()).toBe(1)
    expect(bytesToHex(driver.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
  })

  it('stops before the batch whose successor does not continue it, as if it had not planned ahead', async () => {
    const s = source()
    const good = s.batches[2]!
    s.batches = [s.batches[0]!, s.batches[1]!, { ...good, delayedBefore: good.delayedBefore + 1n }]
    const driver = await DerivationDriver.open({ store: new MemoryStore(), config, source: s, senderPool: pool })
    const error = await driver.deriveAvailable().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BatchContinuityError)
    // batch 1 is not executed: its successor is retrieved before it executes
    expect(driver.tip.batchIndex).toBe(0n)
    s.batches = [s.batches[0]!, s.batches[1]!, good]
    expect(await driver.deriveAvailable()).toBe(2)
    expect(bytesToHex(driver.tip.stateRoot)).toBe(deriveDirectly().rootsPerBatch[2])
  })

  it('plans no batch past maxBatches', async () => {
    for (const maxBatches of [1, 2]) {
      const held = heldRecovery()
      held.release()
      const driver = await DerivationDriver.open({
        store: new MemoryStore(),
        config,
        source: held.source,
        senderPool: held.heldPool,
      })
      expect(await driver.deriveAvailable({ maxBatches })).toBe(maxBatches)
      expect(held.calls()).toBe(maxBatches)
      // batch 1 reads delayed message 6, batch 2 delayed message 7
      expect(held.delayedRead.includes(6n)).toBe(maxBatches >= 2)
      expect(held.delayedRead.includes(7n)).toBe(false)
    }
  })

  it('reconciles on its own when the L1 records no longer hold its batches', async () => {
    const store = new MemoryStore()
    const s = source()
    const driver = await DerivationDriver.open({ store, config, source: s })
    await driver.deriveAvailable()
    // L1 replaced batch 2 (another L1 block) and dropped nothing else
    const replaced = { ...s.batches[2]!, l1BlockHash: `0x${'ab'.repeat(32)}` as const }
    s.batches = [s.batches[0]!, s.batches[1]!, replaced]
    const rewound = await driver.reconcile()
    expect(rewound?.batchIndex).toBe(1n)
    expect(await driver.deriveAvailable()).toBe(1)
    expect(driver.tip.l1BlockHash).toBe(replaced.l1BlockHash)
    // everything gone: back to genesis
    s.batches = []
    expect((await driver.reconcile())?.batchIndex).toBe(-1n)
    expect(bytesToHex(driver.tip.stateRoot)).toBe(config.genesisStateRoot)
  })
})

describe('ProgressTracker', () => {
  it('reports rates over its window and an ETA to the target message count', async () => {
    let now = 0
    const tracker = new ProgressTracker({ now: () => now, windowMs: 60_000 })
    const store = new MemoryStore()
    const s = source()
    const seen: DerivedBatch[] = []
    const driver = await DerivationDriver.open({
      store,
      config,
      source: s,
      sink: {
        batchOps: (d) => {
          seen.push(d)
          return []
        },
        rewindOps: () => [],
      },
    })
    await driver.deriveAvailable({ maxBatches: 2 })
    tracker.record(seen[0]!)
    now = 2_000
    tracker.record(seen[1]!)
    const target = s.batches[2]!.messageCountAfter
    const progress = tracker.snapshot(target)!
    const messages = Number(seen[1]!.tip.messageCount - seen[0]!.tip.messageCount)
    expect(progress.messagesPerSecond).toBeCloseTo(messages / 2)
    expect(progress.blocksPerSecond).toBeCloseTo(seen[1]!.blocks.length / 2)
    expect(progress.etaSeconds).toBeCloseTo(Number(target - seen[1]!.tip.messageCount) / (messages / 2))
    expect(progress.safeBlock).toBe(seen[1]!.tip.l2.number)
  })
})
