/**
 * trie.insert and trie.update: our Merkle-Patricia trie beside @ethereumjs/mpt, both secure tries
 * on LevelDB with the same LevelDB options and account-shaped values. Each side runs in its own
 * child process (scripts/bench/trie/subject.ts) that first inserts N accounts (commit every 1,000) and then
 * updates random existing accounts (root + commit every 1,000); both sides must reach the same roots.
 */

import { loadavg } from 'node:os'
import { join } from 'node:path'
import {
  type CpuPerOp,
  type FigureGroup,
  type FigureResult,
  log,
  median,
  type RunOptions,
  runChild,
} from '../harness.ts'
import type { SubjectResult } from '../trie/subject.ts'

/** The median of each field over runs. */
function medianCpu(values: readonly CpuPerOp[]): CpuPerOp {
  return { process: median(values.map((v) => v.process)), mainThread: median(values.map((v) => v.mainThread)) }
}

const subject = join(import.meta.dirname, '..', 'trie', 'subject.ts')
const PEER = '@ethereumjs/mpt'

/** Sizes per mode: accounts, updates, window sizes, runs of our side. */
function plan(quick: boolean) {
  return quick
    ? { n: 100_000, updates: 20_000, insertWindow: 10_000, updateWindow: 2_000, oursRuns: 2, peerRuns: 1 }
    : { n: 1_000_000, updates: 100_000, insertWindow: 10_000, updateWindow: 10_000, oursRuns: 2, peerRuns: 1 }
}

async function runSide(impl: 'ours' | 'ethereumjs', p: ReturnType<typeof plan>, seed: number): Promise<SubjectResult> {
  const started = Date.now()
  log(`trie: ${impl}, ${p.n} accounts + ${p.updates} updates (seed ${seed})`)
  const result = await runChild<SubjectResult>(subject, [
    '--impl',
    impl,
    '--n',
    String(p.n),
    '--updates',
    String(p.updates),
    '--insert-window',
    String(p.insertWindow),
    '--update-window',
    String(p.updateWindow),
    '--seed',
    String(seed),
  ])
  log(`trie: ${impl} done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return result
}

export const trieFigures: FigureGroup = {
  names: ['trie.insert', 'trie.update'],
  async run({ quick }: RunOptions): Promise<FigureResult[]> {
    const p = plan(quick)
    const seed = 1
    // the peer first: in a full run it takes far longer, and a slow machine shows in its log early
    const peer: SubjectResult[] = []
    for (let i = 0; i < p.peerRuns; i++) peer.push(await runSide('ethereumjs', p, seed))
    const ours: SubjectResult[] = []
    for (let i = 0; i < p.oursRuns; i++) ours.push(await runSide('ours', p, seed))
    for (const r of [...ours, ...peer]) {
      const ref = ours[0] as SubjectResult
      if (r.insertRoot !== ref.insertRoot || r.updateRoot !== ref.updateRoot) {
        throw new Error(`trie figures: the two sides reached different roots (${r.insertRoot} vs ${ref.insertRoot})`)
      }
    }
    const figure = (
      name: string,
      key: 'insert' | 'update',
      size: number,
      target: number,
    ): FigureResult & { cpuRatio: number; threadCpuUsPerOp: Record<string, number>; loadAverage: number } => {
      const samples = ours.flatMap((r) => r[key])
      const peerSamples = peer.flatMap((r) => r[key])
      const value = median(samples)
      const peerValue = median(peerSamples)
      const cpuKey = key === 'insert' ? 'insertCpuUsPerOp' : 'updateCpuUsPerOp'
      const cpuUsPerOp = medianCpu(ours.map((r) => r[cpuKey]))
      const peerCpuUsPerOp = medianCpu(peer.map((r) => r[cpuKey]))
      const load = loadavg()[0] ?? 0
      return {
        name,
        unit: 'ops/s',
        value: Math.round(value),
        peer: PEER,
        peerValue: Math.round(peerValue),
        ratio: Number((value / peerValue).toFixed(2)),
        size,
        samples: samples.map(Math.round),
        peerSamples: peerSamples.map(Math.round),
        target,
        cpuUsPerOp,
        peerCpuUsPerOp,
        cpuRatio: Number((peerCpuUsPerOp.process / cpuUsPerOp.process).toFixed(2)),
        threadCpuUsPerOp: (ours[0] as SubjectResult)[
          key === 'insert' ? 'insertThreadCpuUsPerOp' : 'updateThreadCpuUsPerOp'
        ],
        peakRssMiB: Math.max(...ours.map((r) => r.peakRssMiB)),
        peerPeakRssMiB: Math.max(...peer.map((r) => r.peakRssMiB)),
        loadAverage: Number(load.toFixed(2)),
        note:
          (key === 'insert'
            ? `secure trie on LevelDB, ${size} random accounts inserted, commit every 1,000; median of ${p.insertWindow}-op windows over ${p.oursRuns} run(s) (peer ${p.peerRuns}); each run in a fresh process`
            : `${p.updates} random updates of existing accounts in a ${size}-account trie, root + commit every 1,000; median of ${p.updateWindow}-op windows over ${p.oursRuns} run(s) (peer ${p.peerRuns}); each run in a fresh process`) +
          '. Ours commits pipelined (startCommit: the next 1,000 operations run while the previous batch is written; each batch is durable before the next is submitted), the peer awaits each commit. ' +
          `cpuUsPerOp: process CPU (all threads) and main thread per operation, value generation included on both sides; cpuRatio = peer CPU ÷ ours. 1-minute load average at the end: ${load.toFixed(2)}.`,
      }
    }
    return [figure('trie.insert', 'insert', p.n, 13_500), figure('trie.update', 'update', p.n, 10_000)]
  },
}

export const figures: FigureGroup[] = [trieFigures]
