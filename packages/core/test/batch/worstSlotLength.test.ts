import { describe, expect, it } from 'vitest'
import { seededFloats } from '../../../../test/support/prng.ts'
import { preparedSlotLength, prepareSlot, worstSlotLength } from '../../src/batch/index.ts'
import type { SignedTransaction } from '../../src/tx/index.ts'

const CHAIN_ID = 901n

function pick<V>(next: () => number, values: readonly V[]): V {
  return values[Math.floor(next() * values.length)] as V
}

/** Transfers around every bound `prepareSlot` checks, most of them encodable. */
function randomTransaction(next: () => number): SignedTransaction {
  const word = (bits: number): bigint => {
    let v = 0n
    for (let b = 0; b < bits; b += 32) v = (v << 32n) | BigInt(Math.floor(next() * 4294967296))
    return v & ((1n << BigInt(bits)) - 1n)
  }
  const edge = (limitBits: number): bigint =>
    pick(next, [0n, 1n, word(limitBits - 1), (1n << BigInt(limitBits)) - 1n, 1n << BigInt(limitBits), -1n, word(16)])
  const type = pick(next, [2, 2, 2, 2, 0, 1] as const)
  const fee = edge(128)
  const data = pick(next, [new Uint8Array(0), new Uint8Array(0), new Uint8Array(32), new Uint8Array(5)])
  return {
    type,
    chainId: pick(next, [CHAIN_ID, CHAIN_ID, CHAIN_ID, 5n, undefined]),
    nonce: edge(64),
    maxPriorityFeePerGas: pick(next, [fee, fee, edge(128)]),
    maxFeePerGas: fee,
    gasLimit: pick(next, [21_000n, edge(64)]),
    to: pick(next, [new Uint8Array(20).fill(3), new Uint8Array(20), undefined, new Uint8Array(19)]),
    value: pick(next, [0n, 10n ** 15n, 123_456_789n * 10n ** 9n, word(200), 1n << 256n, -5n, word(256)]),
    data,
    accessList: next() < 0.05 ? [{ address: new Uint8Array(20), storageKeys: [] }] : [],
    v: pick(next, [0n, 1n, 1n, 2n, 2n * CHAIN_ID + 35n, 2n * CHAIN_ID + 36n, 27n]),
    r: edge(256),
    s: edge(256),
  }
}

/** What the builder used before: the prepared slot's length, or the error `prepareSlot` throws. */
function oldLength(tx: SignedTransaction): number | string {
  try {
    return preparedSlotLength(prepareSlot(tx, CHAIN_ID), 0x80, undefined)
  } catch (error) {
    return String(error)
  }
}

function newLength(tx: SignedTransaction): number | string {
  try {
    return worstSlotLength(tx, CHAIN_ID)
  } catch (error) {
    return String(error)
  }
}

describe('worstSlotLength', () => {
  it('equals prepareSlot’s worst-case length, and throws prepareSlot’s error, on random transactions', () => {
    const next = seededFloats(0x5eed)
    let encodable = 0
    for (let i = 0; i < 20_000; i++) {
      const tx = randomTransaction(next)
      const expected = oldLength(tx)
      expect(newLength(tx), `case ${i}`).toBe(expected)
      if (typeof expected === 'number') encodable++
    }
    expect(encodable).toBeGreaterThan(200)
  })

  it('rejects every unencodable field of a plain transfer, one at a time', () => {
    const transfer: SignedTransaction = {
      type: 2,
      chainId: CHAIN_ID,
      nonce: 7n,
      maxPriorityFeePerGas: 10n ** 9n,
      maxFeePerGas: 3n * 10n ** 9n,
      gasLimit: 21_000n,
      to: new Uint8Array(20).fill(9),
      value: 10n ** 18n,
      data: new Uint8Array(0),
      accessList: [],
      v: 1n,
      r: 5n,
      s: 6n,
    }
    expect(newLength(transfer)).toBe(oldLength(transfer))
    const broken: Partial<SignedTransaction>[] = [
      { chainId: 1n },
      { v: 2n },
      { nonce: 1n << 64n },
      { nonce: -1n },
      { maxFeePerGas: 1n << 128n },
      { maxPriorityFeePerGas: -1n },
      { gasLimit: 1n << 64n },
      { to: undefined },
      { to: new Uint8Array(21) },
      { data: new Uint8Array(1) },
      { value: 1n << 256n },
      { r: 1n << 256n },
      { s: -1n },
      { accessList: [{ address: new Uint8Array(20), storageKeys: [] }] },
    ]
    for (const change of broken) {
      const tx = { ...transfer, ...change } as SignedTransaction
      const expected = oldLength(tx)
      expect(typeof expected).toBe('string')
      expect(newLength(tx)).toBe(expected)
    }
  })
})
