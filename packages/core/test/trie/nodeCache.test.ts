import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../src/bytes/index.ts'
import { keccak256 } from '../../src/crypto/index.ts'
import { MemoryStore } from '../../src/db/index.ts'
import { encodeAccount } from '../../src/trie/account.ts'
import { EMPTY_CODE_HASH } from '../../src/trie/constants.ts'
import { MerklePatriciaTrie, NodeCache, setStoreNodeCache, storeNodeCache } from '../../src/trie/index.ts'
import { encodeNode, newLeaf } from '../../src/trie/node.ts'
import { CountingStore, Prng, randomAccount } from './support.ts'

const copy = (length: number) => new Uint8Array(length)

/** A random "node" of 40–200 bytes and its hash. */
function entry(prng: Prng): { hash: Uint8Array; encoding: Uint8Array } {
  const encoding = prng.bytes(40 + prng.int(160))
  return { hash: keccak256(encoding), encoding }
}

describe('NodeCache', () => {
  it('answers what was put, as a copy, and nothing for other hashes', () => {
    const cache = new NodeCache(1 << 20)
    const prng = new Prng(1)
    const a = entry(prng)
    const b = entry(prng)
    cache.put(a.hash, a.encoding)
    const got = cache.get(a.hash, copy) as Uint8Array
    expect(bytesToHex(got)).toBe(bytesToHex(a.encoding))
    got.fill(0)
    expect(bytesToHex(cache.get(a.hash, copy) as Uint8Array)).toBe(bytesToHex(a.encoding))
    expect(cache.get(b.hash, copy)).toBeUndefined()
  })

  it('stays within its bytes, never answers wrong bytes, and keeps what was read over what was not', () => {
    const bytes = 1 << 18
    const cache = new NodeCache(bytes)
    const prng = new Prng(2)
    const all: { hash: Uint8Array; encoding: Uint8Array }[] = []
    const hot: { hash: Uint8Array; encoding: Uint8Array }[] = []
    for (let i = 0; i < 40; i++) {
      const e = entry(prng)
      hot.push(e)
      cache.put(e.hash, e.encoding)
    }
    // ten times the capacity of entries read once or never, the hot ones read all along
    let written = 0
    while (written < 10 * bytes) {
      const e = entry(prng)
      all.push(e)
      cache.put(e.hash, e.encoding)
      written += e.encoding.length
      if (all.length % 50 === 0) for (const h of hot) expect(cache.get(h.hash, copy)).toBeDefined()
    }
    let held = 0
    let heldBytes = 0
    for (const e of all) {
      const got = cache.get(e.hash, copy)
      if (got === undefined) continue
      expect(bytesToHex(got)).toBe(bytesToHex(e.encoding))
      held++
      heldBytes += got.length + 35
    }
    expect(heldBytes).toBeLessThanOrEqual(bytes)
    // the most recent entries are kept: at least half the capacity's worth
    expect(heldBytes).toBeGreaterThan(bytes / 2)
    expect(held).toBeLessThan(all.length)
    for (const h of hot) expect(bytesToHex(cache.get(h.hash, copy) as Uint8Array)).toBe(bytesToHex(h.encoding))
    expect(cache.entries).toBe(held + hot.length)
  })

  it('keeps a shared node one round longer than one that is not', () => {
    const bytes = 1 << 18
    const cache = new NodeCache(bytes)
    const prng = new Prng(6)
    const shared = entry(prng)
    const single = entry(prng)
    cache.put(shared.hash, shared.encoding, true)
    cache.put(single.hash, single.encoding)
    // more than one pass over the buffer, less than two
    for (let written = 0; written < 1.3 * bytes; ) {
      const e = entry(prng)
      cache.put(e.hash, e.encoding)
      written += e.encoding.length + 35
    }
    expect(cache.get(single.hash, copy)).toBeUndefined()
    expect(bytesToHex(cache.get(shared.hash, copy) as Uint8Array)).toBe(bytesToHex(shared.encoding))
  })

  it('counts the bytes it holds, its hits, misses and evictions', () => {
    const bytes = 1 << 18
    const cache = new NodeCache(bytes)
    const prng = new Prng(7)
    const first = entry(prng)
    cache.put(first.hash, first.encoding)
    expect(cache.heldBytes).toBeGreaterThanOrEqual(first.encoding.length + 35)
    cache.get(first.hash, copy)
    cache.get(entry(prng).hash, copy)
    expect([cache.hits, cache.misses, cache.evictions]).toEqual([1, 1, 0])
    let put = 1
    for (let written = 0; written < 3 * bytes; put++) {
      const e = entry(prng)
      cache.put(e.hash, e.encoding)
      written += e.encoding.length + 35
      expect(cache.heldBytes).toBeLessThanOrEqual(bytes)
    }
    expect(cache.heldBytes).toBeGreaterThan(bytes / 2)
    // every entry put is held or was evicted (the one read got a second chance, not an eviction)
    expect(cache.entries + cache.evictions).toBe(put)
  })

  it('keeps an account leaf without its empty storage root and code hash, and answers it whole', () => {
    const bytes = 1 << 18
    const cache = new NodeCache(bytes)
    const prng = new Prng(9)
    // leaves as a state trie writes them: [compact path, rlp(account)]
    const leaf = (account: Uint8Array) =>
      encodeNode(
        newLeaf(
          prng.bytes(59).map((b) => b & 15),
          account,
        ),
      )
    const eoa = leaf(randomAccount(prng))
    const tail = eoa.subarray(eoa.length - 66)
    const contract = leaf(
      encodeAccount({ nonce: 1n, balance: 0n, storageRoot: keccak256(eoa), codeHash: EMPTY_CODE_HASH }),
    )
    const only = tail.slice() // the tail alone is kept whole
    const entries = [eoa, contract, only].map((encoding) => ({ hash: keccak256(encoding), encoding }))
    const held: number[] = []
    for (const e of entries) {
      const before = cache.heldBytes
      cache.put(e.hash, e.encoding)
      held.push(cache.heldBytes - before)
    }
    const size = (length: number) => Math.ceil((35 + length) / 8) * 8
    expect(held).toEqual([size(eoa.length - 66), size(contract.length), size(only.length)])
    for (const e of entries) expect(bytesToHex(cache.get(e.hash, copy) as Uint8Array)).toBe(bytesToHex(e.encoding))
    // read, so kept through the segments' turns: copied again with the tail still left out
    const more: { hash: Uint8Array; encoding: Uint8Array }[] = []
    for (let written = 0; written < 2 * bytes; ) {
      const encoding = leaf(randomAccount(prng))
      const e = { hash: keccak256(encoding), encoding }
      more.push(e)
      cache.put(e.hash, e.encoding)
      written += encoding.length
      cache.get(entries[0]?.hash as Uint8Array, copy)
    }
    expect(bytesToHex(cache.get(entries[0]?.hash as Uint8Array, copy) as Uint8Array)).toBe(bytesToHex(eoa))
    for (const e of more.slice(-50))
      expect(bytesToHex(cache.get(e.hash, copy) as Uint8Array)).toBe(bytesToHex(e.encoding))
    expect(cache.heldBytes).toBeLessThanOrEqual(bytes)
  })

  it('gives up an entry taken (a node about to change), which a later turn of its segment does not copy', () => {
    const bytes = 1 << 18
    const cache = new NodeCache(bytes)
    const prng = new Prng(10)
    const a = entry(prng)
    const b = entry(prng)
    cache.put(a.hash, a.encoding, true)
    cache.put(b.hash, b.encoding, true)
    const held = cache.heldBytes
    expect(bytesToHex(cache.take(a.hash, copy) as Uint8Array)).toBe(bytesToHex(a.encoding))
    expect(cache.get(a.hash, copy)).toBeUndefined()
    expect(cache.take(a.hash, copy)).toBeUndefined()
    expect(cache.entries).toBe(1)
    expect(cache.heldBytes).toBe(held - Math.ceil((35 + a.encoding.length) / 8) * 8)
    // b (shared, so kept a round) outlives its segment's next turn; a is not written again
    for (let written = 0; written < bytes; ) {
      const e = entry(prng)
      cache.put(e.hash, e.encoding)
      written += e.encoding.length + 35
    }
    expect(bytesToHex(cache.get(b.hash, copy) as Uint8Array)).toBe(bytesToHex(b.encoding))
    expect(cache.get(a.hash, copy)).toBeUndefined()
  })

  it('stays correct and takes new entries when tiny ones would fill its index', () => {
    const bytes = 1 << 18
    const cache = new NodeCache(bytes)
    const prng = new Prng(8)
    const all: { hash: Uint8Array; encoding: Uint8Array }[] = []
    // 1-4 byte encodings: more entries fit in the buffer than the index takes
    for (let i = 0; i < bytes / 8; i++) {
      const encoding = prng.bytes(1 + prng.int(4))
      const e = { hash: keccak256(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, i >> 16, ...encoding)), encoding }
      all.push(e)
      cache.put(e.hash, e.encoding)
      // read half of them, so that segments hold entries kept for a second chance
      if (i % 2 === 0) cache.get(e.hash, copy)
    }
    for (const e of all) {
      const got = cache.get(e.hash, copy)
      if (got !== undefined) expect(bytesToHex(got)).toBe(bytesToHex(e.encoding))
    }
    for (const e of all.slice(-100))
      expect(bytesToHex(cache.get(e.hash, copy) as Uint8Array)).toBe(bytesToHex(e.encoding))
    expect(cache.entries).toBeLessThan(bytes / 48)
  })

  it('refuses a size it cannot use', () => {
    expect(() => new NodeCache(1000)).toThrow(RangeError)
  })
})

describe('MerklePatriciaTrie with a node cache', () => {
  /** Builds `count` accounts with every inner node below depth 1 stored by hash (not resident). */
  async function build(cache: NodeCache | null, count: number) {
    const store = new CountingStore()
    const prng = new Prng(3)
    const keys: Uint8Array[] = []
    const trie = new MerklePatriciaTrie(store, { secure: true, residentDepth: 1, nodeCache: cache })
    for (let i = 0; i < count; i++) {
      const key = prng.bytes(20)
      keys.push(key)
      trie.put(key, randomAccount(prng))
    }
    await trie.commit()
    return { store, trie, keys, prng }
  }

  it('reads the nodes below the resident depth from the cache, with the same values and roots', async () => {
    const cached = await build(new NodeCache(1 << 20), 3000)
    const plain = await build(null, 3000)
    for (const side of [cached, plain]) {
      const prng = new Prng(4)
      const picked = Array.from({ length: 600 }, () => side.keys[prng.int(side.keys.length)] as Uint8Array)
      // two blocks over the same accounts: the first reads them from the store, the second finds
      // what the first read and wrote in the cache
      for (const block of [0, 1]) {
        side.store.syncReads = 0
        for (const key of picked) {
          expect(side.trie.get(key)).toBeDefined()
          side.trie.put(key, randomAccount(prng))
        }
        await side.trie.commit()
        if (block === 0) expect(side.store.syncReads).toBeGreaterThan(600)
      }
    }
    expect(bytesToHex(cached.trie.root())).toBe(bytesToHex(plain.trie.root()))
    expect(plain.store.syncReads).toBeGreaterThan(600)
    expect(cached.store.syncReads).toBe(0)
  })

  it('is not filled by the commits of a trie whose paths were read ahead', async () => {
    const cache = new NodeCache(1 << 20)
    const { trie, keys, prng } = await build(cache, 3000)
    const picked = keys.slice(0, 600)
    await trie.prefetch(picked)
    for (const key of picked) trie.put(key, randomAccount(prng))
    await trie.commit()
    // the build wrote without reading and the block read ahead: nothing went into the cache
    expect(cache.entries).toBe(0)
    // a block that reads synchronously fills it with what it reads and what it writes
    for (const key of keys.slice(600, 1200)) trie.put(key, randomAccount(prng))
    await trie.commit()
    expect(cache.entries).toBeGreaterThan(600)
  })

  it("is filled by a growing trie's inserts, which load the leaves they split at the resident depth", async () => {
    // 200 accounts over depth 2's 256 slots: most leaves sit at the resident depth, few nodes below it
    const sides = [new NodeCache(1 << 20), null].map((cache) => {
      const store = new CountingStore()
      return { cache, store, trie: new MerklePatriciaTrie(store, { secure: true, residentDepth: 2, nodeCache: cache }) }
    })
    const prng = new Prng(9)
    const first = Array.from({ length: 200 }, () => prng.bytes(20))
    const second = Array.from({ length: 200 }, () => prng.bytes(20))
    const value = randomAccount(prng)
    for (const side of sides) {
      for (const key of first) side.trie.put(key, value)
      await side.trie.commit()
      for (const key of second) side.trie.put(key, value)
      await side.trie.commit()
      side.store.syncReads = 0
      for (const key of second) expect(side.trie.get(key)).toBeDefined()
    }
    const [cached, plain] = sides as [(typeof sides)[0], (typeof sides)[0]]
    expect(bytesToHex(cached.trie.root())).toBe(bytesToHex(plain.trie.root()))
    // the leaves the second commit wrote below depth 2 come from the cache
    expect(cached.cache?.entries).toBeGreaterThan(0)
    expect(cached.store.syncReads).toBeLessThan(plain.store.syncReads)
  })

  it('gives the same roots through a cache too small to hold them, and reads nodes stored without one', async () => {
    const plain = await build(null, 2000)
    const root = plain.trie.root()
    // a trie over the same store, opened with a cache at a root whose nodes were all written without it
    const tiny = new MerklePatriciaTrie(plain.store, {
      root,
      secure: true,
      residentDepth: 1,
      nodeCache: new NodeCache(16 * 4096),
    })
    const prng = new Prng(5)
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 500; i++) {
        const key = plain.keys[prng.int(plain.keys.length)] as Uint8Array
        const value = randomAccount(prng)
        expect(bytesToHex(tiny.get(key) as Uint8Array)).toBe(bytesToHex(plain.trie.get(key) as Uint8Array))
        tiny.put(key, value)
        plain.trie.put(key, value)
      }
      expect(bytesToHex(await tiny.commit())).toBe(bytesToHex(await plain.trie.commit()))
    }
    for (const key of plain.keys) {
      expect(bytesToHex(tiny.get(key) as Uint8Array)).toBe(bytesToHex(plain.trie.get(key) as Uint8Array))
    }
  })

  it('is shared by the tries over one store unless given', () => {
    const store = new MemoryStore()
    const a = new MerklePatriciaTrie(store)
    expect(new MerklePatriciaTrie(store).nodeCache).toBe(a.nodeCache)
    expect(a.at(a.root()).nodeCache).toBe(a.nodeCache)
    expect(new MerklePatriciaTrie(new MemoryStore()).nodeCache).not.toBe(a.nodeCache)
    expect(new MerklePatriciaTrie(store, { nodeCache: null }).nodeCache).toBeNull()
    expect(storeNodeCache(store)).toBe(a.nodeCache)
  })

  it("takes the store's cache as set for it, or none", () => {
    const store = new MemoryStore()
    const cache = new NodeCache(1 << 20)
    setStoreNodeCache(store, cache)
    expect(new MerklePatriciaTrie(store).nodeCache).toBe(cache)
    const off = new MemoryStore()
    setStoreNodeCache(off, null)
    expect(storeNodeCache(off)).toBeNull()
    expect(new MerklePatriciaTrie(off).nodeCache).toBeNull()
  })
})
