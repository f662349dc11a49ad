import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { keccak256 } from '../../src/crypto/index.ts'
import { MemoryStore } from '../../src/db/index.ts'
import { MerklePatriciaTrie } from '../../src/trie/index.ts'
import { bytesToNibbles, hashedKeyNibbles } from '../../src/trie/nibbles.ts'

const securePath = (key: Uint8Array): Uint8Array => bytesToNibbles(keccak256(key))

describe('keyPath', () => {
  it('hashes a key into its nibbles as bytesToNibbles(keccak256(key)) does, for random keys and views', () => {
    const prng = new Prng(11)
    const earlier: [Uint8Array, Uint8Array][] = []
    for (let i = 0; i < 1_000; i++) {
      const backing = prng.bytes(80)
      const from = prng.int(8)
      const key = backing.subarray(from, from + prng.int(72))
      const path = hashedKeyNibbles(key)
      expect(path).toEqual(securePath(key))
      earlier.push([key.slice(), path])
    }
    // each path is an array of its own: later hashes did not change the earlier ones
    for (const [key, path] of earlier) expect(path).toEqual(securePath(key))
  })

  it('is the nibbles of keccak256(key) in a secure trie, also for keys that take the same slot', () => {
    const trie = new MerklePatriciaTrie(new MemoryStore(), { secure: true, keepWritten: true })
    const prng = new Prng(7)
    const keys: Uint8Array[] = []
    for (let i = 0; i < 2_000; i++) {
      const key = prng.bytes(20)
      // every fourth key ends like the one before it: the same slot, another key
      if (i % 4 === 1) key.set((keys[i - 1] as Uint8Array).subarray(16), 16)
      keys.push(key)
    }
    for (let round = 0; round < 2; round++) {
      for (const key of keys) expect(trie.keyPath(key.slice())).toEqual(securePath(key))
    }
    // keys that are not addresses
    for (const key of [Uint8Array.of(1, 2), new Uint8Array(0), prng.bytes(32)]) {
      expect(trie.keyPath(key)).toEqual(securePath(key))
    }
  })

  it('is kept for the next call with the same address by the tries whose keys recur (keepWritten)', () => {
    const store = new MemoryStore()
    const key = new Prng(9).bytes(20)
    const path = new MerklePatriciaTrie(store, { secure: true, keepWritten: true }).keyPath(key)
    // another such trie, another copy of the key: the same array
    expect(new MerklePatriciaTrie(store, { secure: true, keepWritten: true }).keyPath(key.slice())).toBe(path)
    // a trie without keepWritten hashes the key
    const plain = new MerklePatriciaTrie(store, { secure: true }).keyPath(key)
    expect(plain).not.toBe(path)
    expect(plain).toEqual(path)
    // another address in the same slot takes it over, and the first is hashed again
    const other = new Prng(10).bytes(20)
    other.set(key.subarray(18), 18)
    const trie = new MerklePatriciaTrie(store, { secure: true, keepWritten: true })
    expect(trie.keyPath(other)).toEqual(securePath(other))
    const again = trie.keyPath(key)
    expect(again).not.toBe(path)
    expect(again).toEqual(path)
  })

  it('is the key’s own nibbles in a plain trie', () => {
    const trie = new MerklePatriciaTrie(new MemoryStore(), { keepWritten: true })
    expect(trie.keyPath(Uint8Array.of(0xab, 0x01))).toEqual(Uint8Array.of(0xa, 0xb, 0x0, 0x1))
  })
})
