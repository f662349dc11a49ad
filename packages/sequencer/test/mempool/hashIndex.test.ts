import { describe, expect, it } from 'vitest'
import { seededFloats } from '../../../../test/support/prng.ts'
import { HashIndex } from '../../src/mempool/hashIndex.ts'

function hexKey(next: () => number, length = 64): string {
  let key = ''
  for (let i = 0; i < length; i++) key += Math.floor(next() * 16).toString(16)
  return key
}

describe('HashIndex', () => {
  it('agrees with a Map through random sets, deletes and lookups, pools that fill and drain', () => {
    const next = seededFloats(11)
    const index = new HashIndex<number>()
    const map = new Map<string, number>()
    const live: string[] = []
    for (let round = 0; round < 40; round++) {
      const target = Math.floor(next() * 6_000)
      // fill towards the target, with re-sets of present keys and keys that share their first 8 characters
      while (map.size < target) {
        const r = next()
        const key =
          r < 0.1 && live.length > 0
            ? (live[Math.floor(next() * live.length)] as string)
            : r < 0.25
              ? `deadbeef${hexKey(next, 56)}`
              : r < 0.3
                ? hexKey(next, Math.floor(next() * 9))
                : hexKey(next)
        if (!map.has(key)) live.push(key)
        map.set(key, round)
        index.set(key, round)
      }
      // drain most of it, in random order, with misses mixed in
      while (map.size > target / 8 && live.length > 0) {
        const at = Math.floor(next() * live.length)
        const key = live[at] as string
        live[at] = live[live.length - 1] as string
        live.pop()
        expect(index.delete(key)).toBe(map.delete(key))
        const miss = hexKey(next)
        expect(index.delete(miss)).toBe(map.delete(miss))
      }
      expect(index.size).toBe(map.size)
      for (const [key, value] of map) {
        expect(index.get(key)).toBe(value)
        expect(index.has(key)).toBe(true)
      }
      for (let i = 0; i < 200; i++) {
        const key = next() < 0.5 ? `deadbeef${hexKey(next, 56)}` : hexKey(next)
        expect(index.get(key)).toBe(map.get(key))
        expect(index.has(key)).toBe(map.has(key))
      }
    }
  })

  it('keeps its capacity when it empties, and finds every key again after growing', () => {
    const next = seededFloats(5)
    const index = new HashIndex<string>()
    const keys = Array.from({ length: 5_000 }, () => hexKey(next))
    for (const key of keys) index.set(key, key)
    const capacity = index.capacity
    expect(capacity).toBeGreaterThanOrEqual(10_000)
    for (const key of keys) expect(index.get(key)).toBe(key)
    for (const key of keys) expect(index.delete(key)).toBe(true)
    expect(index.size).toBe(0)
    expect(index.capacity).toBe(capacity)
    for (const key of keys) expect(index.has(key)).toBe(false)
    for (const key of keys.slice(0, 3_000)) index.set(key, key)
    expect(index.capacity).toBe(capacity)
    expect(index.get(keys[2_999] as string)).toBe(keys[2_999])
  })
})
