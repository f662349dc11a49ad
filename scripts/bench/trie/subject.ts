/**
 * One side of the trie figures, run in its own process by scripts/bench/figures/trie.ts:
 *   node scripts/bench/trie/subject.ts --impl ours|ethereumjs --n N --updates U --insert-window W --update-window W --seed S
 *        [--pipeline false] (ours: await each commit, as before pipelining, for comparison)
 *        [--prefetch false|window|ahead] (ours: no read-ahead, every stored node read on the main thread
 *          with `getSync` (default, the figure); each window's paths read with one `prefetch` before its
 *          puts, as the STF does per block; or the next window's paths read while this one runs)
 *        [--profile <file>] (a CPU profile of the main thread over the updates only)
 *        [--level-stats true] (LevelDB's compactions per level and the RSS breakdown, on stderr)
 * Inserts N account-shaped values under random 20-byte addresses into a secure trie on LevelDB
 * (commit every 1,000), then updates U random existing accounts (root + commit every 1,000).
 * Prints one JSON line (`SubjectResult`): rates per window, roots, CPU per operation (all threads,
 * the main thread and by thread name), synchronous store reads per operation, peak RSS.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { createMPT } from '@ethereumjs/mpt'
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'
import { ValueEncoding } from '@ethereumjs/util'
import { ClassicLevel } from 'classic-level'
import { bytesToHex } from '../../../packages/core/src/bytes/index.ts'
import { keccak256 } from '../../../packages/core/src/crypto/index.ts'
import { DEFAULT_LEVEL_OPTIONS, LevelStore } from '../../../packages/core/src/db/index.ts'
import { MerklePatriciaTrie } from '../../../packages/core/src/trie/index.ts'
import {
  accountValue,
  type CpuPerOp,
  cpuPerOp,
  log,
  Prng,
  parseArgs,
  removeDir,
  selfCpu,
  tempDir,
  threadCpuByName,
  threadCpuPerOp,
  WindowTimer,
} from '../harness.ts'

export type SubjectResult = {
  insert: number[]
  update: number[]
  insertRoot: string
  updateRoot: string
  insertCpuUsPerOp: CpuPerOp
  updateCpuUsPerOp: CpuPerOp
  /** CPU µs per operation by thread name (`main`, V8's `V8Worker`s, `libuv-worker`: LevelDB's reads, writes and compactions). */
  insertThreadCpuUsPerOp: Record<string, number>
  updateThreadCpuUsPerOp: Record<string, number>
  /** Ours: the store's synchronous reads (`getSync`, on the main thread) per operation. */
  insertSyncReadsPerOp?: number
  updateSyncReadsPerOp?: number
  peakRssMiB: number
}

const COMMIT_EVERY = 1000

/** The minimal `DB` interface of @ethereumjs/util over classic-level (string keys, byte values). */
class EthereumjsLevelDB implements DB<string, string | Uint8Array> {
  readonly db: ClassicLevel<string, Uint8Array>
  constructor(db: ClassicLevel<string, Uint8Array>) {
    this.db = db
  }
  async get(key: string, _opts?: EncodingOpts): Promise<string | Uint8Array | undefined> {
    return this.db.get(key)
  }
  async put(key: string, val: string | Uint8Array, _opts?: EncodingOpts): Promise<void> {
    await this.db.put(key, val as Uint8Array)
  }
  async del(key: string, _opts?: EncodingOpts): Promise<void> {
    await this.db.del(key)
  }
  async batch(opStack: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    await this.db.batch(
      opStack.map((op) =>
        op.type === 'put' ? { type: 'put', key: op.key, value: op.value as Uint8Array } : { type: 'del', key: op.key },
      ),
    )
  }
  shallowCopy(): DB<string, string | Uint8Array> {
    return this
  }
  async open(): Promise<void> {}
}

type Subject = {
  /** Reads ahead the stored nodes on the paths of `keys` (ours; the peer's is a no-op). */
  prefetch(keys: readonly Uint8Array[]): Promise<void>
  put(key: Uint8Array, value: Uint8Array): void | Promise<void>
  /** Root + commit of everything since the last call. */
  commit(): Promise<Uint8Array>
  close(): Promise<void>
  /** LevelDB's `leveldb.stats` (compactions per level: files, size, time, MB read and written). */
  levelStats(): string
  /** Ours: `getSync` calls so far. */
  syncReads(): number
}

/**
 * Ours commits pipelined, as the nodes do (`startCommit`): the next 1,000 operations run while the
 * previous batch is being written, and each batch is durable before the next one is submitted.
 */
async function openOurs(dir: string, pipeline: boolean): Promise<Subject> {
  const store = await LevelStore.open(dir)
  let syncReads = 0
  const getSync = store.getSync.bind(store)
  store.getSync = (key) => {
    syncReads++
    return getSync(key)
  }
  const trie = new MerklePatriciaTrie(store, { secure: true })
  const common = {
    prefetch: (keys: readonly Uint8Array[]) => trie.prefetch(keys),
    put: (k: Uint8Array, v: Uint8Array) => trie.put(k, v),
    levelStats: () => store.db.getProperty('leveldb.stats'),
    syncReads: () => syncReads,
  }
  if (!pipeline) return { ...common, commit: () => trie.commit(), close: () => store.close() }
  let written: Promise<void> = Promise.resolve()
  return {
    ...common,
    async commit() {
      await written
      const started = trie.startCommit()
      written = started.written
      return started.root
    },
    async close() {
      await written
      await store.close()
    },
  }
}

async function openEthereumjs(dir: string, cacheSize: number): Promise<Subject> {
  const level = new ClassicLevel<string, Uint8Array>(dir, {
    keyEncoding: 'utf8',
    valueEncoding: 'view',
    ...DEFAULT_LEVEL_OPTIONS,
  })
  await level.open()
  const trie = await createMPT({
    db: new EthereumjsLevelDB(level),
    useKeyHashing: true,
    useKeyHashingFunction: keccak256,
    common: { customCrypto: { keccak256 } },
    valueEncoding: ValueEncoding.Bytes,
    cacheSize,
  })
  let open = false
  return {
    prefetch: async () => {},
    levelStats: () => level.getProperty('leveldb.stats'),
    syncReads: () => 0,
    async put(k, v) {
      if (!open) {
        trie.checkpoint()
        open = true
      }
      await trie.put(k, v)
    },
    async commit() {
      if (open) await trie.commit()
      open = false
      return trie.root()
    },
    close: () => level.close(),
  }
}

const KEY_LENGTH = 20

/**
 * The N random 20-byte addresses in one buffer, handed out as views per window: at 1M, an array of
 * a million `Uint8Array`s is ~100 MB of V8 heap that every full GC marks, on both sides alike.
 */
class KeyTable {
  private readonly bytes: Uint8Array

  constructor(n: number, prng: Prng) {
    this.bytes = new Uint8Array(n * KEY_LENGTH)
    for (let i = 0; i < n; i++) this.bytes.set(prng.bytes(KEY_LENGTH), i * KEY_LENGTH)
  }

  at(i: number): Uint8Array {
    return this.bytes.subarray(i * KEY_LENGTH, (i + 1) * KEY_LENGTH)
  }

  /** The keys `start` to `end - 1`. */
  range(start: number, end: number): Uint8Array[] {
    const out: Uint8Array[] = new Array(end - start)
    for (let i = start; i < end; i++) out[i - start] = this.at(i)
    return out
  }
}

type ReadAheadMode = 'false' | 'window' | 'ahead'

function readAheadMode(value: string): ReadAheadMode {
  if (value === 'false' || value === 'window' || value === 'ahead') return value
  throw new Error(`--prefetch takes false, window or ahead, not ${value}`)
}

/**
 * The keys of each window of operations and their read-ahead: none (`false`), the window's own
 * paths awaited before its puts (`window`), or the next window's paths read while this one's puts and
 * commit run (`ahead`, as the verifier reads a batch ahead).
 */
class ReadAhead {
  private readonly subject: Subject
  private readonly mode: ReadAheadMode
  private readonly keysFrom: (start: number) => Uint8Array[]
  private next: { start: number; keys: Uint8Array[]; read: Promise<void> } | undefined

  constructor(subject: Subject, mode: ReadAheadMode, keysFrom: (start: number) => Uint8Array[]) {
    this.subject = subject
    this.mode = mode
    this.keysFrom = keysFrom
  }

  /** The keys of the window starting at `start`, once its paths are read (per the mode). */
  async window(start: number, more: boolean): Promise<Uint8Array[]> {
    const current = this.next?.start === start ? this.next : this.open(start)
    this.next = undefined
    await current.read
    if (this.mode === 'ahead' && more) this.next = this.open(start + COMMIT_EVERY)
    return current.keys
  }

  private open(start: number) {
    const keys = this.keysFrom(start)
    const read = this.mode === 'false' ? Promise.resolve() : this.subject.prefetch(keys)
    return { start, keys, read }
  }
}

/** This process's resident memory by kind (/proc/self/status): anonymous, file-backed (LevelDB maps its table files), shared. */
function rssBreakdown(): string {
  const status = readFileSync('/proc/self/status', 'utf8')
  return ['VmRSS', 'RssAnon', 'RssFile', 'RssShmem']
    .map((field) => status.match(new RegExp(`^${field}:\\s+(.*)$`, 'm'))?.[0] ?? `${field}: ?`)
    .join(', ')
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const impl = args.impl ?? 'ours'
  const n = Number(args.n ?? 100_000)
  const updates = Number(args.updates ?? 10_000)
  const insertWindow = Number(args['insert-window'] ?? 10_000)
  const updateWindow = Number(args['update-window'] ?? 10_000)
  const seed = Number(args.seed ?? 1)
  const cacheSize = Number(args['cache-size'] ?? 500_000)
  const dir = tempDir(`trie-${impl}`)
  try {
    const subject =
      impl === 'ours' ? await openOurs(dir, args.pipeline !== 'false') : await openEthereumjs(dir, cacheSize)
    const levelStats = args['level-stats'] === 'true'
    const mode = readAheadMode(impl === 'ours' ? (args.prefetch ?? 'false') : 'false')
    const valuePrng = new Prng(seed + 1000)
    const keys = new KeyTable(n, new Prng(seed))

    const insertTimer = new WindowTimer(insertWindow)
    let root: Uint8Array = new Uint8Array(0)
    const threadsStart = threadCpuByName(process.pid)
    const cpuStart = selfCpu()
    insertTimer.restart()
    const insertAhead = new ReadAhead(subject, mode, (i) => keys.range(i, Math.min(n, i + COMMIT_EVERY)))
    for (let i = 0; i < n; i += COMMIT_EVERY) {
      const end = Math.min(n, i + COMMIT_EVERY)
      const window = await insertAhead.window(i, end < n)
      for (const key of window) await subject.put(key, accountValue(valuePrng))
      root = await subject.commit()
      insertTimer.add(end - i)
      if ((end / COMMIT_EVERY) % 100 === 0) log(`  ${impl}: ${end} inserted`)
    }
    const insertRoot = bytesToHex(root)

    const cpuInserted = selfCpu()
    const threadsInserted = threadCpuByName(process.pid)
    const readsInserted = subject.syncReads()
    if (levelStats) log(subject.levelStats())
    let profiler: Session | undefined
    if (args.profile !== undefined) {
      profiler = new Session()
      profiler.connect()
      await profiler.post('Profiler.enable')
      await profiler.post('Profiler.start')
    }
    const updateTimer = new WindowTimer(updateWindow)
    const pick = new Prng(seed + 2000)
    updateTimer.restart()
    // the picks are drawn window by window in order, whichever mode, so every mode updates the same keys
    const updateAhead = new ReadAhead(subject, mode, (i) => {
      const picked: Uint8Array[] = new Array(Math.min(updates, i + COMMIT_EVERY) - i)
      for (let j = 0; j < picked.length; j++) picked[j] = keys.at(pick.int(n))
      return picked
    })
    for (let i = 0; i < updates; i += COMMIT_EVERY) {
      const end = Math.min(updates, i + COMMIT_EVERY)
      const picked = await updateAhead.window(i, end < updates)
      for (const key of picked) await subject.put(key, accountValue(valuePrng))
      root = await subject.commit()
      updateTimer.add(end - i)
    }
    const readsUpdated = subject.syncReads()
    if (levelStats) log(subject.levelStats(), `\n${rssBreakdown()}`)
    await subject.close()
    const cpuEnd = selfCpu()
    const threadsEnd = threadCpuByName(process.pid)
    if (profiler !== undefined) {
      const { profile } = await profiler.post('Profiler.stop')
      writeFileSync(args.profile as string, JSON.stringify(profile))
      profiler.disconnect()
    }
    const result: SubjectResult = {
      insert: insertTimer.rates,
      update: updateTimer.rates,
      insertRoot,
      updateRoot: bytesToHex(root),
      // the value generation (a few µs per op) is inside these, on both sides alike
      insertCpuUsPerOp: cpuPerOp(cpuStart, cpuInserted, n),
      updateCpuUsPerOp: cpuPerOp(cpuInserted, cpuEnd, updates),
      insertThreadCpuUsPerOp: threadCpuPerOp(threadsStart, threadsInserted, n),
      updateThreadCpuUsPerOp: threadCpuPerOp(threadsInserted, threadsEnd, updates),
      ...(impl === 'ours'
        ? {
            insertSyncReadsPerOp: Number((readsInserted / n).toFixed(3)),
            updateSyncReadsPerOp: Number(((readsUpdated - readsInserted) / updates).toFixed(3)),
          }
        : {}),
      peakRssMiB: cpuEnd.peakRssMiB,
    }
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    removeDir(dir)
  }
}

await main()
