import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../src/bytes/index.ts'
import { type BatchOp, type KeyValueStore, MemoryStore } from '../../src/db/index.ts'
import { MerklePatriciaTrie } from '../../src/trie/index.ts'
import { committedTrie, randomAccount } from './support.ts'

/** A store that counts synchronous reads and can hold `getMany` answers back until released. */
class CountingStore implements KeyValueStore {
  readonly inner = new MemoryStore()
  syncReads = 0
  manyReads = 0
  private held: (() => void)[] = []
  hold = false

  getSync(key: Uint8Array): Uint8Array | undefined {
    this.syncReads++
    return this.inner.getSync(key)
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.manyReads += keys.length
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve))
    return this.inner.getMany(keys)
  }

  release(): void {
    for (const resolve of this.held.splice(0)) resolve()
  }

  /** Waits until a `getMany` is held (a prefetch round is reading). */
  async waitHeld(): Promise<void> {
    for (let i = 0; i < 1000 && this.held.length === 0; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(this.held.length).toBeGreaterThan(0)
  }

  batch(ops: readonly BatchOp[]): Promise<void> {
    return this.inner.batch(ops)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

describe('MerklePatriciaTrie.prefetch', () => {
  it('makes the following gets and puts of those keys read nothing synchronously', async () => {
    const { store, keys, root, prng } = await committedTrie(new CountingStore(), 3000, 1)
    const trie = new MerklePatriciaTrie(store, { root, secure: true, nodeCache: null, residentDepth: 1 })
    const some = keys.slice(0, 200)
    await trie.prefetch(some)
    expect(store.manyReads).toBeGreaterThan(200)
    store.syncReads = 0
    const reference = new MerklePatriciaTrie(store.inner, { root, secure: true })
    for (const key of some) expect(trie.get(key)).toEqual(reference.get(key))
    for (const key of some) {
      const value = randomAccount(prng)
      trie.put(key, value)
      reference.put(key, value)
    }
    expect(store.syncReads).toBe(0)
    expect(bytesToHex(trie.root())).toBe(bytesToHex(reference.root()))
    // an absent key's path is prefetched as far as it goes
    await trie.prefetch([prng.bytes(20)])
  })

  it('changes no value or root, and what it loaded stays across commits for the blocks after', async () => {
    const { store, keys, root, prng } = await committedTrie(new CountingStore(), 2000, 2)
    const trie = new MerklePatriciaTrie(store, { root, secure: true, nodeCache: null, residentDepth: 1 })
    const reference = new MerklePatriciaTrie(store.inner, { root, secure: true })
    // one read-ahead for three blocks, each committed before the next runs (as the verifier does)
    await trie.prefetch(keys.slice(0, 300))
    expect(bytesToHex(trie.root())).toBe(bytesToHex(root))
    store.syncReads = 0
    for (let block = 0; block < 3; block++) {
      for (const key of keys.slice(block * 100, block * 100 + 100)) {
        expect(trie.get(key)).toEqual(reference.get(key))
        const value = randomAccount(prng)
        trie.put(key, value)
        reference.put(key, value)
      }
      expect(bytesToHex(await trie.commit())).toBe(bytesToHex(await reference.commit()))
    }
    expect(store.syncReads).toBe(0)
    // what the blocks changed was written and went back to the store: reading it again reads
    for (const key of keys.slice(0, 50)) expect(trie.get(key)).toEqual(reference.get(key))
    expect(store.syncReads).toBeGreaterThanOrEqual(50)
  })

  it('keeps at most maxLoaded nodes attached: past it the older half goes back to the store', async () => {
    const { store, keys, root } = await committedTrie(new CountingStore(), 3000, 6)
    const trie = new MerklePatriciaTrie(store, {
      root,
      secure: true,
      nodeCache: null,
      residentDepth: 1,
      maxLoaded: 400,
    })
    const reference = new MerklePatriciaTrie(store.inner, { root, secure: true })
    // each key's path below depth 1 is one or two nodes: 300 keys load more than 400 nodes
    const early = keys.slice(0, 50)
    for (const key of early) trie.get(key)
    for (const key of keys.slice(50, 350)) trie.get(key)
    store.syncReads = 0
    for (const key of early) expect(trie.get(key)).toEqual(reference.get(key))
    expect(store.syncReads).toBeGreaterThanOrEqual(50)
    // the latest ones are still attached
    store.syncReads = 0
    for (const key of keys.slice(340, 350)) expect(trie.get(key)).toEqual(reference.get(key))
    expect(store.syncReads).toBe(0)
    expect(bytesToHex(await trie.commit())).toBe(bytesToHex(root))
  })

  it('gives the same results when the trie changes while its reads are under way', async () => {
    const { store, keys, root, prng } = await committedTrie(new CountingStore(), 1500, 3)
    const trie = new MerklePatriciaTrie(store, { root, secure: true, nodeCache: null, residentDepth: 1 })
    const reference = new MerklePatriciaTrie(store.inner, { root, secure: true })
    store.hold = true
    const prefetching = trie.prefetch(keys.slice(0, 300))
    // while the first level is being read: updates, inserts and deletes on the same paths
    for (let i = 0; i < 300; i++) {
      const key = i % 3 === 0 ? (keys[i] as Uint8Array) : prng.bytes(20)
      const value = i % 7 === 0 ? new Uint8Array(0) : randomAccount(prng)
      trie.put(key, value)
      reference.put(key, value)
    }
    for (let round = 0; round < 200 && store.hold; round++) {
      store.release()
      await new Promise((resolve) => setImmediate(resolve))
      if (round === 2) {
        // and a commit in the middle, which releases what was loaded so far
        await trie.commit()
        await reference.commit()
      }
    }
    store.hold = false
    store.release()
    await prefetching
    for (const key of keys.slice(0, 400)) expect(trie.get(key)).toEqual(reference.get(key))
    expect(bytesToHex(trie.root())).toBe(bytesToHex(reference.root()))
    expect(bytesToHex(await trie.commit())).toBe(bytesToHex(await reference.commit()))
  })
})

describe('MerklePatriciaTrie.prefetch across a commit', () => {
  it('gives the same values and root when a commit lands between two of its reads', async () => {
    const { store, keys, root, prng } = await committedTrie(new CountingStore(), 3000, 5)
    // nothing below the root stays resident: a commit turns every written node into a reference
    const trie = new MerklePatriciaTrie(store, { root, secure: true, nodeCache: null, residentDepth: 0 })
    const reference = new MerklePatriciaTrie(store.inner, { root, secure: true })
    const some = keys.slice(0, 60)
    store.hold = true
    const prefetching = trie.prefetch(some)
    await store.waitHeld()
    store.release() // the root's children arrive and are attached; the next level is being read
    await store.waitHeld()
    for (const key of some) {
      const value = randomAccount(prng)
      trie.put(key, value)
      reference.put(key, value)
    }
    const written = trie.startCommit().written
    store.hold = false
    store.release()
    await prefetching
    await written
    for (const key of some) expect(trie.get(key)).toEqual(reference.get(key))
    expect(bytesToHex(trie.root())).toBe(bytesToHex(reference.root()))
  })
})

describe('MerklePatriciaTrie.get residency', () => {
  it('keeps what get loaded, so the put of the same key reads nothing again', async () => {
    const { store, keys, root, prng } = await committedTrie(new CountingStore(), 2000, 4)
    const trie = new MerklePatriciaTrie(store, { root, secure: true, nodeCache: null, residentDepth: 1 })
    const reference = new MerklePatriciaTrie(store.inner, { root, secure: true })
    const some = keys.slice(0, 100)
    for (const key of some) trie.get(key)
    store.syncReads = 0
    for (const key of some) {
      const value = randomAccount(prng)
      trie.put(key, value)
      reference.put(key, value)
    }
    expect(store.syncReads).toBe(0)
    // only read, never written: still attached after the commit; the written ones went back to the store
    const readOnly = keys.slice(1000, 1100)
    for (const key of readOnly) trie.get(key)
    expect(bytesToHex(await trie.commit())).toBe(bytesToHex(await reference.commit()))
    store.syncReads = 0
    for (const key of readOnly) expect(trie.get(key)).toEqual(reference.get(key))
    expect(store.syncReads).toBe(0)
    for (const key of some) expect(trie.get(key)).toEqual(reference.get(key))
    expect(store.syncReads).toBeGreaterThanOrEqual(100)
  })
})
