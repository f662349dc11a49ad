import { crc32 } from 'node:zlib'

/**
 * One record of the intake log, little-endian:
 *
 *     u32 payloadLength ‖ u32 crc32 ‖ u8 kind ‖ u64 sequence ‖ payload
 *
 * The crc32 covers the length field, the kind, the sequence and the payload, so a torn write (a
 * prefix of a record, zeros or old blocks after a crash) fails the check and is never misread as a
 * record. Sequences are consecutive across segments, which catches a lost or reordered segment.
 */
export const RECORD_HEADER_BYTES = 17
/** A raw signed transaction, as `eth_sendRawTransaction` received it. */
export const RECORD_KIND_TRANSACTION = 1
/**
 * An admission: `u64 admittedAtMs ‖ sender (20 bytes) ‖ raw transaction`. Replay re-admits it with
 * the sender the pool recovered (no second recovery, so a restart with a full pool is fast) and
 * the lifetime running from the first admission.
 */
export const RECORD_KIND_ADMISSION = 2
const ADMISSION_PREFIX_BYTES = 8 + 20

/** What an admission record holds. */
export type Admission = { admittedAt: number; sender: Uint8Array; raw: Uint8Array }

/**
 * A record's payload, or the parts it is the concatenation of (written one after the other into
 * the record, so that a payload made of pieces already in memory is not copied into a buffer of
 * its own first).
 */
export type RecordPayload = Uint8Array | readonly Uint8Array[]

/**
 * An admission's payload, as its parts (`RECORD_KIND_ADMISSION`). The admission time is written
 * into `admittedAt` (8 bytes) when given: a caller that hands the parts straight to
 * `IntakeLog.enqueue`, which copies them before it returns, reuses one array for every admission.
 */
export function admissionPayload(
  admission: Admission,
  admittedAt: Uint8Array = new Uint8Array(8),
): readonly Uint8Array[] {
  let low = admission.admittedAt % 2 ** 32
  let high = Math.floor(admission.admittedAt / 2 ** 32)
  for (let i = 0; i < 4; i++) {
    admittedAt[i] = low & 0xff
    admittedAt[i + 4] = high & 0xff
    low >>>= 8
    high >>>= 8
  }
  return [admittedAt, admission.sender, admission.raw]
}

/** The payload's length in bytes. */
export function payloadLength(payload: RecordPayload): number {
  if (payload instanceof Uint8Array) return payload.length
  let length = 0
  for (let i = 0; i < payload.length; i++) length += (payload[i] as Uint8Array).length
  return length
}

/**
 * The admission in a record's payload: `RECORD_KIND_ADMISSION` decoded, or a `RECORD_KIND_TRANSACTION`
 * record (raw only, written before admissions were recorded) as `{ raw }`. Undefined for a payload
 * too short to be an admission (never written by this log).
 */
export function recordAdmission(record: IntakeRecord): (Partial<Admission> & { raw: Uint8Array }) | undefined {
  if (record.kind !== RECORD_KIND_ADMISSION) return { raw: record.payload }
  const payload = record.payload
  if (payload.length <= ADMISSION_PREFIX_BYTES) return undefined
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  return {
    admittedAt: Number(view.getBigUint64(0, true)),
    sender: payload.subarray(8, ADMISSION_PREFIX_BYTES),
    raw: payload.subarray(ADMISSION_PREFIX_BYTES),
  }
}

/** Far above any transaction the mempool admits; a larger length field is a torn or foreign record. */
export const MAX_RECORD_PAYLOAD = 1 << 20

export type IntakeRecord = {
  /** Position in arrival order, from 0, never reused (also across compaction and restarts). */
  readonly sequence: bigint
  readonly kind: number
  readonly payload: Uint8Array
}

/** Writes the record for `payload` into `out` at `offset`; returns the offset after it. */
export function encodeRecord(
  out: Uint8Array,
  offset: number,
  kind: number,
  sequence: bigint,
  payload: RecordPayload,
): number {
  // Byte by byte rather than through a DataView: this runs for every admission, and a view is an
  // object each time.
  const length = payloadLength(payload)
  writeUint32(out, offset, length)
  out[offset + 8] = kind
  if (sequence <= MAX_SAFE_SEQUENCE) {
    const number = Number(sequence)
    writeUint32(out, offset + 9, number % 2 ** 32)
    writeUint32(out, offset + 13, Math.floor(number / 2 ** 32))
  } else new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(offset + 9, sequence, true)
  if (payload instanceof Uint8Array) out.set(payload, offset + RECORD_HEADER_BYTES)
  else {
    let at = offset + RECORD_HEADER_BYTES
    for (let i = 0; i < payload.length; i++) {
      const part = payload[i] as Uint8Array
      out.set(part, at)
      at += part.length
    }
  }
  const end = offset + RECORD_HEADER_BYTES + length
  writeUint32(out, offset + 4, checksum(out, offset, end))
  return end
}

/** Writes `value` (below 2^32) little-endian. */
function writeUint32(out: Uint8Array, at: number, value: number): void {
  out[at] = value & 0xff
  out[at + 1] = (value >>> 8) & 0xff
  out[at + 2] = (value >>> 16) & 0xff
  out[at + 3] = value >>> 24
}

const MAX_SAFE_SEQUENCE = BigInt(Number.MAX_SAFE_INTEGER)

/** The length field's four bytes, copied here so that its checksum needs no view of its own. */
const LENGTH_FIELD = new Uint8Array(4)

function checksum(bytes: Uint8Array, start: number, end: number): number {
  for (let i = 0; i < 4; i++) LENGTH_FIELD[i] = bytes[start + i] as number
  return crc32(bytes.subarray(start + 8, end), crc32(LENGTH_FIELD))
}

export type ParsedSegment = {
  records: IntakeRecord[]
  /** Bytes from the start that hold whole, valid records. */
  validBytes: number
  /** Why parsing stopped before the end, if it did. */
  stop: string | undefined
}

/**
 * Parses a segment's bytes from the start; stops at the first record that is incomplete, fails its
 * checksum, or does not carry the expected sequence (`firstSequence`, then +1 each).
 */
export function parseSegment(bytes: Uint8Array, firstSequence: bigint): ParsedSegment {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: IntakeRecord[] = []
  let offset = 0
  let expected = firstSequence
  while (offset < bytes.length) {
    if (bytes.length - offset < RECORD_HEADER_BYTES) return stopped(`a ${bytes.length - offset}-byte partial header`)
    const length = view.getUint32(offset, true)
    if (length > MAX_RECORD_PAYLOAD) return stopped(`a length field of ${length}`)
    const end = offset + RECORD_HEADER_BYTES + length
    if (end > bytes.length) return stopped(`a record cut after ${bytes.length - offset} of ${end - offset} bytes`)
    if (view.getUint32(offset + 4, true) !== checksum(bytes, offset, end)) return stopped('a checksum mismatch')
    const sequence = view.getBigUint64(offset + 9, true)
    if (sequence !== expected) return stopped(`sequence ${sequence} where ${expected} was expected`)
    records.push({
      sequence,
      kind: bytes[offset + 8] as number,
      // A view, not a copy: replay hands each payload on once, and the segment is read for that alone.
      payload: bytes.subarray(offset + RECORD_HEADER_BYTES, end),
    })
    expected++
    offset = end
  }
  return { records, validBytes: offset, stop: undefined }

  function stopped(reason: string): ParsedSegment {
    return { records, validBytes: offset, stop: reason }
  }
}
