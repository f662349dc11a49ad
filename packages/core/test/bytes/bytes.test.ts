import { describe, expect, it } from 'vitest'
import { bigintToBytes, bytesToBigint, bytesToHex, hexToBytes } from '../../src/bytes/index.ts'

/** The helpers as they were before round 11 (a rope per hex string, a regular expression and a substring per byte). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const reference = {
  bytesToHex(bytes: Uint8Array): string {
    let out = '0x'
    for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number]
    return out
  },
  hexToBytes(hex: string): Uint8Array {
    const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
    if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
      throw new TypeError(`not an even-length hex string: ${hex.length > 80 ? `${hex.slice(0, 80)}…` : hex}`)
    }
    const out = new Uint8Array(body.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(body.slice(2 * i, 2 * i + 2), 16)
    return out
  },
  bytesToBigint(bytes: Uint8Array): bigint {
    return bytes.length === 0 ? 0n : BigInt(reference.bytesToHex(bytes))
  },
  bigintToBytes(value: bigint): Uint8Array {
    if (value === 0n) return new Uint8Array(0)
    let hex = value.toString(16)
    if (hex.length % 2) hex = `0${hex}`
    return reference.hexToBytes(hex)
  },
}

/** A deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function randomBytes(next: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = Math.floor(next() * 256)
  // Leading zero bytes and 0xff runs are where the number paths could go wrong.
  if (length > 0 && next() < 0.2) out[0] = 0
  if (length > 1 && next() < 0.1) out.fill(0xff)
  return out
}

describe('bytes helpers', () => {
  it('bytesToHex, bytesToBigint and bigintToBytes equal the reference on random inputs of every length up to 80', () => {
    const next = random(11)
    for (let length = 0; length <= 80; length++) {
      for (let k = 0; k < 40; k++) {
        const bytes = randomBytes(next, length)
        expect(bytesToHex(bytes)).toBe(reference.bytesToHex(bytes))
        const value = bytesToBigint(bytes)
        expect(value).toBe(reference.bytesToBigint(bytes))
        expect(bigintToBytes(value)).toEqual(reference.bigintToBytes(value))
      }
    }
  })

  it('reads a view at an offset in a larger buffer, and a Buffer', () => {
    const backing = Uint8Array.from({ length: 200 }, (_, i) => i)
    for (const [from, to] of [
      [3, 10],
      [5, 37],
      [100, 190],
    ] as const) {
      const view = backing.subarray(from, to)
      expect(bytesToHex(view)).toBe(reference.bytesToHex(view))
      expect(bytesToBigint(view)).toBe(reference.bytesToBigint(view))
    }
    const buffer = Buffer.from('00ff10', 'hex')
    expect(bytesToHex(buffer)).toBe('0x00ff10')
  })

  it('bigintToBytes around the safe-integer boundary and for wide values', () => {
    for (const value of [
      1n,
      255n,
      256n,
      2n ** 48n - 1n,
      2n ** 48n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 53n + 1n,
      2n ** 256n - 1n,
    ]) {
      expect(bigintToBytes(value)).toEqual(reference.bigintToBytes(value))
      expect(bytesToBigint(bigintToBytes(value))).toBe(value)
    }
    expect(() => bigintToBytes(-1n)).toThrow(RangeError)
  })

  it('hexToBytes equals the reference, and refuses what it refused with the same message', () => {
    const next = random(12)
    for (let length = 0; length <= 40; length++) {
      const hex = reference.bytesToHex(randomBytes(next, length))
      for (const form of [hex, hex.slice(2), `0X${hex.slice(2)}`, hex.toUpperCase().replace('0X', '0x')]) {
        expect(hexToBytes(form)).toEqual(reference.hexToBytes(form))
      }
    }
    for (const bad of ['0x1', '0xzz', '0x0g', 'x0', '0x 0', '0x١٢', `0x${'ab'.repeat(50)}g0`, '0', '0x0\u0130']) {
      expect(() => reference.hexToBytes(bad)).toThrow(TypeError)
      expect(() => hexToBytes(bad)).toThrow(new TypeError(captureMessage(() => reference.hexToBytes(bad))))
    }
  })
})

function captureMessage(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected a throw')
}
