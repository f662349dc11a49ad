/**
 * In-process A/B of the trie: another checkout's `packages/core/src` ("base"), a private copy of it
 * ("baseCopy") and this checkout's ("new"), imported in one process and run in rotating order on
 * the same updates, thread CPU per phase:
 *   node scripts/bench/trie/ab.ts --base /path/to/other/checkout [--n 100000] [--keys 20000] [--rounds 12]
 * Each implementation keeps one secure trie (no node cache) over one shared in-memory store, as the
 * STF keeps its state: per round `prefetchPaths` of `keys` random existing accounts, a `getAtPath`
 * and `putAtPath` each, `root()`, `collectCommitOps()` (then written). The roots must agree.
 *
 * Why the copy: two identical module copies differ by up to ~1 µs per key per phase in one process
 * (where each one's slabs, wasm instance and nodes landed; round 11 measured it), so a difference
 * between base and new counts only when it is larger than the one between base and baseCopy.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { log, median, Prng, parseArgs, repoRoot } from '../harness.ts'

type Store = {
  getSync(key: Uint8Array): Uint8Array | undefined
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>
  batch(ops: readonly { type: string; key: Uint8Array; value?: Uint8Array }[]): Promise<void>
}
type Trie = {
  keyPath(key: Uint8Array): Uint8Array
  prefetchPaths(paths: readonly Uint8Array[]): Promise<void>
  getAtPath(path: Uint8Array): Uint8Array | undefined
  putAtPath(path: Uint8Array, value: Uint8Array): void
  put(key: Uint8Array, value: Uint8Array): void
  root(): Uint8Array
  collectCommitOps(): { type: string; key: Uint8Array; value?: Uint8Array }[]
}
type TrieClass = new (store: Store, options: Record<string, unknown>) => Trie

/**
 * A store keyed by a number from the first 6 bytes of the key (nodes are keyed by their hash), so
 * that the store's own lookups cost little next to the trie's (`MemoryStore` builds a string per key).
 */
class NumberKeyedStore implements Store {
  private readonly map = new Map<number, [Uint8Array, Uint8Array][]>()
  private id(k: Uint8Array): number {
    let id = 0
    for (let i = 5; i >= 0; i--) id = id * 256 + (k[i] as number)
    return id
  }
  getSync(key: Uint8Array): Uint8Array | undefined {
    const list = this.map.get(this.id(key))
    if (list !== undefined) for (const [k, v] of list) if (Buffer.compare(k, key) === 0) return v
    return undefined
  }
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return Promise.resolve(keys.map((k) => this.getSync(k)))
  }
  async batch(ops: readonly { type: string; key: Uint8Array; value?: Uint8Array }[]): Promise<void> {
    for (const op of ops) {
      if (op.type !== 'put' || op.value === undefined) continue
      const id = this.id(op.key)
      const list = this.map.get(id) ?? []
      if (!list.some(([k]) => Buffer.compare(k, op.key) === 0)) list.push([op.key.slice(), op.value.slice()])
      this.map.set(id, list)
    }
  }
}

const args = parseArgs(process.argv.slice(2))
if (args.base === undefined) throw new Error('usage: ab.ts --base <checkout> [--n N] [--keys K] [--rounds R]')
const N = Number(args.n ?? 100_000)
const K = Number(args.keys ?? 20_000)
const ROUNDS = Number(args.rounds ?? 12)
const base = resolve(args.base)
const copy = mkdtempSync(join(tmpdir(), 'sluice-trie-ab-'))
cpSync(join(base, 'packages/core/src'), join(copy, 'packages/core/src'), { recursive: true })
symlinkSync(join(base, 'node_modules'), join(copy, 'node_modules'))
const trieModule = (root: string) => join(root, 'packages/core/src/trie/trie.ts')
const impls: Record<string, TrieClass> = {
  base: (await import(trieModule(base))).MerklePatriciaTrie,
  baseCopy: (await import(trieModule(copy))).MerklePatriciaTrie,
  new: (await import(trieModule(repoRoot))).MerklePatriciaTrie,
}
const names = Object.keys(impls)

const prng = new Prng(11)
const store = new NumberKeyedStore()
const keys: Uint8Array[] = []
const builder = new (impls.base as TrieClass)(store, { secure: true, nodeCache: null })
for (let i = 0; i < N; i++) {
  const key = prng.bytes(20)
  keys.push(key)
  builder.put(key, prng.bytes(70))
}
builder.root()
await store.batch(builder.collectCommitOps())
const root0 = builder.root()
log(`${N} accounts; ${K} keys per round, ${ROUNDS} rounds`)

const phases = ['prefetch', 'getput', 'root', 'collect'] as const
const samples: Record<string, Record<string, number[]>> = {}
for (const name of names) samples[name] = Object.fromEntries(phases.map((p) => [p, [] as number[]]))
const tries: Record<string, Trie> = {}
const cpu = () => {
  const u = process.threadCpuUsage()
  return u.user + u.system
}

async function round(name: string, picked: Uint8Array[], values: Uint8Array[]): Promise<string> {
  let trie = tries[name]
  if (trie === undefined) {
    trie = new (impls[name] as TrieClass)(store, { root: root0, secure: true, nodeCache: null })
    tries[name] = trie
  }
  const own = samples[name] as Record<string, number[]>
  const paths = picked.map((k) => (trie as Trie).keyPath(k))
  let t = cpu()
  const lap = (phase: string) => {
    const now = cpu()
    ;(own[phase] as number[]).push((now - t) / K)
    t = now
  }
  await trie.prefetchPaths(paths)
  lap('prefetch')
  for (let i = 0; i < K; i++) {
    trie.getAtPath(paths[i] as Uint8Array)
    trie.putAtPath(paths[i] as Uint8Array, values[i] as Uint8Array)
  }
  lap('getput')
  const root = trie.root()
  lap('root')
  const ops = trie.collectCommitOps()
  lap('collect')
  await store.batch(ops)
  return Buffer.from(root).toString('hex')
}

for (let r = 0; r < ROUNDS; r++) {
  const picked = Array.from({ length: K }, () => keys[prng.int(N)] as Uint8Array)
  const values = picked.map(() => prng.bytes(70))
  // every order of the three in turn, so that none is always first or last
  const order = [0, 1, 2].map((k) => names[(r + (r % 6 < 3 ? k : 3 - k)) % 3] as string)
  const roots = new Set<string>()
  for (const name of order) roots.add(await round(name, picked, values))
  if (roots.size !== 1) throw new Error(`round ${r}: the roots differ`)
}
rmSync(copy, { recursive: true, force: true })

const of = (name: string, phase: string) => (samples[name] as Record<string, number[]>)[phase] as number[]
const paired = (a: string, b: string, phase: string) =>
  median(of(b, phase).map((v, i) => v - (of(a, phase)[i] as number)))
console.log('phase     | µs/key: base  baseCopy  new | paired: new-base  new-baseCopy  baseCopy-base')
for (const p of phases) {
  const m = names.map((n) => median(of(n, p)).toFixed(2)).join('  ')
  const d = [paired('base', 'new', p), paired('baseCopy', 'new', p), paired('base', 'baseCopy', p)]
  console.log(`${p.padEnd(9)} | ${m} | ${d.map((v) => v.toFixed(3)).join('  ')}`)
}
