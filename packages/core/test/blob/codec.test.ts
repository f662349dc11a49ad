import fc from 'fast-check'
import { commitmentToVersionedHash } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  BLOB_ROOT_OF_UNITY,
  BLS_MODULUS,
  BlobDecodeError,
  BYTES_PER_BLOB,
  bitReverse12,
  blobCapacity,
  blobsNeeded,
  bodyByteLocation,
  bodyElements,
  bytesToBigint,
  decodeBlobs,
  elementPayloadRange,
  encodeBlobs,
  evaluationPoint,
  kzg,
  kzgCommitmentToVersionedHash,
  openElement,
  openElementAsync,
  PAYLOAD_BYTES_PER_BLOB,
  payloadByteLocation,
  payloadCapacity,
  payloadElements,
  payloadOffset,
  writePayload,
} from '../../src/index.ts'

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
const toHex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as const

/** Spec §5.7.2 read literally: payload byte p is byte 1 + p mod 31 of element ⌊p/31⌋ mod 4096 of blob ⌊p/126,976⌋. */
function referenceBody(blobs: Uint8Array[]): Uint8Array {
  const payloadByte = (p: number) => {
    const blob = blobs[Math.floor(p / 126_976)] as Uint8Array
    return blob[32 * (Math.floor(p / 31) % 4096) + 1 + (p % 31)] as number
  }
  const capacity = 126_976 * blobs.length
  if (capacity === 0) return new Uint8Array(0)
  const declared = payloadByte(0) * 2 ** 24 + payloadByte(1) * 2 ** 16 + payloadByte(2) * 2 ** 8 + payloadByte(3)
  const length = Math.min(declared, capacity - 4)
  return Uint8Array.from({ length }, (_, i) => payloadByte(4 + i))
}

/** A blob with `writes` (element index, 32 bytes) over a background of random-ish bytes in every top byte. */
const hostileBlobArb = fc
  .record({
    topBytes: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    writes: fc.array(fc.tuple(fc.nat(4095), fc.uint8Array({ minLength: 32, maxLength: 32 })), { maxLength: 12 }),
  })
  .map(({ topBytes, writes }) => {
    const blob = new Uint8Array(BYTES_PER_BLOB)
    for (let e = 0; e < 4096; e++) blob[32 * e] = topBytes[e % 64] as number
    for (const [e, word] of writes) blob.set(word, 32 * e)
    return blob
  })

describe('blob codec (§5.7.2)', () => {
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
  ])('round-trips %i bytes with every element below the modulus', (n) => {
    const data = bytes(n)
    const blobs = encodeBlobs(data)
    expect(blobs.length).toBe(blobsNeeded(n))
    expect(blobs.length).toBe(Math.max(1, Math.ceil((n + 4) / (4096 * 31))))
    for (const blob of blobs) {
      expect(blob.length).toBe(BYTES_PER_BLOB)
      for (let e = 0; e < 4096; e++) expect(BigInt(toHex(blob.subarray(e * 32, e * 32 + 32))) < BLS_MODULUS).toBe(true)
    }
    expect(decodeBlobs(blobs)).toEqual(data)
  })

  it('is total and element-local: any blobs give the body the spec names, byte by byte', () => {
    fc.assert(
      fc.property(fc.array(hostileBlobArb, { maxLength: 3 }), (blobs) => {
        expect(decodeBlobs(blobs)).toEqual(referenceBody(blobs))
      }),
      { numRuns: 60 },
    )
  })

  it('ignores top bytes, padding and extra blobs; cuts a length beyond the capacity to the capacity', () => {
    const data = bytes(1000)
    const blobs = encodeBlobs(data)
    const blob = blobs[0] as Uint8Array
    for (let e = 0; e < 4096; e += 7) blob[32 * e] = 0xff // top bytes (an element ≥ the modulus has no commitment, but readers ignore them)
    blob[32 * 200 + 5] = 0x99 // padding after the body
    expect(decodeBlobs(blobs)).toEqual(data)
    expect(decodeBlobs([...blobs, new Uint8Array(BYTES_PER_BLOB).fill(7)])).toEqual(data)

    const overlong = encodeBlobs(bytes(50))
    const tail = new Uint8Array(BYTES_PER_BLOB).fill(0x42)
    for (const b of [overlong[0] as Uint8Array]) b.set([0, 0xff, 0xff, 0xff, 0xff], 0) // top byte, then 0xffffffff
    const body = decodeBlobs([overlong[0] as Uint8Array, tail])
    expect(body.length).toBe(blobCapacity(2))
    expect(body.subarray(0, 50)).toEqual(bytes(50))
    expect(body[PAYLOAD_BYTES_PER_BLOB]).toBe(0x42) // the second blob's payload bytes follow
    expect(decodeBlobs([])).toEqual(new Uint8Array(0))
  })

  it('refuses only an item that is not a blob (BlobWrongSize)', () => {
    let caught: unknown
    try {
      decodeBlobs([new Uint8Array(100)])
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(BlobDecodeError)
    expect((caught as BlobDecodeError).code).toBe('BlobWrongSize')
    expect((caught as BlobDecodeError).severity).toBe('invalidInput')
  })

  it('writePayload places any payload (even one the encoder never writes) where decodeBlobs reads it', () => {
    const payload = Uint8Array.from([0, 0, 0, 3, 9, 8, 7, 6])
    const blobs = [new Uint8Array(BYTES_PER_BLOB)]
    writePayload(blobs, payload)
    expect(decodeBlobs(blobs)).toEqual(Uint8Array.from([9, 8, 7]))
    expect(() => writePayload(blobs, new Uint8Array(payloadCapacity(1) + 1))).toThrow(RangeError)
  })
})

describe('payload byte locations', () => {
  it('payloadByteLocation and payloadOffset are inverse, and match the packing', () => {
    fc.assert(
      fc.property(fc.nat(6 * PAYLOAD_BYTES_PER_BLOB - 1), (p) => {
        const location = payloadByteLocation(p)
        expect(location.blobIndex).toBe(Math.floor(p / 126_976))
        expect(location.element).toBe(Math.floor(p / 31) % 4096)
        expect(location.byteInElement).toBe(1 + (p % 31))
        expect(payloadOffset(location)).toBe(p)
        const range = elementPayloadRange(location)
        expect(range.start <= p && p < range.end).toBe(true)
        expect(payloadElements(p, p + 1)).toEqual([{ blobIndex: location.blobIndex, element: location.element }])
        expect(bodyByteLocation(p)).toEqual(payloadByteLocation(p + 4))
      }),
      { numRuns: 500 },
    )
    expect(payloadByteLocation(126_976)).toEqual({ blobIndex: 1, element: 0, byteInElement: 1 })
    expect(() => payloadOffset({ blobIndex: 0, element: 0, byteInElement: 0 })).toThrow(RangeError)
    expect(() => payloadOffset({ blobIndex: 0, element: 4096, byteInElement: 1 })).toThrow(RangeError)
    expect(() => payloadByteLocation(-1)).toThrow(RangeError)
  })

  it('the elements of a range cover exactly its bytes, across a blob boundary', () => {
    fc.assert(
      fc.property(fc.nat(3 * PAYLOAD_BYTES_PER_BLOB), fc.nat(300), (start, length) => {
        const elements = payloadElements(start, start + length)
        const covered = new Set<number>()
        for (const e of elements) {
          const { start: s, end } = elementPayloadRange(e)
          for (let p = s; p < end; p++) covered.add(p)
        }
        for (let p = start; p < start + length; p++) expect(covered.has(p)).toBe(true)
        expect(elements.length).toBe(
          length === 0 ? 0 : Math.floor((start + length - 1) / 31) - Math.floor(start / 31) + 1,
        )
      }),
      { numRuns: 300 },
    )
    expect(bodyElements(PAYLOAD_BYTES_PER_BLOB - 6, PAYLOAD_BYTES_PER_BLOB - 2)).toEqual([
      { blobIndex: 0, element: 4095 },
      { blobIndex: 1, element: 0 },
    ])
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

  it('ω is a primitive 4096th root of unity and bitReverse12 is an involution', () => {
    const pow = (b: bigint, e: bigint) => {
      let r = 1n
      for (; e > 0n; e >>= 1n, b = (b * b) % BLS_MODULUS) if (e & 1n) r = (r * b) % BLS_MODULUS
      return r
    }
    expect(pow(BLOB_ROOT_OF_UNITY, 4096n)).toBe(1n)
    expect(pow(BLOB_ROOT_OF_UNITY, 2048n)).not.toBe(1n)
    expect(evaluationPoint(0)).toBe(1n)
    expect(evaluationPoint(1)).toBe(BLS_MODULUS - 1n) // bitrev12(1) = 2048: ω^2048 = −1
    for (const i of [0, 1, 2, 3, 2047, 4094, 4095]) expect(bitReverse12(bitReverse12(i))).toBe(i)
    expect(() => evaluationPoint(4096)).toThrow(RangeError)
  })

  it('openElement gives y = the element and a proof verifyKzgProof accepts (first, middle, last elements)', () => {
    const [blob] = encodeBlobs(bytes(126_000, 5))
    const commitment = kzg().blobToCommitment(blob!)
    for (const element of [0, 1, 2, 1234, 4095]) {
      const opening = openElement(kzg(), blob!, element)
      expect(opening.y).toEqual(blob!.subarray(32 * element, 32 * element + 32))
      expect(bytesToBigint(opening.z)).toBe(evaluationPoint(element))
      expect(kzg().verifyProof(commitment, opening.z, opening.y, opening.proof)).toBe(true)
      // the same proof does not open a neighbouring element's point
      const other = openElement(kzg(), blob!, (element + 1) % 4096)
      expect(kzg().verifyProof(commitment, other.z, opening.y, opening.proof)).toBe(false)
    }
  })

  it('the async forms give the same commitment, blob proof and opening', async () => {
    const [blob] = encodeBlobs(bytes(40_000, 9))
    const commitment = kzg().blobToCommitment(blob!)
    expect(await kzg().blobToCommitmentAsync(blob!)).toEqual(commitment)
    expect(await kzg().computeBlobProofAsync(blob!, commitment)).toEqual(kzg().computeBlobProof(blob!, commitment))
    expect(await openElementAsync(kzg(), blob!, 77)).toEqual(openElement(kzg(), blob!, 77))
  })
})
