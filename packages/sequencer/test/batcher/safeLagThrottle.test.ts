import {
  DELAYED_KIND_DEPOSIT,
  type DelayedMessage,
  encodeDepositPayload,
  keccak256,
  MemoryStore,
  prepareBlockConfig,
} from '@sluice/core'
import { ChainStore, createLogger, createNodeMetrics } from '@sluice/node'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { SafeLagThrottle } from '../../src/batcher/safeLagThrottle.ts'
import { BlockBuilder, type ReadyTransaction } from '../../src/builder/blockBuilder.ts'

const config = testConfig()
const sender = testAccount(1)
const recipient = testAccount(99).address
const quiet = createLogger({ level: 'silent', name: 'throttle-test' })

/** A logger that keeps what it was told, by level. */
function recordingLogger() {
  const lines: { level: string; msg: string }[] = []
  const logger = createLogger({ level: 'info', name: 'throttle-test' })
  for (const level of ['info', 'warn'] as const) {
    ;(logger as unknown as Record<string, unknown>)[level] = (_fields: unknown, msg: string) => {
      lines.push({ level, msg })
    }
  }
  return { logger, lines }
}

describe('SafeLagThrottle', () => {
  it('holds once the next block would put the unsafe head more than max-safe-lag past the safe head, and lets go when it is back', async () => {
    let safe = 10n
    const registry = new Registry()
    const { logger, lines } = recordingLogger()
    const throttle = new SafeLagThrottle({ maxBlocks: 5, safeHead: () => safe, logger, registry })
    expect(throttle.holds(14n)).toBe(false)
    expect(throttle.holds(15n)).toBe(true)
    expect(throttle.holds(16n)).toBe(true)
    // one warning when it starts, not one per block
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1)
    safe = 12n
    expect(throttle.holds(16n)).toBe(false)
    expect(lines.filter((l) => l.level === 'info')).toHaveLength(1)
    const metrics = await registry.metrics()
    expect(metrics).toContain('sluice_safe_lag_blocks 4')
    expect(metrics).toContain('sluice_builder_safe_lag_throttled_total 2')
  })

  it('never holds at 0, and counts a safe head ahead of the tip (after a rewind) as no lag', async () => {
    const registry = new Registry()
    const throttle = new SafeLagThrottle({
      maxBlocks: 0,
      safeHead: () => 0n,
      logger: quiet,
      registry,
    })
    expect(throttle.holds(1_000_000n)).toBe(false)
    const ahead = new SafeLagThrottle({
      maxBlocks: 1,
      safeHead: () => 9n,
      logger: quiet,
      registry: new Registry(),
    })
    expect(ahead.holds(5n)).toBe(false)
  })

  it("keeps a builder's blocks free of mempool transactions while it holds; delayed messages still enter", async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    const deposit = (index: bigint): DelayedMessage => ({
      kind: DELAYED_KIND_DEPOSIT,
      index,
      l1Sender: sender.address,
      l1Timestamp: config.l2GenesisTimestamp,
      payload: encodeDepositPayload(sender.address, 10n ** 18n),
    })
    const deposits = [deposit(0n)]
    let safe = 0n
    let nonce = 0n
    const offer = (): ReadyTransaction[] => {
      const signed = transfer(sender, recipient, {
        chainId: config.chainId,
        nonce,
        value: 1n,
        maxFeePerGas: 3_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      })
      return [{ hash: keccak256(signed.raw), raw: signed.raw, tx: signed.tx, sender: sender.address }]
    }
    let offered = 0
    const builder = new BlockBuilder({
      transactionGate: new SafeLagThrottle({
        maxBlocks: 2,
        safeHead: () => safe,
        logger: quiet,
        registry: new Registry(),
      }),
      transactions: {
        takeReady: () => {
          offered++
          return offer()
        },
        sealed: (_block, _dropped, taken) => {
          nonce += BigInt(taken.length)
        },
      },
      delayed: { confirmedCount: () => BigInt(deposits.length), get: (index) => deposits[Number(index)] },
      chain,
      config,
      prepared: prepareBlockConfig(config),
      logger: quiet,
      metrics: createNodeMetrics(),
      now: () => config.l2GenesisTimestamp + 1n,
    })
    // block 1: the deposit that funds the sender, and a transfer; block 2: a transfer; then the head
    // is 2 past the safe head
    const first = await builder.sealNext()
    expect([first?.transactions.length, first?.header.delayedCountAfter]).toEqual([1, 1n])
    expect((await builder.sealNext())?.transactions.length).toBe(1)
    const offeredBefore = offered
    // held: nothing to seal unless forced, and a forced block is empty; the mempool is not even asked
    expect(await builder.sealNext()).toBeUndefined()
    expect((await builder.sealNext({ force: true }))?.transactions.length).toBe(0)
    // a deposit still enters (delayed messages are L1's to order, and bounded by it)
    deposits.push(deposit(1n))
    const withDeposit = await builder.sealNext()
    expect([withDeposit?.transactions.length, withDeposit?.header.delayedCountAfter]).toEqual([0, 2n])
    expect(offered).toBe(offeredBefore)
    // the batcher catches up: transactions again
    safe = 4n
    expect((await builder.sealNext())?.transactions.length).toBe(1)
    await builder.flushed()
    expect(nonce).toBe(3n)
  })
})
