/** The smallest table: 1,024 slots. */
const MIN_CAPACITY = 1 << 10

/**
 * A map from string keys to values (the pool's transactions by hash key) whose table only grows.
 * A `Map` re-allocates its table whenever it falls below a quarter full and again as it fills: the
 * pool empties into every block and refills before the next, so its `Map` of a few thousand hashes
 * was shrunk and regrown every block (~440 B allocated per transfer). This table keeps the capacity
 * of the largest pool it has held (two slots per entry at most; 8 B per slot).
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones, so no rehash but
 * growth). The slot comes from the key's first eight characters: the pool's keys are hex of hashes,
 * uniform there; any other string still works, only with more probing. The slot's multiplier is
 * drawn per process: a client grinding signatures cannot aim its transactions' hashes at one run of
 * slots it can predict (a `Map`'s string hashes are seeded for the same reason).
 */
export class HashIndex<V> {
  #keys: (string | undefined)[]
  #values: (V | undefined)[]
  #mask: number
  /** 32 minus log2 of the capacity: a slot is the top bits of the key's mixed hash. */
  #shift: number
  #size = 0

  constructor() {
    this.#keys = new Array<string | undefined>(MIN_CAPACITY).fill(undefined)
    this.#values = new Array<V | undefined>(MIN_CAPACITY).fill(undefined)
    this.#mask = MIN_CAPACITY - 1
    this.#shift = 32 - Math.log2(MIN_CAPACITY)
  }

  get size(): number {
    return this.#size
  }

  /** Slots in the table (for tests: it never shrinks). */
  get capacity(): number {
    return this.#mask + 1
  }

  get(key: string): V | undefined {
    const keys = this.#keys
    const mask = this.#mask
    for (let i = slotOf(key) >>> this.#shift; ; i = (i + 1) & mask) {
      const at = keys[i]
      if (at === undefined) return undefined
      if (at === key) return this.#values[i]
    }
  }

  has(key: string): boolean {
    const keys = this.#keys
    const mask = this.#mask
    for (let i = slotOf(key) >>> this.#shift; ; i = (i + 1) & mask) {
      const at = keys[i]
      if (at === undefined) return false
      if (at === key) return true
    }
  }

  set(key: string, value: V): void {
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#grow()
    const keys = this.#keys
    const mask = this.#mask
    for (let i = slotOf(key) >>> this.#shift; ; i = (i + 1) & mask) {
      const at = keys[i]
      if (at === undefined) {
        keys[i] = key
        this.#values[i] = value
        this.#size++
        return
      }
      if (at === key) {
        this.#values[i] = value
        return
      }
    }
  }

  /** Removes `key`; true when it was there. */
  delete(key: string): boolean {
    const keys = this.#keys
    const values = this.#values
    const mask = this.#mask
    let hole = slotOf(key) >>> this.#shift
    for (;;) {
      const at = keys[hole]
      if (at === undefined) return false
      if (at === key) break
      hole = (hole + 1) & mask
    }
    // Backward shift: move each later entry of the run into the hole when its home slot is not
    // between the hole and it (cyclically), so every entry stays reachable from its home slot.
    for (let i = (hole + 1) & mask; ; i = (i + 1) & mask) {
      const at = keys[i]
      if (at === undefined) break
      const home = slotOf(at) >>> this.#shift
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        keys[hole] = at
        values[hole] = values[i]
        hole = i
      }
    }
    keys[hole] = undefined
    values[hole] = undefined
    this.#size--
    return true
  }

  #grow(): void {
    const oldKeys = this.#keys
    const oldValues = this.#values
    const capacity = (this.#mask + 1) * 2
    const keys = new Array<string | undefined>(capacity).fill(undefined)
    const values = new Array<V | undefined>(capacity).fill(undefined)
    const mask = capacity - 1
    const shift = this.#shift - 1
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j]
      if (key === undefined) continue
      let i = slotOf(key) >>> shift
      while (keys[i] !== undefined) i = (i + 1) & mask
      keys[i] = key
      values[i] = oldValues[j]
    }
    this.#keys = keys
    this.#values = values
    this.#mask = mask
    this.#shift = shift
  }
}

/**
 * `count` odd 32-bit multipliers drawn for this process, for multiply-shift hashing: keys that differ
 * collide rarely whatever they are, and a client cannot foresee which keys share a slot.
 */
export function drawOddMultipliers(count: number): Uint32Array {
  return crypto.getRandomValues(new Uint32Array(count)).map((m) => m | 1)
}

const SLOT_MULTIPLIER = drawOddMultipliers(1)[0] as number

/** A 32-bit hash of the key's first eight characters (all of a short key), mixed into its top bits. */
function slotOf(key: string): number {
  const n = key.length < 8 ? key.length : 8
  let h = 0
  for (let i = 0; i < n; i++) h = (h << 4) ^ (h >>> 28) ^ key.charCodeAt(i)
  return Math.imul(h, SLOT_MULTIPLIER) >>> 0
}
