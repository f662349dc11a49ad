import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeTransaction, encodeTransactionShared, type SignedTransaction } from '../../src/tx/index.ts'

const WORD = 2n ** 64n
const U256 = 2n ** 256n

/** Integers of every width an object may hold, weighted to the edges of 53, 64 and 256 bits and past them. */
const uint = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 20n }),
  fc.constantFrom(
    0n,
    0x7fn,
    0x80n,
    2n ** 53n - 1n,
    2n ** 53n,
    WORD - 1n,
    WORD,
    U256 - 1n,
    U256,
    2n ** 440n,
    2n ** 448n,
  ),
  fc.bigInt({ min: 0n, max: U256 - 1n }),
  fc.bigInt({ min: 0n, max: 2n ** 520n }),
)
const transaction: fc.Arbitrary<SignedTransaction> = fc
  .record({
    type: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    chainId: fc.option(uint, { nil: undefined, freq: 8 }),
    nonce: uint,
    tip: uint,
    maxFee: uint,
    sameFees: fc.boolean(),
    gasLimit: uint,
    to: fc.option(fc.uint8Array({ minLength: 19, maxLength: 21 }), { nil: undefined }),
    value: uint,
    data: fc.oneof(fc.uint8Array({ maxLength: 70 }), fc.uint8Array({ minLength: 4090, maxLength: 4100 })),
    withAccessList: fc.boolean(),
    v: uint,
    r: uint,
    s: uint,
  })
  .map((f) => ({
    type: f.type,
    chainId: f.chainId,
    nonce: f.nonce,
    maxPriorityFeePerGas: f.sameFees ? f.maxFee : f.tip,
    maxFeePerGas: f.maxFee,
    gasLimit: f.gasLimit,
    to: f.to,
    value: f.value,
    data: f.data,
    accessList: f.withAccessList ? [{ address: new Uint8Array(20).fill(7), storageKeys: [] }] : [],
    v: f.v,
    r: f.r,
    s: f.s,
  }))

/** encodeTransaction's bytes, or the class and message of what it throws. */
function outcome(encode: (tx: SignedTransaction) => Uint8Array, tx: SignedTransaction): Uint8Array | string {
  try {
    return encode(tx).slice()
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`
  }
}

describe('encodeTransactionShared', () => {
  it('gives encodeTransaction’s bytes, or its error, for any transaction object', () => {
    fc.assert(
      fc.property(transaction, (tx) => {
        expect(outcome(encodeTransactionShared, tx)).toEqual(outcome(encodeTransaction, tx))
      }),
      { numRuns: 3000 },
    )
  })

  it('cuts the common shape from a shared buffer, and earlier encodings stay as they were', () => {
    const tx: SignedTransaction = {
      type: 2,
      chainId: 1337n,
      nonce: 5n,
      maxPriorityFeePerGas: 10n ** 9n,
      maxFeePerGas: 2n * 10n ** 9n,
      gasLimit: 21_000n,
      to: new Uint8Array(20).fill(9),
      value: 10n ** 19n,
      data: new Uint8Array(0),
      accessList: [],
      v: 1n,
      r: U256 - 12345n,
      s: 2n ** 200n + 7n,
    }
    const encodings: Uint8Array[] = []
    // more than one slab's worth, with a different nonce each
    for (let i = 0; i < 1000; i++) encodings.push(encodeTransactionShared({ ...tx, nonce: BigInt(i) }))
    expect(encodings[0]?.buffer).toBe(encodings[1]?.buffer)
    expect(encodings[0]?.buffer.byteLength).toBeGreaterThan(encodings[0]?.length ?? 0)
    for (let i = 0; i < 1000; i++) expect(encodings[i]).toEqual(encodeTransaction({ ...tx, nonce: BigInt(i) }))
  })
})
