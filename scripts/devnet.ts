/**
 * `npm run devnet`: a whole Sluice devnet in one command — anvil as L1, the contracts deployed with
 * a devnet rollup config (short windows), the sequencer and N verifiers as separate processes, and
 * the dev accounts funded on L2 through real deposits. Prints RPC URLs, chain ids, addresses and
 * keys, then `ready`. Ctrl-C / SIGTERM stops every process it started. A second start without
 * `--fresh` resumes the same chain (anvil's state and the nodes' data directories persist).
 *
 * Writes `<dir>/devnet.json` (default `.devnet/devnet.json`): see docs/quickstart.md and
 * `DevnetFile` in @sluice/sdk. The work is in scripts/devnet/main.ts; this entry first compiles the
 * contracts when their generated ABIs are missing (a fresh clone), since everything else imports them.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

const REPO_ROOT = resolve(import.meta.dirname, '..')
const GENERATED = join(REPO_ROOT, 'packages', 'contracts', 'src', 'generated', 'index.ts')

if (!existsSync(GENERATED) && !process.argv.includes('--help')) {
  process.stdout.write('devnet: compiling the contracts once (npm run contracts:build)\n')
  const build = spawnSync('npm', ['run', 'contracts:build'], { cwd: REPO_ROOT, stdio: 'inherit' })
  if (build.status !== 0) {
    process.stderr.write(
      'devnet: `npm run contracts:build` failed; fix the error above and run `npm run devnet` again.\n',
    )
    process.exit(1)
  }
}
await import('./devnet/main.ts')
