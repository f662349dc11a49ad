/**
 * `node scripts/bench/cpuprofile.ts <file.cpuprofile> [--top 40] [--by file|stage [--scale <µs>]] [--callers <url part>]`
 *
 * Summarises a V8 CPU profile (`node --cpu-prof`, or BENCH_VERIFIER_CPU_PROF for the verifier
 * figure) by self time: per function (default) or per source file, with the share of the sampled
 * time, idle and GC called out. `--callers @ethereumjs/rlp,rlp/encode.ts` charges the self time of the frames whose
 * file matches to their nearest caller outside it instead (who pays for a library). Prints a
 * Markdown table on stdout. `--by stage` charges each sample to a node's stage (L1 reading, decode and
 * plan, execution, trie, storing blocks, LevelDB, GC, ...) by the innermost frame of the repository's
 * own code on its stack (`STAGES`); library frames count for the code that called them. With
 * `--scale <µs>` (the thread's measured CPU per transaction) the busy samples (idle and start-up left
 * out) are spread over the stages in µs per transaction.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { parseArgs, repoRoot } from './harness.ts'

type ProfileNode = {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Stage of a sample by the innermost repository frame; the first matching prefix wins. */
const STAGES: [string, string][] = [
  ['packages/node/src/l1/', 'L1 reading (RPC, calldata, records)'],
  ['packages/node/src/chain/', 'storing blocks (chain store records)'],
  ['packages/core/src/trie/', 'trie (insert, hash, commit ops)'],
  ['packages/core/src/state/', 'state (accounts cache, flush)'],
  ['packages/core/src/stf/', 'state transition rules'],
  ['packages/core/src/block/', 'block sealing (receipts, tx/receipt roots, header)'],
  ['packages/core/src/batch/', 'decode and plan (batch, transactions)'],
  ['packages/core/src/derive/', 'decode and plan (batch, transactions)'],
  ['packages/node/src/derive/planner', 'decode and plan (batch, transactions)'],
  ['packages/core/src/tx/senderPool', 'sender pool (messages to workers)'],
  ['packages/core/src/tx/', 'decode and plan (batch, transactions)'],
  ['packages/core/src/db/', 'LevelDB (batch marshalling, reads)'],
  ['packages/node/src/derive/', 'derivation driver'],
  ['packages/node/src/rpc/', 'RPC, metrics, logs'],
  ['packages/sequencer/src/intake/', 'transaction intake (intake log, acknowledgement)'],
  ['packages/sequencer/src/mempool/', 'mempool (admission, selection)'],
  ['packages/sequencer/src/builder/', 'block building (selection, batch fit)'],
  ['packages/sequencer/src/batcher/', 'batcher (batch encoding, posting)'],
  ['packages/node/src/wallet/', 'L1 wallet (posting batches and claims)'],
  ['packages/node/src/p2p/', 'gossip of blocks (libp2p)'],
  ['packages/node/src/ops/', 'RPC, metrics, logs'],
]
/** Repository code that only serves its callers (a sample there counts for its caller's stage). */
const GENERIC = [
  'packages/core/src/rlp/',
  'packages/core/src/bytes/',
  'packages/core/src/crypto/',
  'packages/core/src/errors/',
]

/** Start-up work called from a stage's folder: counted as start-up, not as that stage. */
const START_UP_FUNCTIONS = new Set(['warmKzg'])

function stageOf(node: ProfileNode, parents: Map<number, ProfileNode>): string {
  const leaf = node.callFrame
  if (leaf.functionName === '(garbage collector)') return 'GC (main thread)'
  if (leaf.functionName === '(idle)') return 'idle'
  let lastLibrary = ''
  for (let n: ProfileNode | undefined = node; n !== undefined; n = parents.get(n.id)) {
    const path = where(n.callFrame.url)
    if (path.startsWith('node:internal/modules') || path.includes('amaro')) return 'start-up (module loading)'
    // seconds of samples under l1/beacon.ts at start: charged to L1 reading they inflated `--scale` figures
    if (START_UP_FUNCTIONS.has(n.callFrame.functionName)) return 'start-up (KZG trusted setup)'
    if (path.startsWith('packages/')) {
      if (GENERIC.some((g) => path.startsWith(g))) continue
      return STAGES.find(([prefix]) => path.startsWith(prefix))?.[1] ?? `other (${path})`
    }
    if (lastLibrary === '' && path !== '') lastLibrary = path
  }
  if (lastLibrary.startsWith('node:internal/modules') || lastLibrary.includes('amaro'))
    return 'start-up (module loading)'
  if (lastLibrary.startsWith('classic-level') || lastLibrary.startsWith('abstract-level'))
    return 'LevelDB (batch marshalling, reads)'
  if (lastLibrary.startsWith('viem') || lastLibrary.includes('undici')) return 'L1 reading (RPC, calldata, records)'
  return lastLibrary === '' ? `native/other (${leaf.functionName})` : `other (${lastLibrary})`
}

function where(url: string): string {
  if (url === '') return ''
  const path = url.startsWith('file://') ? relative(repoRoot, new URL(url).pathname) : url
  return path.replace(/^node_modules\//, '')
}

function main(): void {
  const file = process.argv[2]
  if (file === undefined || file.startsWith('--')) {
    process.stderr.write('usage: node scripts/bench/cpuprofile.ts <file.cpuprofile> [--top N] [--by file]\n')
    process.exitCode = 2
    return
  }
  const args = parseArgs(process.argv.slice(3))
  const top = Number(args.top ?? 40)
  const byFile = args.by === 'file'
  const byStage = args.by === 'stage'
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const parents = new Map<number, ProfileNode>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n)
  const callers = args.callers
  const callerParts = callers?.split(',') ?? []
  const inside = (n: ProfileNode) => callerParts.some((part) => n.callFrame.url.includes(part))
  const selfUs = new Map<string, number>()
  let total = 0
  let sampled = 0
  for (const dt of profile.timeDeltas) total += dt
  profile.samples.forEach((id, i) => {
    let node = nodes.get(id)
    if (node === undefined) return
    if (callers !== undefined) {
      if (!inside(node)) return
      while (inside(node)) {
        const parent = parents.get(node.id)
        if (parent === undefined) break
        node = parent
      }
    }
    const dt = profile.timeDeltas[i] ?? 0
    sampled += dt
    const { functionName, url, lineNumber } = node.callFrame
    const key = byStage
      ? stageOf(node, parents)
      : byFile
        ? where(url) || `(${functionName || 'anonymous'})`
        : `${functionName || '(anonymous)'} ${where(url)}${url ? `:${lineNumber + 1}` : ''}`
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt)
  })
  const rows = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
  const scale = args.scale === undefined ? undefined : Number(args.scale)
  if (byStage && scale !== undefined) {
    // the thread's measured CPU per transaction, spread over the stages of its busy samples
    const busy = [...selfUs.entries()].filter(([key]) => key !== 'idle' && !key.startsWith('start-up'))
    const busyUs = busy.reduce((sum, [, us]) => sum + us, 0)
    const table = [
      `${(busyUs / 1e6).toFixed(2)} s of busy samples (idle and start-up left out), scaled to ${scale} µs per transaction`,
      '',
      '| stage | µs/tx | share |',
      '|---|---:|---:|',
      ...busy
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(
          ([key, us]) =>
            `| ${key.trim()} | ${((scale * us) / busyUs).toFixed(1)} | ${((100 * us) / busyUs).toFixed(1)}% |`,
        ),
    ]
    process.stdout.write(`${table.join('\n')}\n`)
    return
  }
  const out = [
    `sampled ${(total / 1e6).toFixed(2)} s of main-thread time (${profile.samples.length} samples)` +
      (callers === undefined ? '' : `; ${(sampled / 1e6).toFixed(2)} s of it in ${callers}, by caller`),
    '',
    `| ${byStage ? 'stage' : byFile ? 'file' : 'function'} | self ms | share |`,
    '|---|---:|---:|',
    ...rows.map(([key, us]) => `| ${key.trim()} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% |`),
  ]
  process.stdout.write(`${out.join('\n')}\n`)
}

main()
