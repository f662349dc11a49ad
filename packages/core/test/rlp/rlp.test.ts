import { readFileSync } from 'node:fs'
import { encode as encodeEthereumjs } from '@ethereumjs/rlp'
import fc from 'fast-check'
import { toRlp } from 'viem'
import { describe, expect, it } from 'vitest'
import { vectorPath, vectorsPresent } from '../../../../test/support/vectors.ts'
import { bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import {
  decodeRlp,
  decodeRlpInteger,
  encodeRlp,
  encodeRlpInteger,
  type RlpDecoded,
  RlpDecodeError,
  type RlpDecodeProblem,
  RlpEncodeError,
  type RlpInput,
} from '../../src/rlp/index.ts'

type VectorIn = string | number | VectorIn[]

/** ethereum/tests notation: strings are bytes (UTF-8), numbers and `#<decimal>` strings are integers. */
function vectorToInput(value: VectorIn): RlpInput {
  if (Array.isArray(value)) return value.map(vectorToInput)
  if (typeof value === 'number') return BigInt(value)
  if (value.startsWith('#')) return BigInt(value.slice(1))
  return new TextEncoder().encode(value)
}

/** Checks a decoded item against the vector's input, reading integers canonically. */
function expectDecodedMatches(decoded: RlpDecoded, value: VectorIn): void {
  if (Array.isArray(value)) {
    expect(Array.isArray(decoded)).toBe(true)
    const list = decoded as RlpDecoded[]
    expect(list.length).toBe(value.length)
    for (const [i, v] of value.entries()) expectDecodedMatches(list[i] as RlpDecoded, v)
    return
  }
  if (typeof value === 'number' || value.startsWith('#')) {
    const expected = typeof value === 'number' ? BigInt(value) : BigInt(value.slice(1))
    expect(decodeRlpInteger(decoded)).toBe(expected)
    return
  }
  expect(decoded).toEqual(new TextEncoder().encode(value))
}

function problemOf(bytes: Uint8Array): RlpDecodeProblem | 'accepted' {
  try {
    decodeRlp(bytes)
    return 'accepted'
  } catch (error) {
    expect(error).toBeInstanceOf(RlpDecodeError)
    expect((error as RlpDecodeError).severity).toBe('invalidInput')
    return (error as RlpDecodeError).problem
  }
}

describe.skipIf(!vectorsPresent)('ethereum/tests RLP vectors', () => {
  const valid = JSON.parse(readFileSync(vectorPath('ethereum-tests', 'RLPTests', 'rlptest.json'), 'utf8')) as Record<
    string,
    { in: VectorIn; out: string }
  >
  const invalid = JSON.parse(
    readFileSync(vectorPath('ethereum-tests', 'RLPTests', 'invalidRLPTest.json'), 'utf8'),
  ) as Record<string, { in: string; out: string }>

  it('has the vectors', () => {
    expect(Object.keys(valid).length).toBeGreaterThanOrEqual(28)
    expect(Object.keys(invalid).length).toBeGreaterThanOrEqual(26)
  })

  for (const [name, vector] of Object.entries(valid)) {
    it(`encodes and decodes ${name}`, () => {
      const out = hexToBytes(vector.out)
      expect(bytesToHex(encodeRlp(vectorToInput(vector.in)))).toBe(bytesToHex(out))
      expectDecodedMatches(decodeRlp(out), vector.in)
    })
  }

  for (const [name, vector] of Object.entries(invalid)) {
    it(`refuses ${name}`, () => {
      expect(problemOf(hexToBytes(vector.out))).not.toBe('accepted')
    })
  }
})

describe('decodeRlp refuses each kind of bad input, saying why', () => {
  const cases: [string, string, RlpDecodeProblem][] = [
    ['empty input', '', 'empty'],
    ['0x00 wrapped', '8100', 'nonCanonicalSingleByte'],
    ['0x7f wrapped', '817f', 'nonCanonicalSingleByte'],
    ['string length with a leading zero', `b90040${'00'.repeat(64)}`, 'leadingZeroLength'],
    ['list length with a leading zero', `f90040${'00'.repeat(64)}`, 'leadingZeroLength'],
    ['long-form string of 1 byte', 'b801ff', 'nonCanonicalLongForm'],
    ['long-form string of 55 bytes', `b837${'ff'.repeat(55)}`, 'nonCanonicalLongForm'],
    ['long-form list of 3 bytes', 'f803112233', 'nonCanonicalLongForm'],
    ['trailing byte after a string', '0102', 'trailingBytes'],
    ['trailing list after a list', 'c0c0', 'trailingBytes'],
    ['string past the input', '83aabb', 'lengthPastInput'],
    ['list past the input', 'c3aabb', 'lengthPastInput'],
    ['item past its enclosing list', 'c283aabbcc', 'lengthPastInput'],
    ['long string past the input', `b838${'aa'.repeat(55)}`, 'lengthPastInput'],
    ['long list past the input', `f838${'01'.repeat(55)}`, 'lengthPastInput'],
    ['missing length bytes', 'b9', 'lengthPastInput'],
    ['length wider than the input', 'bf0f000000000000021111', 'lengthPastInput'],
  ]
  for (const [name, hex, problem] of cases) {
    it(name, () => {
      expect(problemOf(hexToBytes(hex))).toBe(problem)
    })
  }

  it('says what is wrong in the message', () => {
    expect(() => decodeRlp(hexToBytes('0x8100'))).toThrow(/single byte below 0x80/)
  })
})

describe('decodeRlpInteger', () => {
  it('reads empty as 0 and canonical bytes as their value', () => {
    expect(decodeRlpInteger(new Uint8Array(0))).toBe(0n)
    expect(decodeRlpInteger(hexToBytes('0x0100'))).toBe(256n)
    expect(decodeRlpInteger(hexToBytes(`0x${'ff'.repeat(32)}`), 32)).toBe(2n ** 256n - 1n)
  })
  it('refuses a leading zero byte, including a lone zero byte', () => {
    expect(() => decodeRlpInteger(hexToBytes('0x00'))).toThrow(RlpDecodeError)
    expect(() => decodeRlpInteger(hexToBytes('0x0001'))).toThrow(/leading zero/)
  })
  it('refuses a list and a value wider than the limit', () => {
    expect(() => decodeRlpInteger([])).toThrow(/list/)
    expect(() => decodeRlpInteger(hexToBytes(`0x01${'00'.repeat(8)}`), 8)).toThrow(/at most 8/)
  })
})

describe('encodeRlp', () => {
  it('encodes integers minimally', () => {
    expect(bytesToHex(encodeRlpInteger(0n))).toBe('0x80')
    expect(bytesToHex(encodeRlpInteger(127n))).toBe('0x7f')
    expect(bytesToHex(encodeRlpInteger(128n))).toBe('0x8180')
  })
  it('refuses a negative integer with its own error', () => {
    expect(() => encodeRlpInteger(-1n)).toThrow(RlpEncodeError)
    expect(() => encodeRlp([1n, [-5n]])).toThrow(RlpEncodeError)
  })
})

describe('round trips (fast-check)', () => {
  const item: fc.Arbitrary<RlpDecoded> = fc.letrec<{ item: RlpDecoded }>((tie) => ({
    item: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(
        fc.uint8Array({ maxLength: 3 }),
        fc.uint8Array({ minLength: 50, maxLength: 70 }),
        fc.uint8Array({ maxLength: 300 }),
      ),
      fc.array(tie('item'), { maxLength: 6 }),
    ),
  })).item

  it('decode(encode(x)) = x, and the encoding is viem’s', () => {
    fc.assert(
      fc.property(item, (value) => {
        const encoded = encodeRlp(value)
        expect(decodeRlp(encoded)).toEqual(value)
        expect(bytesToHex(encoded)).toBe(toRlp(value as Parameters<typeof toRlp>[0], 'hex'))
      }),
      { seed: 0x51ce, numRuns: 2000 },
    )
  })

  it('encodes integers, long strings and long lists exactly as @ethereumjs/rlp does', () => {
    const leaf: fc.Arbitrary<RlpInput> = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 300n }),
      fc.bigInt({ min: 0n, max: 300n }),
      fc.uint8Array({ maxLength: 2 }),
      fc.uint8Array({ minLength: 54, maxLength: 60 }),
      fc.uint8Array({ minLength: 250, maxLength: 70_000 }),
    )
    const { value } = fc.letrec<{ value: RlpInput }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 80 })),
    }))
    fc.assert(
      fc.property(value, (input) => {
        expect(bytesToHex(encodeRlp(input))).toBe(
          bytesToHex(encodeEthereumjs(input as Parameters<typeof encodeEthereumjs>[0])),
        )
      }),
      { seed: 0x51ce, numRuns: 300 },
    )
  })

  it('integers round-trip through encodeRlpInteger and decodeRlpInteger', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 300n }), (n) => {
        expect(decodeRlpInteger(decodeRlp(encodeRlpInteger(n)))).toBe(n)
      }),
      { seed: 0x51ce, numRuns: 2000 },
    )
  })

  it('any bytes that decode are the canonical encoding of what they decode to', () => {
    // Random bytes, and valid encodings with one byte changed or cut short.
    const mutated = fc
      .tuple(item, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
      .map(([value, at, byte, truncate]) => {
        const bytes = encodeRlp(value).slice()
        const i = at % bytes.length
        if (truncate) return bytes.subarray(0, i)
        bytes[i] = byte
        return bytes
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), mutated), (bytes) => {
        let decoded: RlpDecoded
        try {
          decoded = decodeRlp(bytes)
        } catch (error) {
          expect(error).toBeInstanceOf(RlpDecodeError)
          return
        }
        expect(encodeRlp(decoded)).toEqual(bytes)
      }),
      { seed: 0x51ce, numRuns: 5000 },
    )
  })
})
