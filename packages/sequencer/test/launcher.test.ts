/**
 * Issue 17 item 12: `node_modules/.bin/sluice-sequencer` and `sluice-verifier` work however they are
 * run: with the system Node explicitly, through their `#!/usr/bin/env node` line with only the
 * system Node on PATH, and through npm's PATH. Without a pinned Node they refuse with what to do.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, NODE_BIN, REPO_ROOT, systemNode, tempDir } from '../../../test/support/processes.ts'

const system = systemNode()

function run(command: string, args: string[], env: Record<string, string | undefined> = process.env) {
  const result = spawnSync(command, args, { encoding: 'utf8', env, cwd: tempDir('sluice-bin-'), timeout: 60_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('node executables', () => {
  it.each([
    ['sluice-sequencer', /--txpool-max-queued/],
    ['sluice-verifier', /--challenger-key/],
  ])('%s --help works with the system Node, run explicitly or by its #! line', (name, flag) => {
    const explicit = run(system.path, [join(BIN, name), '--help'])
    expect(explicit.stderr).toBe('')
    expect(explicit.code).toBe(0)
    expect(explicit.stdout).toMatch(flag)
    const direct = run(join(BIN, name), ['--help'], { ...process.env, PATH: system.pathWithout })
    expect(direct.code).toBe(0)
    expect(direct.stdout).toMatch(flag)
    const pinned = run(NODE_BIN, [join(BIN, name), '--help'])
    expect(pinned.code).toBe(0)
    expect(pinned.stdout).toBe(direct.stdout)
  })

  it('passes the exit code and the error of the real program through', () => {
    const missing = run(system.path, [join(BIN, 'sluice-sequencer'), '--l1-rpc', 'http://127.0.0.1:1'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^sluice-sequencer: .*--deployment/m)
  })

  // Only a Node that cannot strip types needs the pinned one (the case of the issue: these machines and
  // CI have Node 20 in /usr/bin); under a newer system Node the launcher rightly runs the sources itself.
  it.runIf(system.major < 24)('refuses with what to do when there is no pinned Node to run the sources with', () => {
    const alone = tempDir('sluice-launcher-')
    copyFileSync(join(REPO_ROOT, 'packages', 'core', 'launcher.mjs'), join(alone, 'launcher.mjs'))
    writeFileSync(join(alone, 'main.ts'), 'const typed: number = 1\nconsole.log(typed)\n')
    writeFileSync(
      join(alone, 'tool.mjs'),
      "import { launch } from './launcher.mjs'\nawait launch('sluice-tool', new URL('./main.ts', import.meta.url))\n",
    )
    const refused = run(system.path, [join(alone, 'tool.mjs')])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^sluice-tool: needs Node 24\.11 or later/)
    expect(refused.stderr).toMatch(/npx sluice-tool/)
    expect(refused.stderr).toMatch(/npm ci/)
  })
})
