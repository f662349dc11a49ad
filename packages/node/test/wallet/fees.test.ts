import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type L1Fees, replacementFees } from '../../src/wallet/fees.ts'

/** geth's test for a replacement: every cap ≥ old × (100 + bump) / 100, and the same pool (blob or not). */
function gethAccepts(previous: L1Fees, next: L1Fees): boolean {
  const blob = previous.maxFeePerBlobGas !== undefined
  if (blob !== (next.maxFeePerBlobGas !== undefined)) return false
  const bump = blob ? 100n : 10n
  const ok = (old: bigint, value: bigint) => value * 100n >= old * (100n + bump)
  return (
    ok(previous.maxPriorityFeePerGas, next.maxPriorityFeePerGas) &&
    ok(previous.maxFeePerGas, next.maxFeePerGas) &&
    (!blob || ok(previous.maxFeePerBlobGas as bigint, next.maxFeePerBlobGas as bigint))
  )
}

const fee = fc.bigInt({ min: 0n, max: 10n ** 15n })
const fees = (blob: boolean) =>
  fc.record({
    maxFeePerGas: fee,
    maxPriorityFeePerGas: fee,
    ...(blob ? { maxFeePerBlobGas: fee } : {}),
  }) as fc.Arbitrary<L1Fees>

describe('replacementFees', () => {
  it('a blob transaction is replaced with every cap doubled (geth blobpool), at least the market', () => {
    const previous = { maxFeePerGas: 30n, maxPriorityFeePerGas: 2n, maxFeePerBlobGas: 5n }
    const market = { maxFeePerGas: 40n, maxPriorityFeePerGas: 1n, maxFeePerBlobGas: 3n }
    expect(replacementFees(previous, market)).toEqual({
      maxFeePerGas: 60n,
      maxPriorityFeePerGas: 4n,
      maxFeePerBlobGas: 10n,
    })
    // The market above the doubled fees wins.
    expect(replacementFees(previous, { maxFeePerGas: 100n, maxPriorityFeePerGas: 9n, maxFeePerBlobGas: 50n })).toEqual({
      maxFeePerGas: 100n,
      maxPriorityFeePerGas: 9n,
      maxFeePerBlobGas: 50n,
    })
  })

  it('a non-blob transaction is replaced with its caps 10% up (geth legacy pool), rounded up so 1 wei moves', () => {
    expect(
      replacementFees(
        { maxFeePerGas: 100n, maxPriorityFeePerGas: 1n },
        { maxFeePerGas: 50n, maxPriorityFeePerGas: 1n },
      ),
    ).toEqual({
      maxFeePerGas: 110n,
      maxPriorityFeePerGas: 2n,
    })
  })

  it('a blob replacement stays a blob transaction even when the market quote has no blob fee', () => {
    const next = replacementFees(
      { maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, maxFeePerBlobGas: 1n },
      { maxFeePerGas: 10n, maxPriorityFeePerGas: 1n },
    )
    expect(next.maxFeePerBlobGas).toBe(2n)
  })

  it('every replacement passes geth’s rule, covers the market, and keeps the tip within the fee cap', () => {
    for (const blob of [false, true]) {
      fc.assert(
        fc.property(fees(blob), fees(blob), (previous, market) => {
          const next = replacementFees(previous, market)
          expect(gethAccepts(previous, next)).toBe(true)
          expect(next.maxFeePerGas >= market.maxFeePerGas).toBe(true)
          expect(next.maxPriorityFeePerGas >= market.maxPriorityFeePerGas).toBe(true)
          expect(next.maxPriorityFeePerGas <= next.maxFeePerGas).toBe(true)
          if (blob) expect((next.maxFeePerBlobGas as bigint) >= (market.maxFeePerBlobGas as bigint)).toBe(true)
        }),
      )
    }
  })
})
