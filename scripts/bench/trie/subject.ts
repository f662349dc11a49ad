/**
 * One side of the trie figures, run in its own process by scripts/bench/figures/trie.ts:
 *   node scripts/bench/trie/subject.ts --impl ours|ethereumjs --n N --updates U --insert-window W --update-window W --seed S
 *        [--pipeline false] (ours: await each commit, as before pipelining, for comparison)
 * Inserts N account-shaped values under random 20-byte addresses into a secure trie on LevelDB
 * (commit every 1,000), then updates U random existing accounts (root + commit every 1,000).
 * Prints one JSON line (`SubjectResult`): rates per window, roots, CPU per operation, peak RSS.
 */
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
  WindowTimer,
} from '../harness.ts'

export type SubjectResult = {
  insert: number[]
  update: number[]
  insertRoot: string
  updateRoot: string
  insertCpuUsPerOp: CpuPerOp
  updateCpuUsPerOp: CpuPerOp
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
  put(key: Uint8Array, value: Uint8Array): void | Promise<void>
  /** Root + commit of everything since the last call. */
  commit(): Promise<Uint8Array>
  close(): Promise<void>
}

/**
 * Ours commits pipelined, as the nodes do (`startCommit`): the next 1,000 operations run while the
 * previous batch is being written, and each batch is durable before the next one is submitted.
 */
async function openOurs(dir: string, pipeline: boolean): Promise<Subject> {
  const store = await LevelStore.open(dir)
  const trie = new MerklePatriciaTrie(store, { secure: true })
  if (!pipeline) return { put: (k, v) => trie.put(k, v), commit: () => trie.commit(), close: () => store.close() }
  let written: Promise<void> = Promise.resolve()
  return {
    put: (k, v) => trie.put(k, v),
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
    const keyPrng = new Prng(seed)
    const valuePrng = new Prng(seed + 1000)
    const keys: Uint8Array[] = new Array(n)
    for (let i = 0; i < n; i++) keys[i] = keyPrng.bytes(20)

    const insertTimer = new WindowTimer(insertWindow)
    let root: Uint8Array = new Uint8Array(0)
    const cpuStart = selfCpu()
    insertTimer.restart()
    for (let i = 0; i < n; i += COMMIT_EVERY) {
      const end = Math.min(n, i + COMMIT_EVERY)
      for (let j = i; j < end; j++) await subject.put(keys[j] as Uint8Array, accountValue(valuePrng))
      root = await subject.commit()
      insertTimer.add(end - i)
      if ((end / COMMIT_EVERY) % 100 === 0) log(`  ${impl}: ${end} inserted`)
    }
    const insertRoot = bytesToHex(root)

    const cpuInserted = selfCpu()
    const updateTimer = new WindowTimer(updateWindow)
    const pick = new Prng(seed + 2000)
    updateTimer.restart()
    for (let i = 0; i < updates; i += COMMIT_EVERY) {
      const end = Math.min(updates, i + COMMIT_EVERY)
      for (let j = i; j < end; j++) await subject.put(keys[pick.int(n)] as Uint8Array, accountValue(valuePrng))
      root = await subject.commit()
      updateTimer.add(end - i)
    }
    await subject.close()
    const cpuEnd = selfCpu()
    const result: SubjectResult = {
      insert: insertTimer.rates,
      update: updateTimer.rates,
      insertRoot,
      updateRoot: bytesToHex(root),
      // the value generation (a few µs per op) is inside these, on both sides alike
      insertCpuUsPerOp: cpuPerOp(cpuStart, cpuInserted, n),
      updateCpuUsPerOp: cpuPerOp(cpuInserted, cpuEnd, updates),
      peakRssMiB: cpuEnd.peakRssMiB,
    }
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    removeDir(dir)
  }
}

await main()
