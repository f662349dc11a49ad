import { describe, expect, it } from 'vitest'
import { decodeBatchHeader, encodeBatchHeader, encodeForcedBatch } from '../../src/batch/index.ts'
import { hexToBytes } from '../../src/bytes/index.ts'

describe('batch header (§5.2)', () => {
  it('is version ‖ uint64 delayedCountAfter ‖ uint32 slotCount', () => {
    const header = { version: 1 as const, delayedCountAfter: 0x0102030405060708n, slotCount: 0x0a0b }
    const bytes = encodeBatchHeader(header)
    expect(bytes).toEqual(hexToBytes('0x01010203040506070800000a0b'))
    expect(encodeBatchHeader({ ...header, slotCount: 0x0a0b0c0d })).toEqual(hexToBytes('0x0101020304050607080a0b0c0d'))
    const batch = new Uint8Array(13 + 64 * 0x0a0b)
    batch.set(bytes)
    expect(decodeBatchHeader(batch)).toEqual(header)
  })

  it('a forced batch is exactly the header (0, upTo, 0)', () => {
    expect(encodeForcedBatch(5n)).toEqual(hexToBytes('0x00000000000000000500000000'))
    expect(decodeBatchHeader(encodeForcedBatch(5n))).toEqual({ version: 0, delayedCountAfter: 5n, slotCount: 0 })
  })

  it('is undefined for bytes the inbox refuses: short, unknown version, more than one slot per 64 body bytes', () => {
    expect(decodeBatchHeader(new Uint8Array(12))).toBeUndefined()
    expect(decodeBatchHeader(hexToBytes('0x02000000000000000000000000'))).toBeUndefined()
    const oneSlot = (bodyBytes: number) => {
      const batch = new Uint8Array(13 + bodyBytes)
      batch.set(hexToBytes('0x01000000000000000000000001'))
      return decodeBatchHeader(batch)
    }
    expect(oneSlot(0)).toBeUndefined()
    expect(oneSlot(63)).toBeUndefined()
    expect(oneSlot(64)?.slotCount).toBe(1)
  })

  it('refuses fields that do not fit', () => {
    expect(() => encodeBatchHeader({ version: 1, delayedCountAfter: 2n ** 64n, slotCount: 0 })).toThrow(/uint64/)
    expect(() => encodeBatchHeader({ version: 1, delayedCountAfter: 0n, slotCount: 2 ** 32 })).toThrow(/uint32/)
  })
})
