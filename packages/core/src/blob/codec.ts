import { SluiceError } from '../errors/index.ts'

/**
 * Batch bytes ⇄ EIP-4844 blobs. Each 32-byte field element carries 31 payload bytes after a zero
 * top byte, so every element is below the BLS12-381 scalar modulus by construction and the mapping
 * needs no modular arithmetic. The first element of the first blob starts with a 4-byte big-endian
 * length of the payload; unused bytes are zero. Decoding is total: any blob gives bytes or a
 * `BlobDecodeError` with a specific code.
 */
export const FIELD_ELEMENTS_PER_BLOB = 4096
export const BYTES_PER_FIELD_ELEMENT = 32
export const BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_FIELD_ELEMENT
export const PAYLOAD_BYTES_PER_ELEMENT = 31
export const PAYLOAD_BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * PAYLOAD_BYTES_PER_ELEMENT
const LENGTH_PREFIX_BYTES = 4

export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n

export type BlobDecodeErrorCode =
  | 'BlobWrongSize'
  | 'BlobNoBlobs'
  | 'BlobNonCanonicalElement'
  | 'BlobBadLength'
  | 'BlobNonZeroPadding'

export class BlobDecodeError extends SluiceError {
  override name = 'BlobDecodeError'
  constructor(code: BlobDecodeErrorCode, shortMessage: string) {
    super(shortMessage, { code, severity: 'invalidInput' })
  }
}

/** How many blobs `byteLength` bytes of batch need. */
export function blobsNeeded(byteLength: number): number {
  return Math.max(1, Math.ceil((byteLength + LENGTH_PREFIX_BYTES) / PAYLOAD_BYTES_PER_BLOB))
}

/** The most batch bytes `blobCount` blobs can carry. */
export function blobCapacity(blobCount: number): number {
  return blobCount * PAYLOAD_BYTES_PER_BLOB - LENGTH_PREFIX_BYTES
}

export function encodeBlobs(data: Uint8Array): Uint8Array[] {
  if (data.length > 0xffffffff)
    throw new SluiceError('batch too large for a blob length prefix', { code: 'BlobTooLarge' })
  const payload = new Uint8Array(data.length + LENGTH_PREFIX_BYTES)
  new DataView(payload.buffer).setUint32(0, data.length)
  payload.set(data, LENGTH_PREFIX_BYTES)
  const count = blobsNeeded(data.length)
  const blobs: Uint8Array[] = []
  for (let b = 0; b < count; b++) {
    const blob = new Uint8Array(BYTES_PER_BLOB)
    for (let e = 0; e < FIELD_ELEMENTS_PER_BLOB; e++) {
      const start = b * PAYLOAD_BYTES_PER_BLOB + e * PAYLOAD_BYTES_PER_ELEMENT
      if (start >= payload.length) break
      blob.set(payload.subarray(start, start + PAYLOAD_BYTES_PER_ELEMENT), e * BYTES_PER_FIELD_ELEMENT + 1)
    }
    blobs.push(blob)
  }
  return blobs
}

export function decodeBlobs(blobs: readonly Uint8Array[]): Uint8Array {
  if (blobs.length === 0)
    throw new BlobDecodeError('BlobNoBlobs', 'no blobs to decode: a blob batch carries at least one blob')
  const payload = new Uint8Array(blobs.length * PAYLOAD_BYTES_PER_BLOB)
  blobs.forEach((blob, b) => {
    if (blob.length !== BYTES_PER_BLOB) {
      throw new BlobDecodeError('BlobWrongSize', `blob ${b} has ${blob.length} bytes, expected ${BYTES_PER_BLOB}`)
    }
    for (let e = 0; e < FIELD_ELEMENTS_PER_BLOB; e++) {
      const offset = e * BYTES_PER_FIELD_ELEMENT
      // A non-zero top byte is the only way a well-formed blob breaks the packing; it also covers every element ≥ the modulus.
      if (blob[offset] !== 0) {
        throw new BlobDecodeError(
          'BlobNonCanonicalElement',
          `blob ${b} element ${e} has a non-zero top byte: not Sluice-packed`,
        )
      }
      payload.set(
        blob.subarray(offset + 1, offset + BYTES_PER_FIELD_ELEMENT),
        b * PAYLOAD_BYTES_PER_BLOB + e * PAYLOAD_BYTES_PER_ELEMENT,
      )
    }
  })
  const length = new DataView(payload.buffer).getUint32(0)
  const end = LENGTH_PREFIX_BYTES + length
  if (end > payload.length) {
    throw new BlobDecodeError('BlobBadLength', `length prefix ${length} exceeds what ${blobs.length} blob(s) carry`)
  }
  if (blobsNeeded(length) !== blobs.length) {
    throw new BlobDecodeError(
      'BlobBadLength',
      `length ${length} needs ${blobsNeeded(length)} blob(s), got ${blobs.length}`,
    )
  }
  for (let i = end; i < payload.length; i++) {
    if (payload[i] !== 0)
      throw new BlobDecodeError('BlobNonZeroPadding', `non-zero byte after the payload at offset ${i}`)
  }
  return payload.slice(LENGTH_PREFIX_BYTES, end)
}
