import { Buffer } from 'node:buffer'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  applyBlock,
  BLOOM_BYTES,
  bigintToBytes,
  bytesToHex,
  decodeRlp,
  encodeRlp,
  equalBytes,
  keccak256,
  LevelStore,
  MESSAGE_PASSER,
  MemoryStore,
  padLeft,
  prepareBlockConfig,
  type RlpDecoded,
  type SignedTransaction,
  StateDb,
  verifyProof,
} from '@sluice/core'
import { afterAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { Prng } from '../../../../test/support/prng.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { decodeStoredBlockGeneric, encodeStoredBlockGeneric, u64Key } from '../../src/chain/codec.ts'
import {
  CACHE_TRANSACTIONS,
  ChainStore,
  ChainStoreCorruptError,
  ChainStoreMismatchError,
  decodeStoredBlock,
  encodeStoredBlock,
  type StoredBlock,
  type StoredTransaction,
  toStoredBlock,
} from '../../src/chain/index.ts'
import { hashKey, TransactionLocations } from '../../src/chain/store.ts'

const config = testConfig()
const prepared = prepareBlockConfig(config)
const alice = testAccount(1)
const bob = testAccount(2)
const ETH = 10n ** 18n

/** Seals a block on the unsafe head: a deposit to alice, then `transfers` from alice to bob. */
async function seal(
  chain: ChainStore,
  transfers: number,
  nonceFrom: bigint,
  after: { kind: 'transaction'; tx: SignedTransaction; raw: Uint8Array }[] = [],
): Promise<StoredBlock> {
  const parent = chain.head('unsafe')
  const state = new StateDb(chain.store, parent.header.stateRoot)
  const messages = [
    { kind: 'deposit' as const, recipient: alice.address, amount: 10n * ETH },
    ...Array.from({ length: transfers }, (_, i) => {
      const { tx, raw } = transfer(alice, bob.address, {
        chainId: config.chainId,
        nonce: nonceFrom + BigInt(i),
        value: 1000n,
      })
      return { kind: 'transaction' as const, tx, raw }
    }),
    ...after,
  ]
  const block = applyBlock(
    state,
    {
      parentHash: parent.hash,
      number: parent.header.number + 1n,
      timestamp: parent.header.timestamp + 1n,
      delayedCountAfter: parent.header.delayedCountAfter,
      delayedAccumulator: parent.header.delayedAccumulator,
      messages,
    },
    prepared,
  )
  const stored = toStoredBlock(block, {
    messageCountAfter: parent.messageCountAfter + BigInt(messages.length),
    slotCount: transfers + after.length,
  })
  await state.commit(chain.appendOps([stored]))
  chain.applied([stored])
  return stored
}

describe('ChainStore', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('opens with the genesis block and state, and refuses another chain', async () => {
    const store = new MemoryStore()
    const chain = await ChainStore.open(store, config)
    const genesis = chain.head('unsafe')
    expect(genesis.header.number).toBe(0n)
    expect(bytesToHex(genesis.header.stateRoot)).toBe(config.genesisStateRoot)
    expect(chain.head('safe')).toBe(genesis)
    expect(chain.account(0n, MESSAGE_PASSER).nonce).toBe(0n)
    await expect(ChainStore.open(store, testConfig({ l2GenesisTimestamp: 1n }))).rejects.toBeInstanceOf(
      ChainStoreMismatchError,
    )
  })

  it('stores blocks, transactions and receipts, and answers archive reads and proofs', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    const heads: StoredBlock[] = []
    chain.onNewHead((block) => heads.push(block))
    const b1 = await seal(chain, 3, 0n)
    const b2 = await seal(chain, 2, 3n)
    expect(heads.map((b) => b.header.number)).toEqual([1n, 2n])
    expect(chain.blockByHash(b1.hash)?.header.number).toBe(1n)
    const tx = b2.transactions[1] as StoredBlock['transactions'][number]
    expect(chain.transactionLocation(tx.hash)).toEqual({
      status: 'included',
      blockNumber: 2n,
      blockHash: b2.hash,
      index: 1,
    })
    expect(chain.account(1n, bob.address).balance).toBe(3000n)
    expect(chain.account(2n, bob.address).balance).toBe(5000n)
    const { accountProof } = chain.proof(2n, bob.address, [])
    const leaf = verifyProof(b2.header.stateRoot, keccak256(bob.address), accountProof)
    expect(leaf).toBeDefined()
  })

  it('round-trips a block record byte for byte', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    const block = await seal(chain, 4, 0n)
    const decoded = decodeStoredBlock(encodeStoredBlock(block))
    expect(equalBytes(decoded.hash, block.hash)).toBe(true)
    expect(decoded.transactions.map((t) => bytesToHex(t.hash))).toEqual(
      block.transactions.map((t) => bytesToHex(t.hash)),
    )
    expect(decoded.header).toEqual(block.header)
    expect(encodeStoredBlock(decoded)).toEqual(encodeStoredBlock(block))
  })

  it('stores a zero logs bloom in no bytes and reads it, and records holding it in full, as the bloom', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    const withdrawal = transfer(alice, MESSAGE_PASSER, {
      chainId: config.chainId,
      nonce: 2n,
      value: 1000n,
      gasLimit: 30_000n,
      data: new Uint8Array([...new Uint8Array(12), ...bob.address]),
    })
    const block = await seal(chain, 2, 0n, [{ kind: 'transaction', ...withdrawal }])
    const [first, second, third] = block.transactions
    expect(first?.logs).toEqual([])
    expect(third?.logs.length).toBeGreaterThan(0)
    expect(third?.logsBloom.some((byte) => byte !== 0)).toBe(true)

    const stored = encodeStoredBlock(block)
    const storedBlooms = ((decodeRlp(stored) as RlpDecoded[])[4] as RlpDecoded[][]).map((t) => t[6] as Uint8Array)
    expect(storedBlooms.map((bloom) => bloom.length)).toEqual([0, 0, BLOOM_BYTES])
    // A record written before zero blooms were stored empty holds every bloom in full.
    const full = decodeRlp(stored) as RlpDecoded[]
    for (const [i, t] of (full[4] as RlpDecoded[][]).entries()) t[6] = block.transactions[i]?.logsBloom as Uint8Array
    const older = encodeRlp(full)
    expect(older.length).toBeGreaterThan(stored.length + 2 * BLOOM_BYTES)

    for (const record of [stored, older]) {
      const decoded = decodeStoredBlock(record)
      expect(decoded.transactions.map((t) => bytesToHex(t.logsBloom))).toEqual(
        [first, second, third].map((t) => bytesToHex(t?.logsBloom as Uint8Array)),
      )
      expect(decoded.transactions[0]?.logsBloom).toEqual(new Uint8Array(BLOOM_BYTES))
      expect(decoded.transactions.map((t) => t.logs)).toEqual(block.transactions.map((t) => t.logs))
      expect(encodeStoredBlock(decoded)).toEqual(stored)
    }
  })

  it('writes a block record as encodeRlp of its nested fields does, on random blocks', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    const sealed = await seal(chain, 2, 0n)
    let seed = 7
    const next = (below: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
      return seed % below
    }
    const bytes = (length: number) => Uint8Array.from({ length }, () => next(256))
    // An unaligned bloom (not four-byte aligned) takes the byte-by-byte scan.
    const unaligned = (bloom: Uint8Array) => new Uint8Array(bloom.length + 1).fill(0).subarray(1)
    const integers = [0n, 1n, 127n, 128n, 21_000n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 200n, 2n ** 256n - 1n]
    for (let round = 0; round < 200; round++) {
      const transactions = Array.from({ length: next(12) }, (_, index): StoredTransaction => {
        const template = sealed.transactions[index % 2] as StoredTransaction
        let bloom = next(3) === 0 ? bytes(BLOOM_BYTES) : new Uint8Array(BLOOM_BYTES)
        if (next(2) === 0) {
          const copy = unaligned(bloom)
          copy.set(bloom)
          bloom = copy
        }
        if (next(4) === 0) bloom[next(BLOOM_BYTES)] = 1
        return {
          ...template,
          raw: bytes([0, 1, 1, 55, 56, 110, 255, 256, 70_000][next(9)] as number),
          hash: bytes(32),
          sender: bytes(20),
          index,
          gasUsed: integers[next(integers.length)] as bigint,
          cumulativeGasUsed: integers[next(integers.length)] as bigint,
          effectiveGasPrice: integers[next(integers.length)] as bigint,
          logsBloom: bloom,
          logs: Array.from({ length: next(3) }, () => ({
            address: bytes(20),
            topics: Array.from({ length: next(4) }, () => bytes(32)),
            data: bytes([0, 1, 32, 100, 300][next(5)] as number),
          })),
          forced: next(2) === 0,
        }
      })
      const block: StoredBlock = {
        ...sealed,
        transactions,
        messageCountAfter: integers[next(integers.length)] as bigint,
        slotCount: [0, 1, 200, 70_000][next(4)] as number,
      }
      expect(bytesToHex(encodeStoredBlock(block))).toBe(bytesToHex(encodeStoredBlockGeneric(block)))
    }
  })

  it('reads a block record as the generic decoder does, on random records and on damaged ones', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    const sealed = await seal(chain, 3, 0n)
    const prng = new Prng(1208)
    const integers = [0n, 1n, 127n, 128n, 21_000n, 2n ** 53n, 2n ** 256n - 1n]
    const pick = <T>(items: readonly T[]): T => items[prng.int(items.length)] as T
    const outcome = (decode: (encoded: Uint8Array) => StoredBlock, encoded: Uint8Array) => {
      try {
        return { block: decode(encoded) }
      } catch (error) {
        return { error }
      }
    }
    let damagedDecoded = 0
    for (let round = 0; round < 150; round++) {
      const transactions = Array.from({ length: prng.int(30) }, (_, index): StoredTransaction => {
        const template = sealed.transactions[index % sealed.transactions.length] as StoredTransaction
        const bloom = new Uint8Array(BLOOM_BYTES)
        if (prng.int(3) === 0) bloom.set(prng.bytes(BLOOM_BYTES))
        return {
          ...template,
          hash: prng.bytes(32),
          sender: prng.bytes(20),
          index,
          gasUsed: pick(integers),
          cumulativeGasUsed: pick(integers),
          effectiveGasPrice: pick(integers),
          logsBloom: bloom,
          logs: Array.from({ length: prng.int(3) }, () => ({
            address: prng.bytes(20),
            topics: Array.from({ length: prng.int(4) }, () => prng.bytes(32)),
            data: prng.bytes(pick([0, 1, 32, 100, 300])),
          })),
          forced: prng.int(2) === 0,
        }
      })
      const block: StoredBlock = {
        ...sealed,
        transactions,
        messageCountAfter: pick(integers),
        slotCount: prng.int(70_000),
      }
      const encoded = encodeStoredBlock(block)
      const direct = decodeStoredBlock(encoded)
      expect(direct).toEqual(decodeStoredBlockGeneric(encoded))
      expect(bytesToHex(encodeStoredBlock(direct))).toBe(bytesToHex(encoded))

      // Damaged: bytes flipped, cut short, or one inserted; both decoders refuse it, or both read the same block.
      for (let d = 0; d < 8; d++) {
        let damaged = encoded.slice()
        const at = prng.int(encoded.length)
        const kind = prng.int(3)
        if (kind === 0) damaged[at] = prng.int(256)
        else if (kind === 1) damaged = damaged.subarray(0, at)
        else damaged = Uint8Array.from([...encoded.subarray(0, at), prng.int(256), ...encoded.subarray(at)])
        const generic = outcome(decodeStoredBlockGeneric, damaged)
        const mine = outcome(decodeStoredBlock, damaged)
        expect('error' in mine).toBe('error' in generic)
        if ('block' in mine && 'block' in generic) {
          expect(mine.block).toEqual(generic.block)
          damagedDecoded++
        }
        if ('error' in generic && generic.error instanceof ChainStoreCorruptError) {
          expect((mine as { error: unknown }).error).toBeInstanceOf(ChainStoreCorruptError)
        }
      }
    }
    // some damage lands in a value (a hash, a bloom, an integer) and still decodes
    expect(damagedDecoded).toBeGreaterThan(50)
  })

  it('writes transaction locations and u64 keys as encodeRlp and 8 big-endian bytes give them', () => {
    const numbers = [
      0n,
      1n,
      127n,
      128n,
      255n,
      256n,
      65_535n,
      2n ** 31n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 53n + 1n,
      2n ** 64n - 1n,
    ]
    const indexes = [0, 1, 127, 128, 255, 256, 6_000, 65_535, 65_536, 2 ** 24 - 1, 2 ** 24, 2 ** 31]
    for (const number of numbers) {
      const locations = new TransactionLocations(number)
      for (const index of indexes) {
        expect(bytesToHex(locations.of(index))).toBe(bytesToHex(encodeRlp([number, BigInt(index)])))
      }
      expect(bytesToHex(u64Key(number))).toBe(bytesToHex(padLeft(bigintToBytes(number), 8)))
    }
    expect(() => u64Key(-1n)).toThrow(RangeError)
    expect(() => u64Key(2n ** 64n)).toThrow(RangeError)
  })

  it('keys a hash as one latin1 char per byte, as a Buffer view of it gives, on random byte strings and views', () => {
    const prng = new Prng(12)
    const keys = new Set<string>()
    for (let i = 0; i < 2_000; i++) {
      // lengths past the reused scratch buffer's 32 bytes too, and views into a larger buffer at any offset
      const length = prng.int(48)
      const offset = prng.int(8)
      const bytes = prng.bytes(offset + length + prng.int(8)).subarray(offset, offset + length)
      const key = hashKey(bytes)
      expect(key).toBe(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'))
      keys.add(key)
    }
    expect(keys.size).toBeGreaterThan(1_900)
  })

  it('replaces blocks on a reorg and forgets the transactions of the replaced ones', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    await seal(chain, 1, 0n)
    const old2 = await seal(chain, 2, 1n)
    await chain.setHeads({ unsafe: 1n })
    expect(chain.blockByNumber(2n)).toBeUndefined()
    expect(chain.transactionLocation((old2.transactions[0] as { hash: Uint8Array }).hash)).toBeUndefined()
    const new2 = await seal(chain, 1, 1n)
    expect(chain.head('unsafe').hash).toEqual(new2.hash)
  })

  it('keeps a bounded number of decoded transactions in memory however large the recent blocks are', async () => {
    const chain = await ChainStore.open(new MemoryStore(), config)
    const sealed = await seal(chain, 2, 0n)
    const perBlock = 6_000
    // Blocks as full as a blob batch allows; only the cache's memory is under test (applied() writes nothing).
    const full = (number: bigint): StoredBlock => ({
      ...sealed,
      header: { ...sealed.header, number },
      transactions: Array.from(
        { length: perBlock },
        () => sealed.transactions[0] as StoredBlock['transactions'][number],
      ),
    })
    const blocks = Math.ceil((3 * CACHE_TRANSACTIONS) / perBlock)
    for (let n = 2n; n < BigInt(2 + blocks); n++) {
      chain.applied([full(n)])
      expect(chain.cacheSize.transactions).toBeLessThanOrEqual(CACHE_TRANSACTIONS)
    }
    const newest = BigInt(1 + blocks)
    expect(chain.blockByNumber(newest)?.transactions).toHaveLength(perBlock) // the newest block stays cached
    expect(chain.cacheSize.transactions).toBeGreaterThan(CACHE_TRANSACTIONS - perBlock)
    // a block larger than the whole bound is still kept, alone
    chain.applied([{ ...full(newest + 1n), transactions: Array(CACHE_TRANSACTIONS + 1).fill(sealed.transactions[0]) }])
    expect(chain.cacheSize).toEqual({ blocks: 1, transactions: CACHE_TRANSACTIONS + 1 })
  })

  it('lets a reader behind the cache catch up: a block read back does not evict the recent ones', async () => {
    const store = new MemoryStore()
    const blockReads: bigint[] = []
    const getSync = store.getSync.bind(store)
    const blockPrefix = bytesToHex(new TextEncoder().encode('c/b/'))
    store.getSync = (key) => {
      const hex = bytesToHex(key)
      if (hex.startsWith(blockPrefix)) blockReads.push(BigInt(`0x${hex.slice(blockPrefix.length)}`))
      return getSync(key)
    }
    const cacheTransactions = 64
    const chain = await ChainStore.open(store, config, { cacheTransactions })
    const sealed = await seal(chain, 2, 0n)
    const perBlock = cacheTransactions / 8
    const full = (number: bigint, parent: StoredBlock): StoredBlock => ({
      ...sealed,
      hash: keccak256(bigintToBytes(number)),
      header: { ...sealed.header, number, parentHash: parent.hash },
      transactions: Array.from({ length: perBlock }, (_, index) => ({
        ...(sealed.transactions[0] as StoredTransaction),
        index,
      })),
    })
    const sealNext = () => chain.append([full(chain.head('unsafe').header.number + 1n, chain.head('unsafe'))])
    for (let i = 0; i < 20; i++) await sealNext()
    // The cache holds the newest 8 blocks (14–21); a batcher reads from block 6 on, two blocks per new one.
    blockReads.length = 0
    let next = 6n
    for (let round = 0; round < 15; round++) {
      for (let i = 0; i < 2; i++) {
        expect(chain.blockByNumber(next)?.header.number).toBe(next)
        next++
      }
      await sealNext()
    }
    // The window moves on by a block per two read: the reader reaches it at block 21 (the cache then
    // holds 21–28) and finds every block from there on. Were a block read back cached with the recent
    // ones, it would evict the next one to read, and every read (6–35) would go to the store.
    expect(blockReads).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(6 + i)))
    // Read again, the last few read back are still held.
    blockReads.length = 0
    expect(chain.blockByNumber(20n)?.header.number).toBe(20n)
    expect(blockReads).toEqual([])
    expect(chain.cacheSize.transactions).toBeLessThanOrEqual(cacheTransactions)
  })

  it('survives a close and reopen on LevelDB with heads, blocks and dropped reasons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-chain-'))
    dirs.push(dir)
    let store = await LevelStore.open(dir)
    let chain = await ChainStore.open(store, config)
    const block = await seal(chain, 2, 0n)
    const droppedHash = new Uint8Array(32).fill(7)
    await store.batch([chain.droppedOp(droppedHash, 'nonceMismatch', 'a forced transaction used the nonce')])
    await chain.setHeads({ safe: 1n })
    await store.close()
    store = await LevelStore.open(dir)
    chain = await ChainStore.open(store, config)
    expect(chain.head('unsafe').hash).toEqual(block.hash)
    expect(chain.head('safe').header.number).toBe(1n)
    expect(chain.transactionLocation(droppedHash)).toMatchObject({ status: 'dropped', reason: 'nonceMismatch' })
    await store.close()
  })
})
