/**
 * `npm run bench [-- --json] [--quick] [--only <prefix>]`
 *
 * Runs every registered figure group (scripts/bench/figures/<topic>.ts, each exporting
 * `figures: FigureGroup[]`). `--json` prints one JSON array on stdout (logs go to stderr); without it
 * a table. `--quick` runs smaller sizes (about seven minutes in all, most of it the end-to-end figures); `--only trie` keeps the figures
 * whose name starts with the prefix (repeatable, or comma-separated).
 */
import { figures as batchFigures } from './figures/batch.ts'
import { figures as e2eFigures } from './figures/e2e.ts'
import { figures as l1Figures } from './figures/l1.ts'
import { figures as ospFigures } from './figures/osp.ts'
import { figures as stfFigures } from './figures/stf.ts'
import { figures as trieFigures } from './figures/trie.ts'
import { figures as verifierFigures } from './figures/verifier.ts'
import { type FigureGroup, type FigureResult, log, parseArgs } from './harness.ts'

const registry: FigureGroup[] = [
  ...trieFigures,
  ...stfFigures,
  ...batchFigures,
  ...ospFigures,
  ...e2eFigures,
  ...verifierFigures,
  ...l1Figures,
]

function formatNumber(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '-'
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)
}

function table(results: readonly FigureResult[]): string {
  const rows = [
    ['figure', 'unit', 'ours (median)', 'peer', 'peer (median)', 'ratio', 'size', 'target'],
    ...results.map((r) => [
      r.name,
      r.unit,
      formatNumber(r.value),
      r.peer ?? '-',
      formatNumber(r.peerValue),
      r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
      r.peerSize !== undefined ? `${r.size} (peer ${r.peerSize})` : String(r.size ?? '-'),
      formatNumber(r.target),
    ]),
  ]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? []
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')).join('\n')
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const args = parseArgs(argv)
  const json = args.json === 'true'
  const quick = args.quick === 'true'
  const only = argv
    .flatMap((a, i) => (a === '--only' ? (argv[i + 1] ?? '').split(',') : []))
    .filter((s) => s.length > 0)
  const selected = registry.filter(
    (group) => only.length === 0 || group.names.some((name) => only.some((prefix) => name.startsWith(prefix))),
  )
  if (selected.length === 0) {
    log(`no figure matches --only ${only.join(',')}; known: ${registry.flatMap((g) => g.names).join(', ')}`)
    process.exitCode = 2
    return
  }
  const results: FigureResult[] = []
  for (const group of selected) {
    log(`== ${group.names.join(', ')}${quick ? ' (quick)' : ''}`)
    for (const result of await group.run({ quick })) {
      if (only.length === 0 || only.some((prefix) => result.name.startsWith(prefix))) results.push(result)
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`)
  else process.stdout.write(`${table(results)}\n`)
}

await main()
