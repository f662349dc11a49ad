/**
 * A sequencer's own batches adopted by derivation without executing them again, and every case where
 * it must execute instead. The "sequencer" here is a chain store whose unsafe blocks are exactly what
 * derivation gives (derived once, then the safe head rewound to genesis: its blocks stay, unsafe),
 * with a record of what it posted at each index, as its batcher keeps them.
 */
import { bytesToHex, type DelayedMessage, encodeBatch, hexToBytes, MemoryStore } from '@sluice/core'
import pino from 'pino'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { sampleL1History } from '../../../../test/support/l1Inputs.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { ChainStore, judgeOwnBatch, type PostedBatch, PostedBatchAdoption } from '../../src/chain/index.ts'
import { ChainSink, type UnsafeReorg } from '../../src/chain/sink.ts'
import { createDerivationMetrics, DerivationDriver, type SafeTip } from '../../src/derive/index.ts'
import type { InboxBatch } from '../../src/l1/types.ts'
import { inboxBatches, MemoryBatchSource } from './memorySource.ts'

const config = testConfig()
const logger = pino({ level: 'silent' })

function source(history = sampleL1History(config)): MemoryBatchSource {
  return new MemoryBatchSource(inboxBatches(history.batches), history.delayed)
}

/**
 * The sequencer's store: the blocks of every batch of `built` stored (unsafe), the safe head at
 * genesis, and what it posted at the indices `postedIndices` (the blocks of each and their inbox hash).
 */
async function sequencerStore(built: MemoryBatchSource, postedIndices: bigint[]) {
  const store = new MemoryStore()
  const chain = await ChainStore.open(store, config)
  const reference = await DerivationDriver.open({
    store,
    config,
    source: built,
    sink: new ChainSink({ chain, logger }),
  })
  await reference.deriveAvailable()
  const tips = new Map<bigint, SafeTip>()
  for (let i = -1n; i < built.batchCount; i++) tips.set(i, reference.tipAt(i) as SafeTip)
  const posted = new Map<bigint, PostedBatch>()
  for (const index of postedIndices) {
    const record = chain.batch(index)
    if (record === undefined) throw new Error(`batch ${index} not derived`)
    let transactions = 0
    for (let n = record.firstBlock; n <= record.lastBlock; n++)
      transactions += chain.blockByNumber(n)?.transactions.length ?? 0
    posted.set(index, {
      index,
      firstBlock: record.firstBlock,
      lastBlock: record.lastBlock,
      lastBlockHash: (chain.blockByNumber(record.lastBlock) as { hash: Uint8Array }).hash,
      batchHash: hexToBytes((built.batch(index) as InboxBatch).batchHash),
      transactions,
    })
  }
  const unsafe = chain.head('unsafe').header.number
  await reference.rewindTo(-1n)
  expect(chain.head('safe').header.number).toBe(0n)
  expect(chain.head('unsafe').header.number).toBe(unsafe)
  return { store, chain, tips, posted, unsafe }
}

async function sequencerDriver(
  built: Awaited<ReturnType<typeof sequencerStore>>,
  l1: MemoryBatchSource,
  reorgs: UnsafeReorg[] = [],
) {
  const registry = new Registry()
  const driver = await DerivationDriver.open({
    store: built.store,
    config,
    source: l1,
    sink: new ChainSink({ chain: built.chain, logger, onUnsafeReorg: (reorg) => void reorgs.push(reorg) }),
    metrics: createDerivationMetrics(registry),
    ownBatches: new PostedBatchAdoption({
      chain: built.chain,
      posted: (index) => built.posted.get(index),
      delayed: l1.delayedSource,
      maxSequencerDrift: config.maxSequencerDrift,
    }),
  })
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? []
    const found = values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))
    return found?.value ?? 0
  }
  return { driver, metric }
}

const sameTip = (tip: SafeTip) => ({
  batchIndex: tip.batchIndex,
  hash: bytesToHex(tip.l2.hash),
  number: tip.l2.number,
  stateRoot: bytesToHex(tip.stateRoot),
  messageCount: tip.messageCount,
  delayedCount: tip.delayedCount,
  accumulator: tip.accumulator,
})

describe('a sequencer deriving its own batches', () => {
  it('adopts the batches it posted without executing them, executes the forced batch, and ends where execution ends', async () => {
    const l1 = source()
    const built = await sequencerStore(l1, [0n, 1n])
    const reorgs: UnsafeReorg[] = []
    const { driver, metric } = await sequencerDriver(built, l1, reorgs)
    expect(await driver.deriveAvailable()).toBe(3)

    expect(await metric('sluice_derive_batches_total', { mode: 'adopted' })).toBe(2)
    expect(await metric('sluice_derive_batches_total', { mode: 'executed' })).toBe(1)
    // only the forced batch's blocks were executed (its one implicit block, holding no transaction)
    expect(await metric('sluice_derive_transactions_total')).toBe(0)
    expect(await metric('sluice_derive_blocks_total')).toBe(Number(built.unsafe))
    for (let i = 0n; i < 3n; i++)
      expect(sameTip(driver.tipAt(i) as SafeTip)).toEqual(sameTip(built.tips.get(i) as SafeTip))
    // the forced batch executed on the state at the adopted root and reached the same root as a full execution
    expect(sameTip(driver.tip)).toEqual(sameTip(built.tips.get(2n) as SafeTip))
    expect(built.chain.head('safe').header.number).toBe(built.unsafe)
    expect(built.chain.batch(1n)?.lastBlock).toBe(built.posted.get(1n)?.lastBlock)
    expect(bytesToHex(built.chain.batch(1n)?.stateRoot as Uint8Array)).toBe(
      bytesToHex((built.tips.get(1n) as SafeTip).stateRoot),
    )
    expect(reorgs).toEqual([])
    const progress = driver.progress()
    expect(progress?.blocksDerived).toBe(Number(built.unsafe))
    expect(progress?.transactionsDerived).toBe([...built.posted.values()].reduce((sum, p) => sum + p.transactions, 0))
  })

  it('adopts a batch that was planned before the tip under it was known, once that tip is its blocks’ parent', async () => {
    const l1 = source()
    // batch 0 is not on record (e.g. posted before a restart that lost it): executed; batch 1 is
    // planned while batch 0 executes, then adopted
    const built = await sequencerStore(l1, [1n])
    const { driver, metric } = await sequencerDriver(built, l1)
    expect(await driver.deriveAvailable()).toBe(3)
    expect(await metric('sluice_derive_batches_total', { mode: 'adopted' })).toBe(1)
    expect(await metric('sluice_derive_batches_total', { mode: 'executed' })).toBe(2)
    expect(sameTip(driver.tip)).toEqual(sameTip(built.tips.get(2n) as SafeTip))
  })

  it('executes a batch L1 holds at an index it posted other bytes at, and replaces its unsafe blocks with what L1 gives', async () => {
    const history = sampleL1History(config)
    const built = await sequencerStore(source(history), [0n, 1n])
    // L1 holds different bytes at index 1 (same counts, another transfer): not what this node posted
    const [a, c] = [testAccount(500), testAccount(502)]
    const other = encodeBatch({
      chainId: config.chainId,
      prevDelayedCount: 6n,
      blocks: [
        { timestamp: config.l2GenesisTimestamp + 6n, delayedCountAfter: 7n, transactions: [] },
        {
          timestamp: config.l2GenesisTimestamp + 8n,
          delayedCountAfter: 7n,
          transactions: [
            transfer(a, c.address, { chainId: config.chainId, nonce: 2n, value: 1n }).tx,
            transfer(a, c.address, { chainId: config.chainId, nonce: 3n, value: 1n }).tx,
          ],
        },
      ],
    })
    const l1 = new MemoryBatchSource(
      inboxBatches([
        history.batches[0] as (typeof history.batches)[0],
        { ...(history.batches[1] as (typeof history.batches)[0]), bytes: other },
      ]),
      history.delayed,
    )
    const reorgs: UnsafeReorg[] = []
    const { driver, metric } = await sequencerDriver(built, l1, reorgs)
    expect(await driver.deriveAvailable()).toBe(2)
    expect(await metric('sluice_derive_batches_total', { mode: 'adopted' })).toBe(1)
    expect(await metric('sluice_derive_batches_total', { mode: 'executed' })).toBe(1)
    expect(reorgs).toHaveLength(1)
    expect(reorgs[0]?.from).toBe(built.posted.get(1n)?.firstBlock)
    expect(bytesToHex(built.chain.head('safe').hash)).toBe(bytesToHex(driver.tip.l2.hash))
    expect(bytesToHex(driver.tip.l2.hash)).not.toBe(bytesToHex((built.tips.get(1n) as SafeTip).l2.hash))
  })
})

describe('judgeOwnBatch: adopt only what execution could only give as the stored blocks', () => {
  async function setup() {
    const l1 = source()
    const built = await sequencerStore(l1, [0n, 1n])
    // a record at the forced batch's index too: a forced batch is refused before the record is read
    built.posted.set(2n, {
      ...(built.posted.get(1n) as PostedBatch),
      index: 2n,
      batchHash: hexToBytes((l1.batch(2n) as InboxBatch).batchHash),
    })
    const inputs = {
      chain: built.chain,
      posted: (index: bigint) => built.posted.get(index),
      delayed: l1.delayedSource,
      maxSequencerDrift: config.maxSequencerDrift,
    }
    const tip = (i: bigint) => built.tips.get(i) as SafeTip
    const batch = (i: bigint) => l1.batch(i) as InboxBatch
    const reason = (verdict: ReturnType<typeof judgeOwnBatch>) => ('rejected' in verdict ? verdict.rejected : 'adopted')
    return { l1, built, inputs, tip, batch, reason }
  }

  it('adopts a posted batch on its blocks’ parent: the tip execution gives', async () => {
    const { inputs, tip, batch } = await setup()
    for (const i of [0n, 1n]) {
      const verdict = judgeOwnBatch(batch(i), tip(i - 1n), inputs)
      if (!('adopted' in verdict)) throw new Error(`batch ${i} not adopted: ${verdict.why}`)
      expect(bytesToHex(verdict.adopted.l2.hash)).toBe(bytesToHex(tip(i).l2.hash))
      expect(bytesToHex(verdict.adopted.stateRoot)).toBe(bytesToHex(tip(i).stateRoot))
      expect(verdict.adopted.l2.delayedAccumulator).toEqual(tip(i).l2.delayedAccumulator)
    }
  })

  it('executes a forced-inclusion batch', async () => {
    const { inputs, tip, batch, reason } = await setup()
    expect(reason(judgeOwnBatch(batch(2n), tip(1n), inputs))).toBe('forced')
  })

  it('executes a batch it has no record of posting (another sequencer, or a restart that lost the record)', async () => {
    const { inputs, tip, batch, reason } = await setup()
    expect(reason(judgeOwnBatch(batch(0n), tip(-1n), { ...inputs, posted: () => undefined }))).toBe('notPosted')
  })

  it('executes a batch whose inbox hash is not the one it posted at that index', async () => {
    const { inputs, tip, batch, reason } = await setup()
    const other = { ...batch(0n), batchHash: bytesToHex(new Uint8Array(32).fill(7)) }
    expect(reason(judgeOwnBatch(other, tip(-1n), inputs))).toBe('otherBatch')
  })

  it('executes when the safe tip is not the parent of the posted blocks (another pre-state)', async () => {
    const { inputs, tip, batch, reason } = await setup()
    // a tip at another block number (batch 1's blocks on the genesis tip)
    expect(reason(judgeOwnBatch(batch(1n), tip(-1n), inputs))).toBe('preState')
    // the same number, another block (the safe chain went another way)
    const elsewhere = { ...tip(0n), l2: { ...tip(0n).l2, hash: new Uint8Array(32).fill(9) } }
    expect(reason(judgeOwnBatch(batch(1n), elsewhere, inputs))).toBe('preState')
  })

  it('executes when the chain no longer holds the blocks it posted (they were replaced since)', async () => {
    const { built, inputs, tip, batch, reason } = await setup()
    const replaced = { ...(built.posted.get(1n) as PostedBatch), lastBlockHash: new Uint8Array(32).fill(3) }
    expect(reason(judgeOwnBatch(batch(1n), tip(0n), { ...inputs, posted: () => replaced }))).toBe('blocksReplaced')
  })

  it('executes when the inbox counts another number of delayed messages or messages than the blocks took', async () => {
    const { inputs, tip, batch, reason } = await setup()
    expect(reason(judgeOwnBatch({ ...batch(1n), delayedCountAfter: 8n }, tip(0n), inputs))).toBe('counts')
    const moreMessages = { ...batch(1n), messageCountAfter: batch(1n).messageCountAfter + 1n }
    expect(reason(judgeOwnBatch(moreMessages, tip(0n), inputs))).toBe('counts')
  })

  it('executes when L1 now has other delayed messages at the indices the blocks took (an L1 reorg)', async () => {
    const { l1, inputs, tip, batch, reason } = await setup()
    const forced = l1.delayed[6] as DelayedMessage
    const replaced = { ...forced, payload: new Uint8Array([...forced.payload, 0]) }
    const delayed = (index: bigint) => (index === 6n ? replaced : l1.delayedSource(index))
    expect(reason(judgeOwnBatch(batch(1n), tip(0n), { ...inputs, delayed }))).toBe('delayed')
    expect(reason(judgeOwnBatch(batch(1n), tip(0n), { ...inputs, delayed: () => undefined }))).toBe('delayed')
  })

  it('executes when the batch’s L1 time makes derivation clamp the blocks’ timestamps', async () => {
    const { inputs, tip, batch, reason } = await setup()
    const early = { ...batch(0n), l1Timestamp: config.l2GenesisTimestamp - config.maxSequencerDrift }
    expect(reason(judgeOwnBatch(early, tip(-1n), inputs))).toBe('timestamp')
  })
})
