import { describe, expect, it } from 'vitest'
import { SequenceSet } from '../../src/intake/sequenceSet.ts'

/** A deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** The watermark loop `TransactionIntake` ran over a Set. */
function firstFromSet(set: Set<number>, from: number, end: number): number {
  let low = from
  while (low < end && !set.has(low)) low++
  return low
}

describe('SequenceSet', () => {
  it('agrees with a Set through random adds and deletes, in order and out of it, across window growth', () => {
    for (const seed of [1, 2, 3, 4]) {
      const next = random(seed)
      const set = new SequenceSet()
      const reference = new Set<number>()
      let sequence = Math.floor(next() * 1000)
      for (let step = 0; step < 30_000; step++) {
        const roll = next()
        if (roll < 0.45) {
          // Logged in order; now and then a jump far ahead (the window grows) or a record below the rest.
          sequence += next() < 0.01 ? 40_000 + Math.floor(next() * 100_000) : 1
          const added = next() < 0.02 && reference.size > 0 ? Math.max(0, Math.min(...reference) - 5) : sequence
          set.add(added)
          reference.add(added)
        } else if (roll < 0.9 && reference.size > 0) {
          // Resolved mostly oldest first, sometimes any.
          const members = [...reference]
          const victim =
            next() < 0.7 ? Math.min(...members.slice(0, 8)) : (members[Math.floor(next() * members.length)] as number)
          expect(set.delete(victim)).toBe(true)
          reference.delete(victim)
        } else {
          const probe = sequence - Math.floor(next() * 50)
          expect(set.delete(probe)).toBe(reference.delete(probe))
        }
        if (step % 97 === 0) {
          expect(set.size).toBe(reference.size)
          const from = Math.max(0, sequence - Math.floor(next() * 3000))
          const end = sequence + 1
          const first = set.firstFrom(from)
          expect(first === undefined || first > end ? end : first).toBe(firstFromSet(reference, from, end))
          for (let probe = sequence - 40; probe <= sequence + 2; probe++)
            expect(set.has(probe)).toBe(reference.has(probe))
        }
      }
    }
  })

  it('is empty again once every member left, and starts its window anywhere', () => {
    const set = new SequenceSet()
    expect(set.firstFrom(0)).toBeUndefined()
    set.add(5)
    set.add(7)
    expect(set.firstFrom(0)).toBe(5)
    expect(set.firstFrom(6)).toBe(7)
    expect(set.delete(5)).toBe(true)
    expect(set.delete(5)).toBe(false)
    expect(set.firstFrom(0)).toBe(7)
    set.delete(7)
    expect(set.size).toBe(0)
    set.add(2 ** 40)
    expect(set.has(2 ** 40)).toBe(true)
    expect(set.firstFrom(3)).toBe(2 ** 40)
  })
})
