import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { vectorPath, vectorsPresent } from '../../../../test/support/vectors.ts'
import { bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import { MemoryStore } from '../../src/db/index.ts'
import { MerklePatriciaTrie, verifyProof } from '../../src/trie/index.ts'

type Input = [string, string | null][] | Record<string, string | null>
type Vector = { in: Input; root: string }

/** A vector string is 0x-hex bytes, or else the UTF-8 bytes of the text. */
function toBytes(s: string): Uint8Array {
  return s.startsWith('0x') ? hexToBytes(s) : new TextEncoder().encode(s)
}

function load(file: string): [string, Vector][] {
  return Object.entries(JSON.parse(readFileSync(vectorPath('ethereum-tests', 'TrieTests', file), 'utf8')))
}

function pairs(input: Input): [string, string | null][] {
  return Array.isArray(input) ? input : Object.entries(input)
}

const files: [string, boolean][] = [
  ['trietest.json', false],
  ['trieanyorder.json', false],
  ['trietest_secureTrie.json', true],
  ['trieanyorder_secureTrie.json', true],
  ['hex_encoded_securetrie_test.json', true],
]

describe.skipIf(!vectorsPresent)('ethereum-tests TrieTests', () => {
  for (const [file, secure] of files) {
    describe(file, () => {
      for (const [name, vector] of load(file)) {
        it(`${name}: root matches`, async () => {
          const store = new MemoryStore()
          const trie = new MerklePatriciaTrie(store, { secure })
          const expected = new Map<string, Uint8Array>()
          for (const [k, v] of pairs(vector.in)) {
            const key = toBytes(k)
            if (v === null) {
              trie.del(key)
              expected.delete(bytesToHex(key))
            } else {
              trie.put(key, toBytes(v))
              if (toBytes(v).length === 0) expected.delete(bytesToHex(key))
              else expected.set(bytesToHex(key), toBytes(v))
            }
          }
          expect(bytesToHex(trie.root())).toBe(vector.root)
          // the committed trie reads back every value and proves it
          const root = await trie.commit()
          const reopened = new MerklePatriciaTrie(store, { root, secure })
          expect(bytesToHex(reopened.root())).toBe(vector.root)
          for (const [k, v] of expected) {
            const key = hexToBytes(k)
            expect(reopened.get(key)).toEqual(v)
            expect(verifyProof(root, key, reopened.createProof(key), { secure })).toEqual(v)
          }
          // the input order does not matter for the final state
          const again = new MerklePatriciaTrie(new MemoryStore(), { secure })
          for (const [k, v] of [...expected].reverse()) again.put(hexToBytes(k), v)
          expect(bytesToHex(again.root())).toBe(vector.root)
        })
      }
    })
  }
})
