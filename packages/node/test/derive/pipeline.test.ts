import { bytesToHex, encodeBatch, MemoryStore } from '@sluice/core'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { createDerivationMetrics, DerivationDriver, DerivationPipeline } from '../../src/derive/index.ts'
import { L1Reader } from '../../src/l1/index.ts'
import { ADDRESSES, FakeL1 } from '../l1/fakeL1.ts'

const config = testConfig()
const chainId = config.chainId
const alice = testAccount(11)
const bob = testAccount(12)

function batch(prevDelayed: bigint, delayedAfter: bigint, nonces: bigint[], timestamp: bigint): Uint8Array {
  return encodeBatch({
    chainId,
    prevDelayedCount: prevDelayed,
    blocks: [
      {
        timestamp,
        delayedCountAfter: delayedAfter,
        transactions: nonces.map((nonce) => transfer(alice, bob.address, { chainId, nonce, value: 10n ** 15n }).tx),
      },
    ],
  })
}

async function node(l1: FakeL1, store: MemoryStore, registry = new Registry()) {
  const reader = new L1Reader({ source: l1, addresses: ADDRESSES, l1Confirmations: 2n, store })
  const metrics = createDerivationMetrics(registry)
  const driver = await DerivationDriver.open({ store, config, source: reader, metrics })
  return { reader, driver, pipeline: new DerivationPipeline({ reader, driver }), registry }
}

/** An L1 with a deposit for alice and two batches of her transfers (blocks 1, 2, 4), confirmed. */
function history(): FakeL1 {
  const l1 = new FakeL1()
  l1.deposit(alice.address, 10n ** 18n)
  l1.mine() // 1
  l1.appendBatch(batch(0n, 1n, [0n, 1n], config.l2GenesisTimestamp + 1n))
  l1.mine() // 2
  l1.mineEmpty(1) // 3
  l1.appendBatch(batch(1n, 1n, [2n], config.l2GenesisTimestamp + 2n))
  l1.mine() // 4
  l1.mineEmpty(2) // head 6
  return l1
}

describe('DerivationPipeline', () => {
  it('moves the safe head only over confirmed L1 blocks', async () => {
    const l1 = history()
    l1.appendBatch(batch(1n, 1n, [3n], config.l2GenesisTimestamp + 3n))
    l1.mine() // 7: not confirmed at head 7
    const { pipeline, driver, registry } = await node(l1, new MemoryStore())
    await pipeline.syncToConfirmed()
    expect(driver.tip.batchIndex).toBe(1n)
    expect(driver.tip.l1BlockNumber).toBeLessThanOrEqual(7n - 2n)
    const safe = (await registry.getSingleMetric('sluice_derive_safe_block')?.get())?.values[0]?.value
    expect(safe).toBe(Number(driver.tip.l2.number))
    l1.mineEmpty(2)
    await pipeline.syncToConfirmed()
    expect(driver.tip.batchIndex).toBe(2n)
  })

  it('rewinds on an L1 reorg and derives the replacement batch', async () => {
    const l1 = history()
    const { pipeline, driver, reader } = await node(l1, new MemoryStore())
    await pipeline.syncToConfirmed()
    const afterBatch0 = driver.tipAt(0n)!
    l1.reorg(3) // drops blocks 4..6: batch 1
    l1.mineEmpty(1)
    const step = await pipeline.step()
    expect(step.l1.kind).toBe('reorg')
    expect(step.rewoundTo).toEqual(afterBatch0)
    expect(reader.batchCount).toBe(1n)
    l1.appendBatch(batch(1n, 1n, [2n, 3n], config.l2GenesisTimestamp + 5n))
    l1.mine()
    l1.mineEmpty(2)
    await pipeline.syncToConfirmed()
    expect(driver.tip.batchIndex).toBe(1n)
    expect(driver.tip.batchHash).toBe(reader.batch(1n)!.batchHash)
    expect(driver.tip.messageCount).toBe(reader.batch(1n)!.messageCountAfter)
  })

  it('after a crash between the reader rewind and the driver rewind, reconciles on restart', async () => {
    const l1 = history()
    const store = new MemoryStore()
    const first = await node(l1, store)
    await first.pipeline.syncToConfirmed()
    expect(first.driver.tip.batchIndex).toBe(1n)
    const rootAfterBatch0 = bytesToHex(first.driver.tipAt(0n)!.stateRoot)
    l1.reorg(3)
    l1.mineEmpty(1)
    // the reader rewinds and the node dies before the driver hears of it
    expect((await first.reader.advance()).kind).toBe('reorg')
    const second = await node(l1, store)
    expect(second.driver.tip.batchIndex).toBe(1n)
    const step = await second.pipeline.step()
    expect(step.rewoundTo?.batchIndex).toBe(0n)
    expect(bytesToHex(second.driver.tip.stateRoot)).toBe(rootAfterBatch0)
  })
})
