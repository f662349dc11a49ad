import fc from 'fast-check'
import {
  type AccessList,
  type Hex,
  keccak256,
  serializeTransaction,
  type TransactionSerializableEIP1559,
  type TransactionSerializableEIP2930,
  type TransactionSerializableLegacy,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import { SECP256K1_N } from '../../src/crypto/index.ts'
import {
  decodeTransaction,
  encodeTransaction,
  recoverSender,
  type SignedTransaction,
  signatureProblem,
  signingPayload,
  transactionHash,
} from '../../src/tx/index.ts'

/**
 * Differential test against viem: random transactions of the three types, signed by viem, decoded
 * by us. Seeded, so a failure reproduces (fast-check prints the seed and the shrunk counterexample).
 */

const hexOf = (bytes: Uint8Array): Hex => bytesToHex(bytes)
const uint = (bits: number) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: 255n }),
    fc.bigInt({ min: 0n, max: 2n ** 64n }),
    fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n }),
    fc.constant(2n ** BigInt(bits) - 1n),
  )
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hexOf)
const accessList: fc.Arbitrary<AccessList> = fc.array(
  fc.record({
    address,
    storageKeys: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hexOf), { maxLength: 3 }),
  }),
  { maxLength: 3 },
)
const common = fc.record({
  privateKey: fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }).map((k) => `0x${k.toString(16).padStart(64, '0')}` as Hex),
  // viem takes the chain id as a number: 1 up to 2^53−1, with the usual small ones often.
  chainId: fc.oneof(
    fc.constantFrom(1, 10, 8453, 42161, 11155111),
    fc.integer({ min: 1, max: 2 ** 32 }),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  ),
  nonce: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  gas: fc.oneof(fc.constant(21000n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
  to: fc.option(address, { nil: undefined, freq: 5 }),
  value: uint(256),
  data: fc.oneof(
    fc.constant(new Uint8Array(0)),
    fc.uint8Array({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 40 }).map((d) => d.map((b) => (b < 128 ? 0 : b))),
  ),
})

const legacy = common.chain((c) =>
  uint(256).map((gasPrice) => ({
    privateKey: c.privateKey,
    tx: {
      type: 'legacy',
      chainId: c.chainId,
      nonce: c.nonce,
      gas: c.gas,
      gasPrice,
      to: c.to,
      value: c.value,
      data: hexOf(c.data),
    } satisfies TransactionSerializableLegacy,
  })),
)
const eip2930 = common.chain((c) =>
  fc.tuple(uint(256), accessList).map(([gasPrice, list]) => ({
    privateKey: c.privateKey,
    tx: {
      type: 'eip2930',
      chainId: c.chainId,
      nonce: c.nonce,
      gas: c.gas,
      gasPrice,
      to: c.to,
      value: c.value,
      data: hexOf(c.data),
      accessList: list,
    } satisfies TransactionSerializableEIP2930,
  })),
)
const eip1559 = common.chain((c) =>
  fc.tuple(uint(256), uint(256), accessList).map(([a, b, list]) => ({
    privateKey: c.privateKey,
    tx: {
      type: 'eip1559',
      chainId: c.chainId,
      nonce: c.nonce,
      gas: c.gas,
      // viem refuses a tip above the fee cap.
      ...(a > b ? { maxFeePerGas: a, maxPriorityFeePerGas: b } : { maxFeePerGas: b, maxPriorityFeePerGas: a }),
      to: c.to,
      value: c.value,
      data: hexOf(c.data),
      accessList: list,
    } satisfies TransactionSerializableEIP1559,
  })),
)

type Generated = {
  privateKey: Hex
  tx: TransactionSerializableLegacy | TransactionSerializableEIP2930 | TransactionSerializableEIP1559
}

async function check({ privateKey, tx }: Generated): Promise<void> {
  const account = privateKeyToAccount(privateKey)
  const serialized = await account.signTransaction(tx)
  const raw = hexToBytes(serialized)
  const decoded = decodeTransaction(raw)

  expectSameFields(decoded, tx)
  expect(bytesToHex(transactionHash(raw))).toBe(keccak256(serialized))
  expect(bytesToHex(recoverSender(decoded) as Uint8Array)).toBe(account.address.toLowerCase())
  expect(signatureProblem(decoded, BigInt(tx.chainId as number))).toBeUndefined()
  expect(bytesToHex(encodeTransaction(decoded))).toBe(serialized)
  // The signing payload is viem's unsigned serialization.
  expect(bytesToHex(signingPayload(decoded))).toBe(serializeTransaction(tx))
}

function expectSameFields(decoded: SignedTransaction, tx: Generated['tx']): void {
  expect(decoded.type).toBe({ legacy: 0, eip2930: 1, eip1559: 2 }[tx.type as 'legacy'])
  expect(decoded.chainId).toBe(BigInt(tx.chainId as number))
  expect(decoded.nonce).toBe(BigInt(tx.nonce as number))
  expect(decoded.gasLimit).toBe(tx.gas)
  expect(decoded.to && bytesToHex(decoded.to)).toBe(tx.to)
  expect(decoded.value).toBe(tx.value)
  expect(bytesToHex(decoded.data)).toBe(tx.data)
  if (tx.type === 'eip1559') {
    expect(decoded.maxFeePerGas).toBe(tx.maxFeePerGas)
    expect(decoded.maxPriorityFeePerGas).toBe(tx.maxPriorityFeePerGas)
  } else {
    expect(decoded.maxFeePerGas).toBe(tx.gasPrice)
    expect(decoded.maxPriorityFeePerGas).toBe(tx.gasPrice)
  }
  const list = 'accessList' in tx ? (tx.accessList ?? []) : []
  expect(
    decoded.accessList.map((i) => ({ address: bytesToHex(i.address), storageKeys: i.storageKeys.map(bytesToHex) })),
  ).toEqual(list)
  if (decoded.type === 0) {
    const base = (decoded.chainId as bigint) * 2n + 35n
    expect([base, base + 1n]).toContain(decoded.v)
  } else {
    expect([0n, 1n]).toContain(decoded.v)
  }
}

describe('differential against viem (seeded)', () => {
  for (const [name, arbitrary, seed] of [
    ['legacy (EIP-155)', legacy, 155],
    ['EIP-2930', eip2930, 2930],
    ['EIP-1559', eip1559, 1559],
  ] as const) {
    it(`${name}: 700 random signed transactions decode to viem's fields, hash, sender and bytes`, async () => {
      await fc.assert(fc.asyncProperty(arbitrary as fc.Arbitrary<Generated>, check), { seed, numRuns: 700 })
    })
  }
})
