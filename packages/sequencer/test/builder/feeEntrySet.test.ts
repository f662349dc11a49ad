import { feeKey } from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { seededFloats } from '../../../../test/support/prng.ts'
import { FeeEntrySet } from '../../src/builder/feeEntrySet.ts'

function pick<V>(next: () => number, values: readonly V[]): V {
  return values[Math.floor(next() * values.length)] as V
}

describe('FeeEntrySet', () => {
  it('counts the same distinct entries as a set of fee keys', () => {
    const next = seededFloats(42)
    const set = new FeeEntrySet()
    const keys = new Set<string>()
    for (let i = 0; i < 5_000; i++) {
      const maxFee = BigInt(Math.floor(next() * 6)) * 10n ** 9n
      const tip = BigInt(Math.floor(next() * 4))
      const gas = pick(next, [21_000n, 21_000n, 50_000n])
      const key = feeKey(maxFee, tip, gas)
      expect(set.add(maxFee, tip, gas)).toBe(!keys.has(key))
      keys.add(key)
      expect(set.size).toBe(keys.size)
    }
  })
})
