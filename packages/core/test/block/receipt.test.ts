import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { encodeReceipt } from '../../src/block/index.ts'
import { bigintToBytes, concatBytes } from '../../src/bytes/index.ts'
import { encodeRlp } from '../../src/rlp/index.ts'
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
