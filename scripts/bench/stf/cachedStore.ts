/**
 * An experiment for the stf.transfer profile (`--store cached`), not what the figure measures: a
 * node cache in front of LevelDB. Trie nodes are content-addressed and immutable, so a cache keyed
 * by hash never goes stale; writes enter it when their batch is submitted. Bounded by entry count
 * (on overflow the oldest half is dropped, Map iteration order being insertion order).
 */
import { Buffer } from 'node:buffer'
import type { BatchOp, KeyValueStore } from '../../../packages/core/src/db/store.ts'

function keyOf(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

export class CachedStore implements KeyValueStore {
  readonly inner: KeyValueStore
  readonly maxEntries: number
  private cache = new Map<string, Uint8Array>()
  hits = 0
  misses = 0

  constructor(inner: KeyValueStore, maxEntries = 2_000_000) {
    this.inner = inner
    this.maxEntries = maxEntries
  }

  private remember(key: string, value: Uint8Array): void {
    if (this.cache.size >= this.maxEntries) {
      let drop = this.cache.size >> 1
      for (const k of this.cache.keys()) {
        if (drop-- <= 0) break
        this.cache.delete(k)
      }
    }
    this.cache.set(key, value)
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    const k = keyOf(key)
    const cached = this.cache.get(k)
    if (cached !== undefined) {
      this.hits++
      return cached
    }
    this.misses++
    const value = this.inner.getSync(key)
    if (value !== undefined) this.remember(k, value)
    return value
  }

  batch(ops: readonly BatchOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.remember(keyOf(op.key), op.value)
      else this.cache.delete(keyOf(op.key))
    }
    return this.inner.batch(ops)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

/**
 * An experiment (`--pipeline`): lets a block's LevelDB batch run while the next block executes.
 * Nodes of a batch that has been submitted but not yet written are served from memory, so a read
 * of a node the trie has just dropped to a hash reference never misses. This is the change
 * proposed for `LevelStore` itself.
 */
export class OverlayStore implements KeyValueStore {
  readonly inner: KeyValueStore
  private readonly inFlight = new Map<string, Uint8Array>()

  constructor(inner: KeyValueStore) {
    this.inner = inner
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    if (this.inFlight.size !== 0) {
      const value = this.inFlight.get(keyOf(key))
      if (value !== undefined) return value
    }
    return this.inner.getSync(key)
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    const keys: string[] = new Array(ops.length)
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as BatchOp
      const k = keyOf(op.key)
      keys[i] = k
      if (op.type === 'put') this.inFlight.set(k, op.value)
    }
    try {
      await this.inner.batch(ops)
    } finally {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i] as BatchOp
        if (op.type === 'put' && this.inFlight.get(keys[i] as string) === op.value)
          this.inFlight.delete(keys[i] as string)
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
