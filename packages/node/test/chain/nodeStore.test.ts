import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_NODE_CACHE_BYTES, MerklePatriciaTrie, storeNodeCache } from '@sluice/core'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import { NODE_LEVEL_OPTIONS, openNodeStore, registerStoreMetrics, storeMemoryBytes } from '../../src/chain/nodeStore.ts'

const VALUE_BYTES = 16 * 1024
const VALUES_PER_BATCH = 256

describe("a node's LevelDB store", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-node-store-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('holds at most two memtables and its block cache in memory however much is written', async () => {
    const store = await openNodeStore(dir)
    try {
      const registry = new Registry()
      registerStoreMetrics(registry, store)
      // A chain's writes outgrow any buffer: write well past two memtables and the cache together.
      const bound = 2 * NODE_LEVEL_OPTIONS.writeBufferSize + NODE_LEVEL_OPTIONS.cacheSize
      const target = 2 * bound
      const sampled: { key: Uint8Array; value: Uint8Array }[] = []
      let written = 0
      let peak = 0
      while (written < target) {
        const ops = Array.from({ length: VALUES_PER_BATCH }, () => ({
          type: 'put' as const,
          key: randomBytes(32),
          value: new Uint8Array(randomBytes(VALUE_BYTES)),
        }))
        await store.batch(ops)
        written += VALUES_PER_BATCH * VALUE_BYTES
        sampled.push(ops[0] as (typeof sampled)[number])
        // reads go through the block cache once the writes are in table files
        for (const { key } of sampled.slice(-64)) store.getSync(key)
        peak = Math.max(peak, storeMemoryBytes(store) as number)
      }
      expect(written).toBeGreaterThan(bound)
      expect(peak).toBeGreaterThan(NODE_LEVEL_OPTIONS.writeBufferSize / 2) // the estimate is live, not 0
      expect(peak).toBeLessThanOrEqual(bound)
      for (const { key, value } of sampled) expect(new Uint8Array(store.getSync(key) ?? [])).toEqual(value)
      const gauge = (await registry.getSingleMetric('sluice_db_memory_bytes')?.get())?.values[0]?.value
      expect(gauge).toBeGreaterThan(0)
      expect(gauge).toBeLessThanOrEqual(bound)
    } finally {
      await store.close()
    }
  }, 120_000)
})

describe("a node's trie node cache", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-node-cache-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const metric = async (registry: Registry, name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values[0]?.value

  it("has the size given (default: core's), and its use shows in the metrics", async () => {
    const store = await openNodeStore(join(dir, 'sized'), 4 * 1024 * 1024)
    try {
      const registry = new Registry()
      registerStoreMetrics(registry, store)
      const cache = storeNodeCache(store)
      expect(cache?.bytes).toBe(4 * 1024 * 1024)
      // nodes below the resident depth (1 here), read and written twice over the same keys
      const trie = new MerklePatriciaTrie(store, { secure: true, residentDepth: 1 })
      expect(trie.nodeCache).toBe(cache)
      const keys = Array.from({ length: 2000 }, () => randomBytes(20))
      for (const key of keys) trie.put(key, randomBytes(70))
      await trie.commit()
      for (let round = 0; round < 2; round++) {
        for (const key of keys.slice(0, 500)) {
          trie.get(key)
          trie.put(key, randomBytes(70))
        }
        await trie.commit()
      }
      expect(await metric(registry, 'sluice_trie_node_cache_capacity_bytes')).toBe(4 * 1024 * 1024)
      const held = (await metric(registry, 'sluice_trie_node_cache_bytes')) as number
      expect(held).toBe(cache?.heldBytes)
      expect(held).toBeGreaterThan(0)
      expect(await metric(registry, 'sluice_trie_node_cache_hits_total')).toBe(cache?.hits)
      expect(cache?.hits).toBeGreaterThan(500)
      expect(await metric(registry, 'sluice_trie_node_cache_misses_total')).toBe(cache?.misses)
      expect(await metric(registry, 'sluice_trie_node_cache_evictions_total')).toBe(0)
    } finally {
      await store.close()
    }
    const defaulted = await openNodeStore(join(dir, 'default'))
    expect(storeNodeCache(defaulted)?.bytes).toBe(DEFAULT_NODE_CACHE_BYTES)
    await defaulted.close()
  })

  it('is off with 0, and the metrics say so', async () => {
    const store = await openNodeStore(join(dir, 'off'), 0)
    try {
      const registry = new Registry()
      registerStoreMetrics(registry, store)
      expect(storeNodeCache(store)).toBeNull()
      expect(new MerklePatriciaTrie(store).nodeCache).toBeNull()
      expect(await metric(registry, 'sluice_trie_node_cache_capacity_bytes')).toBe(0)
      expect(await metric(registry, 'sluice_trie_node_cache_hits_total')).toBe(0)
    } finally {
      await store.close()
    }
  })
})
