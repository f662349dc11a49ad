/** Seals L2 blocks of plain transfers between test accounts on a `ChainStore` (for chain and RPC tests). */
import { applyBlock, prepareBlockConfig, StateDb } from '@sluice/core'
import { expect } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { type TestAccount, testAccount, transfer } from '../../../../test/support/wallet.ts'
import { type ChainStore, type StoredBlock, toStoredBlock } from '../../src/chain/index.ts'

export const config = testConfig()
const prepared = prepareBlockConfig(config)
const funded = [testAccount(1), testAccount(2), testAccount(3)]
const ETH = 10n ** 18n

export type Transfer = { from: TestAccount; to: TestAccount | Uint8Array; value?: bigint; data?: Uint8Array }

/** Seals a block on `parent` (the unsafe head by default): a deposit to accounts 1–3, then `transfers`. */
export async function seal(
  chain: ChainStore,
  transfers: readonly Transfer[],
  { timestampStep = 1n, parent = chain.head('unsafe') }: { timestampStep?: bigint; parent?: StoredBlock } = {},
): Promise<StoredBlock> {
  const state = new StateDb(chain.store, parent.header.stateRoot)
  const nonces = new Map<string, bigint>()
  const messages = [
    ...funded.map((account) => ({ kind: 'deposit' as const, recipient: account.address, amount: ETH })),
    ...transfers.map(({ from, to, value, data }) => {
      const nonce = nonces.get(from.addressHex) ?? state.getAccount(from.address).nonce
      nonces.set(from.addressHex, nonce + 1n)
      const recipient = to instanceof Uint8Array ? to : to.address
      const { tx, raw } = transfer(from, recipient, {
        chainId: config.chainId,
        nonce,
        value: value ?? 1_000n,
        ...(data === undefined ? {} : { data, gasLimit: 100_000n }),
      })
      return { kind: 'transaction' as const, tx, raw }
    }),
  ]
  const block = applyBlock(
    state,
    {
      parentHash: parent.hash,
      number: parent.header.number + 1n,
      timestamp: parent.header.timestamp + timestampStep,
      delayedCountAfter: parent.header.delayedCountAfter,
      delayedAccumulator: parent.header.delayedAccumulator,
      messages,
    },
    prepared,
  )
  expect(block.transactions).toHaveLength(transfers.length)
  const stored = toStoredBlock(block, {
    messageCountAfter: parent.messageCountAfter + BigInt(messages.length),
    slotCount: transfers.length,
  })
  await state.commit(chain.appendOps([stored]))
  chain.applied([stored])
  return stored
}
