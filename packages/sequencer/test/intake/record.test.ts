import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { encodeRecord, parseSegment, RECORD_HEADER_BYTES, type RecordPayload } from '../../src/intake/record.ts'

/** The record layout as record.ts documents it, written through a DataView (the encoder before it wrote bytes itself). */
function referenceRecord(kind: number, sequence: bigint, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + payload.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, payload.length, true)
  out[8] = kind
  view.setBigUint64(9, sequence, true)
  out.set(payload, RECORD_HEADER_BYTES)
  view.setUint32(4, crc32(out.subarray(8), crc32(out.subarray(0, 4))), true)
  return out
}

const EDGE_SEQUENCES = [
  0n,
  1n,
  255n,
  256n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 64n - 1n,
]

describe('intake records', () => {
  it('encode the documented bytes for random kinds, sequences and payloads, whole or in parts, and parse back', () => {
    const prng = new Prng(21)
    for (let round = 0; round < 2_000; round++) {
      const kind = prng.int(256)
      const sequence =
        round < EDGE_SEQUENCES.length
          ? (EDGE_SEQUENCES[round] as bigint)
          : prng.float() < 0.5
            ? BigInt(prng.nextU32()) * BigInt(prng.int(2 ** 21) + 1) + BigInt(prng.nextU32())
            : (BigInt(prng.nextU32()) << 32n) | BigInt(prng.nextU32())
      const whole = prng.bytes(prng.int(300))
      let payload: RecordPayload = whole
      if (prng.float() < 0.5) {
        // The same bytes as up to four parts, some of them empty.
        const cuts = [0, prng.int(whole.length + 1), prng.int(whole.length + 1), whole.length].sort((a, b) => a - b)
        payload = cuts.slice(1).map((cut, i) => whole.subarray(cuts[i] as number, cut))
      }
      const expected = referenceRecord(kind, sequence, whole)
      // Written after other bytes, into a larger buffer: offsets are honoured and nothing spills.
      const offset = prng.int(40)
      const out = new Uint8Array(offset + expected.length + 8).fill(0xee)
      expect(encodeRecord(out, offset, kind, sequence, payload)).toBe(offset + expected.length)
      expect(out.subarray(offset, offset + expected.length)).toEqual(expected)
      expect([...out.subarray(0, offset), ...out.subarray(offset + expected.length)].every((b) => b === 0xee)).toBe(
        true,
      )
      const parsed = parseSegment(expected, sequence)
      expect(parsed.stop).toBeUndefined()
      expect(parsed.records).toEqual([{ sequence, kind, payload: whole }])
    }
  })
})
