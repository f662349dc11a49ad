import { encodeBatch, encodeForcedBatch } from '../../packages/core/src/batch/index.ts'
import { MESSAGE_PASSER } from '../../packages/core/src/config/constants.ts'
import type { RollupConfig } from '../../packages/core/src/config/rollupConfig.ts'
import type { L1Batch } from '../../packages/core/src/derive/types.ts'
import { type DelayedMessage, encodeDepositPayload } from '../../packages/core/src/messages/delayed.ts'
import { testAccount, transfer } from './wallet.ts'

const ETH = 10n ** 18n

/**
 * A small but complete L1 history: deposits, sequencer batches of transfers and a withdrawal, a
 * forced transaction, a garbage slot, and a forced-inclusion batch. Used by derivation tests.
 */
export function sampleL1History(config: RollupConfig): { batches: L1Batch[]; delayed: DelayedMessage[] } {
  const users = Array.from({ length: 6 }, (_, i) => testAccount(500 + i))
  const l1Sender = testAccount(900).address
  const chainId = config.chainId
  const t0 = config.l2GenesisTimestamp
  const delayed: DelayedMessage[] = users.map((user, i) => ({
    kind: 0,
    index: BigInt(i),
    l1Sender,
    l1Timestamp: t0 + 1n,
    payload: encodeDepositPayload(user.address, 3n * ETH),
  }))
  const [a, b, c, d] = users as [
    ReturnType<typeof testAccount>,
    ReturnType<typeof testAccount>,
    ReturnType<typeof testAccount>,
    ReturnType<typeof testAccount>,
  ]
  const batch0 = encodeBatch({
    chainId,
    prevDelayedCount: 0n,
    blocks: [
      {
        timestamp: t0 + 2n,
        delayedCountAfter: 4n,
        transactions: [transfer(a, b.address, { chainId, nonce: 0n, value: ETH / 10n }).tx],
      },
      {
        timestamp: t0 + 4n,
        delayedCountAfter: 6n,
        transactions: [
          transfer(b, c.address, { chainId, nonce: 0n, value: 12_345n * 10n ** 12n }).tx,
          transfer(c, MESSAGE_PASSER, { chainId, nonce: 0n, value: ETH / 2n }).tx,
          transfer(a, a.address, { chainId, nonce: 1n, value: 1n, type: 0 }).tx,
        ],
      },
    ],
  })
  // A forced transaction arrives through the Portal (raw RLP, not compressed).
  const forced = transfer(d, a.address, { chainId, nonce: 0n, value: 7n * 10n ** 15n, type: 1 }).raw
  delayed.push({ kind: 1, index: 6n, l1Sender, l1Timestamp: t0 + 5n, payload: forced })
  const batch1 = encodeBatch({
    chainId,
    prevDelayedCount: 6n,
    blocks: [
      {
        timestamp: t0 + 6n,
        delayedCountAfter: 7n,
        transactions: [transfer(b, d.address, { chainId, nonce: 1n, value: ETH / 100n }).tx],
      },
      {
        timestamp: t0 + 8n,
        delayedCountAfter: 7n,
        transactions: [transfer(a, c.address, { chainId, nonce: 2n, value: 5n * 10n ** 16n }).tx],
      },
    ],
  })
  delayed.push({ kind: 0, index: 7n, l1Sender, l1Timestamp: t0 + 9n, payload: encodeDepositPayload(d.address, ETH) })
  return {
    delayed,
    batches: [
      { index: 0n, bytes: batch0, l1Timestamp: t0 + 12n, delayedBefore: 0n, delayedCountAfter: 6n },
      { index: 1n, bytes: batch1, l1Timestamp: t0 + 24n, delayedBefore: 6n, delayedCountAfter: 7n },
      { index: 2n, bytes: encodeForcedBatch(8n), l1Timestamp: t0 + 100_000n, delayedBefore: 7n, delayedCountAfter: 8n },
    ],
  }
}
