import fc from 'fast-check'
import { commitmentToVersionedHash } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  BLS_MODULUS,
  BlobDecodeError,
  BYTES_PER_BLOB,
  blobCapacity,
  decodeBlobs,
  encodeBlobs,
  kzg,
  kzgCommitmentToVersionedHash,
} from '../../src/index.ts'

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
const toHex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as const

function expectDecodeError(blobs: Uint8Array[], code: string) {
  let caught: unknown
  try {
    decodeBlobs(blobs)
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(BlobDecodeError)
  expect((caught as BlobDecodeError).code).toBe(code)
  expect((caught as BlobDecodeError).severity).toBe('invalidInput')
}

describe('blob codec', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300_000 }), (data) => {
        expect(decodeBlobs(encodeBlobs(data))).toEqual(data)
      }),
      { numRuns: 30 },
    )
  })

  it.each([
    0,
    27,
    31,
    32,
    blobCapacity(1),
    blobCapacity(1) + 1,
    blobCapacity(2),
    blobCapacity(6),
  ])('round-trips %i bytes', (n) => {
    const data = bytes(n)
    const blobs = encodeBlobs(data)
    expect(blobs.length).toBe(Math.max(1, Math.ceil((n + 4) / (4096 * 31))))
    for (const blob of blobs) {
      expect(blob.length).toBe(BYTES_PER_BLOB)
      for (let e = 0; e < 4096; e++) expect(BigInt(toHex(blob.subarray(e * 32, e * 32 + 32))) < BLS_MODULUS).toBe(true)
    }
    expect(decodeBlobs(blobs)).toEqual(data)
  })

  it('refuses malformed blobs with a specified error', () => {
    expectDecodeError([], 'BlobNoBlobs')
    expectDecodeError([new Uint8Array(100)], 'BlobWrongSize')
    const highTop = encodeBlobs(bytes(10))
    highTop[0]![32 * 5] = 0x74 // element ≥ the modulus
    expectDecodeError(highTop, 'BlobNonCanonicalElement')
    const tooLong = encodeBlobs(bytes(10))
    tooLong[0]![1] = 0xff
    expectDecodeError(tooLong, 'BlobBadLength')
    expectDecodeError([...encodeBlobs(bytes(10)), new Uint8Array(BYTES_PER_BLOB)], 'BlobBadLength')
    const padded = encodeBlobs(bytes(10))
    padded[0]![32 * 100 + 7] = 1
    expectDecodeError(padded, 'BlobNonZeroPadding')
  })

  it('decodes any blob to bytes or a BlobDecodeError, never another throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.nat(4095), (head, at) => {
        const blob = new Uint8Array(BYTES_PER_BLOB)
        blob.set(head, at * 32 > BYTES_PER_BLOB - 64 ? 0 : at * 32)
        try {
          decodeBlobs([blob])
        } catch (error) {
          expect(error).toBeInstanceOf(BlobDecodeError)
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('kzg', () => {
  it('commits, proves and verifies an encoded blob; versioned hash matches viem', () => {
    const [blob] = encodeBlobs(bytes(5000))
    const commitment = kzg().blobToCommitment(blob!)
    expect(commitment.length).toBe(48)
    const hash = kzgCommitmentToVersionedHash(commitment)
    expect(toHex(hash)).toBe(commitmentToVersionedHash({ commitment: toHex(commitment) }))
    expect(hash[0]).toBe(1)
    const z = new Uint8Array(32)
    z[31] = 7
    const { proof, y } = kzg().computeProof(blob!, z)
    expect(kzg().verifyProof(commitment, z, y, proof)).toBe(true)
    const wrongY = Uint8Array.from(y)
    wrongY[31]! ^= 1
    expect(kzg().verifyProof(commitment, z, wrongY, proof)).toBe(false)
  })

  it('versioned hash of the empty-blob commitment is the known vector', () => {
    // The point at infinity is the commitment to the all-zero polynomial (EIP-4844 test data).
    const commitment = kzg().blobToCommitment(new Uint8Array(BYTES_PER_BLOB))
    expect(toHex(commitment)).toBe(`0xc0${'00'.repeat(47)}`)
    expect(toHex(kzgCommitmentToVersionedHash(commitment))).toBe(
      '0x010657f37554c781402a22917dee2f75def7ab966d7b770905398eba3c444014',
    )
  })
})
