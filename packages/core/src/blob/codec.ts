import { SluiceError } from '../errors/index.ts'

/**
 * Batch bytes ⇄ EIP-4844 blobs (docs/protocol.md §5.7.2). Each 32-byte field element carries 31
 * payload bytes after a top byte that readers ignore (writers set it to 0, which keeps every element
 * below the BLS12-381 scalar modulus), so payload byte `p` is found by arithmetic alone and a one-step
 * proof reads it by opening one element. The payload starts with the body's length (uint32
 * big-endian); the body is what follows, up to that length or the blobs' capacity.
 */
export const FIELD_ELEMENTS_PER_BLOB = 4096
export const BYTES_PER_FIELD_ELEMENT = 32
export const BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_FIELD_ELEMENT
export const PAYLOAD_BYTES_PER_ELEMENT = 31
export const PAYLOAD_BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * PAYLOAD_BYTES_PER_ELEMENT
/** The body's length, uint32 big-endian, in payload bytes 0..3. */
export const BLOB_LENGTH_PREFIX_BYTES = 4

export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n

/** Only a beacon answer that is not a blob at all has no payload; every 131,072-byte blob decodes. */
export type BlobDecodeErrorCode = 'BlobWrongSize'

export class BlobDecodeError extends SluiceError {
  override name = 'BlobDecodeError'
  constructor(code: BlobDecodeErrorCode, shortMessage: string) {
    super(shortMessage, { code, severity: 'invalidInput' })
  }
}

/** One field element of a batch's blobs (blobs in the inbox's order). */
export type BlobElement = {
  /** position of the blob among the batch's blobs */
  blobIndex: number
  /** field element within the blob, 0 ≤ element < 4096 */
  element: number
}

/** Where a payload byte lies: its element and its byte within the 32-byte element (1..31). */
export type PayloadByteLocation = BlobElement & { byteInElement: number }

/** How many blobs `byteLength` bytes of batch need. */
export function blobsNeeded(byteLength: number): number {
  return Math.max(1, Math.ceil((byteLength + BLOB_LENGTH_PREFIX_BYTES) / PAYLOAD_BYTES_PER_BLOB))
}

/** Payload bytes `blobCount` blobs carry (the length prefix included). */
export function payloadCapacity(blobCount: number): number {
  return blobCount * PAYLOAD_BYTES_PER_BLOB
}

/** The most batch bytes `blobCount` blobs can carry. */
export function blobCapacity(blobCount: number): number {
  return payloadCapacity(blobCount) - BLOB_LENGTH_PREFIX_BYTES
}

/**
 * Payload byte `p` is byte `1 + p mod 31` of element `⌊p / 31⌋ mod 4096` of blob `⌊p / 126,976⌋`.
 *
 * @example
 * payloadByteLocation(126_976) // { blobIndex: 1, element: 0, byteInElement: 1 }
 */
export function payloadByteLocation(p: number): PayloadByteLocation {
  checkOffset(p, 'payload byte')
  const inBlob = p % PAYLOAD_BYTES_PER_BLOB
  return {
    blobIndex: Math.floor(p / PAYLOAD_BYTES_PER_BLOB),
    element: Math.floor(inBlob / PAYLOAD_BYTES_PER_ELEMENT),
    byteInElement: 1 + (inBlob % PAYLOAD_BYTES_PER_ELEMENT),
  }
}

/** The inverse of `payloadByteLocation`: the payload offset of a byte of an element (not its top byte). */
export function payloadOffset(location: PayloadByteLocation): number {
  const { blobIndex, element, byteInElement } = location
  checkOffset(blobIndex, 'blob index')
  if (!Number.isInteger(element) || element < 0 || element >= FIELD_ELEMENTS_PER_BLOB) {
    throw new RangeError(`element ${element} is not in 0..${FIELD_ELEMENTS_PER_BLOB - 1}`)
  }
  if (!Number.isInteger(byteInElement) || byteInElement < 1 || byteInElement >= BYTES_PER_FIELD_ELEMENT) {
    throw new RangeError(`byte ${byteInElement} of an element carries no payload (1..31 do)`)
  }
  return blobIndex * PAYLOAD_BYTES_PER_BLOB + element * PAYLOAD_BYTES_PER_ELEMENT + byteInElement - 1
}

/** Where body byte `offset` lies (the body starts after the 4-byte length prefix). */
export function bodyByteLocation(offset: number): PayloadByteLocation {
  checkOffset(offset, 'body byte')
  return payloadByteLocation(offset + BLOB_LENGTH_PREFIX_BYTES)
}

/** The payload bytes `[start, end)` that element carries. */
export function elementPayloadRange(element: BlobElement): { start: number; end: number } {
  const start = payloadOffset({ ...element, byteInElement: 1 })
  return { start, end: start + PAYLOAD_BYTES_PER_ELEMENT }
}

/** The elements holding payload bytes `[start, end)`, in payload order (empty for an empty range). */
export function payloadElements(start: number, end: number): BlobElement[] {
  checkOffset(start, 'payload byte')
  const out: BlobElement[] = []
  if (end <= start) return out
  const first = Math.floor(start / PAYLOAD_BYTES_PER_ELEMENT)
  const last = Math.floor((end - 1) / PAYLOAD_BYTES_PER_ELEMENT)
  for (let e = first; e <= last; e++) {
    out.push({ blobIndex: Math.floor(e / FIELD_ELEMENTS_PER_BLOB), element: e % FIELD_ELEMENTS_PER_BLOB })
  }
  return out
}

/** The elements holding body bytes `[start, end)`. */
export function bodyElements(start: number, end: number): BlobElement[] {
  return payloadElements(start + BLOB_LENGTH_PREFIX_BYTES, end + BLOB_LENGTH_PREFIX_BYTES)
}

function checkOffset(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} ${value} is not a non-negative integer`)
}

/** Packs `data` as a batch body: length prefix, the bytes, zeros to the end of the last blob. */
export function encodeBlobs(data: Uint8Array): Uint8Array[] {
  if (data.length > 0xffffffff)
    throw new SluiceError('batch too large for a blob length prefix', { code: 'BlobTooLarge' })
  const payload = new Uint8Array(data.length + BLOB_LENGTH_PREFIX_BYTES)
  new DataView(payload.buffer).setUint32(0, data.length)
  payload.set(data, BLOB_LENGTH_PREFIX_BYTES)
  const count = blobsNeeded(data.length)
  const blobs: Uint8Array[] = []
  for (let b = 0; b < count; b++) blobs.push(new Uint8Array(BYTES_PER_BLOB))
  writePayload(blobs, payload)
  return blobs
}

/**
 * Writes `payload` into `blobs` element by element (top bytes untouched). For tools and tests that
 * build payloads the encoder never writes (a length beyond the capacity, say).
 */
export function writePayload(blobs: readonly Uint8Array[], payload: Uint8Array): void {
  if (payload.length > payloadCapacity(blobs.length)) {
    throw new RangeError(`a ${payload.length}-byte payload does not fit in ${blobs.length} blob(s)`)
  }
  for (let start = 0; start < payload.length; start += PAYLOAD_BYTES_PER_ELEMENT) {
    const { blobIndex, element } = payloadByteLocation(start)
    const blob = blobs[blobIndex] as Uint8Array
    blob.set(payload.subarray(start, start + PAYLOAD_BYTES_PER_ELEMENT), element * BYTES_PER_FIELD_ELEMENT + 1)
  }
}

/** The payload bytes of `blobs` (every element's bytes 1..31, in order). Throws only `BlobWrongSize`. */
export function readPayload(blobs: readonly Uint8Array[]): Uint8Array {
  const payload = new Uint8Array(payloadCapacity(blobs.length))
  blobs.forEach((blob, b) => {
    if (blob.length !== BYTES_PER_BLOB) {
      throw new BlobDecodeError(
        'BlobWrongSize',
        `blob ${b} has ${blob.length} bytes, expected ${BYTES_PER_BLOB}: the beacon API did not answer a blob`,
      )
    }
    // byte by byte: a view and a set per 31-byte element cost twice the time and 4,096 objects per blob
    let out = b * PAYLOAD_BYTES_PER_BLOB
    for (let at = 1; at < BYTES_PER_BLOB; at += BYTES_PER_FIELD_ELEMENT) {
      for (let k = 0; k < PAYLOAD_BYTES_PER_ELEMENT; k++) payload[out++] = blob[at + k] as number
    }
  })
  return payload
}

/** §5.7.2: the body of a payload — bytes `[4, 4 + min(bodyLength, capacity − 4))`. Never throws. */
export function payloadBody(payload: Uint8Array): Uint8Array {
  if (payload.length < BLOB_LENGTH_PREFIX_BYTES) return new Uint8Array(0)
  const declared = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0)
  const length = Math.min(declared, payload.length - BLOB_LENGTH_PREFIX_BYTES)
  return payload.slice(BLOB_LENGTH_PREFIX_BYTES, BLOB_LENGTH_PREFIX_BYTES + length)
}

/**
 * The batch body the blobs carry (§5.7.2), element-local and total: every top byte is ignored, the
 * length prefix is cut to the blobs' capacity, bytes after the body are ignored; no blobs give an
 * empty body. Throws `BlobDecodeError` (`BlobWrongSize`) only for an item that is not 131,072
 * bytes, which is no blob at all (a reader checks versioned hashes first, which catches it anyway).
 */
export function decodeBlobs(blobs: readonly Uint8Array[]): Uint8Array {
  return payloadBody(readPayload(blobs))
}
