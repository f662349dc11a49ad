import { RLP } from '@ethereumjs/rlp'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import { keccak256 } from '../../src/crypto/index.ts'
import {
  decodeAccount,
  EMPTY_CODE_HASH,
  EMPTY_TRIE_ROOT,
  emptyAccount,
  encodeAccount,
  InvalidAccountError,
} from '../../src/trie/index.ts'

describe('account encoding', () => {
  it('has the well-known empty constants', () => {
    expect(EMPTY_TRIE_ROOT).toEqual(keccak256(Uint8Array.of(0x80)))
    expect(EMPTY_CODE_HASH).toEqual(keccak256(new Uint8Array(0)))
  })

  it('encodes rlp([nonce, balance, storageRoot, codeHash]) with minimal integers, and decodes it back', () => {
    const account = {
      nonce: 1n,
      balance: 100_000_000_000_000_000_000n,
      storageRoot: EMPTY_TRIE_ROOT,
      codeHash: EMPTY_CODE_HASH,
    }
    const encoded = encodeAccount(account)
    // the value of 0xa94f…0b in ethereum-tests' hex_encoded_securetrie_test (test1) has this shape
    expect(bytesToHex(encodeAccount(emptyAccount()))).toBe(
      bytesToHex(RLP.encode([new Uint8Array(0), new Uint8Array(0), EMPTY_TRIE_ROOT, EMPTY_CODE_HASH])),
    )
    expect(decodeAccount(encoded)).toEqual(account)
    expect(decodeAccount(encodeAccount(emptyAccount()))).toEqual(emptyAccount())
  })

  it('decodes an account value from the ethereum-tests secure trie vector', () => {
    const value = hexToBytes(
      '0xf848018405f446a7a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
    expect(decodeAccount(value)).toEqual({
      nonce: 1n,
      balance: 0x05f446a7n,
      storageRoot: EMPTY_TRIE_ROOT,
      codeHash: EMPTY_CODE_HASH,
    })
    expect(encodeAccount(decodeAccount(value))).toEqual(value)
  })

  it('refuses malformed accounts', () => {
    const bad = [
      RLP.encode([new Uint8Array(0), new Uint8Array(0), EMPTY_TRIE_ROOT]), // 3 items
      RLP.encode([Uint8Array.of(0, 1), new Uint8Array(0), EMPTY_TRIE_ROOT, EMPTY_CODE_HASH]), // leading zero
      RLP.encode([new Uint8Array(0), new Uint8Array(0), new Uint8Array(31), EMPTY_CODE_HASH]), // short root
      RLP.encode([[], new Uint8Array(0), EMPTY_TRIE_ROOT, EMPTY_CODE_HASH]), // list as integer
      Uint8Array.of(0xf8), // not RLP
    ]
    for (const b of bad) expect(() => decodeAccount(b)).toThrow(InvalidAccountError)
    expect(() => encodeAccount({ ...emptyAccount(), codeHash: new Uint8Array(3) })).toThrow(InvalidAccountError)
  })

  it('encodes like the generic RLP encoder and decodes back, for integers of every size', () => {
    const values = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 2n ** 48n - 1n, 2n ** 48n, 2n ** 53n + 1n, 10n ** 24n]
    values.push(2n ** 255n, 2n ** 256n - 1n, 2n ** 440n - 1n, 2n ** 440n) // 55 and 56 bytes: the generic path
    const bytes = (v: bigint) =>
      v === 0n
        ? new Uint8Array(0)
        : hexToBytes(`0x${v.toString(16).padStart(Math.ceil(v.toString(16).length / 2) * 2, '0')}`)
    const storageRoot = keccak256(Uint8Array.of(1))
    for (const nonce of values) {
      for (const balance of values) {
        const account = { nonce, balance, storageRoot, codeHash: EMPTY_CODE_HASH }
        const encoded = encodeAccount(account)
        expect(bytesToHex(encoded)).toBe(
          bytesToHex(RLP.encode([bytes(nonce), bytes(balance), storageRoot, EMPTY_CODE_HASH])),
        )
        expect(decodeAccount(encoded)).toEqual(account)
      }
    }
  })

  it('decodes every integer width up to 32 bytes, and shares the empty constants', () => {
    for (let bytes = 0; bytes <= 32; bytes++) {
      for (const top of [1n, 0x80n, 0xffn]) {
        const balance = bytes === 0 ? 0n : (top << BigInt(8 * (bytes - 1))) + 0x1234n * BigInt(bytes > 2 ? 1 : 0)
        const account = { nonce: balance >> 4n, balance, storageRoot: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH }
        const decoded = decodeAccount(encodeAccount(account))
        expect(decoded).toEqual(account)
        // the same arrays, not views of the encoding (which they would keep alive)
        expect(decoded.storageRoot).toBe(EMPTY_TRIE_ROOT)
        expect(decoded.codeHash).toBe(EMPTY_CODE_HASH)
      }
    }
    const storageRoot = keccak256(Uint8Array.of(1))
    const withStorage = decodeAccount(encodeAccount({ ...emptyAccount(), storageRoot }))
    expect(withStorage.storageRoot).toEqual(storageRoot)
    expect(withStorage.codeHash).toBe(EMPTY_CODE_HASH)
  })

  it('refuses non-canonical integers that the direct decoder does not take', () => {
    const tail = [0xa0, ...EMPTY_TRIE_ROOT, 0xa0, ...EMPTY_CODE_HASH]
    const withItems = (...items: number[]) => Uint8Array.from([0xf8, items.length + tail.length, ...items, ...tail])
    expect(decodeAccount(withItems(0x80, 0x05)).balance).toBe(5n)
    for (const bad of [
      withItems(0x81, 0x05, 0x80), // a single byte under 0x80 with a length prefix
      withItems(0x00, 0x80), // a zero byte as an integer
      withItems(0x82, 0x00, 0x01, 0x80), // leading zero
      Uint8Array.from([...withItems(0x80, 0x80), 0x00]), // trailing byte
    ]) {
      expect(() => decodeAccount(bad)).toThrow(InvalidAccountError)
    }
  })
})
