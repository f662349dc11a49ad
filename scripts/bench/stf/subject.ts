/**
 * One side of the `stf.transfer` figure, run in its own process by figures/stf.ts (or by hand,
 * e.g. under `node --cpu-prof`):
 *   node scripts/bench/stf/subject.ts --impl ours|ethereumjs --accounts N --txs T [--run-txs P]
 *        [--block 1000] [--threads K] [--batch-blocks K]
 * --txs sizes the workload (cached per size), --run-txs runs only its first P transfers.
 * Ours pipelines by default: block n+1 executes while block n's batch is written, and its accounts
 * are prefetched meanwhile (--pipeline false / --prefetch false turn either off, for comparison).
 * Profiling only (ours): --profile <file> (a CPU profile of the main thread over the timed loop),
 * --heap-profile <file> (its allocations, sampled, short-lived ones included; with --survivors true
 * only those a scavenge did not free), --phases (the steps of applyBlock timed one by one, in CPU µs per
 * transaction of the main thread), --store cached (a node cache in front of LevelDB).
 * Both sides start from the same pre-state on LevelDB: N funded accounts (plus the message
 * passer), built with our StateDb and committed before timing (not measured). ethereumjs reads
 * those very nodes: our trie nodes are byte-identical Ethereum MPT nodes stored under their hash,
 * and its MPT asks its DB for the unprefixed hex of the hash, which the adapter below turns back
 * into bytes.
 * Prints one JSON line: { rates: per-block tx/s, txs, root, ... }.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { GCProfiler } from 'node:v8'
import { createBlock } from '@ethereumjs/block'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import { createMPT } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP } from '@ethereumjs/tx'
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'
import { Address, ValueEncoding } from '@ethereumjs/util'
import { createVM, runTx } from '@ethereumjs/vm'
import { orderedTrieRoot } from '../../../packages/core/src/block/build.ts'
import { applyBlock, encodeReceipt, prepareBlockConfig } from '../../../packages/core/src/block/index.ts'
import { bytesToHex, hexToBytes } from '../../../packages/core/src/bytes/index.ts'
import { keccak256 } from '../../../packages/core/src/crypto/index.ts'
import { LevelStore } from '../../../packages/core/src/db/index.ts'
import { StateDb, writeGenesisState } from '../../../packages/core/src/state/index.ts'
import { applyDeposit, applyMessage } from '../../../packages/core/src/stf/index.ts'
import type { StfMessage } from '../../../packages/core/src/stf/message.ts'
import { createSenderPool, decodeTransaction, type RecoveredSenders } from '../../../packages/core/src/tx/index.ts'
import { log, parseArgs, removeDir, selfCpu, tempDir, threadCpuByName, threadCpuPerOp } from '../harness.ts'
import { addressAt, standardWorkload, type Workload } from '../workload.ts'
import { CachedStore } from './cachedStore.ts'

export const CHAIN_ID = 1_337_901n
export const BASE_FEE = 1_000_000_000n
export const FEE_VAULT = '0x00000000000000000000000000000000000fee01'
const config = prepareBlockConfig({
  chainId: CHAIN_ID,
  baseFeePerGas: BASE_FEE,
  feeVault: FEE_VAULT,
  l2BlockGasLimit: 30_000_000n,
})

export type SubjectResult = {
  impl: string
  /** Per-block tx/s. */
  rates: number[]
  /** ours: the state root after each block (the block header's). */
  blockRoots?: string[]
  txs: number
  /** State root after the last block (ethereumjs: with the burned base fee credited to the vault). */
  root: string
  /** ethereumjs only: its own root, before that adjustment. */
  rawRoot?: string
  /** ethereumjs only: transactions that did not apply. */
  failed?: number
  /** ours only: transfers that were no-ops. */
  noops?: number
  threads?: number
  /**
   * CPU µs per transaction over the timed loop: this process's main thread, and the whole process
   * (worker threads and LevelDB's background threads included). Unlike the rates, these hardly
   * depend on what else runs on the machine.
   */
  cpuUsPerTx?: { mainThread: number; process: number }
  /** Peak RSS of the subject process (workload and pre-state building included), MiB. */
  peakRssMiB?: number
  /**
   * ours (pipelined loop): wall-clock µs per transaction the main thread spent awaiting the sender
   * recovery of the next block, the previous block's LevelDB write, and the prefetch's reads (idle,
   * or running other callbacks), blocks after the first. Near 0 everywhere: the main thread never
   * waits, so the figure is bound by CPU.
   */
  waitUsPerTx?: { recovery: number; write: number; prefetch: number }
  /** --phases: main-thread CPU µs per transaction per phase (means over blocks). */
  phases?: Record<string, number>
  /**
   * CPU µs per transaction by thread name over the timed loop (`main`, `WorkerThread` = sender
   * recovery, `V8Worker` = V8's GC and compiler threads, `libuv-worker` = LevelDB); 10 ms ticks.
   */
  threadCpuUsPerTx?: Record<string, number>
  /**
   * The main isolate's garbage collections over the timed loop (ours): how much the young generation
   * took in, and how much of it survived a scavenge (copied within it, or promoted to the old
   * generation). Bytes do not depend on the machine's load, unlike CPU time.
   */
  gc?: GcSummary
}

type GcSummary = {
  scavenges: number
  /** Mark-sweep-compacts (full collections). */
  markCompacts: number
  /** The collections' time on the main thread, ms. */
  mainThreadMs: number
  youngAllocatedMB: number
  /** Still alive in the young generation after each scavenge, summed. */
  survivedMB: number
  /** Moved to the old generation by scavenges, summed. */
  promotedMB: number
}

type GcStatistic = {
  gcType: string
  cost: number
  beforeGC: { heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] }
  afterGC: { heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] }
}

function spaceUsed(stats: GcStatistic['beforeGC'], ...names: string[]): number {
  let sum = 0
  for (const space of stats.heapSpaceStatistics) if (names.includes(space.spaceName)) sum += space.spaceUsedSize
  return sum
}

/** Sums `GCProfiler` statistics: young-generation intake, survivors and promotions, per scavenge. */
function summariseGc(statistics: readonly GcStatistic[]): GcSummary {
  const young = ['new_space', 'new_large_object_space']
  const old = ['old_space', 'large_object_space']
  let youngAfter = 0
  let first = true
  const sum = { scavenges: 0, markCompacts: 0, mainThreadUs: 0, allocated: 0, survived: 0, promoted: 0 }
  for (const s of statistics) {
    sum.mainThreadUs += s.cost
    if (s.gcType === 'MarkSweepCompact') sum.markCompacts++
    if (s.gcType !== 'Scavenge') continue
    sum.scavenges++
    const youngBefore = spaceUsed(s.beforeGC, ...young)
    // the first scavenge's intake started before the loop: count it from there anyway (one block's worth)
    sum.allocated += first ? youngBefore : youngBefore - youngAfter
    first = false
    youngAfter = spaceUsed(s.afterGC, ...young)
    sum.survived += youngAfter
    sum.promoted += Math.max(0, spaceUsed(s.afterGC, ...old) - spaceUsed(s.beforeGC, ...old))
  }
  const mb = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1))
  return {
    scavenges: sum.scavenges,
    markCompacts: sum.markCompacts,
    mainThreadMs: Number((sum.mainThreadUs / 1000).toFixed(0)),
    youngAllocatedMB: mb(sum.allocated),
    survivedMB: mb(sum.survived),
    promotedMB: mb(sum.promoted),
  }
}

/** Builds the pre-state (N funded accounts + genesis) in a fresh LevelDB; returns its root. */
async function buildPreState(store: LevelStore, workload: Workload): Promise<Uint8Array> {
  const started = performance.now()
  const state = new StateDb(store)
  writeGenesisState(state)
  const n = workload.params.accounts
  for (let i = 0; i < n; i++) {
    applyDeposit(state, addressAt(workload, i), workload.fundedBalance)
    if ((i + 1) % 100_000 === 0) await state.commit()
  }
  const root = await state.commit()
  log(`  pre-state: ${n} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s, root ${bytesToHex(root)}`)
  return root
}

function blocksOf(raws: readonly Uint8Array[], size: number): Uint8Array[][] {
  const out: Uint8Array[][] = []
  for (let i = 0; i < raws.length; i += size) out.push(raws.slice(i, i + size))
  return out
}

/** This thread's CPU time in ms (user + system): robust to other processes sharing the cores. */
function cpuMs(): number {
  const u = process.threadCpuUsage()
  return (u.user + u.system) / 1000
}

function cpuSince(
  start: { thread: NodeJS.CpuUsage; process: NodeJS.CpuUsage },
  blocks: Uint8Array[][],
): { mainThread: number; process: number } {
  const txs = blocks.reduce((s, r) => s + r.length, 0)
  const thread = process.threadCpuUsage(start.thread)
  const all = process.cpuUsage(start.process)
  return {
    mainThread: Number(((thread.user + thread.system) / txs).toFixed(1)),
    process: Number(((all.user + all.system) / txs).toFixed(1)),
  }
}

type OursOptions = {
  threads: number
  /** Time the steps of applyBlock one by one (CPU µs per transaction). */
  phases: boolean
  /** `--store cached`: a node cache in front of LevelDB (experiment). */
  cached: boolean
  /** Block n+1 executes while block n's batch is written (`StateDb.startCommit`); default on. */
  pipeline: boolean
  /** Block n+1's senders and recipients are prefetched (`StateDb.prefetch`) while block n is written; default on. */
  prefetch: boolean
  /** `--profile <file>`: a CPU profile of the main thread over the timed loop only (not the pre-state). */
  profile: string | undefined
  /** `--heap-profile <file>`: a sampling allocation profile of the main thread over the timed loop. */
  heapProfile: string | undefined
  /** `--survivors true`: the heap profile keeps only objects that survived the scavenges (promoted ones). */
  survivorsOnly: boolean
  /**
   * `--batch-blocks K`: run as the verifier does — the accounts of K blocks prefetched at once, then
   * each block executed and committed in turn (the next K blocks' senders recovered meanwhile).
   */
  batchBlocks: number
  /**
   * `--recover-ahead K`: block b's senders are recovered while block b-K executes. 2 (the default)
   * as the verifier's driver plans two batches ahead, so the workers recover block b+2 while block
   * b+1 is decoded and prefetched (they idled then with 1: the main thread waited ~25 µs per transfer
   * on recovery, on a loaded machine).
   */
  recoverAhead: number
  /**
   * `--keep-written true`: the state keeps what each commit wrote attached, as the builder's and the
   * verifier's do (`StateDb` option `keepWritten`). Off by default: on this workload (uniform senders
   * over 100,000 accounts) it read ~15% fewer nodes but cost the main thread ~2 µs per transfer more.
   */
  keepWritten: boolean
}

/**
 * A block's messages as the verifier's planner makes them: each transaction decoded, with the sender
 * and the hash its worker pass gave (`recoverWithHashes`), so the main thread hashes nothing.
 */
function decodeBlock(raws: readonly Uint8Array[], recovered: RecoveredSenders): StfMessage[] {
  const messages: StfMessage[] = new Array(raws.length)
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i] as Uint8Array
    messages[i] = {
      kind: 'transaction',
      tx: decodeTransaction(raw),
      sender: recovered.senders[i],
      raw,
      hash: recovered.hashes[i],
    }
  }
  return messages
}

/** The accounts a block of transfers reads and writes (the fee vault stays resident anyway). */
function touchedAddresses(messages: readonly StfMessage[]): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const m of messages) {
    if (m.kind !== 'transaction') continue
    if (m.sender !== undefined) out.push(m.sender)
    if (m.tx !== undefined && m.tx.to !== undefined) out.push(m.tx.to)
  }
  return out
}

/** Block `b` (0-based) of the workload, applied on `state`. */
function applyTransferBlock(state: StateDb, b: number, parentHash: Uint8Array, messages: StfMessage[]) {
  const header = { parentHash, number: BigInt(b + 1), timestamp: BigInt(1_700_000_000 + b) }
  return applyBlock(
    state,
    { ...header, delayedCountAfter: 0n, delayedAccumulator: new Uint8Array(32), messages },
    config,
  )
}

/**
 * The block loop as a node runs it: senders are recovered in the pool two blocks ahead (as the
 * verifier's driver plans; `--recover-ahead`); block b
 * executes while block b-1's batch is written (awaited before block b's commit is submitted); while
 * block b's batch is written, block b+1 is decoded and its accounts prefetched off the main thread.
 */
async function runOurs(level: LevelStore, root0: Uint8Array, blocks: Uint8Array[][], options: OursOptions) {
  if (options.batchBlocks > 1) return runOursBatched(level, root0, blocks, options)
  const { phases, pipeline, prefetch } = options
  const store = options.cached ? new CachedStore(level) : level
  const pool = createSenderPool({ threads: options.threads })
  await pool.recoverWithHashes([blocks[0]?.[0] as Uint8Array], CHAIN_ID) // workers loaded before timing
  const state = new StateDb(store, root0, { keepWritten: options.keepWritten })
  const rates: number[] = []
  const phaseSamples: Record<string, number[]> = {
    wait: [],
    decode: [],
    prefetch: [],
    apply: [],
    stateRoot: [],
    txReceiptRoots: [],
    commit: [],
  }
  let noops = 0
  const blockRoots: string[] = []
  let parentHash: Uint8Array = new Uint8Array(32)
  let written: Promise<void> = Promise.resolve()
  let profiler: Session | undefined
  if (options.profile !== undefined || options.heapProfile !== undefined) {
    profiler = new Session()
    profiler.connect()
  }
  if (profiler !== undefined && options.profile !== undefined) {
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.start')
  }
  if (profiler !== undefined && options.heapProfile !== undefined) {
    // every object kept: short-lived garbage is what the scavenger pays for
    await profiler.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: !options.survivorsOnly,
    })
  }
  const threads0 = threadCpuByName(process.pid)
  const gcProfiler = new GCProfiler()
  gcProfiler.start()
  const cpu0 = { thread: process.threadCpuUsage(), process: process.cpuUsage() }
  const clock = phases ? cpuMs : () => performance.now()
  // block b's recovery, started `recoverAhead` blocks before it executes (in order: the pool's
  // workers take requests in turn)
  const recoveries = new Map<number, Promise<RecoveredSenders>>()
  let recoveriesStarted = 0
  /** Starts the recoveries of the blocks up to `last` not started yet. */
  const recoverThrough = (last: number) => {
    for (; recoveriesStarted <= Math.min(last, blocks.length - 1); recoveriesStarted++)
      recoveries.set(recoveriesStarted, pool.recoverWithHashes(blocks[recoveriesStarted] as Uint8Array[], CHAIN_ID))
  }
  /** Block b's senders (its recovery forgotten once taken). */
  const recovered = (b: number) => {
    const senders = recoveries.get(b) as Promise<RecoveredSenders>
    recoveries.delete(b)
    return senders
  }
  recoverThrough(options.recoverAhead - 1)
  let messages: StfMessage[] | null = null
  const waited = { recovery: 0, write: 0, prefetch: 0 }
  /** Awaits `promise`, adding the wall time to `waited[what]` (blocks after the first only). */
  const wait = async <T>(what: keyof typeof waited, b: number, promise: Promise<T>): Promise<T> => {
    const started = performance.now()
    const value = await promise
    if (b > 0) waited[what] += performance.now() - started
    return value
  }
  let t = performance.now()
  for (let b = 0; b < blocks.length; b++) {
    const raws = blocks[b] as Uint8Array[]
    const t0 = clock()
    let t1 = t0
    let t2 = t0
    if (messages === null) {
      // first block (or no pipelining): recover, decode, prefetch now
      const senders = await wait('recovery', b, recovered(b))
      t1 = clock()
      messages = decodeBlock(raws, senders)
      t2 = clock()
      if (prefetch) await wait('prefetch', b, state.prefetch(touchedAddresses(messages)))
    }
    recoverThrough(b + options.recoverAhead)
    const t2b = clock()
    let t3: number
    let t4: number
    let t5: number
    if (phases) {
      // the steps of applyBlock, timed one by one (profile only; the figure uses applyBlock)
      const included: Uint8Array[] = []
      const receipts: Uint8Array[] = []
      let gas = 0n
      for (const m of messages) {
        const outcome = applyMessage(state, m, config)
        if (!outcome.applied || outcome.kind !== 'transaction') {
          noops++
          continue
        }
        gas += outcome.gasUsed
        included.push((m as { raw: Uint8Array }).raw)
        receipts.push(
          encodeReceipt({ type: outcome.tx.type, cumulativeGasUsed: gas, logsBloom: new Uint8Array(256), logs: [] }),
        )
      }
      t3 = clock()
      state.stateRoot()
      t4 = clock()
      orderedTrieRoot(included)
      orderedTrieRoot(receipts)
      t5 = clock()
    } else {
      const block = applyTransferBlock(state, b, parentHash, messages)
      noops += raws.length - block.transactions.length
      parentHash = block.hash
      blockRoots.push(bytesToHex(block.header.stateRoot))
      t3 = t4 = t5 = clock()
    }
    // block b-1 is durable once this resolves; only then is block b's batch submitted
    await wait('write', b, written)
    written = state.startCommit().written
    if (!pipeline) await wait('write', b, written)
    const t6 = clock()
    messages = null
    let t7 = t6
    let t8 = t6
    if (pipeline && b + 1 < blocks.length) {
      // while block b is written: block b+1's senders (recovered meanwhile), decoding, prefetch
      const senders = await wait('recovery', b + 1, recovered(b + 1))
      t7 = clock()
      messages = decodeBlock(blocks[b + 1] as Uint8Array[], senders)
      t8 = clock()
      if (prefetch) await wait('prefetch', b + 1, state.prefetch(touchedAddresses(messages)))
    }
    // the last block counts its write too (the others overlap it with the next block's work)
    if (b + 1 === blocks.length) await written
    const t9 = clock()
    const now = performance.now()
    rates.push((raws.length * 1000) / (now - t))
    t = now
    if (phases) {
      const per = 1000 / raws.length
      phaseSamples.wait?.push((t1 - t0 + t7 - t6) * per)
      phaseSamples.decode?.push((t2 - t1 + t8 - t7) * per)
      phaseSamples.prefetch?.push((t2b - t2 + t9 - t8) * per)
      phaseSamples.apply?.push((t3 - t2b) * per)
      phaseSamples.stateRoot?.push((t4 - t3) * per)
      phaseSamples.txReceiptRoots?.push((t5 - t4) * per)
      phaseSamples.commit?.push((t6 - t5) * per)
    }
  }
  await written
  const cpu = cpuSince(cpu0, blocks)
  const gc = summariseGc((gcProfiler.stop()?.statistics ?? []) as GcStatistic[])
  const threadCpuUsPerTx = threadCpuPerOp(
    threads0,
    threadCpuByName(process.pid),
    blocks.reduce((s, r) => s + r.length, 0),
  )
  if (profiler !== undefined && options.profile !== undefined) {
    const { profile } = await profiler.post('Profiler.stop')
    writeFileSync(options.profile, JSON.stringify(profile))
  }
  if (profiler !== undefined && options.heapProfile !== undefined) {
    const { profile } = await profiler.post('HeapProfiler.stopSampling')
    writeFileSync(options.heapProfile, JSON.stringify(profile))
  }
  profiler?.disconnect()
  await pool.close()
  const result = oursResult(state, blocks, options, { rates, noops, blockRoots, cpu, threadCpuUsPerTx, gc })
  const timedTxs = blocks.slice(1).reduce((s, r) => s + r.length, 0)
  const perTx = (ms: number) => Number(((ms * 1000) / Math.max(1, timedTxs)).toFixed(1))
  result.waitUsPerTx = {
    recovery: perTx(waited.recovery),
    write: perTx(waited.write),
    prefetch: perTx(waited.prefetch),
  }
  if (phases) {
    // means, not medians: the thread CPU clock ticks in milliseconds, a few per block
    result.phases = Object.fromEntries(
      Object.entries(phaseSamples).map(([k, v]) => [k, Number((v.reduce((a, x) => a + x, 0) / v.length).toFixed(2))]),
    )
  }
  return result
}

/** The minimal `DB` of @ethereumjs/util over our LevelDB: hex-string keys → the hash bytes we store nodes under. */
class HexKeyLevelDB implements DB<string, string | Uint8Array> {
  readonly store: LevelStore
  constructor(store: LevelStore) {
    this.store = store
  }
  async get(key: string, _opts?: EncodingOpts): Promise<string | Uint8Array | undefined> {
    return this.store.getSync(hexToBytes(key))
  }
  async put(key: string, val: string | Uint8Array, _opts?: EncodingOpts): Promise<void> {
    await this.store.db.put(hexToBytes(key), val as Uint8Array)
  }
  async del(key: string, _opts?: EncodingOpts): Promise<void> {
    await this.store.db.del(hexToBytes(key))
  }
  async batch(opStack: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    await this.store.batch(
      opStack.map((op) =>
        op.type === 'put'
          ? { type: 'put', key: hexToBytes(op.key), value: op.value as Uint8Array }
          : { type: 'del', key: hexToBytes(op.key) },
      ),
    )
  }
  shallowCopy(): DB<string, string | Uint8Array> {
    return this
  }
  async open(): Promise<void> {}
}

type NativeSecp = {
  ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed: boolean): Uint8Array
}
const secp = createRequire(import.meta.url)('secp256k1/bindings.js') as NativeSecp

/** ethereumjs's `ecrecover` contract on the native binding (what its docs suggest for speed). */
function nativeEcrecover(msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array {
  const recid = v === 0n || v === 1n ? v : chainId === undefined ? v - 27n : v - (chainId * 2n + 35n)
  const sig = new Uint8Array(64)
  sig.set(r, 32 - r.length)
  sig.set(s, 64 - s.length)
  return secp.ecdsaRecover(sig, Number(recid), msgHash, false).subarray(1)
}

/** `--batch-blocks K`: the verifier's loop (see `OursOptions.batchBlocks`); no phases or profiles. */
async function runOursBatched(level: LevelStore, root0: Uint8Array, blocks: Uint8Array[][], options: OursOptions) {
  const k = options.batchBlocks
  const pool = createSenderPool({ threads: options.threads })
  await pool.recoverWithHashes([blocks[0]?.[0] as Uint8Array], CHAIN_ID) // workers loaded before timing
  const state = new StateDb(level, root0, { keepWritten: options.keepWritten })
  const recoverBatch = (from: number) =>
    Promise.all(blocks.slice(from, from + k).map((raws) => pool.recoverWithHashes(raws, CHAIN_ID)))
  const rates: number[] = []
  const blockRoots: string[] = []
  let noops = 0
  let parentHash: Uint8Array = new Uint8Array(32)
  let written: Promise<void> = Promise.resolve()
  const threads0 = threadCpuByName(process.pid)
  const gcProfiler = new GCProfiler()
  gcProfiler.start()
  const cpu0 = { thread: process.threadCpuUsage(), process: process.cpuUsage() }
  let t = performance.now()
  let next = recoverBatch(0)
  for (let first = 0; first < blocks.length; first += k) {
    const senders = await next
    const batch = senders.map((s, i) => decodeBlock(blocks[first + i] as Uint8Array[], s))
    if (options.prefetch) await state.prefetch(batch.flatMap(touchedAddresses))
    if (first + k < blocks.length) next = recoverBatch(first + k)
    for (let i = 0; i < batch.length; i++) {
      const b = first + i
      const block = applyTransferBlock(state, b, parentHash, batch[i] as StfMessage[])
      noops += (blocks[b] as Uint8Array[]).length - block.transactions.length
      parentHash = block.hash
      blockRoots.push(bytesToHex(block.header.stateRoot))
      await written
      written = state.startCommit().written
      const now = performance.now()
      rates.push(((blocks[b] as Uint8Array[]).length * 1000) / (now - t))
      t = now
    }
  }
  await written
  const cpu = cpuSince(cpu0, blocks)
  const gc = summariseGc((gcProfiler.stop()?.statistics ?? []) as GcStatistic[])
  const txs = blocks.reduce((s, r) => s + r.length, 0)
  const threadCpuUsPerTx = threadCpuPerOp(threads0, threadCpuByName(process.pid), txs)
  await pool.close()
  return oursResult(state, blocks, options, { rates, noops, blockRoots, cpu, threadCpuUsPerTx, gc })
}

/** Our side's result from what a run measured. */
function oursResult(
  state: StateDb,
  blocks: Uint8Array[][],
  options: OursOptions,
  measured: Pick<SubjectResult, 'rates' | 'noops' | 'blockRoots' | 'threadCpuUsPerTx' | 'gc'> & {
    cpu: { mainThread: number; process: number }
  },
): SubjectResult {
  const { cpu, ...rest } = measured
  return {
    impl: 'ours',
    ...rest,
    txs: blocks.reduce((s, r) => s + r.length, 0),
    root: bytesToHex(state.stateRoot()),
    threads: options.threads,
    cpuUsPerTx: cpu,
    peakRssMiB: selfCpu().peakRssMiB,
  }
}

async function runEthereumjs(store: LevelStore, root0: Uint8Array, blocks: Uint8Array[][]): Promise<SubjectResult> {
  const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, {
    hardfork: Hardfork.Cancun,
    customCrypto: { keccak256, ecrecover: nativeEcrecover },
  })
  const trie = await createMPT({
    db: new HexKeyLevelDB(store),
    useKeyHashing: true,
    common,
    valueEncoding: ValueEncoding.Bytes,
    root: root0,
    // a node cache, as helper-2's trie figure gives it (its default is none)
    cacheSize: 500_000,
  })
  const stateManager = new MerkleStateManager({ trie, common, caches: new Caches() })
  const vm = await createVM({ common, stateManager })
  const coinbase = new Address(hexToBytes(FEE_VAULT))
  // check that it reads our pre-state: the message passer and a funded account
  if (bytesToHex(await stateManager.getStateRoot()) !== bytesToHex(root0))
    throw new Error('ethereumjs opened another root')
  const rates: number[] = []
  let failed = 0
  let burned = 0n
  const cpu0 = { thread: process.threadCpuUsage(), process: process.cpuUsage() }
  let t = performance.now()
  for (let b = 0; b < blocks.length; b++) {
    const raws = blocks[b] as Uint8Array[]
    const block = createBlock(
      {
        header: {
          number: BigInt(b + 1),
          timestamp: BigInt(1_700_000_000 + b),
          gasLimit: 30_000_000n,
          baseFeePerGas: BASE_FEE,
          coinbase,
        },
      },
      { common },
    )
    await stateManager.checkpoint()
    let gasUsed = 0n
    for (const raw of raws) {
      try {
        const tx = createTxFromRLP(raw, { common })
        const result = await runTx(vm, { tx, block, blockGasUsed: gasUsed, skipBlockGasLimitValidation: true })
        gasUsed += result.totalGasSpent
        burned += result.totalGasSpent * BASE_FEE
      } catch {
        failed++
      }
    }
    await stateManager.flush() // into the trie's checkpoint, so the commit below is one LevelDB batch
    await stateManager.commit()
    await stateManager.getStateRoot()
    const now = performance.now()
    rates.push((raws.length * 1000) / (now - t))
    t = now
  }
  const cpu = cpuSince(cpu0, blocks)
  const rawRoot = bytesToHex(await stateManager.getStateRoot())
  // our protocol pays the base fee to the vault too: credit what ethereumjs burned, then compare roots
  const vault = await stateManager.getAccount(coinbase)
  if (vault === undefined) throw new Error('ethereumjs: fee vault missing')
  vault.balance += burned
  await stateManager.putAccount(coinbase, vault)
  const root = bytesToHex(await stateManager.getStateRoot())
  const txs = blocks.reduce((s, r) => s + r.length, 0)
  return { impl: 'ethereumjs', rates, txs, root, rawRoot, failed, cpuUsPerTx: cpu, peakRssMiB: selfCpu().peakRssMiB }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const impl = args.impl ?? 'ours'
  const accounts = Number(args.accounts ?? 100_000)
  const txs = Number(args.txs ?? 20_000)
  const runTxs = Number(args['run-txs'] ?? txs)
  const blockSize = Number(args.block ?? 1000)
  const threads = Number(args.threads ?? 0) || undefined
  const workload = standardWorkload({ accounts, txs, chainId: CHAIN_ID, baseFeePerGas: BASE_FEE })
  const dir = tempDir(`stf-${impl}`)
  try {
    const store = await LevelStore.open(dir)
    const root0 = await buildPreState(store, workload)
    const blocks = blocksOf(workload.raws.slice(0, runTxs), blockSize)
    const result =
      impl === 'ours'
        ? await runOurs(store, root0, blocks, {
            threads: threads ?? availableParallelism(),
            phases: args.phases === 'true',
            cached: args.store === 'cached',
            pipeline: args.pipeline !== 'false',
            prefetch: args.prefetch !== 'false',
            profile: args.profile,
            heapProfile: args['heap-profile'],
            survivorsOnly: args.survivors === 'true',
            batchBlocks: Number(args['batch-blocks'] ?? 1),
            recoverAhead: Math.max(1, Number(args['recover-ahead'] ?? 2)),
            keepWritten: args['keep-written'] === 'true',
          })
        : await runEthereumjs(store, root0, blocks)
    await store.close()
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    removeDir(dir)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
