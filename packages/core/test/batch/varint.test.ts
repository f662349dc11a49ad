import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeVarint, encodeVarint, readVarint, varintLength } from '../../src/batch/index.ts'

const bytes = (...values: number[]) => Uint8Array.from(values)

describe('varint (canonical LEB128, §1)', () => {
  it('encodes known values', () => {
    expect(encodeVarint(0n)).toEqual(bytes(0))
    expect(encodeVarint(127n)).toEqual(bytes(0x7f))
    expect(encodeVarint(128n)).toEqual(bytes(0x80, 0x01))
    expect(encodeVarint(300)).toEqual(bytes(0xac, 0x02))
    expect(encodeVarint(2n ** 64n - 1n)).toEqual(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))
  })

  it('round-trips every uint64 and reports its length', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
        const encoded = encodeVarint(value)
        expect(encoded).toHaveLength(varintLength(value))
        expect(decodeVarint(encoded)).toEqual({ ok: true, value, next: encoded.length })
      }),
    )
  })

  it('refuses non-canonical forms', () => {
    expect(readVarint(bytes(0x80, 0x00), 0)).toEqual({ ok: false, problem: 'padded' })
    expect(readVarint(bytes(0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0)).toEqual({
      ok: false,
      problem: 'padded',
    })
    expect(readVarint(new Uint8Array(11).fill(0x80), 0)).toEqual({ ok: false, problem: 'tooLong' })
    expect(readVarint(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02), 0)).toEqual({
      ok: false,
      problem: 'overflow',
    })
    expect(readVarint(bytes(0x80, 0x80), 0)).toEqual({ ok: false, problem: 'truncated' })
    expect(readVarint(bytes(), 0)).toEqual({ ok: false, problem: 'truncated' })
    expect(decodeVarint(bytes(0x01, 0x01))).toEqual({ ok: false, problem: 'trailing' })
  })

  it('respects the end bound and offset', () => {
    expect(readVarint(bytes(9, 0x80, 0x01), 1, 2)).toEqual({ ok: false, problem: 'truncated' })
    expect(readVarint(bytes(9, 0x80, 0x01), 1, 3)).toEqual({ ok: true, value: 128n, next: 3 })
  })

  it('never throws on arbitrary bytes and accepts only what it would write', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 14 }), (input) => {
        const read = readVarint(input, 0)
        if (read.ok) expect(encodeVarint(read.value)).toEqual(input.subarray(0, read.next))
      }),
      { numRuns: 5000 },
    )
  })
})
