import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readUint, writeUint } from '../../src/batch/fixed.ts'

describe('readUint', () => {
  it('reads back what writeUint wrote, for every field width, at any offset of a view into a larger buffer', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8, 12, 16, 32),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.nat(40),
        fc.nat(7),
        (size, wide, offset, viewOffset) => {
          const value = wide & ((1n << BigInt(8 * size)) - 1n)
          const backing = new Uint8Array(viewOffset + offset + size + 9).fill(0xa5)
          const view = backing.subarray(viewOffset)
          writeUint(value, view, offset, size)
          expect(readUint(view, offset, size)).toBe(value)
        },
      ),
    )
  })

  it('reads a 32-byte field as its big-endian value', () => {
    const bytes = Uint8Array.from({ length: 33 }, (_, i) => i)
    const hex = Buffer.from(bytes.subarray(1)).toString('hex')
    expect(readUint(bytes, 1, 32)).toBe(BigInt(`0x${hex}`))
  })
})
