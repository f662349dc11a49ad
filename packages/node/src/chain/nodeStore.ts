import { join } from 'node:path'
import { LevelStore, type LevelStoreOptions } from '@sluice/core'
import { Gauge, type Registry } from 'prom-client'

const MIB = 1024 * 1024

/**
 * LevelDB tuning of a node's data store. Core's defaults (256 MiB memtable, 256 MiB block cache) suit
 * the STF benchmark, but in a node the memtable held every write until it filled: a verifier's RSS
 * grew with the chain by ~3 bytes per byte written (LevelDB holds a second memtable while the first
 * is flushed, so up to ~2 × 256 MiB), plus the block cache. With these the store's own memory stays
 * under ~2 × 32 + 64 MiB however long the chain, and the flushes run on LevelDB's background thread.
 */
export const NODE_LEVEL_OPTIONS = {
  writeBufferSize: 32 * MIB,
  cacheSize: 64 * MIB,
} as const satisfies LevelStoreOptions

/** Opens (creating if needed) the LevelDB store of the node whose data directory is `dataDir`. */
export function openNodeStore(dataDir: string): Promise<LevelStore> {
  return LevelStore.open(join(dataDir, 'db'), NODE_LEVEL_OPTIONS)
}

/** LevelDB's own estimate of the memory it holds (memtables and block cache), bytes. */
export function storeMemoryBytes(store: LevelStore): number | undefined {
  if (store.db.status !== 'open') return undefined
  return Number(store.db.getProperty('leveldb.approximate-memory-usage'))
}

/** `sluice_db_memory_bytes`: the store's memory, read at each scrape. */
export function registerStoreMetrics(registry: Registry, store: LevelStore): Gauge {
  return new Gauge({
    name: 'sluice_db_memory_bytes',
    help: "LevelDB's memtables and block cache, bytes (bounded by the node's store options)",
    registers: [registry],
    collect() {
      const bytes = storeMemoryBytes(store)
      if (bytes !== undefined) this.set(bytes)
    },
  })
}
