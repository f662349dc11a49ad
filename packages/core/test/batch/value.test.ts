import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { seededFloats } from '../../../../test/support/prng.ts'
import { BatchEncodeError, decodeValue, encodeValue, valueParts } from '../../src/batch/index.ts'

describe('value = mantissa × 10^exponent (§5.5)', () => {
  it('chooses the largest exponent that divides exactly', () => {
    expect(valueParts(5n * 10n ** 16n)).toEqual({ exponent: 16, mantissa: 5n })
    expect(encodeValue(5n * 10n ** 16n)).toEqual(Uint8Array.from([16, 5]))
    expect(valueParts(0n)).toEqual({ exponent: 0, mantissa: 0n })
    expect(valueParts(1230n)).toEqual({ exponent: 1, mantissa: 123n })
    expect(valueParts(10n ** 77n)).toEqual({ exponent: 77, mantissa: 1n })
    // Every uint256 has a form: a "send max" with all 18 decimals is a wide mantissa, not a refusal.
    expect(valueParts(20_123_456_789_012_345_678n)).toEqual({ exponent: 0, mantissa: 20_123_456_789_012_345_678n })
    expect(valueParts(2n ** 256n - 1n)).toEqual({ exponent: 0, mantissa: 2n ** 256n - 1n })
    expect(encodeValue(2n ** 256n - 1n)).toHaveLength(1 + 37)
  })

  it('round-trips every value it can express', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.integer({ min: 0, max: 77 }), (m, e) => {
        const value = (m * 10n ** BigInt(e)) % 2n ** 256n
        const encoded = encodeValue(value)
        expect(decodeValue(encoded)).toEqual({ ok: true, value, next: encoded.length })
      }),
    )
  })

  it('refuses values ≥ 2^256 and negative values', () => {
    expect(() => encodeValue(2n ** 256n)).toThrow(BatchEncodeError)
    expect(() => encodeValue(2n ** 256n)).toThrow(/2\^256/)
    expect(() => encodeValue(-1n)).toThrow(/negative/)
  })

  it('decoding refuses exponent > 77 and values ≥ 2^256', () => {
    expect(decodeValue(Uint8Array.from([78, 1]))).toEqual({ ok: false, problem: 'value: exponent 78 is above 77' })
    const tooBig = decodeValue(Uint8Array.from([77, 2]))
    expect(tooBig.ok).toBe(false)
    if (!tooBig.ok) expect(tooBig.problem).toMatch(/2\^256 or more/)
    expect(decodeValue(Uint8Array.from([77, 1]))).toEqual({ ok: true, value: 10n ** 77n, next: 2 })
    // A 38-byte mantissa is too long even where its value would fit; padding is refused.
    const long = new Uint8Array(39).fill(0x80)
    long[0] = 0
    long[38] = 0x01
    expect(decodeValue(long).ok).toBe(false)
    expect(decodeValue(Uint8Array.from([0, 0x80, 0x00])).ok).toBe(false)
  })
})

describe('valueParts against the definition', () => {
  /** The shortest form by its definition: divide by ten while it divides. */
  function byDefinition(value: bigint): { exponent: number; mantissa: bigint } {
    if (value === 0n) return { exponent: 0, mantissa: 0n }
    let mantissa = value
    let exponent = 0
    while (mantissa % 10n === 0n) {
      mantissa /= 10n
      exponent++
    }
    return { exponent, mantissa }
  }

  it('gives the largest exponent that divides exactly, for values with 0 to 77 trailing zeros', () => {
    const next = seededFloats(0x2545f491)
    for (let i = 0; i < 5_000; i++) {
      const digits = 1 + Math.floor(next() * 40)
      let mantissa = 0n
      for (let d = 0; d < digits; d++) mantissa = mantissa * 10n + BigInt(Math.floor(next() * 10))
      const zeros = Math.floor(next() * 78)
      const value = mantissa * 10n ** BigInt(zeros)
      if (value >= 2n ** 256n) continue
      expect(valueParts(value), `case ${i}: ${value}`).toEqual(byDefinition(value))
    }
    for (const value of [
      1n,
      10n ** 14n,
      10n ** 15n,
      10n ** 15n + 1n,
      10n ** 16n,
      10n ** 30n,
      7n * 10n ** 15n,
      2n ** 255n,
    ]) {
      expect(valueParts(value)).toEqual(byDefinition(value))
    }
  })
})
