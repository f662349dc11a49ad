import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_NODE_CACHE_BYTES, LevelStore, MerklePatriciaTrie, storeNodeCache } from '@sluice/core'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import {
  NODE_LEVEL_OPTIONS,
  openNodeStore,
  registerStoreMetrics,
  STORE_FORMAT,
  StoreFormatError,
  storeMemoryBytes,
} from '../../src/chain/nodeStore.ts'

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

describe("a node's store format", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-store-format-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const formatKey = new TextEncoder().encode('meta/store-format')
  const readFormat = async (dataDir: string) => {
    const raw = await LevelStore.open(join(dataDir, 'db'))
    try {
      const value = raw.getSync(formatKey)
      return value === undefined ? undefined : new TextDecoder().decode(value)
    } finally {
      await raw.close()
    }
  }
  const writeFormat = async (dataDir: string, value: string | undefined) => {
    const raw = await LevelStore.open(join(dataDir, 'db'))
    await raw.batch([
      value === undefined
        ? { type: 'del', key: formatKey }
        : { type: 'put', key: formatKey, value: new TextEncoder().encode(value) },
    ])
    await raw.close()
  }

  it("records this build's format in a new data directory and in one written before the format existed", async () => {
    const fresh = join(dir, 'fresh')
    await (await openNodeStore(fresh, 0)).close()
    expect(await readFormat(fresh)).toBe(String(STORE_FORMAT))
    const older = join(dir, 'older')
    await (await openNodeStore(older, 0)).close()
    await writeFormat(older, undefined)
    const reopened = await openNodeStore(older, 0)
    await reopened.close()
    expect(await readFormat(older)).toBe(String(STORE_FORMAT))
  })

  it('refuses a newer or damaged format with an error that says what to do, and leaves the directory usable', async () => {
    const newer = join(dir, 'newer')
    await (await openNodeStore(newer, 0)).close()
    await writeFormat(newer, String(STORE_FORMAT + 1))
    const refusal = await openNodeStore(newer, 0).catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(StoreFormatError)
    expect((refusal as StoreFormatError).severity).toBe('critical')
    expect((refusal as Error).message).toContain(`${newer} holds store format ${STORE_FORMAT + 1}`)
    expect((refusal as Error).message).toContain('--data-dir')
    // the store was closed: the directory opens again, and its record was not rewritten
    expect(await readFormat(newer)).toBe(String(STORE_FORMAT + 1))
    await writeFormat(newer, '\u0000garbage')
    await expect(openNodeStore(newer, 0)).rejects.toThrow('holds store format unreadable')
  })
})
