import {
  DELAYED_KIND_DEPOSIT,
  type DelayedMessage,
  encodeDepositPayload,
  keccak256,
  prepareBlockConfig,
  type SignedTransaction,
} from '@sluice/core'
import { ChainStore, createLogger, createNodeMetrics } from '@sluice/node'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { WrittenReadsStore } from '../../../../test/support/writtenReadsStore.ts'
import { BlockBuilder, type ReadyTransaction } from '../../src/builder/blockBuilder.ts'

const config = testConfig()
const ETH = 10n ** 18n
const senders = [testAccount(1), testAccount(2), testAccount(3)]
const recipient = testAccount(99).address

function ready(signed: { tx: SignedTransaction; raw: Uint8Array }, sender: Uint8Array): ReadyTransaction {
  return { hash: keccak256(signed.raw), raw: signed.raw, tx: signed.tx, sender }
}

describe('BlockBuilder', () => {
  it("reads back none of the state nodes its blocks wrote: a pool's senders are in block after block", async () => {
    const store = new WrittenReadsStore()
    const chain = await ChainStore.open(store, config)
    const deposits: DelayedMessage[] = senders.map((s, i) => ({
      kind: DELAYED_KIND_DEPOSIT,
      index: BigInt(i),
      l1Sender: s.address,
      l1Timestamp: config.l2GenesisTimestamp,
      payload: encodeDepositPayload(s.address, 10n * ETH),
    }))
    let queued: ReadyTransaction[] = []
    const builder = new BlockBuilder({
      chain,
      config,
      prepared: prepareBlockConfig(config),
      logger: createLogger({ level: 'silent', name: 'builder-test' }),
      metrics: createNodeMetrics(),
      now: () => config.l2GenesisTimestamp + 1n,
      delayed: { confirmedCount: () => BigInt(deposits.length), get: (index) => deposits[Number(index)] },
      transactions: {
        takeReady: () => {
          const taken = queued
          queued = []
          return taken
        },
        sealed: () => undefined,
      },
    })
    // the deposits fund the senders
    expect((await builder.sealNext({ force: true }))?.header.delayedCountAfter).toBe(BigInt(senders.length))
    await builder.flushed()
    expect(builder.headState.getAccount(senders[0]?.address as Uint8Array).balance).toBe(10n * ETH)
    store.track = true
    for (let nonce = 0n; nonce < 4n; nonce++) {
      queued = senders.map((s) =>
        ready(
          transfer(s, recipient, {
            chainId: config.chainId,
            nonce,
            value: 1n,
            maxFeePerGas: 3_000_000_000n,
            maxPriorityFeePerGas: 1_000_000_000n,
          }),
          s.address,
        ),
      )
      const block = await builder.sealNext()
      expect(block?.transactions.length).toBe(senders.length)
    }
    await builder.flushed()
    expect(builder.headState.getAccount(senders[0]?.address as Uint8Array).nonce).toBe(4n)
    // each block's commit used to turn the leaves it wrote back into references, and the next block
    // read them again from the store on the main thread (getSync)
    expect(store.written.size).toBeGreaterThan(0)
    expect(store.writtenReads).toBe(0)
  })
})
