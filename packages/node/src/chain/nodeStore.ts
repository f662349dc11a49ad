import { join } from 'node:path'
import {
  DEFAULT_NODE_CACHE_BYTES,
  LevelStore,
  type LevelStoreOptions,
  NodeCache,
  SluiceError,
  setStoreNodeCache,
  storeNodeCache,
} from '@sluice/core'
import { Counter, Gauge, type Registry } from 'prom-client'

const MIB = 1024 * 1024

/**
 * LevelDB tuning of a node's data store. Core's defaults (256 MiB memtable, 256 MiB block cache) suit
 * the STF benchmark, but in a node the memtable held every write until it filled: a verifier's RSS
 * grew with the chain by ~3 bytes per byte written (LevelDB holds a second memtable while the first
 * is flushed, so up to ~2 × 256 MiB), plus the block cache. With these the memtables and the cache stay
 * under ~2 × 32 + 64 MiB however long the chain, and the flushes run on LevelDB's background thread.
 * Besides them, each open table file keeps its index and bloom filter in memory (~1.5% of its size,
 * not counted by `leveldb.approximate-memory-usage`): ~150 MiB per 10 GB of store while the table
 * cache (`maxOpenFiles`) covers it.
 */
export const NODE_LEVEL_OPTIONS = {
  writeBufferSize: 32 * MIB,
  cacheSize: 64 * MIB,
} as const satisfies LevelStoreOptions

/**
 * The format of the records a node writes into its store. A build reads every format up to its own
 * and refuses a newer one, whose records it would misread. 1: no format record (before it existed);
 * 2: a transfer's all-zero logs bloom is stored as no bytes, and an address's transaction count is
 * written once per 16 entries (both still read from format 1 records).
 */
export const STORE_FORMAT = 2
const STORE_FORMAT_KEY = new TextEncoder().encode('meta/store-format')

/** The data directory was written in a store format this build does not know. */
export class StoreFormatError extends SluiceError {
  override name = 'StoreFormatError'
  constructor(dataDir: string, found: string) {
    super(`the data directory ${dataDir} holds store format ${found}; this build reads formats 1 to ${STORE_FORMAT}`, {
      details:
        'A newer Sluice wrote it (or the format record is damaged). Run a release at least as new as the one ' +
        'that wrote it, or give another --data-dir (a verifier resyncs from L1 into an empty one).',
      severity: 'critical',
      code: 'STORE_FORMAT',
    })
  }
}

/**
 * Opens (creating if needed) the LevelDB store of the node whose data directory is `dataDir`, with a
 * trie node cache of `trieCacheBytes` shared by the tries over it (0: none; `--trie-cache-mib`).
 * Refuses a store written in a newer format (`StoreFormatError`) and records this build's format.
 */
export async function openNodeStore(
  dataDir: string,
  trieCacheBytes: number = DEFAULT_NODE_CACHE_BYTES,
): Promise<LevelStore> {
  const cache = trieCacheBytes === 0 ? null : new NodeCache(trieCacheBytes)
  const store = await LevelStore.open(join(dataDir, 'db'), NODE_LEVEL_OPTIONS)
  const stored = store.getSync(STORE_FORMAT_KEY)
  const text = stored === undefined ? '1' : new TextDecoder().decode(stored)
  if (!/^[1-9]\d{0,8}$/.test(text) || Number(text) > STORE_FORMAT) {
    await store.close()
    throw new StoreFormatError(dataDir, /^[\x20-\x7e]{1,12}$/.test(text) ? text : 'unreadable')
  }
  if (Number(text) < STORE_FORMAT) {
    await store.batch([{ type: 'put', key: STORE_FORMAT_KEY, value: new TextEncoder().encode(String(STORE_FORMAT)) }])
  }
  setStoreNodeCache(store, cache)
  return store
}

/** LevelDB's own estimate of the memory it holds (memtables and block cache), bytes. */
export function storeMemoryBytes(store: LevelStore): number | undefined {
  if (store.db.status !== 'open') return undefined
  return Number(store.db.getProperty('leveldb.approximate-memory-usage'))
}

/**
 * `sluice_db_memory_bytes`: the store's memory, and `sluice_trie_node_cache_*`: its trie node cache's
 * (capacity, bytes held, hits, misses, evictions); read at each scrape.
 */
export function registerStoreMetrics(registry: Registry, store: LevelStore): Gauge {
  registerNodeCacheMetrics(registry, store)
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

function registerNodeCacheMetrics(registry: Registry, store: LevelStore): void {
  const cache = () => storeNodeCache(store)
  new Gauge({
    name: 'sluice_trie_node_cache_capacity_bytes',
    help: 'Capacity of the trie node cache (--trie-cache-mib; 0: disabled); its index adds 1/16 once used',
    registers: [registry],
    collect() {
      this.set(cache()?.bytes ?? 0)
    },
  })
  new Gauge({
    name: 'sluice_trie_node_cache_bytes',
    help: 'Bytes of trie nodes the node cache holds now (at most its capacity)',
    registers: [registry],
    collect() {
      this.set(cache()?.heldBytes ?? 0)
    },
  })
  const counters = [
    ['hits', 'Trie node reads below the resident depth answered by the node cache'],
    ['misses', 'Trie node reads below the resident depth that went to the store'],
    ['evictions', 'Trie nodes dropped from the node cache to make room'],
  ] as const
  for (const [field, help] of counters) {
    let reported = 0
    new Counter({
      name: `sluice_trie_node_cache_${field}_total`,
      help,
      registers: [registry],
      collect() {
        const now = cache()?.[field] ?? 0
        if (now > reported) this.inc(now - reported)
        reported = now
      },
    })
  }
}
