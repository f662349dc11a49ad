/**
 * Main-thread CPU µs per key of `LevelStore.getMany` and `getSync` for 32-byte keys of the two kinds
 * the trie asks with: fresh arrays (a hash V8 may keep inside its object) and views into a larger
 * array (a hash cut from a stored node):
 *   node scripts/bench/db/readKeys.ts [--keys 100000] [--rounds 7]
 * Run it in two trees, alternated, to compare how they hand keys to classic-level's binding.
 * Prints one JSON line: the medians over the rounds. A profiling aid for the report; not a figure.
 */
import { keccak256 } from '../../../packages/core/src/crypto/index.ts'
import { type BatchOp, LevelStore } from '../../../packages/core/src/db/index.ts'
import { median, parseArgs, removeDir, tempDir } from '../harness.ts'

const KEY_BYTES = 32
const MANY_PER_READ = 2_000
const MANY_READS_PER_ROUND = 30
const SYNC_PER_ROUND = 20_000

function threadCpuUs(): number {
  const used = process.threadCpuUsage()
  return used.user + used.system
}

/** Copies of keys into one large array, each a view at its own offset (the way decoded nodes hold hashes). */
function viewsOf(keys: readonly Uint8Array[]): Uint8Array[] {
  const all = new Uint8Array(keys.length * KEY_BYTES)
  return keys.map((key, i) => {
    all.set(key, i * KEY_BYTES)
    return all.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES)
  })
}

const args = parseArgs(process.argv.slice(2))
const keyCount = Number(args.keys ?? 100_000)
const rounds = Number(args.rounds ?? 7)
const dir = tempDir('db-read-keys')
const store = await LevelStore.open(dir)
try {
  const keys: Uint8Array[] = []
  for (let i = 0; i < keyCount; i++) keys.push(keccak256(Uint8Array.of(i & 0xff, (i >>> 8) & 0xff, i >>> 16)))
  for (let from = 0; from < keyCount; from += 10_000) {
    const ops: BatchOp[] = keys
      .slice(from, from + 10_000)
      .map((key) => ({ type: 'put', key, value: new Uint8Array(100) }))
    await store.batch(ops)
  }
  const pick = (count: number): Uint8Array[] =>
    Array.from({ length: count }, () => (keys[Math.floor(Math.random() * keyCount)] as Uint8Array).slice())
  const kinds = { fresh: (picked: Uint8Array[]) => picked, views: viewsOf }
  const result: Record<string, { getManyUsPerKey: number; getSyncUsPerKey: number }> = {}
  for (const [kind, shape] of Object.entries(kinds)) {
    const many: number[] = []
    const sync: number[] = []
    for (let round = 0; round < rounds; round++) {
      let cpu = 0
      for (let read = 0; read < MANY_READS_PER_ROUND; read++) {
        const asked = shape(pick(MANY_PER_READ))
        const before = threadCpuUs()
        await store.getMany(asked)
        cpu += threadCpuUs() - before
      }
      many.push(cpu / (MANY_READS_PER_ROUND * MANY_PER_READ))
      const asked = shape(pick(SYNC_PER_ROUND))
      const before = threadCpuUs()
      for (const key of asked) store.getSync(key)
      sync.push((threadCpuUs() - before) / SYNC_PER_ROUND)
    }
    result[kind] = { getManyUsPerKey: +median(many).toFixed(3), getSyncUsPerKey: +median(sync).toFixed(3) }
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
} finally {
  await store.close()
  removeDir(dir)
}
