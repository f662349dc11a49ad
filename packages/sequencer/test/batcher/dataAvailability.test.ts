import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  blobDataCost,
  calldataDataCost,
  chooseDataAvailability,
  DATA_AVAILABILITY_HYSTERESIS_PERCENT,
  type L1DataPrices,
} from '../../src/batcher/dataAvailability.ts'

const gwei = 1_000_000_000n

describe('chooseDataAvailability', () => {
  it('takes blobs or calldata as asked, whatever the prices', () => {
    const prices: L1DataPrices = { baseFeePerGas: 1n, blobBaseFee: 10n ** 18n }
    expect(chooseDataAvailability({ mode: 'blobs', prices, bytes: 10, blobCount: 1 })).toBe('blobs')
    expect(
      chooseDataAvailability({ mode: 'calldata', prices: { ...prices, blobBaseFee: 1n }, bytes: 1e5, blobCount: 1 }),
    ).toBe('calldata')
  })

  it('auto posts calldata when the L1 has no blobs', () => {
    const prices = { baseFeePerGas: gwei, blobBaseFee: undefined }
    expect(chooseDataAvailability({ mode: 'auto', prices, bytes: 700_000, blobCount: 6 })).toBe('calldata')
  })

  it('auto picks the cheaper way for the same batch: a full blob beats calldata, one tiny batch in a whole blob does not', () => {
    const prices = { baseFeePerGas: gwei, blobBaseFee: gwei }
    // 126,972 bytes: 40 × 126,972 = 5.08M gas of calldata against 131,072 blob gas.
    expect(chooseDataAvailability({ mode: 'auto', prices, bytes: 126_972, blobCount: 1 })).toBe('blobs')
    // 1,000 bytes: 40,000 gas of calldata against a whole blob's 131,072.
    expect(chooseDataAvailability({ mode: 'auto', prices, bytes: 1_000, blobCount: 1 })).toBe('calldata')
    // The break-even of one blob at equal prices is 131,072 / 40 = 3,276.8 bytes.
    expect(chooseDataAvailability({ mode: 'auto', prices, bytes: 3_276, blobCount: 1 })).toBe('calldata')
    expect(chooseDataAvailability({ mode: 'auto', prices, bytes: 3_277, blobCount: 1 })).toBe('blobs')
  })

  it('auto keeps its last choice within the hysteresis band and switches beyond it', () => {
    const baseFeePerGas = gwei
    const bytes = 100_000
    const calldata = calldataDataCost({ baseFeePerGas, blobBaseFee: 0n }, bytes)
    // A blob base fee that makes one blob cost exactly `percent`% of the calldata cost.
    const at = (percent: bigint): L1DataPrices => ({
      baseFeePerGas,
      blobBaseFee: (calldata * percent) / (100n * 131_072n),
    })
    const h = DATA_AVAILABILITY_HYSTERESIS_PERCENT
    // Blobs slightly dearer than calldata: kept after blobs, not chosen after calldata.
    expect(
      chooseDataAvailability({ mode: 'auto', prices: at(100n + h / 2n), bytes, blobCount: 1, previous: 'blobs' }),
    ).toBe('blobs')
    expect(
      chooseDataAvailability({ mode: 'auto', prices: at(100n + h / 2n), bytes, blobCount: 1, previous: 'calldata' }),
    ).toBe('calldata')
    // Blobs slightly cheaper: calldata is kept after calldata.
    expect(
      chooseDataAvailability({ mode: 'auto', prices: at(100n - h / 2n), bytes, blobCount: 1, previous: 'calldata' }),
    ).toBe('calldata')
    // Well beyond the band, both switch.
    expect(
      chooseDataAvailability({ mode: 'auto', prices: at(100n + 3n * h), bytes, blobCount: 1, previous: 'blobs' }),
    ).toBe('calldata')
    expect(
      chooseDataAvailability({ mode: 'auto', prices: at(100n - 3n * h), bytes, blobCount: 1, previous: 'calldata' }),
    ).toBe('blobs')
  })

  it('auto never flaps: a choice repeated at the same prices stays the same', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 1, max: 761_852 }),
        fc.integer({ min: 1, max: 6 }),
        (baseFeePerGas, blobBaseFee, bytes, blobCount) => {
          const prices = { baseFeePerGas, blobBaseFee }
          const first = chooseDataAvailability({ mode: 'auto', prices, bytes, blobCount })
          const second = chooseDataAvailability({ mode: 'auto', prices, bytes, blobCount, previous: first })
          expect(second).toBe(first)
          const blobs = blobDataCost(prices, blobCount) as bigint
          expect(first).toBe(blobs < calldataDataCost(prices, bytes) ? 'blobs' : 'calldata')
        },
      ),
    )
  })
})
