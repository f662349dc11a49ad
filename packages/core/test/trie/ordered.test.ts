import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { bytesToHex } from '../../src/bytes/index.ts'
import { MemoryStore } from '../../src/db/index.ts'
import { encodeRlp } from '../../src/rlp/index.ts'
import { EMPTY_TRIE_ROOT, MerklePatriciaTrie } from '../../src/trie/index.ts'
import { orderedTrieRoot } from '../../src/trie/ordered.ts'

/** The root the general trie gives for `rlp(i) → items[i]`: what the ordered builder must match. */
function trieRoot(items: readonly Uint8Array[]): string {
  const trie = new MerklePatriciaTrie(new MemoryStore())
  for (let i = 0; i < items.length; i++) trie.put(encodeRlp(BigInt(i)), items[i] as Uint8Array)
  return bytesToHex(trie.root())
}

/** Item sizes that cross every encoding boundary: one byte (below and above 0x80), nodes under 32 bytes (embedded), 55/56, long lengths. */
const SIZES = [1, 1, 2, 5, 20, 30, 31, 32, 54, 55, 56, 57, 110, 255, 256, 300, 70_000]

describe('orderedTrieRoot', () => {
  it('is the empty root for no items, or only empty ones', () => {
    expect(orderedTrieRoot([])).toEqual(EMPTY_TRIE_ROOT)
    expect(orderedTrieRoot([new Uint8Array(0), new Uint8Array(0)])).toEqual(EMPTY_TRIE_ROOT)
  })

  it('matches the general trie for every count around the key-length boundaries', () => {
    const prng = new Prng(14)
    const counts = [1, 2, 3, 15, 16, 17, 18, 127, 128, 129, 130, 143, 144, 255, 256, 257, 300, 1000, 4097]
    for (const count of counts) {
      const items = Array.from({ length: count }, () => prng.bytes(80 + prng.int(120)))
      expect(bytesToHex(orderedTrieRoot(items)), `${count} items`).toBe(trieRoot(items))
    }
  })

  it('matches the general trie for items of every encoding size, embedded nodes and empty (absent) items', () => {
    const prng = new Prng(15)
    for (let round = 0; round < 60; round++) {
      const count = 1 + prng.int(round < 30 ? 20 : 300)
      const items = Array.from({ length: count }, () => {
        const pick = prng.int(SIZES.length + 2)
        if (pick >= SIZES.length) return pick === SIZES.length ? new Uint8Array(0) : Uint8Array.of(prng.int(0x80))
        return prng.bytes(SIZES[pick] as number)
      })
      expect(bytesToHex(orderedTrieRoot(items)), `round ${round}`).toBe(trieRoot(items))
    }
  })

  it('matches the general trie past 65,536 items (four-byte keys)', () => {
    const items = Array.from({ length: 65_700 }, (_, i) => Uint8Array.of(1 + (i % 200), i & 0xff))
    expect(bytesToHex(orderedTrieRoot(items))).toBe(trieRoot(items))
  }, 60_000)
})
