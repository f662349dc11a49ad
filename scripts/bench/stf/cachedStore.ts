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

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return Promise.resolve(keys.map((k) => this.getSync(k)))
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
