import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../src/bytes/index.ts'
import { MerklePatriciaTrie } from '../../src/trie/index.ts'
import { CountingStore, committedTrie, randomAccount } from './support.ts'

/** Blocks that each rewrite the same keys (a verifier's senders), committed one by one: synchronous reads. */
async function rewriteBlocks(keepWritten: boolean): Promise<number> {
  const { store, keys, root, prng } = await committedTrie(new CountingStore(), 2000, 11)
  // residentDepth 1: below it sit inner nodes as well as leaves, so both kinds are kept and written again
  const trie = new MerklePatriciaTrie(store, { root, secure: true, nodeCache: null, residentDepth: 1, keepWritten })
  const reference = new MerklePatriciaTrie(store.inner, { root, secure: true })
  const senders = keys.slice(0, 300)
  await trie.prefetch(senders)
  store.syncReads = 0
  const roots: Uint8Array[] = []
  for (let block = 0; block < 4; block++) {
    for (const key of senders) {
      expect(trie.get(key)).toEqual(reference.get(key))
      const value = randomAccount(prng)
      trie.put(key, value)
      reference.put(key, value)
    }
    const committed = await trie.commit()
    expect(bytesToHex(committed)).toBe(bytesToHex(await reference.commit()))
    roots.push(committed)
  }
  const reads = store.syncReads
  // every root was written whole: a trie opened at it reads each value from the store alone
  for (const committed of roots) {
    const reopened = new MerklePatriciaTrie(store.inner, { root: committed, secure: true, nodeCache: null })
    const at = new MerklePatriciaTrie(store.inner, { root: committed, secure: true })
    for (const key of senders.slice(0, 40)) expect(reopened.get(key)).toEqual(at.get(key))
  }
  return reads
}

describe('MerklePatriciaTrie keepWritten', () => {
  it('keeps what a commit wrote attached, so the next blocks that change the same keys read nothing', async () => {
    expect(await rewriteBlocks(true)).toBe(0)
    // without it each block reads back what the block before it wrote
    expect(await rewriteBlocks(false)).toBeGreaterThanOrEqual(3 * 300)
  })

  it('keeps at most maxLoaded nodes: past it the older half goes back to the store, with the same roots', async () => {
    const { store, keys, root, prng } = await committedTrie(new CountingStore(), 3000, 12)
    const trie = new MerklePatriciaTrie(store, {
      root,
      secure: true,
      nodeCache: null,
      residentDepth: 1,
      maxLoaded: 1000,
      keepWritten: true,
    })
    const reference = new MerklePatriciaTrie(store.inner, { root, secure: true })
    for (let block = 0; block < 10; block++) {
      // 100 keys a block (2-3 nodes each below depth 1), a new window each time: far more written than the bound
      for (const key of keys.slice(block * 100, block * 100 + 100)) {
        const value = randomAccount(prng)
        trie.put(key, value)
        reference.put(key, value)
      }
      expect(bytesToHex(await trie.commit())).toBe(bytesToHex(await reference.commit()))
    }
    store.syncReads = 0
    // the first block's keys were released (they read again); the last block's are still attached
    for (const key of keys.slice(0, 100)) expect(trie.get(key)).toEqual(reference.get(key))
    expect(store.syncReads).toBeGreaterThanOrEqual(100)
    store.syncReads = 0
    for (const key of keys.slice(900, 1000)) expect(trie.get(key)).toEqual(reference.get(key))
    expect(store.syncReads).toBe(0)
  })

  it('gives the roots of a trie without it through inserts, updates, deletes, reads and read-ahead', async () => {
    const { store, keys, root, prng } = await committedTrie(new CountingStore(), 1500, 13)
    const options = { root, secure: true, nodeCache: null, residentDepth: 1, maxLoaded: 500 }
    const kept = new MerklePatriciaTrie(store, { ...options, keepWritten: true })
    const plain = new MerklePatriciaTrie(store.inner, options)
    const all = [...keys]
    for (let block = 0; block < 30; block++) {
      const some = Array.from({ length: 40 }, () => all[prng.int(all.length)] as Uint8Array)
      if (block % 3 === 0) await kept.prefetch(some)
      for (let i = 0; i < 120; i++) {
        const r = prng.int(10)
        let key: Uint8Array
        if (r < 2) {
          key = prng.bytes(20)
          all.push(key)
        } else {
          key = i < some.length ? (some[i] as Uint8Array) : (all[prng.int(all.length)] as Uint8Array)
        }
        if (r === 9) {
          kept.del(key)
          plain.del(key)
        } else if (r === 8) {
          expect(kept.get(key)).toEqual(plain.get(key))
        } else {
          const value = randomAccount(prng)
          kept.put(key, value)
          plain.put(key, value)
        }
      }
      const committed = await kept.commit()
      expect(bytesToHex(committed)).toBe(bytesToHex(await plain.commit()))
      if (block % 10 === 9) {
        // what it wrote is all in the store: a trie opened at the root gives the same values
        const reopened = new MerklePatriciaTrie(store.inner, { root: committed, secure: true, nodeCache: null })
        for (const key of all.slice(-300)) expect(reopened.get(key)).toEqual(plain.get(key))
      }
    }
    for (const key of all) expect(kept.get(key)).toEqual(plain.get(key))
  })
})
