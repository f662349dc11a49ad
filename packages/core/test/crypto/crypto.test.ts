import { secp256k1 } from '@noble/curves/secp256k1.js'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import {
  keccak256,
  keccak256Noble,
  keccakBackend,
  keccakWasmPath,
  recoverAddress,
  recoverPublicKey,
  recoverPublicKeyNoble,
  secp256k1Backend,
  signRecoverable,
  signRecoverableNoble,
} from '../../src/crypto/index.ts'
import { keccak256Into } from '../../src/crypto/keccak.ts'

describe('keccak256', () => {
  it('uses the fast backend on this machine, through its module directly', () => {
    expect(keccakBackend).toBe('hash-wasm')
    expect(keccakWasmPath).toBe('direct')
  })
  it('hashes the empty string to the well-known constant', () => {
    expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
  })
  it('agrees with noble on every length from 0 to 600', () => {
    for (let n = 0; n <= 600; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff)
      expect(bytesToHex(keccak256(data))).toBe(bytesToHex(keccak256Noble(data)))
    }
  })
  it('agrees with noble on inputs around and past the module buffer (16 KiB, absorbed in chunks), and on views', () => {
    for (const n of [16_383, 16_384, 16_385, 40_000]) {
      const data = new Uint8Array(n).map((_, i) => (i * 17 + n) & 0xff)
      expect(bytesToHex(keccak256(data))).toBe(bytesToHex(keccak256Noble(data)))
      const view = data.subarray(7, n - 3)
      expect(bytesToHex(keccak256(view))).toBe(bytesToHex(keccak256Noble(view)))
    }
    // a short hash right after a long one: no state carried over
    expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
  })
  it('returns a fresh array each time, which the next hash does not overwrite', () => {
    const a = keccak256(new Uint8Array([1]))
    const copy = a.slice()
    const b = keccak256(new Uint8Array([2]))
    expect(a).toEqual(copy)
    expect(a.buffer).not.toBe(b.buffer)
    a.fill(0)
    expect(bytesToHex(keccak256(new Uint8Array([1])))).toBe(bytesToHex(copy))
  })
})

describe('keccak256Into', () => {
  it('writes what noble gives at the offset, and nothing around it, for random inputs, views and offsets', () => {
    const prng = new Prng(1_559)
    const lengths = [0, 31, 32, 135, 136, 137, 532, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 200]
    for (let i = 0; i < 300; i++) lengths.push(prng.int(700))
    for (const length of lengths) {
      const backing = prng.bytes(length + 8)
      const from = prng.int(8)
      const data = backing.subarray(from, from + length)
      const out = prng.bytes(80)
      const before = out.slice()
      const offset = prng.int(80 - 32 + 1)
      keccak256Into(data, out, offset)
      expect(bytesToHex(out.subarray(offset, offset + 32))).toBe(bytesToHex(keccak256Noble(data)))
      expect(out.subarray(0, offset)).toEqual(before.subarray(0, offset))
      expect(out.subarray(offset + 32)).toEqual(before.subarray(offset + 32))
    }
  })
  it('leaves the arrays keccak256 returned alone', () => {
    const kept = keccak256(new Uint8Array([1]))
    const copy = kept.slice()
    keccak256Into(new Uint8Array([2]), new Uint8Array(32), 0)
    expect(kept).toEqual(copy)
  })
})

describe('sender recovery', () => {
  it('uses the native binding on this machine', () => {
    expect(secp256k1Backend).toBe('native')
  })
  it('recovers the address viem signs with, on both backends', async () => {
    for (let k = 1; k <= 20; k++) {
      const privateKey = bytesToHex(keccak256(new Uint8Array([k])))
      const account = privateKeyToAccount(privateKey)
      const hash = keccak256(new Uint8Array([k, k, k]))
      const sig = secp256k1.sign(hash, hexToBytes(privateKey), { prehash: false, format: 'recovered' })
      const recid = sig[0] as number
      const rs = sig.subarray(1)
      expect(bytesToHex(recoverAddress(hash, rs, recid) as Uint8Array)).toBe(account.address.toLowerCase())
      expect(recoverPublicKey(hash, rs, recid)).toEqual(recoverPublicKeyNoble(hash, rs, recid))
    }
  })
  it('signs with the same bytes on both backends, and the signature recovers the signer', () => {
    for (let k = 1; k <= 20; k++) {
      const privateKey = keccak256(new Uint8Array([k]))
      const account = privateKeyToAccount(bytesToHex(privateKey))
      const hash = keccak256(new Uint8Array([k, 1, k]))
      const signature = signRecoverable(hash, privateKey)
      expect(bytesToHex(signature)).toBe(bytesToHex(signRecoverableNoble(hash, privateKey)))
      const signer = recoverAddress(hash, signature.subarray(0, 64), signature[64] as number) as Uint8Array
      expect(bytesToHex(signer)).toBe(account.address.toLowerCase())
    }
    expect(() => signRecoverable(new Uint8Array(32).fill(1), new Uint8Array(32))).toThrow()
  })
  it('returns undefined, not an exception, for a signature that recovers nothing', () => {
    const hash = new Uint8Array(32).fill(1)
    expect(recoverPublicKey(hash, new Uint8Array(64), 0)).toBeUndefined()
    expect(recoverPublicKeyNoble(hash, new Uint8Array(64), 0)).toBeUndefined()
    expect(recoverPublicKey(hash, new Uint8Array(63), 0)).toBeUndefined()
    expect(recoverPublicKey(hash, new Uint8Array(64).fill(7), 2)).toBeUndefined()
  })
})
