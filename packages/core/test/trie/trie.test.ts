import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import { MemoryStore } from '../../src/db/index.ts'
import {
  CorruptTrieNodeError,
  EMPTY_TRIE_ROOT,
  InvalidProofError,
  MerklePatriciaTrie,
  verifyProof,
} from '../../src/trie/index.ts'

const t = (s: string) => new TextEncoder().encode(s)

describe('MerklePatriciaTrie', () => {
  it('starts empty, and an empty value deletes', async () => {
    const trie = new MerklePatriciaTrie(new MemoryStore())
    expect(trie.root()).toEqual(EMPTY_TRIE_ROOT)
    expect(trie.get(t('a'))).toBeUndefined()
    trie.put(t('a'), t('1'))
    expect(trie.get(t('a'))).toEqual(t('1'))
    trie.put(t('a'), new Uint8Array(0))
    expect(trie.get(t('a'))).toBeUndefined()
    expect(trie.root()).toEqual(EMPTY_TRIE_ROOT)
    expect(await trie.commit()).toEqual(EMPTY_TRIE_ROOT)
    expect(verifyProof(EMPTY_TRIE_ROOT, t('a'), [])).toBeUndefined()
  })

  it('copies values, so a caller reusing its buffer does not change the trie', () => {
    const trie = new MerklePatriciaTrie(new MemoryStore())
    const value = t('value')
    trie.put(t('k'), value)
    value[0] = 0
    expect(trie.get(t('k'))).toEqual(t('value'))
  })

  it('keeps the path of a secure key from a read to its write, and none for writes alone', async () => {
    const trie = new MerklePatriciaTrie(new MemoryStore(), { secure: true })
    const paths = (trie as unknown as { paths: Map<string, Uint8Array> }).paths
    for (let i = 0; i < 100; i++) trie.put(t(`key ${i}`), t(`value ${i}`))
    trie.del(t('key 7'))
    // nothing was read: the writes hashed their keys and kept nothing
    expect(paths.size).toBe(0)
    expect(trie.get(t('key 3'))).toEqual(t('value 3'))
    expect(paths.size).toBe(1)
    const kept = paths.values().next().value
    trie.put(t('key 3'), t('three'))
    trie.put(t('key 4'), t('four'))
    expect(paths.size).toBe(1)
    expect(paths.values().next().value).toBe(kept)
    expect(trie.get(t('key 3'))).toEqual(t('three'))
    expect(trie.get(t('key 4'))).toEqual(t('four'))
    expect(trie.get(t('key 7'))).toBeUndefined()
    const root = await trie.commit()
    expect(paths.size).toBe(0)
    const plain = new MerklePatriciaTrie(new MemoryStore(), { secure: true })
    for (let i = 0; i < 100; i++)
      if (i !== 7) plain.put(t(`key ${i}`), t(i === 3 ? 'three' : i === 4 ? 'four' : `value ${i}`))
    expect(root).toEqual(plain.root())
  })

  it('stores a root node under 32 bytes by its hash, and reopens it', async () => {
    const store = new MemoryStore()
    const trie = new MerklePatriciaTrie(store)
    trie.put(t('a'), t('b')) // the whole trie is one tiny leaf
    const root = await trie.commit()
    const reopened = new MerklePatriciaTrie(store, { root })
    expect(reopened.get(t('a'))).toEqual(t('b'))
    const proof = reopened.createProof(t('a'))
    expect(proof).toHaveLength(1)
    expect(verifyProof(root, t('a'), proof)).toEqual(t('b'))
    expect(verifyProof(root, t('c'), proof)).toBeUndefined()
  })

  it('commits only what changed, and a view at an old root is independent', async () => {
    const store = new MemoryStore()
    const trie = new MerklePatriciaTrie(store, { secure: true })
    for (let i = 0; i < 100; i++) trie.put(Uint8Array.of(i), t(`value-${i}-padding-padding`))
    const root1 = await trie.commit()
    const size1 = store.size
    expect(trie.collectCommitOps()).toEqual([]) // nothing changed since
    trie.put(Uint8Array.of(5), t('changed'))
    const ops = trie.collectCommitOps()
    expect(ops.length).toBeGreaterThan(0)
    expect(ops.length).toBeLessThan(6) // the path to one leaf, not the trie
    await store.batch(ops)
    const root2 = trie.root()
    expect(store.size).toBe(size1 + ops.length)
    const old = trie.at(root1)
    old.put(Uint8Array.of(6), t('other'))
    expect(trie.get(Uint8Array.of(6))).toEqual(t('value-6-padding-padding'))
    expect(trie.at(root2).get(Uint8Array.of(5))).toEqual(t('changed'))
    expect(trie.at(root1).get(Uint8Array.of(5))).toEqual(t('value-5-padding-padding'))
  })

  it('gives the same roots and values whatever number of levels stays in memory', async () => {
    const roots: string[][] = []
    for (const residentDepth of [0, 1, 4, 64]) {
      const store = new MemoryStore()
      let trie = new MerklePatriciaTrie(store, { secure: true, residentDepth })
      const seen: string[] = []
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < 300; i++)
          trie.put(t(`k${(i * 7 + round * 131) % 900}`), t(`v${round}-${i}-long-enough-to-hash`))
        if (round % 2) trie.del(t(`k${round}`))
        seen.push(bytesToHex(await trie.commit()))
        if (round === 3) trie = new MerklePatriciaTrie(store, { root: trie.root(), secure: true, residentDepth })
      }
      for (let i = 0; i < 900; i += 37) expect(trie.get(t(`k${i}`))).toEqual(trie.at(trie.root()).get(t(`k${i}`)))
      roots.push(seen)
    }
    for (const r of roots) expect(r).toEqual(roots[0])
  })

  it('reports a corrupt node in the store', async () => {
    const store = new MemoryStore()
    const trie = new MerklePatriciaTrie(store)
    for (let i = 0; i < 50; i++) trie.put(t(`key-${i}`), t(`a value that is long enough ${i}`))
    const root = await trie.commit()
    await store.batch([{ type: 'put', key: root, value: Uint8Array.of(0xc2, 0x80, 0x80, 0x80) }])
    expect(() => new MerklePatriciaTrie(store, { root })).toThrow(CorruptTrieNodeError)
  })
})

describe('verifyProof', () => {
  it('refuses a proof node that does not decode, even if the root is its hash', async () => {
    const store = new MemoryStore()
    const trie = new MerklePatriciaTrie(store)
    trie.put(t('key'), t('a value longer than thirty-two bytes...'))
    const root = await trie.commit()
    const proof = trie.createProof(t('key'))
    expect(bytesToHex(root)).toMatch(/^0x/)
    expect(() => verifyProof(root, t('key'), [Uint8Array.of(0xc0), ...proof.slice(1)])).toThrow(InvalidProofError)
    expect(() => verifyProof(new Uint8Array(31), t('key'), proof)).toThrow(InvalidProofError)
    // a garbage node whose hash we claim as root
    const garbage = hexToBytes('0xc3010203')
    const { keccak256 } = await import('../../src/crypto/index.ts')
    expect(() => verifyProof(keccak256(garbage), t('key'), [garbage])).toThrow(InvalidProofError)
  })
})
