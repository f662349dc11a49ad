import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { keccak256 } from '../../src/crypto/index.ts'
import { MemoryStore } from '../../src/db/index.ts'
import { MerklePatriciaTrie } from '../../src/trie/index.ts'
import { bytesToNibbles } from '../../src/trie/nibbles.ts'

describe('keyPath', () => {
  it('is the nibbles of keccak256(key) in a secure trie, for keys that share their last bytes too', () => {
    const trie = new MerklePatriciaTrie(new MemoryStore(), { secure: true })
    const prng = new Prng(7)
    const keys: Uint8Array[] = []
    for (let i = 0; i < 2_000; i++) {
      const key = prng.bytes(20)
      // every fourth key ends like the one before it: the same slot, another key
      if (i % 4 === 1) key.set((keys[i - 1] as Uint8Array).subarray(16), 16)
      keys.push(key)
    }
    for (let round = 0; round < 2; round++) {
      for (const key of keys) expect(trie.keyPath(key.slice())).toEqual(bytesToNibbles(keccak256(key)))
    }
    // a key of fewer than four bytes, and the empty key
    expect(trie.keyPath(Uint8Array.of(1, 2))).toEqual(bytesToNibbles(keccak256(Uint8Array.of(1, 2))))
    expect(trie.keyPath(new Uint8Array(0))).toEqual(bytesToNibbles(keccak256(new Uint8Array(0))))
  })

  it('is kept for the next call with the same key, by any secure trie, and not after the bound', () => {
    const store = new MemoryStore()
    const key = new Prng(9).bytes(20)
    const path = new MerklePatriciaTrie(store, { secure: true }).keyPath(key)
    // another trie, another copy of the key: the same array
    expect(new MerklePatriciaTrie(store, { secure: true }).keyPath(key.slice())).toBe(path)
    const trie = new MerklePatriciaTrie(store, { secure: true })
    const prng = new Prng(11)
    for (let i = 0; i < 70_000; i++) trie.keyPath(prng.bytes(20))
    const again = trie.keyPath(key)
    expect(again).not.toBe(path)
    expect(again).toEqual(path)
  })

  it('is the key’s own nibbles in a plain trie', () => {
    const trie = new MerklePatriciaTrie(new MemoryStore())
    expect(trie.keyPath(Uint8Array.of(0xab, 0x01))).toEqual(Uint8Array.of(0xa, 0xb, 0x0, 0x1))
  })
})
