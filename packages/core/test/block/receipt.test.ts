import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { encodeReceipt, type Receipt } from '../../src/block/index.ts'
import { ReceiptItems } from '../../src/block/receipt.ts'
import { bigintToBytes, bytesToHex, concatBytes } from '../../src/bytes/index.ts'
import { encodeRlp } from '../../src/rlp/index.ts'
import { orderedTrieRoot, orderedTrieRootOf } from '../../src/trie/ordered.ts'
import type { TransactionType } from '../../src/tx/types.ts'

/** EIP-2718 receipt encoding spelled out with the generic RLP encoder. */
function expected(type: TransactionType, gas: bigint, bloom: Uint8Array): Uint8Array {
  const body = encodeRlp([Uint8Array.of(1), bigintToBytes(gas), bloom, []])
  return type === 0 ? body : concatBytes(Uint8Array.of(type), body)
}

describe('encodeReceipt', () => {
  it('encodes receipts without logs like the generic RLP encoder, for every gas width, type and bloom', () => {
    const prng = new Prng(7)
    const gases = [0n, 1n, 21_000n, 127n, 128n, 255n, 256n, 65_535n, 65_536n, 2n ** 48n - 1n, 2n ** 48n, 2n ** 64n + 3n]
    for (let i = 0; i < 300; i++) gases.push(BigInt(prng.nextU32()) * BigInt(1 + prng.int(70_000)))
    for (const gas of gases) {
      for (const type of [0, 1, 2] as TransactionType[]) {
        const bloom = prng.int(2) === 0 ? new Uint8Array(256) : prng.bytes(256)
        const receipt = { type, cumulativeGasUsed: gas, logsBloom: bloom, logs: [] }
        expect(encodeReceipt(receipt), `type ${type}, gas ${gas}`).toEqual(expected(type, gas, bloom))
      }
    }
  })
})

describe('ReceiptItems', () => {
  it('gives the receipts root of the encoded receipts, with and without logs, for every type and gas width', () => {
    const prng = new Prng(8)
    for (const count of [1, 2, 17, 128, 129, 300]) {
      const receipts: Receipt[] = []
      let gas = 0n
      for (let i = 0; i < count; i++) {
        gas += i % 50 === 7 ? 2n ** 48n : BigInt(prng.int(90_000))
        const type = prng.int(3) as TransactionType
        const logs =
          prng.int(5) === 0
            ? [{ address: prng.bytes(20), topics: [prng.bytes(32)], data: prng.bytes(prng.int(70)) }]
            : []
        const bloom = logs.length > 0 || prng.int(2) === 0 ? prng.bytes(256) : new Uint8Array(256)
        receipts.push({ type, cumulativeGasUsed: gas, logsBloom: bloom, logs })
      }
      expect(bytesToHex(orderedTrieRootOf(new ReceiptItems(receipts))), `${count} receipts`).toBe(
        bytesToHex(orderedTrieRoot(receipts.map(encodeReceipt))),
      )
    }
  })
})
