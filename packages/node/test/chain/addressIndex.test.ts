/**
 * The chain store's address → transactions index: written in the same batch as each block, newest
 * first in pages, and rewound with the blocks a reorg replaces (derivation rebuilds it from there).
 */
import { type BatchOp, bytesToHex, MemoryStore } from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { type TestAccount, testAccount } from '../../../../test/support/wallet.ts'
import { ChainStore, type StoredBlock } from '../../src/chain/index.ts'
import { ADDRESS_COUNT_STRIDE } from '../../src/chain/store.ts'
import { config, seal, type Transfer } from './sealTransfers.ts'

const [alice, bob, carol] = [testAccount(1), testAccount(2), testAccount(3)] as [TestAccount, TestAccount, TestAccount]

/** Every indexed transaction hash of `account`, newest first, read in pages of `pageSize`. */
function allHashes(chain: ChainStore, account: TestAccount, pageSize: number): string[] {
  const out: string[] = []
  let before: bigint | undefined
  for (;;) {
    const { entries } = chain.addressTransactions(account.address, { before, limit: pageSize })
    if (entries.length === 0) return out
    for (const entry of entries) {
      const tx = chain.blockByNumber(entry.blockNumber)?.transactions[entry.index]
      if (tx === undefined) throw new Error(`index names a missing transaction ${entry.blockNumber}/${entry.index}`)
      out.push(bytesToHex(tx.hash))
    }
    before = entries[entries.length - 1]?.sequence
  }
}

/** What the index must say: every transaction sent or received by `account` in the chain, newest first. */
function expectedHashes(chain: ChainStore, account: TestAccount): string[] {
  const out: string[] = []
  for (let n = chain.head('unsafe').header.number; n >= 1n; n--) {
    const block = chain.blockByNumber(n) as StoredBlock
    for (const tx of [...block.transactions].reverse()) {
      const to = tx.tx.to === undefined ? undefined : bytesToHex(tx.tx.to)
      if (bytesToHex(tx.sender) === account.addressHex || to === account.addressHex) out.push(bytesToHex(tx.hash))
    }
  }
  return out
}

describe('address index', () => {
  it('lists an address’s transactions, sent and received, newest first, in pages', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    await seal(chain, [
      { from: alice, to: bob },
      { from: bob, to: carol },
    ])
    await seal(chain, [
      { from: alice, to: carol },
      { from: alice, to: alice },
      { from: carol, to: bob },
    ])
    await seal(chain, [{ from: bob, to: alice }])

    for (const account of [alice, bob, carol]) {
      const expected = expectedHashes(chain, account)
      expect(expected.length).toBeGreaterThan(0)
      for (const pageSize of [1, 2, 100]) expect(allHashes(chain, account, pageSize)).toEqual(expected)
      expect(chain.addressTransactions(account.address, { limit: 1 }).total).toBe(BigInt(expected.length))
    }
    // A transfer to oneself is listed once.
    expect(allHashes(chain, alice, 100)).toHaveLength(4)
    expect(chain.addressTransactions(testAccount(9).address, { limit: 10 })).toEqual({ total: 0n, entries: [] })
  })

  it('stays exact when the counts held in memory roll over (a count is read back from the store)', async () => {
    // Two addresses per generation: every block drops counts from memory that the next blocks need again.
    const store = new MemoryStore()
    const chain = await ChainStore.open(store, config, { addressCountCache: 4 })
    const fresh = (i: number) => new Uint8Array(20).fill(0xa0 + i)
    for (let i = 0; i < 6; i++) {
      await seal(chain, [
        { from: alice, to: bob },
        { from: bob, to: fresh(i) },
        { from: carol, to: fresh(i % 2) },
        { from: carol, to: alice },
      ])
    }
    for (const account of [alice, bob, carol]) {
      expect(allHashes(chain, account, 3)).toEqual(expectedHashes(chain, account))
    }
    expect(chain.addressTransactions(alice.address, { limit: 1 }).total).toBe(12n)
    // fresh(0) received in blocks 1 (from bob) and 1, 3, 5 (from carol); fresh(1) in blocks 2 and 2, 4, 6
    expect(chain.addressTransactions(fresh(0), { limit: 10 }).total).toBe(4n)
    expect(chain.addressTransactions(fresh(5), { limit: 10 }).total).toBe(1n)
    const reopened = await ChainStore.open(store, config)
    expect(reopened.addressTransactions(alice.address, { limit: 1 }).total).toBe(12n)
    expect(reopened.addressTransactions(fresh(1), { limit: 10 }).total).toBe(4n)
  })

  it('reads the count of an address it never indexed in one store read, and counts exactly on random blocks', async () => {
    const store = new MemoryStore()
    const reads: string[] = []
    const getSync = store.getSync.bind(store)
    store.getSync = (key) => {
      reads.push(bytesToHex(key))
      return getSync(key)
    }
    // Two addresses per generation: counts are read back from the store block after block.
    const chain = await ChainStore.open(store, config, { addressCountCache: 4 })
    const prng = new Prng(1207)
    const senders = [alice, bob, carol]
    const recipients = Array.from({ length: 6 }, (_, i) => new Uint8Array(20).fill(0xb0 + i))
    for (let block = 0; block < 12; block++) {
      const transfers: Transfer[] = Array.from({ length: 1 + prng.int(5) }, () => ({
        from: senders[prng.int(senders.length)] as TestAccount,
        to:
          prng.int(3) === 0
            ? (senders[prng.int(senders.length)] as TestAccount)
            : recipients[prng.int(recipients.length)],
      })) as Transfer[]
      await seal(chain, transfers)
    }
    const expectedTotal = (address: Uint8Array) => {
      let total = 0n
      for (let n = 1n; n <= chain.head('unsafe').header.number; n++) {
        for (const tx of (chain.blockByNumber(n) as StoredBlock).transactions) {
          const to = tx.tx.to as Uint8Array
          if (bytesToHex(tx.sender) === bytesToHex(address) || bytesToHex(to) === bytesToHex(address)) total++
        }
      }
      return total
    }
    const reopened = await ChainStore.open(store, config)
    for (const address of [...senders.map((s) => s.address), ...recipients]) {
      expect(chain.addressTransactions(address, { limit: 1 }).total).toBe(expectedTotal(address))
      expect(reopened.addressTransactions(address, { limit: 1 }).total).toBe(expectedTotal(address))
    }
    for (const account of senders) expect(allHashes(reopened, account, 3)).toEqual(expectedHashes(reopened, account))

    const fresh = new Uint8Array(20).fill(0xee)
    reads.length = 0
    expect(reopened.addressTransactions(fresh, { limit: 10 })).toEqual({ total: 0n, entries: [] })
    expect(reads.filter((key) => key.includes(bytesToHex(fresh).slice(2)))).toHaveLength(1)
  })

  it('forgets the transactions of blocks a reorg replaces and indexes their replacements', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    await seal(chain, [{ from: alice, to: bob }])
    const forkPoint = chain.head('unsafe').header.number
    const stateAtFork = chain.head('unsafe')
    await seal(chain, [
      { from: bob, to: carol },
      { from: alice, to: carol },
    ])
    await seal(chain, [{ from: carol, to: alice }])
    expect(chain.addressTransactions(carol.address, { limit: 10 }).total).toBe(3n)

    // L1 derives other blocks from the fork point: they replace the unsafe ones in one write.
    await chain.setHeads({ unsafe: forkPoint })
    expect(chain.head('unsafe').hash).toEqual(stateAtFork.hash)
    for (const account of [alice, bob, carol]) {
      expect(allHashes(chain, account, 2)).toEqual(expectedHashes(chain, account))
    }
    expect(chain.addressTransactions(carol.address, { limit: 10 }).total).toBe(0n)

    const replacement = await seal(chain, [{ from: bob, to: alice, value: 7n }], { timestampStep: 5n })
    for (const account of [alice, bob, carol]) {
      expect(allHashes(chain, account, 1)).toEqual(expectedHashes(chain, account))
    }
    expect(allHashes(chain, bob, 10)[0]).toBe(bytesToHex(replacement.transactions[0]?.hash as Uint8Array))
  })

  it('is rewound when a derived block replaces the unsafe one at its height, in the same write', async () => {
    const store = new MemoryStore()
    const chain = await ChainStore.open(store, config)
    await seal(chain, [{ from: alice, to: bob }])
    const parent = chain.head('unsafe')
    const old = await seal(chain, [
      { from: alice, to: carol },
      { from: carol, to: bob },
    ])
    await seal(chain, [{ from: carol, to: alice }])
    // appendOps on a lower height replaces every block from there (as a derived batch that L1 derives differently).
    const replacement = await seal(chain, [{ from: bob, to: carol }], { parent, timestampStep: 3n })
    expect(replacement.header.number).toBe(old.header.number)
    expect(replacement.hash).not.toEqual(old.hash)
    expect(chain.head('unsafe').hash).toEqual(replacement.hash)
    for (const account of [alice, bob, carol]) {
      expect(allHashes(chain, account, 3)).toEqual(expectedHashes(chain, account))
    }
    expect(chain.addressTransactions(carol.address, { limit: 10 }).total).toBe(1n)
    // Reopened from disk, the index reads the same.
    const reopened = await ChainStore.open(store, config)
    for (const account of [alice, bob, carol]) {
      expect(allHashes(reopened, account, 2)).toEqual(expectedHashes(reopened, account))
    }
  })

  it('writes an address’s count only past each multiple of the stride, and counts exactly from memory, from the store and after a reorg', async () => {
    const store = new MemoryStore()
    const countWrites: BatchOp[] = []
    const countPrefix = Buffer.from('c/an/')
    const batch = store.batch.bind(store)
    store.batch = (ops) => {
      for (const op of ops)
        if (Buffer.from(op.key.subarray(0, countPrefix.length)).equals(countPrefix)) countWrites.push(op)
      return batch(ops)
    }
    const writesOf = (account: TestAccount) =>
      countWrites.filter((op) => bytesToHex(op.key.subarray(countPrefix.length)) === account.addressHex)
    const stride = Number(ADDRESS_COUNT_STRIDE)
    const chain = await ChainStore.open(store, config)
    const blocks = stride + 3
    for (let i = 0; i < blocks; i++) await seal(chain, [{ from: alice, to: bob }])
    // One write each, when the count reached the stride, instead of one per block.
    for (const account of [alice, bob]) {
      expect(writesOf(account).map((op) => op.type)).toEqual(['put'])
      expect(chain.addressTransactions(account.address, { limit: 1 }).total).toBe(BigInt(blocks))
    }

    // A store whose count records lag its entries (as after any write between two strides, or a crash) reads the same.
    const reopened = await ChainStore.open(store, config)
    for (const account of [alice, bob]) {
      expect(reopened.addressTransactions(account.address, { limit: 1 }).total).toBe(BigInt(blocks))
      expect(allHashes(reopened, account, 4)).toEqual(expectedHashes(reopened, account))
    }

    // A reorg below the last stride writes the count as it is left, so no record is ever above the entries.
    const removed = 5
    const before = countWrites.length
    await reopened.setHeads({ unsafe: reopened.head('unsafe').header.number - BigInt(removed) })
    expect(countWrites.length).toBe(before + 2)
    const afterReorg = await ChainStore.open(store, config)
    for (const account of [alice, bob]) {
      expect(afterReorg.addressTransactions(account.address, { limit: 1 }).total).toBe(BigInt(blocks - removed))
      expect(allHashes(afterReorg, account, 3)).toEqual(expectedHashes(afterReorg, account))
    }
    await seal(afterReorg, [{ from: bob, to: carol }])
    const last = await ChainStore.open(store, config)
    expect(last.addressTransactions(bob.address, { limit: 1 }).total).toBe(BigInt(blocks - removed + 1))
    for (const account of [alice, bob, carol]) {
      expect(allHashes(last, account, 5)).toEqual(expectedHashes(last, account))
    }
  })

  it('writes the count a replacing write leaves when it is below the stored one, within one stride', async () => {
    const store = new MemoryStore()
    const chain = await ChainStore.open(store, config)
    const stride = Number(ADDRESS_COUNT_STRIDE)
    for (let i = 0; i < stride - 1; i++) await seal(chain, [{ from: alice, to: bob }])
    const parent = chain.head('unsafe')
    // Past the stride by 3 in one write: the stored count is that write's count.
    await seal(
      chain,
      Array.from({ length: 4 }, () => ({ from: alice, to: bob })),
    )
    // The block is replaced at its height by one with a transaction fewer: the count ends in the same stride, lower.
    await seal(
      chain,
      Array.from({ length: 3 }, () => ({ from: alice, to: bob })),
      { parent, timestampStep: 2n },
    )
    const reopened = await ChainStore.open(store, config)
    for (const account of [alice, bob]) {
      expect(reopened.addressTransactions(account.address, { limit: 1 }).total).toBe(BigInt(stride + 2))
      expect(allHashes(reopened, account, 7)).toEqual(expectedHashes(reopened, account))
    }
  })
})
