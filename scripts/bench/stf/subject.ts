/**
 * One side of the `stf.transfer` figure, run in its own process by figures/stf.ts (or by hand,
 * e.g. under `node --cpu-prof`):
 *   node scripts/bench/stf/subject.ts --impl ours|ethereumjs --accounts N --txs T [--run-txs P]
 *        [--block 1000] [--threads K]
 * --txs sizes the workload (cached per size), --run-txs runs only its first P transfers.
 * Profiling only (ours): --phases (the steps of applyBlock timed one by one, in CPU µs per
 * transaction), --pipeline (commit of block n overlaps block n+1, through OverlayStore),
 * --store cached (a node cache in front of LevelDB), --experiment keepLeaves (experiments.ts).
 * Both sides start from the same pre-state on LevelDB: N funded accounts (plus the message
 * passer), built with our StateDb and committed before timing (not measured). ethereumjs reads
 * those very nodes: our trie nodes are byte-identical Ethereum MPT nodes stored under their hash,
 * and its MPT asks its DB for the unprefixed hex of the hash, which the adapter below turns back
 * into bytes.
 * Prints one JSON line: { rates: per-block tx/s, txs, root, ... }.
 */
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
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
import { createSenderPool, decodeTransaction } from '../../../packages/core/src/tx/index.ts'
import { log, parseArgs, removeDir, tempDir } from '../harness.ts'
import { CachedStore, OverlayStore } from './cachedStore.ts'
import { applyKeepLeaves } from './experiments.ts'
import { addressAt, standardWorkload, type Workload } from '../workload.ts'

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
  /** --phases: µs per transaction per phase (medians over blocks). */
  phases?: Record<string, number>
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

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

async function runOurs(
  level: LevelStore,
  root0: Uint8Array,
  blocks: Uint8Array[][],
  threads: number,
  phases: boolean,
  cached: boolean,
  pipeline: boolean,
) {
  // --store cached / --pipeline: experiments (see cachedStore.ts); the figure runs on LevelStore itself
  const store = cached ? new CachedStore(level) : pipeline ? new OverlayStore(level) : level
  let committing: Promise<unknown> = Promise.resolve()
  const pool = createSenderPool({ threads })
  await pool.recover([blocks[0]?.[0] as Uint8Array], CHAIN_ID) // workers loaded before timing
  const state = new StateDb(store, root0)
  const rates: number[] = []
  const phaseSamples: Record<string, number[]> = {
    wait: [],
    decode: [],
    apply: [],
    stateRoot: [],
    txReceiptRoots: [],
    commit: [],
  }
  let noops = 0
  const blockRoots: string[] = []
  let parentHash: Uint8Array = new Uint8Array(32)
  const cpu0 = { thread: process.threadCpuUsage(), process: process.cpuUsage() }
  let next = pool.recover(blocks[0] as Uint8Array[], CHAIN_ID)
  let t = performance.now()
  for (let b = 0; b < blocks.length; b++) {
    const raws = blocks[b] as Uint8Array[]
    const clock = phases ? cpuMs : () => performance.now()
    const t0 = clock()
    const senders = await next
    if (b + 1 < blocks.length) next = pool.recover(blocks[b + 1] as Uint8Array[], CHAIN_ID)
    const t1 = clock()
    const messages: StfMessage[] = new Array(raws.length)
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i] as Uint8Array
      messages[i] = { kind: 'transaction', tx: decodeTransaction(raw), sender: senders[i], raw }
    }
    const t2 = clock()
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
      const t3 = clock()
      state.stateRoot()
      const t4 = clock()
      orderedTrieRoot(included)
      orderedTrieRoot(receipts)
      const t5 = clock()
      await state.commit()
      const t6 = clock()
      const per = 1000 / raws.length
      phaseSamples.wait?.push((t1 - t0) * per)
      phaseSamples.decode?.push((t2 - t1) * per)
      phaseSamples.apply?.push((t3 - t2) * per)
      phaseSamples.stateRoot?.push((t4 - t3) * per)
      phaseSamples.txReceiptRoots?.push((t5 - t4) * per)
      phaseSamples.commit?.push((t6 - t5) * per)
    } else {
      const block = applyBlock(
        state,
        {
          parentHash,
          number: BigInt(b + 1),
          timestamp: BigInt(1_700_000_000 + b),
          delayedCountAfter: 0n,
          delayedAccumulator: new Uint8Array(32),
          messages,
        },
        config,
      )
      noops += raws.length - block.transactions.length
      parentHash = block.hash
      blockRoots.push(bytesToHex(block.header.stateRoot))
      if (pipeline) {
        // the previous block's batch must be written before this one is submitted
        await committing
        committing = state.commit()
        if (b === blocks.length - 1) await committing
      } else {
        await state.commit()
      }
    }
    const now = performance.now()
    rates.push((raws.length * 1000) / (now - t))
    t = now
  }
  await committing
  const cpu = cpuSince(cpu0, blocks)
  await pool.close()
  const result: SubjectResult = {
    impl: 'ours',
    rates,
    txs: blocks.reduce((s, r) => s + r.length, 0),
    root: bytesToHex(state.stateRoot()),
    noops,
    threads,
    blockRoots,
    cpuUsPerTx: cpu,
  }
  if (phases) {
    result.phases = Object.fromEntries(
      Object.entries(phaseSamples).map(([k, v]) => [k, Number(medianOf(v).toFixed(2))]),
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
  return { impl: 'ethereumjs', rates, txs, root, rawRoot, failed, cpuUsPerTx: cpu }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const impl = args.impl ?? 'ours'
  const accounts = Number(args.accounts ?? 100_000)
  const txs = Number(args.txs ?? 20_000)
  const runTxs = Number(args['run-txs'] ?? txs)
  const blockSize = Number(args.block ?? 1000)
  const threads = Number(args.threads ?? 0) || undefined
  if (args.experiment === 'keepLeaves') applyKeepLeaves()
  const workload = standardWorkload({ accounts, txs, chainId: CHAIN_ID, baseFeePerGas: BASE_FEE })
  const dir = tempDir(`stf-${impl}`)
  try {
    const store = await LevelStore.open(dir)
    const root0 = await buildPreState(store, workload)
    const blocks = blocksOf(workload.raws.slice(0, runTxs), blockSize)
    const result =
      impl === 'ours'
        ? await runOurs(
            store,
            root0,
            blocks,
            threads ?? availableParallelism(),
            args.phases === 'true',
            args.store === 'cached',
            args.pipeline === 'true',
          )
        : await runEthereumjs(store, root0, blocks)
    await store.close()
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    removeDir(dir)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
