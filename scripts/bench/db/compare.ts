/**
 * LevelDB options compared on the sequencer's write stream (writeStream.ts), each run in a fresh
 * process, the options alternated (A B A B …) so that what else runs on the machine weighs on each:
 *   node scripts/bench/db/compare.ts --options "file-mib=64;file-mib=2 open-files=10000" [--reps 2]
 *        [--txs 3000000] [--window 250000] [--block 800] [--accounts 4000]
 * Each `;`-separated entry is one set of writeStream.ts flags (`name=value`, space-separated).
 * Prints one JSON line per set: its median over the runs of LevelDB's CPU µs per transfer (the
 * `libuv-worker` threads: classic-level's work and LevelDB's compaction), of the main thread's, of
 * write amplification, and the read latencies of the last window.
 */
import { fileURLToPath } from 'node:url'
import { log, median, parseArgs, runChild } from '../harness.ts'

type Window = {
  readRecentUs: { median: number; p99: number }
  readOldUs: { median: number; p99: number }
}
type StreamResult = {
  options: Record<string, number>
  windows: Window[]
  total: { cpuUsPerTx: Record<string, number>; writeAmplification: number; dbMiB: number; tables: number }
}

const args = parseArgs(process.argv.slice(2))
const sets = (args.options ?? 'file-mib=64').split(';').map((set) =>
  set
    .trim()
    .split(/\s+/)
    .filter((pair) => pair !== '')
    .flatMap((pair) => {
      const [name, value] = pair.split('=')
      return [`--${name}`, value ?? '']
    }),
)
const reps = Number(args.reps ?? 2)
const shared: string[] = []
for (const name of ['txs', 'window', 'block', 'accounts']) {
  if (args[name] !== undefined) shared.push(`--${name}`, args[name] as string)
}
const script = fileURLToPath(new URL('./writeStream.ts', import.meta.url))
const results: StreamResult[][] = sets.map(() => [])
for (let rep = 0; rep < reps; rep++) {
  for (let s = 0; s < sets.length; s++) {
    log(`run ${rep + 1}/${reps}: ${(sets[s] as string[]).join(' ')}`)
    ;(results[s] as StreamResult[]).push(await runChild<StreamResult>(script, [...shared, ...(sets[s] as string[])]))
  }
}
for (let s = 0; s < sets.length; s++) {
  const runs = results[s] as StreamResult[]
  const last = runs.map((r) => r.windows.at(-1) as Window)
  console.log(
    JSON.stringify({
      options: runs[0]?.options,
      runs: runs.length,
      libuvWorkerUsPerTx: median(runs.map((r) => r.total.cpuUsPerTx['libuv-worker'] ?? 0)),
      mainUsPerTx: median(runs.map((r) => r.total.cpuUsPerTx.main ?? 0)),
      writeAmplification: median(runs.map((r) => r.total.writeAmplification)),
      tables: median(runs.map((r) => r.total.tables)),
      dbMiB: median(runs.map((r) => r.total.dbMiB)),
      lastWindowReadRecentUs: median(last.map((w) => w.readRecentUs.median)),
      lastWindowReadOldUs: median(last.map((w) => w.readOldUs.median)),
    }),
  )
}
