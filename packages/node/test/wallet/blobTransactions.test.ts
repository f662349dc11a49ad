/**
 * Blob transactions without viem's hex round trips: the network form built from the sidecars'
 * bytes, against viem's serializer; the hash of signed L1 bytes read from the RLP headers alone,
 * against a full decode and re-encode (a blob wrapper's hash covers `0x03 ‖ rlp(tx)` only).
 */
import { concatHex, fromRlp, type Hex, hexToBytes, keccak256, serializeTransaction, toRlp } from 'viem'
import { describe, expect, it } from 'vitest'
import { blobNetworkForm, l1TransactionHash } from '../../src/wallet/l1Wallet.ts'

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

describe('blobNetworkForm', () => {
  it("builds viem's network form of a signed blob transaction from its sidecars' bytes", () => {
    const blob = (fill: string): Hex => `0x${fill.repeat(131_072)}`
    const sidecars = [1, 2, 3].map((i) => ({
      blob: blob(`0${i}`),
      commitment: `0x${'a'.repeat(95)}${i}` as Hex,
      proof: `0x${'b'.repeat(95)}${i}` as Hex,
    }))
    const tx = { ...blobTx, blobVersionedHashes: sidecars.map((_, i) => `0x01${`${i}`.repeat(62)}` as Hex) }
    const bare = serializeTransaction({ ...tx, sidecars: false } as never, signature)
    const full = serializeTransaction({ ...tx, sidecars } as never, signature)
    const bytes = {
      blobs: sidecars.map((s) => hexToBytes(s.blob)),
      commitments: sidecars.map((s) => hexToBytes(s.commitment)),
      proofs: sidecars.map((s) => hexToBytes(s.proof)),
      versionedHashes: tx.blobVersionedHashes,
    }
    expect(blobNetworkForm(bare, bytes)).toBe(full)
    expect(l1TransactionHash(full)).toBe(keccak256(bare))
    expect(() =>
      blobNetworkForm(serializeTransaction({ type: 'eip1559', chainId: 1, gas: 21_000n }, signature), bytes),
    ).toThrow(/not a type-3 transaction/)
  })
})

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
