/**
 * `npm run devnet`: a whole Sluice devnet in one command — anvil as L1, the contracts deployed with
 * a devnet rollup config (short windows), the sequencer and N verifiers as separate processes, and
 * the dev accounts funded on L2 through real deposits. Prints RPC URLs, chain ids, addresses and
 * keys, then `ready`. Ctrl-C / SIGTERM stops every process it started. A second start without
 * `--fresh` resumes the same chain (anvil's state and the nodes' data directories persist).
 *
 * Writes `<dir>/devnet.json` (default `.devnet/devnet.json`): see docs/quickstart.md and
 * `DevnetFile` in @sluice/sdk. The work is in scripts/devnet/main.ts; this entry parses the flags
 * (scripts/devnet/options.ts), then compiles the contracts when their generated ABIs are missing (a
 * fresh clone), since main.ts imports them.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type DevnetOptions, parseDevnetOptions, USAGE } from './devnet/options.ts'

const REPO_ROOT = resolve(import.meta.dirname, '..')
const GENERATED = join(REPO_ROOT, 'packages', 'contracts', 'src', 'generated', 'index.ts')

// Flags first: `--help` and a typo answer at once, even before the contracts were ever built.
let options: DevnetOptions | undefined
try {
  options = parseDevnetOptions(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`devnet: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`)
  process.exit(2)
}
if (options === undefined) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}

if (!existsSync(GENERATED)) {
  process.stdout.write('devnet: compiling the contracts once (npm run contracts:build)\n')
  const build = spawnSync('npm', ['run', 'contracts:build'], { cwd: REPO_ROOT, stdio: 'inherit' })
  if (build.status !== 0) {
    process.stderr.write(
      'devnet: `npm run contracts:build` failed; fix the error above and run `npm run devnet` again.\n',
    )
    process.exit(1)
  }
}
// Only now: main.ts imports the ABIs the build generates.
const { runDevnet } = await import('./devnet/main.ts')
runDevnet(options)
