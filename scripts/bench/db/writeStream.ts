/**
 * The sequencer's LevelDB write stream, standalone and long: a LevelDB store (`LevelStore`, the
 * node's options unless overridden) written block after block as a sequencer writes it, to compare
 * LevelDB options on the CPU LevelDB spends per transfer once the database is large.
 *   node scripts/bench/db/writeStream.ts [--txs 1500000] [--block 800] [--accounts 4000]
 *        [--file-mib 64] [--open-files 1000] [--write-buffer-mib 32] [--cache-mib 64]
 *        [--block-kib 4] [--window 100000] [--dir <path, kept>]
 * Per block, one atomic batch as `ChainStore` + `StateDb` submit it (block n+1 executes while block
 * n's batch is written): the account trie's new nodes from the real `StateDb` (transfers between
 * `--accounts` funded senders, recipients Zipf(1.1) over them or, one in ten, a new address: the
 * standard workload's mix, values not signed), and chain records shaped like `ChainStore.blockOps`
 * writes them: the block record (~185 bytes per transfer), hash → number, a location per
 * transaction hash, an address-index entry for sender and recipient, a count every 16 entries, the
 * unsafe head. Before each block, the touched accounts are prefetched (`StateDb.prefetch`, LevelDB
 * reads off the main thread) as the block builder does.
 * Per window of `--window` transfers: CPU µs per transfer by thread (`libuv-worker` is classic-level's
 * work and LevelDB's background compaction), bytes written to files per byte handed to LevelDB (write
 * amplification, /proc/self/io wchar), the database's size and table files, and read latency: a
 * synchronous get of a transaction location written in the last blocks and of a random older one.
 * Prints one JSON line: { options, windows, total }.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { concatBytes } from '../../../packages/core/src/bytes/index.ts'
import type { BatchOp, KeyValueStore } from '../../../packages/core/src/db/index.ts'
import { DEFAULT_LEVEL_OPTIONS, LevelStore } from '../../../packages/core/src/db/index.ts'
import { StateDb, writeGenesisState } from '../../../packages/core/src/state/index.ts'
import { applyDeposit } from '../../../packages/core/src/stf/index.ts'
import { log, Prng, parseArgs, removeDir, tempDir, threadCpuByName } from '../harness.ts'

const MIB = 1024 * 1024
const args = parseArgs(process.argv.slice(2))
const num = (name: string, fallback: number) => (args[name] === undefined ? fallback : Number(args[name]))

const totalTxs = num('txs', 1_500_000)
const blockTxs = num('block', 800)
const accounts = num('accounts', 4_000)
const windowTxs = num('window', 100_000)
/** The node's LevelDB options (packages/node/src/chain/nodeStore.ts) are the default. */
const options = {
  maxFileSize: num('file-mib', DEFAULT_LEVEL_OPTIONS.maxFileSize / MIB) * MIB,
  maxOpenFiles: num('open-files', DEFAULT_LEVEL_OPTIONS.maxOpenFiles),
  writeBufferSize: num('write-buffer-mib', 32) * MIB,
  cacheSize: num('cache-mib', 64) * MIB,
  blockSize: num('block-kib', 4) * 1024,
}

const text = new TextEncoder()
const PREFIX = {
  block: text.encode('c/b/'),
  hash: text.encode('c/h/'),
  tx: text.encode('c/t/'),
  addressCount: text.encode('c/an/'),
  addressEntry: text.encode('c/ae/'),
  unsafeHead: text.encode('c/head/unsafe'),
}
const ADDRESS_COUNT_STRIDE = 16
/** Block record bytes per transfer (raw signed transfer ~110, hash, sender, gas, fee, bloom, flags) and for the header. */
const RECORD_BYTES_PER_TX = 185
const RECORD_HEADER_BYTES = 600

function u64(value: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(value))
  return out
}

/** rlp([block, index]) as `TransactionLocations` writes it (blocks below 2^24). */
function location(block: number, index: number): Uint8Array {
  const indexBytes =
    index === 0
      ? Uint8Array.of(0x80)
      : index < 0x80
        ? Uint8Array.of(index)
        : Uint8Array.of(0x82, index >> 8, index & 0xff)
  const blockBytes = Uint8Array.of(0x83, block >> 16, (block >> 8) & 0xff, block & 0xff)
  return concatBytes(Uint8Array.of(0xc0 + blockBytes.length + indexBytes.length), blockBytes, indexBytes)
}

/** Ranks 0..n-1 drawn from Zipf(s), by inverting the continuous approximation of its CDF. */
function zipfRank(prng: Prng, n: number, s: number): number {
  const u = prng.float()
  const rank = ((n ** (1 - s) - 1) * u + 1) ** (1 / (1 - s))
  return Math.min(n - 1, Math.floor(rank) - 1)
}

/** Bytes written to files and read from them by this process so far (/proc/self/io). */
function fileIo(): { written: number; read: number } {
  const io = readFileSync('/proc/self/io', 'utf8')
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? 0)
  return { written: field('wchar'), read: field('rchar') }
}

function dbFiles(dir: string): { tables: number; bytes: number } {
  let tables = 0
  let bytes = 0
  for (const name of readdirSync(dir)) {
    try {
      bytes += statSync(join(dir, name)).size
      if (name.endsWith('.ldb')) tables++
    } catch {
      // deleted by a compaction meanwhile
    }
  }
  return { tables, bytes }
}

/** Median and 99th percentile of `samples` (µs), rounded. */
function spread(samples: number[]): { median: number; p99: number } {
  const sorted = samples.slice().sort((a, b) => a - b)
  const at = (q: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1))
  return { median: at(0.5), p99: at(0.99) }
}

/** Wall µs of one synchronous get of each key (LevelDB's block cache, table cache and the page cache answer). */
function readLatency(
  store: KeyValueStore,
  keys: readonly Uint8Array[],
): { median: number; p99: number; missing: number } {
  const samples: number[] = []
  let missing = 0
  for (const key of keys) {
    const t = performance.now()
    if (store.getSync(key) === undefined) missing++
    samples.push((performance.now() - t) * 1000)
  }
  return { ...spread(samples), missing }
}

const keepDir = args.dir !== undefined
const dir = args.dir ?? tempDir('db-stream')
const level = await LevelStore.open(dir, options)
let windowUserBytes = 0
/** The LevelDB store, counting the bytes of keys and values handed to it (the trie's nodes and the chain records). */
const store: KeyValueStore = {
  getSync: (key) => level.getSync(key),
  getMany: (keys) => level.getMany(keys),
  batch(ops) {
    for (const op of ops) windowUserBytes += op.key.length + (op.type === 'put' ? op.value.length : 0)
    return level.batch(ops)
  },
  close: () => level.close(),
}
const prng = new Prng(Number(args.seed ?? 1))

// the funded senders, committed before timing
const senders: Uint8Array[] = Array.from({ length: accounts }, () => prng.bytes(20))
const state = new StateDb(store)
writeGenesisState(state)
for (const address of senders) applyDeposit(state, address, 1000n * 10n ** 18n)
await state.commit()
const feeVault = prng.bytes(20)

/** Every 64th transaction hash written, for reads of old records. */
const sampledHashes: Uint8Array[] = []
const addressCounts = new Map<string, number>()
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')

function indexAddress(address: Uint8Array, at: Uint8Array, ops: BatchOp[]): void {
  const id = latin1(address)
  const count = addressCounts.get(id) ?? 0
  ops.push({ type: 'put', key: concatBytes(PREFIX.addressEntry, address, u64(count)), value: at })
  addressCounts.set(id, count + 1)
  if ((count + 1) % ADDRESS_COUNT_STRIDE === 0) {
    ops.push({ type: 'put', key: concatBytes(PREFIX.addressCount, address), value: u64(count + 1) })
  }
}

/** Block `number`'s transfers applied to `state`; returns its chain records and its newest transaction hashes. */
function buildBlock(
  number: number,
  pairs: readonly [Uint8Array, Uint8Array][],
): { ops: BatchOp[]; recent: Uint8Array[] } {
  const ops: BatchOp[] = []
  const recent: Uint8Array[] = []
  let fees = 0n
  for (let i = 0; i < pairs.length; i++) {
    const [from, to] = pairs[i] as [Uint8Array, Uint8Array]
    const value = BigInt(1 + prng.int(1_000_000)) * 10n ** 12n
    const fee = 21_000n * 1_000_000_000n
    const sender = state.getAccount(from)
    state.putAccount(from, { ...sender, nonce: sender.nonce + 1n, balance: sender.balance - value - fee })
    applyDeposit(state, to, value)
    fees += fee
    const hash = prng.bytes(32)
    const at = location(number, i)
    ops.push({ type: 'put', key: concatBytes(PREFIX.tx, hash), value: at })
    indexAddress(from, at, ops)
    indexAddress(to, at, ops)
    if ((number * blockTxs + i) % 64 === 0) sampledHashes.push(hash)
    if (i >= pairs.length - 8) recent.push(concatBytes(PREFIX.tx, hash))
  }
  applyDeposit(state, feeVault, fees)
  const blockHash = prng.bytes(32)
  ops.push({
    type: 'put',
    key: concatBytes(PREFIX.block, u64(number)),
    value: prng.bytes(RECORD_HEADER_BYTES + RECORD_BYTES_PER_TX * pairs.length),
  })
  ops.push({ type: 'put', key: concatBytes(PREFIX.hash, blockHash), value: u64(number) })
  ops.push({ type: 'put', key: PREFIX.unsafeHead, value: u64(number) })
  return { ops, recent }
}

/** The next block's sender → recipient pairs: senders uniform, recipients Zipf(1.1) or (one in ten) new. */
function drawPairs(count: number): [Uint8Array, Uint8Array][] {
  const pairs: [Uint8Array, Uint8Array][] = new Array(count)
  for (let i = 0; i < count; i++) {
    const from = senders[prng.int(accounts)] as Uint8Array
    const to = prng.float() < 0.1 ? prng.bytes(20) : (senders[zipfRank(prng, accounts, 1.1)] as Uint8Array)
    pairs[i] = [from, to]
  }
  return pairs
}

type Window = {
  txs: number
  dbMiB: number
  tables: number
  cpuUsPerTx: Record<string, number>
  /** Bytes written to files (WAL, flushes, compactions) per byte of keys and values handed to LevelDB. */
  writeAmplification: number
  /** Bytes read from files per byte handed to LevelDB (compactions' inputs, reads that missed the caches). */
  readAmplification: number
  readRecentUs: { median: number; p99: number; missing: number }
  readOldUs: { median: number; p99: number; missing: number }
  wallS: number
}

const windows: Window[] = []
let userBytes = 0
let written: Promise<void> = Promise.resolve()
let recentKeys: Uint8Array[] = []
const start = { threads: threadCpuByName(process.pid), io: fileIo(), wall: performance.now() }
let mark = { ...start }
let nextPairs = drawPairs(blockTxs)
let prefetched = state.prefetch(nextPairs.flat())
log(`db stream: ${JSON.stringify(options)}, ${totalTxs} transfers in blocks of ${blockTxs}, ${dir}`)
for (let number = 1, txs = 0; txs < totalTxs; number++) {
  await prefetched
  const { ops, recent } = buildBlock(number, nextPairs)
  await written
  const commit = state.startCommit(ops)
  written = commit.written
  txs += nextPairs.length
  recentKeys = recent
  nextPairs = drawPairs(blockTxs)
  prefetched = state.prefetch(nextPairs.flat())
  if (txs % windowTxs < blockTxs || txs >= totalTxs) {
    await written
    await prefetched
    const threads = threadCpuByName(process.pid)
    const io = fileIo()
    const windowTxCount = txs - windows.reduce((s, w) => s + w.txs, 0)
    const cpu: Record<string, number> = {}
    for (const [name, us] of Object.entries(threads)) {
      const per = (us - (mark.threads[name] ?? 0)) / windowTxCount
      if (per >= 0.5) cpu[name] = Number(per.toFixed(1))
    }
    const old = Array.from({ length: 300 }, () =>
      concatBytes(PREFIX.tx, sampledHashes[prng.int(sampledHashes.length)] as Uint8Array),
    )
    const files = dbFiles(dir)
    const window: Window = {
      txs: windowTxCount,
      dbMiB: Math.round(files.bytes / MIB),
      tables: files.tables,
      cpuUsPerTx: cpu,
      writeAmplification: Number(((io.written - mark.io.written) / windowUserBytes).toFixed(2)),
      readAmplification: Number(((io.read - mark.io.read) / windowUserBytes).toFixed(2)),
      readRecentUs: readLatency(store, recentKeys),
      readOldUs: readLatency(store, old),
      wallS: Number(((performance.now() - mark.wall) / 1000).toFixed(1)),
    }
    windows.push(window)
    log(`  ${txs} txs: ${JSON.stringify(window)}`)
    userBytes += windowUserBytes
    windowUserBytes = 0
    mark = { threads: threadCpuByName(process.pid), io: fileIo(), wall: performance.now() }
  }
}
await written
const endThreads = threadCpuByName(process.pid)
const endIo = fileIo()
const totalCpu: Record<string, number> = {}
for (const [name, us] of Object.entries(endThreads)) {
  const per = (us - (start.threads[name] ?? 0)) / totalTxs
  if (per >= 0.5) totalCpu[name] = Number(per.toFixed(1))
}
const result = {
  options,
  windows,
  total: {
    txs: totalTxs,
    cpuUsPerTx: totalCpu,
    writeAmplification: Number(((endIo.written - start.io.written) / userBytes).toFixed(2)),
    dbMiB: windows.at(-1)?.dbMiB,
    tables: windows.at(-1)?.tables,
  },
}
await store.close()
if (!keepDir) removeDir(dir)
console.log(JSON.stringify(result))
