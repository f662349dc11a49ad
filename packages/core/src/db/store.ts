import { Buffer } from 'node:buffer'
import { readFileSync } from 'node:fs'
import { ClassicLevel } from 'classic-level'
import { equalBytes } from '../bytes/index.ts'
import { SluiceError } from '../errors/base.ts'

/** One write of an atomic batch. Keys and values are raw bytes. */
export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }

/**
 * The small key-value boundary the trie and the state layer write through. Reads are synchronous
 * (classic-level 3's `getSync` answers from LevelDB's own cache and files in ~6 µs, an awaited `get`
 * costs ~80 µs); every write goes through one atomic `batch`.
 */
export interface KeyValueStore {
  /** The value under `key`, or `undefined` when absent. */
  getSync(key: Uint8Array): Uint8Array | undefined
  /**
   * The values under `keys`, in order (`undefined` where absent), read together; for LevelDB the
   * reads run off the main thread. Sees every batch already submitted, as `getSync` does.
   */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>
  /** Applies every op or none (LevelDB's write batch). */
  batch(ops: readonly BatchOp[]): Promise<void>
  close(): Promise<void>
}

export class StoreError extends SluiceError {
  override name = 'StoreError'
}

export type LevelStoreOptions = {
  /** LevelDB's block cache in bytes (default 256 MiB; LevelDB's own default is 8 MiB). */
  cacheSize?: number
  /** LevelDB's memtable size in bytes (default 256 MiB, fewer compactions under a write-heavy archive; LevelDB's own default is 4 MiB). */
  writeBufferSize?: number
  /**
   * Size of LevelDB's table files in bytes (default 8 MiB; LevelDB's own is 2). Level 1 holds 10 MiB:
   * with 64 MiB files each of its compactions rewrote most of level 2. On the sequencer's write stream
   * (scripts/bench/db, runs to 2M and 4M transfers, 2.6–6.3 GB) 2 MiB files wrote 7.1–8.2 bytes per byte
   * written instead of 10.4–11.4 and LevelDB's threads spent 9–21% less CPU per transfer; 8 MiB files
   * kept most of it (41.2 against 39.8 and 50.1 µs per transfer, write amplification 8.3, to 2M) and
   * cover 80 GB with the table cache's 10,000 files where 2 MiB files would cover 20.
   */
  maxFileSize?: number
  /** Snappy compression of blocks (default off: hashes and trie nodes do not compress). */
  compression?: boolean
  /**
   * Table files LevelDB keeps open, its table cache (default 10,000; with LevelDB's own 1,000, 2 MiB
   * files churned past 2 GB: reads and compactions reopened files, 7% more CPU per transfer, old keys
   * read ~35% slower). Each open file holds its index and bloom filter (~1.5% of its size) in memory.
   * Fewer where the open-file limit would not leave the node its other descriptors (`tableFilesAllowed`).
   */
  maxOpenFiles?: number
  /** Size of LevelDB's data blocks in bytes (default 4 KiB, LevelDB's own). */
  blockSize?: number
}

/** LevelDB tuning used by `LevelStore.open` unless overridden (the benchmark gives the peer the same). */
export const DEFAULT_LEVEL_OPTIONS = {
  cacheSize: 256 * 1024 * 1024,
  writeBufferSize: 256 * 1024 * 1024,
  maxFileSize: 8 * 1024 * 1024,
  compression: false,
  maxOpenFiles: 10_000,
  blockSize: 4096,
} as const

/**
 * File descriptors a node needs besides LevelDB's table files: the RPC server's connections (2,048
 * at most by default) and the node's own reserve (512: L1 requests, LevelDB's log and manifest,
 * workers), with room to spare.
 */
export const NON_TABLE_FILE_DESCRIPTORS = 3_072

/** LevelDB's least table cache (it raises a smaller `max_open_files` to 64 + 10 itself). */
const MIN_OPEN_FILES = 74

/**
 * The open-file limit of this process (`Max open files` in /proc/self/limits: the soft limit, which
 * Node raises to the hard one at start), or undefined where it cannot be read or is unlimited.
 */
export function fileDescriptorLimit(limitsText?: string): number | undefined {
  let text = limitsText
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8')
    } catch {
      return undefined
    }
  }
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(text)
  if (match === null) return undefined
  return match[1] === 'unlimited' ? undefined : Number(match[1])
}

/**
 * How many table files LevelDB may keep open under the process's open-file limit `fdLimit`: the
 * `requested` number, or fewer where the limit would not leave `NON_TABLE_FILE_DESCRIPTORS` to the
 * rest of the node (LevelDB would then fail to open a file mid-compaction and stop writing). `neededLimit`,
 * when it cut the number, is the limit that would not have.
 */
export function tableFilesAllowed(
  requested: number,
  fdLimit: number | undefined,
): { maxOpenFiles: number; neededLimit?: number } {
  if (fdLimit === undefined || requested + NON_TABLE_FILE_DESCRIPTORS <= fdLimit) return { maxOpenFiles: requested }
  return {
    maxOpenFiles: Math.max(MIN_OPEN_FILES, Math.min(requested, fdLimit - NON_TABLE_FILE_DESCRIPTORS)),
    neededLimit: requested + NON_TABLE_FILE_DESCRIPTORS,
  }
}

/** A batch being written, with a key index (`indexKeys`) built on the first read that LevelDB did not answer. */
type Inflight = { ops: readonly BatchOp[]; index: Int32Array | null }

/** FNV-1a over a key's bytes (keys with a shared prefix, like the chain's records, spread too). */
function keyHash(key: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ (key[i] as number), 0x01000193)
  return h >>> 0
}

/**
 * An open-addressing table of a batch's keys: each slot holds an op's index + 1 (0: empty). One
 * typed array per batch instead of a string and a map entry per op, for a batch of thousands of
 * trie nodes that a prefetch of the next block reads into while it is written.
 */
function indexKeys(ops: readonly BatchOp[]): Int32Array {
  let size = 16
  while (size < ops.length * 2) size *= 2
  const table = new Int32Array(size)
  const mask = size - 1
  for (let i = 0; i < ops.length; i++) {
    let slot = keyHash((ops[i] as BatchOp).key) & mask
    while (table[slot] !== 0) slot = (slot + 1) & mask
    table[slot] = i + 1
  }
  return table
}

/** The last op of `ops` on `key` (a batch may write a key twice: the last write wins), or undefined. */
function lastOpOn(ops: readonly BatchOp[], table: Int32Array, key: Uint8Array): BatchOp | undefined {
  const mask = table.length - 1
  let found = -1
  for (let slot = keyHash(key) & mask; table[slot] !== 0; slot = (slot + 1) & mask) {
    const i = (table[slot] as number) - 1
    if (i > found && equalBytes((ops[i] as BatchOp).key, key)) found = i
  }
  return found < 0 ? undefined : (ops[found] as BatchOp)
}

/** Batches and reads of at least this many keys go to LevelDB sorted (below it the sort costs more than it saves). */
const SORTED_MIN = 64

/** Four bytes of `key` from `at` as an unsigned integer (missing bytes count as 0). */
function u32At(key: Uint8Array, at: number): number {
  return (((key[at] ?? 0) << 24) | ((key[at + 1] ?? 0) << 16) | ((key[at + 2] ?? 0) << 8) | (key[at + 3] ?? 0)) >>> 0
}

/** A radix sort's bucket counts, 256 per byte of the 8 sorted on (sorting is synchronous: one for every call). */
const buckets = new Int32Array(8 * 256)

/**
 * The order to hand `count` keys (`keyAt(i)`) to LevelDB: by their first 8 bytes, ties in their
 * original order (so several writes of one key keep theirs: the last still wins). LevelDB's memtable
 * is a skip list searched from the top for every insert and every read: keys in order share the
 * upper part of their search paths, which then stay in the CPU's caches (random hashes otherwise
 * miss on nearly every step). Eight bytes, not four: the chain store's records of a block share
 * their first four (every `c/t/<hash>` and `c/ae/<address>…` key), and went to LevelDB in the
 * block's order. A stable byte-wise radix sort, least significant byte first, every byte's counts
 * taken in one pass and a byte all keys share skipped (a `Float64Array` sort of `prefix * 2^21 +
 * index` by the first four took ~75 ns per key). Null for small counts, kept as they are.
 */
export function sortedOrder(count: number, keyAt: (i: number) => Uint8Array): Int32Array | null {
  if (count < SORTED_MIN) return null
  const high = new Uint32Array(count)
  const low = new Uint32Array(count)
  let order = new Int32Array(count)
  buckets.fill(0)
  for (let i = 0; i < count; i++) {
    const key = keyAt(i)
    const h = u32At(key, 0)
    const l = u32At(key, 4)
    high[i] = h
    low[i] = l
    order[i] = i
    ;(buckets[l & 0xff] as number)++
    ;(buckets[256 + ((l >>> 8) & 0xff)] as number)++
    ;(buckets[512 + ((l >>> 16) & 0xff)] as number)++
    ;(buckets[768 + (l >>> 24)] as number)++
    ;(buckets[1024 + (h & 0xff)] as number)++
    ;(buckets[1280 + ((h >>> 8) & 0xff)] as number)++
    ;(buckets[1536 + ((h >>> 16) & 0xff)] as number)++
    ;(buckets[1792 + (h >>> 24)] as number)++
  }
  let spare = new Int32Array(count)
  for (let pass = 0; pass < 8; pass++) {
    const words = pass < 4 ? low : high
    const shift = (pass & 3) * 8
    const base = pass * 256
    if (buckets[base + (((words[0] as number) >>> shift) & 0xff)] === count) continue
    let sum = 0
    for (let b = base; b < base + 256; b++) {
      const n = buckets[b] as number
      buckets[b] = sum
      sum += n
    }
    for (let k = 0; k < count; k++) {
      const i = order[k] as number
      const b = base + (((words[i] as number) >>> shift) & 0xff)
      const at = buckets[b] as number
      spare[at] = i
      buckets[b] = at + 1
    }
    const sorted = spare
    spare = order
    order = sorted
  }
  return order
}

/**
 * V8 keeps a typed array of up to 64 bytes inside its object, on the JavaScript heap. Handing one to
 * LevelDB's binding (napi_get_typedarray_info) first moves its bytes to a backing store of their own
 * (an allocation, a copy, a record the garbage collector sweeps later), and the array keeps that store:
 * every trie node's 32-byte hash paid it once as a batch key. Bytes up to this length are copied
 * into one buffer per batch instead, which the binding reads in place.
 */
const IN_HEAP_MAX = 64

/** classic-level's chained batch below abstract-level's checks: the binding's put and del. */
type RawChainedBatch = { _put(key: Uint8Array, value: Uint8Array): void; _del(key: Uint8Array): void }

/** Copies `src` into `to` at `at` and returns the view of the copy. */
function viewOf(src: Uint8Array, to: Uint8Array, at: number): Uint8Array {
  const length = src.length
  for (let i = 0; i < length; i++) to[at + i] = src[i] as number
  return to.subarray(at, at + length)
}

/** One char per byte: a Map key for bytes without hex encoding. */
function latin1(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

/** A LevelDB store (classic-level) with byte keys and values. */
export class LevelStore implements KeyValueStore {
  readonly db: ClassicLevel<Uint8Array, Uint8Array>
  readonly location: string
  /** The table files LevelDB keeps open at most (the option, or fewer under the open-file limit). */
  readonly maxOpenFiles: number
  private readonly inflight: Inflight[] = []

  private constructor(location: string, db: ClassicLevel<Uint8Array, Uint8Array>, maxOpenFiles: number) {
    this.location = location
    this.db = db
    this.maxOpenFiles = maxOpenFiles
  }

  /** Opens (creating if needed) the LevelDB database at `location`. */
  static async open(location: string, options: LevelStoreOptions = {}): Promise<LevelStore> {
    const fdLimit = fileDescriptorLimit()
    const tableFiles = tableFilesAllowed(options.maxOpenFiles ?? DEFAULT_LEVEL_OPTIONS.maxOpenFiles, fdLimit)
    if (tableFiles.neededLimit !== undefined) {
      process.emitWarning(
        `LevelDB at ${location} keeps at most ${tableFiles.maxOpenFiles} table files open, not ` +
          `${options.maxOpenFiles ?? DEFAULT_LEVEL_OPTIONS.maxOpenFiles}: this process may open ${fdLimit} files in all. ` +
          'On a large database LevelDB then closes and reopens table files for reads and compactions (more CPU). ' +
          `Raise the open-file limit to at least ${tableFiles.neededLimit} (ulimit -n; LimitNOFILE= in a systemd unit; ` +
          'docker run --ulimit nofile=).',
        { code: 'SLUICE_LEVELDB_OPEN_FILES' },
      )
    }
    const db = new ClassicLevel<Uint8Array, Uint8Array>(location, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      cacheSize: options.cacheSize ?? DEFAULT_LEVEL_OPTIONS.cacheSize,
      writeBufferSize: options.writeBufferSize ?? DEFAULT_LEVEL_OPTIONS.writeBufferSize,
      maxFileSize: options.maxFileSize ?? DEFAULT_LEVEL_OPTIONS.maxFileSize,
      compression: options.compression ?? DEFAULT_LEVEL_OPTIONS.compression,
      maxOpenFiles: tableFiles.maxOpenFiles,
      blockSize: options.blockSize ?? DEFAULT_LEVEL_OPTIONS.blockSize,
    })
    try {
      await db.open()
    } catch (error) {
      throw new StoreError(`could not open the LevelDB database at ${location}`, {
        details: 'Another process may hold it open, or the directory is not writable.',
        cause: error,
        severity: 'critical',
      })
    }
    return new LevelStore(location, db, tableFiles.maxOpenFiles)
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    const v = this.db.getSync(key)
    // classic-level hands out Buffers; callers get plain Uint8Arrays (Buffer's slice() shares memory)
    if (v !== undefined) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    return this.inflight.length === 0 ? undefined : (this.findInflight(key) ?? undefined)
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return []
    const order = sortedOrder(keys.length, (i) => keys[i] as Uint8Array)
    let asked = keys as Uint8Array[]
    if (order !== null) {
      asked = new Array(keys.length)
      for (let k = 0; k < keys.length; k++) asked[k] = keys[order[k] as number] as Uint8Array
    }
    const values = await this.db.getMany(asked)
    const out: (Uint8Array | undefined)[] = new Array(values.length)
    for (let k = 0; k < values.length; k++) {
      const v = values[k]
      const i = order === null ? k : (order[k] as number)
      // absent: maybe in a batch still in flight (or one that landed during the read): getSync sees both
      out[i] =
        v === undefined ? this.getSync(keys[i] as Uint8Array) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    }
    return out
  }

  /** A write of a batch that is still being applied (newest first), so reads never run ahead of it. */
  private findInflight(key: Uint8Array): Uint8Array | null | undefined {
    for (let b = this.inflight.length - 1; b >= 0; b--) {
      const batch = this.inflight[b] as Inflight
      // indexed on the first miss only: most reads are answered by LevelDB itself
      if (batch.index === null) batch.index = indexKeys(batch.ops)
      const op = lastOpOn(batch.ops, batch.index, key)
      if (op !== undefined) return op.type === 'put' ? op.value : null
    }
    return undefined
  }

  /**
   * Applies `ops` atomically. Until the returned promise settles, `getSync` and `getMany` already
   * answer from `ops` (a trie that committed can go on reading while LevelDB writes); the batch is
   * durable only once the promise resolved.
   */
  async batch(ops: readonly BatchOp[]): Promise<void> {
    if (ops.length === 0) return
    const entry: Inflight = { ops, index: null }
    this.inflight.push(entry)
    try {
      // A chained batch hands each key and value to the binding as arguments; the array form makes
      // the binding read three properties of every op object (and abstract-level clone it first):
      // 0.8 µs more per op on the main thread, measured, with ~5 ops per transfer.
      const batch = this.db.batch()
      const order = sortedOrder(ops.length, (i) => (ops[i] as BatchOp).key)
      let small = 0
      for (let k = 0; k < ops.length; k++) {
        const op = ops[k] as BatchOp
        if (op.key.length <= IN_HEAP_MAX) small += op.key.length
        if (op.type === 'put' && op.value.length <= IN_HEAP_MAX) small += op.value.length
      }
      // over IN_HEAP_MAX itself, so off the heap
      const copies = small === 0 ? null : new Uint8Array(Math.max(small, 2 * IN_HEAP_MAX))
      let at = 0
      // abstract-level's put() validates, clones and encodes every op for prewrite hooks, 'write'
      // events and sublevels, none of which this store uses (its keys and values are views already):
      // past the first op (the batch must count one to be written), each goes to the binding's own _put
      const raw = batch as unknown as RawChainedBatch
      const direct =
        (this.db.hooks.prewrite as unknown as { noop?: boolean }).noop === true &&
        this.db.listenerCount('write') === 0 &&
        typeof raw._put === 'function'
      try {
        for (let k = 0; k < ops.length; k++) {
          const op = ops[order === null ? k : (order[k] as number)] as BatchOp
          let key = op.key
          if (key.length <= IN_HEAP_MAX) {
            key = viewOf(key, copies as Uint8Array, at)
            at += key.length
          }
          if (op.type === 'put') {
            let value = op.value
            if (value.length <= IN_HEAP_MAX) {
              value = viewOf(value, copies as Uint8Array, at)
              at += value.length
            }
            if (direct && k > 0) raw._put(key, value)
            else batch.put(key, value)
          } else if (direct && k > 0) {
            raw._del(key)
          } else {
            batch.del(key)
          }
        }
      } catch (error) {
        await batch.close()
        throw error
      }
      await batch.write()
    } catch (error) {
      throw new StoreError(`LevelDB batch of ${ops.length} writes failed at ${this.location}`, {
        details: 'Nothing of the batch was written; reopen the database and retry from the last committed root.',
        cause: error,
        severity: 'critical',
      })
    } finally {
      this.inflight.splice(this.inflight.indexOf(entry), 1)
    }
  }

  async close(): Promise<void> {
    await this.db.close()
  }
}

/** An in-memory store for unit tests. Keys are compared by their bytes. */
export class MemoryStore implements KeyValueStore {
  private readonly map = new Map<string, Uint8Array>()

  getSync(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(latin1(key))
  }

  /** Answers synchronously (the promise is already settled). */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return Promise.resolve(keys.map((k) => this.getSync(k)))
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    for (const op of ops) {
      const k = latin1(op.key)
      if (op.type === 'put') this.map.set(k, op.value.slice())
      else this.map.delete(k)
    }
  }

  get size(): number {
    return this.map.size
  }

  async close(): Promise<void> {}
}
