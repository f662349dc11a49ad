import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeTransaction,
  encodeTransaction,
  packTransaction,
  type SignedTransaction,
  TRANSACTION_RECORD_BYTES,
  transactionRecords,
  unpackTransaction,
} from '../../src/tx/index.ts'

const WORD = 2n ** 64n
const U256 = 2n ** 256n

/** Field values of every width a decoded transaction may hold, weighted to the edges of 64 bits. */
const uint = (max: bigint) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 20n }),
    fc.constantFrom(...[0n, WORD - 1n, WORD, WORD * WORD - 1n, WORD * WORD, max - 1n].filter((x) => x < max)),
    fc.bigInt({ min: 0n, max: max - 1n }),
  )
const transaction: fc.Arbitrary<SignedTransaction> = fc
  .record({
    type: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    chainId: uint(U256),
    nonce: uint(WORD),
    tip: uint(U256),
    maxFee: uint(U256),
    gasLimit: uint(WORD),
    to: fc.option(fc.uint8Array({ minLength: 20, maxLength: 20 }), { nil: undefined }),
    value: uint(U256),
    data: fc.uint8Array({ maxLength: 40 }),
    withAccessList: fc.boolean(),
    v: uint(U256),
    r: uint(U256),
    s: uint(U256),
  })
  .map((f) => ({
    type: f.type,
    // A legacy transaction's chain id is what its v says (EIP-155), as decoding gives it.
    chainId: f.type === 0 ? (f.v >= 35n ? (f.v - 35n) >> 1n : undefined) : f.chainId,
    nonce: f.nonce,
    maxPriorityFeePerGas: f.type === 2 ? f.tip : f.maxFee,
    maxFeePerGas: f.maxFee,
    gasLimit: f.gasLimit,
    to: f.to,
    value: f.value,
    data: f.data,
    accessList: f.withAccessList && f.type !== 0 ? [{ address: new Uint8Array(20).fill(7), storageKeys: [] }] : [],
    v: f.v,
    r: f.r,
    s: f.s,
  }))

/** What the record layout promises to carry. */
const packable = (tx: SignedTransaction): boolean =>
  tx.chainId !== undefined &&
  tx.chainId < WORD &&
  tx.maxPriorityFeePerGas < WORD &&
  tx.maxFeePerGas < WORD &&
  tx.value < WORD * WORD &&
  tx.v < WORD &&
  tx.data.length <= 32 &&
  tx.accessList.length === 0

describe('transaction records between threads', () => {
  it('give back exactly the decoded transaction, or say it was not packed', () => {
    fc.assert(
      fc.property(fc.array(transaction, { minLength: 1, maxLength: 6 }), (txs) => {
        const records = transactionRecords(new ArrayBuffer(txs.length * TRANSACTION_RECORD_BYTES))
        const decoded = txs.map((tx) => decodeTransaction(encodeTransaction(tx)))
        decoded.forEach((tx, i) => {
          expect(packTransaction(records, i, tx)).toBe(packable(tx))
        })
        // Each record after all were written: no record spills into its neighbour.
        decoded.forEach((tx, i) => {
          expect(unpackTransaction(records, i)).toEqual(packable(tx) ? tx : undefined)
        })
      }),
      { numRuns: 400 },
    )
  })

  it('copy to and data out of the buffer', () => {
    const tx = decodeTransaction(
      encodeTransaction({
        type: 2,
        chainId: 901n,
        nonce: 1n,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 2n,
        gasLimit: 21_000n,
        to: new Uint8Array(20).fill(1),
        value: 3n,
        data: new Uint8Array(32).fill(2),
        accessList: [],
        v: 1n,
        r: 5n,
        s: 6n,
      }),
    )
    const buffer = new ArrayBuffer(TRANSACTION_RECORD_BYTES)
    const records = transactionRecords(buffer)
    packTransaction(records, 0, tx)
    const unpacked = unpackTransaction(records, 0) as SignedTransaction
    expect(unpacked.to?.buffer).not.toBe(buffer)
    expect(unpacked.data.buffer).not.toBe(buffer)
    new Uint8Array(buffer).fill(0)
    expect(unpacked).toEqual(tx)
  })
})
