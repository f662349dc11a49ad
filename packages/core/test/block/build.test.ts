import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { applyBlock, encodeReceipt, prepareBlockConfig } from '../../src/block/index.ts'
import { bytesToHex } from '../../src/bytes/index.ts'
import { keccak256 } from '../../src/crypto/index.ts'
import { MemoryStore } from '../../src/db/store.ts'
import { StateDb, writeGenesisState } from '../../src/state/index.ts'
import { applyDeposit, type StfMessage } from '../../src/stf/index.ts'
import { orderedTrieRoot } from '../../src/trie/ordered.ts'

const config = testConfig()
const blockConfig = prepareBlockConfig(config)
const alice = testAccount(1)
const bob = testAccount(2)

describe('applyBlock', () => {
  it('keeps one record per included transaction in outcomes and transactions, and the roots of the encoded items', () => {
    const state = new StateDb(new MemoryStore())
    writeGenesisState(state)
    applyDeposit(state, alice.address, 10n ** 19n)
    const messages: StfMessage[] = []
    for (let nonce = 0n; nonce < 140n; nonce++) {
      // every fifth one repeats a nonce: a no-op, which is an outcome but no transaction
      const { tx, raw } = transfer(alice, bob.address, {
        chainId: config.chainId,
        nonce: nonce % 5n === 4n ? nonce - 1n : nonce - nonce / 5n,
        value: 1000n + nonce,
        type: Number(nonce % 3n) as 0 | 1 | 2,
      })
      messages.push({ kind: 'transaction', tx, raw })
    }
    messages.push({ kind: 'deposit', recipient: bob.address, amount: 5n })
    const block = applyBlock(
      state,
      {
        parentHash: new Uint8Array(32),
        number: 1n,
        timestamp: 1n,
        delayedCountAfter: 0n,
        delayedAccumulator: new Uint8Array(32),
        messages,
      },
      blockConfig,
    )
    expect(block.outcomes).toHaveLength(messages.length)
    expect(block.transactions.length).toBeGreaterThan(100)
    expect(block.transactions.length).toBeLessThan(140)
    let next = 0
    for (const outcome of block.outcomes) {
      if (!outcome.applied || outcome.kind !== 'transaction') continue
      // the very object, not a copy
      expect(outcome).toBe(block.transactions[next])
      next++
    }
    expect(next).toBe(block.transactions.length)
    // every field of the outcome, then the block's own (built field by field: none may be missing)
    for (const [i, t] of block.transactions.entries()) {
      expect(Object.keys(t)).toEqual([
        'applied',
        'kind',
        'tx',
        'sender',
        'gasUsed',
        'effectiveGasPrice',
        'fee',
        'logs',
        'withdrawal',
        'raw',
        'hash',
        'index',
        'receipt',
      ])
      expect(t.index).toBe(i)
      expect(t.gasUsed).toBe(21_000n)
    }
    for (const t of block.transactions) expect(bytesToHex(t.hash)).toBe(bytesToHex(keccak256(t.raw)))
    expect(bytesToHex(block.header.transactionsRoot)).toBe(
      bytesToHex(orderedTrieRoot(block.transactions.map((t) => t.raw))),
    )
    expect(bytesToHex(block.header.receiptsRoot)).toBe(
      bytesToHex(orderedTrieRoot(block.transactions.map((t) => encodeReceipt(t.receipt)))),
    )
  })
})
