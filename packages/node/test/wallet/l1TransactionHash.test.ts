/**
 * The hash of signed L1 bytes read from the RLP headers alone, against a full decode and re-encode
 * (what `l1TransactionHash` did before): a blob wrapper's hash covers `0x03 ‖ rlp(tx)` only.
 */
import { concatHex, fromRlp, type Hex, keccak256, serializeTransaction, toRlp } from 'viem'
import { describe, expect, it } from 'vitest'
import { l1TransactionHash } from '../../src/wallet/l1Wallet.ts'

/** The full decode: the reference. */
function decodedHash(raw: Hex): Hex {
  if (!raw.startsWith('0x03')) return keccak256(raw)
  const body = fromRlp(`0x${raw.slice(4)}`)
  if (!Array.isArray(body[0])) return keccak256(raw)
  return keccak256(concatHex(['0x03', toRlp(body[0])]))
}

const signature = { r: `0x${'11'.repeat(32)}`, s: `0x${'22'.repeat(32)}`, yParity: 1 } as const
const blobTx = {
  type: 'eip4844',
  chainId: 31337,
  nonce: 7,
  to: '0x5100000000000000000000000000000000000000',
  gas: 100_000n,
  maxFeePerGas: 3_000_000_000n,
  maxPriorityFeePerGas: 1_000_000_000n,
  maxFeePerBlobGas: 2n,
  blobVersionedHashes: [`0x01${'ab'.repeat(31)}`, `0x01${'cd'.repeat(31)}`],
} as const

describe('l1TransactionHash', () => {
  it('hashes a blob wrapper, a bare type-3 transaction and other types as a full decode does', () => {
    const blob = (fill: string): Hex => `0x${fill.repeat(131_072)}`
    const sidecars = [
      { blob: blob('01'), commitment: `0x${'aa'.repeat(48)}`, proof: `0x${'bb'.repeat(48)}` },
      { blob: blob('02'), commitment: `0x${'cc'.repeat(48)}`, proof: `0x${'dd'.repeat(48)}` },
    ] as const
    const wrapper = serializeTransaction({ ...blobTx, sidecars: [...sidecars] } as never, signature)
    const bare = serializeTransaction({ ...blobTx, sidecars: false } as never, signature)
    const plain = serializeTransaction(
      {
        type: 'eip1559',
        chainId: 31337,
        nonce: 1,
        to: blobTx.to,
        gas: 21_000n,
        maxFeePerGas: 2n,
        maxPriorityFeePerGas: 1n,
      },
      signature,
    )
    expect(wrapper.length).toBeGreaterThan(2 * 2 * 131_072)
    for (const raw of [wrapper, bare, plain]) expect(l1TransactionHash(raw)).toBe(decodedHash(raw))
    // The wrapper's hash is the bare transaction's.
    expect(l1TransactionHash(wrapper)).toBe(keccak256(bare))
  })

  it('falls back to the decoder for bytes that are not well-formed RLP', () => {
    const bare = serializeTransaction({ ...blobTx, sidecars: false } as never, signature)
    expect(() => l1TransactionHash(`${bare}00` as Hex)).toThrow()
    expect(() => decodedHash(`${bare}00` as Hex)).toThrow()
    expect(() => l1TransactionHash(bare.slice(0, -2) as Hex)).toThrow()
  })
})
