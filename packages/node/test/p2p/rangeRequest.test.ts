import { encodeRlp } from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { decodeRangeRequest, encodeRangeRequest, MAX_RANGE_COUNT, RangeRequestError } from '../../src/p2p/index.ts'

function problemOf(action: () => unknown): string {
  try {
    action()
    return 'no error'
  } catch (error) {
    return error instanceof RangeRequestError ? error.problem : 'other error'
  }
}

describe('blocks-by-range request', () => {
  it('is rlp([from, count]) and round-trips', () => {
    expect(encodeRangeRequest(1000n, 256)).toEqual(encodeRlp([1000n, 256n]))
    expect(decodeRangeRequest(encodeRangeRequest(0n, 1))).toEqual({ from: 0n, count: 1 })
    expect(decodeRangeRequest(encodeRangeRequest(2n ** 64n - 256n, MAX_RANGE_COUNT))).toEqual({
      from: 2n ** 64n - 256n,
      count: MAX_RANGE_COUNT,
    })
  })

  it('refuses counts out of range, overflow and malformed bytes', () => {
    expect(problemOf(() => encodeRangeRequest(1n, 0))).toBe('invalidRequest')
    expect(problemOf(() => encodeRangeRequest(1n, MAX_RANGE_COUNT + 1))).toBe('invalidRequest')
    expect(problemOf(() => encodeRangeRequest(2n ** 64n - 1n, 2))).toBe('invalidRequest')
    const bad = [
      new Uint8Array(0),
      new Uint8Array([0xc2, 0x01]),
      encodeRlp([1n]),
      encodeRlp([1n, 2n, 3n]),
      encodeRlp([1n, 0n]),
      encodeRlp([1n, BigInt(MAX_RANGE_COUNT + 1)]),
      encodeRlp([2n ** 64n, 1n]),
      encodeRlp([new Uint8Array([0, 1]), 1n]),
      encodeRlp([[], 1n]),
    ]
    for (const bytes of bad) expect(problemOf(() => decodeRangeRequest(bytes))).toBe('invalidRequest')
  })
})
