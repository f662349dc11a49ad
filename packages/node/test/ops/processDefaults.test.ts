import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { missingProcessDefaults, PROCESS_DEFAULTS_MARK } from '../../src/ops/processDefaults.ts'

const DEFAULTS = {
  nodeFlags: ['--max-semi-space-size=8', '--max-old-space-size=900'],
  env: { SLUICE_TEST_DEFAULT: 'from-defaults' },
}

describe('missingProcessDefaults', () => {
  it('adds every default the operator did not set', () => {
    expect(missingProcessDefaults(DEFAULTS, [], {})).toEqual(DEFAULTS)
  })

  it("keeps the operator's flag, from NODE_OPTIONS or node's command line, in either spelling", () => {
    for (const nodeOptions of [
      '--max-semi-space-size=64',
      '--inspect --max_semi_space_size=64',
      '--max-semi-space-size 64',
    ]) {
      expect(missingProcessDefaults(DEFAULTS, [], { NODE_OPTIONS: nodeOptions }).nodeFlags).toEqual([
        '--max-old-space-size=900',
      ])
    }
    expect(missingProcessDefaults(DEFAULTS, ['--max-old-space-size=2000'], {}).nodeFlags).toEqual([
      '--max-semi-space-size=8',
    ])
  })

  it("keeps the operator's environment variable, even an empty one", () => {
    expect(missingProcessDefaults(DEFAULTS, [], { SLUICE_TEST_DEFAULT: '' }).env).toEqual({})
  })
})

describe('applyProcessDefaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-process-defaults-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const module = fileURLToPath(new URL('../../src/ops/processDefaults.ts', import.meta.url))
  const script = join(dir, 'main.ts')
  writeFileSync(
    script,
    `import { applyProcessDefaults } from ${JSON.stringify(module)}\n` +
      `applyProcessDefaults(${JSON.stringify(DEFAULTS)})\n` +
      'console.log(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, argv: process.argv.slice(2), ' +
      'env: process.env.SLUICE_TEST_DEFAULT }))\n',
  )
  const run = (env: Record<string, string>) => {
    const { [PROCESS_DEFAULTS_MARK]: _, NODE_OPTIONS: __, ...base } = process.env
    const child = spawnSync(process.execPath, [script, '--an-argument', 'kept'], {
      encoding: 'utf8',
      env: { ...base, ...env },
      timeout: 60_000,
    })
    expect(child.stderr).toBe('')
    expect(child.status).toBe(0)
    const lines = child.stdout.trim().split('\n')
    // Printed once: by the replaced process only.
    expect(lines).toHaveLength(1)
    return { ...JSON.parse(lines[0] as string), childPid: child.pid }
  }

  it('restarts the process in place with the flags and variables, its arguments unchanged', () => {
    const out = run({})
    expect(out.pid).toBe(out.childPid)
    expect(out.execArgv).toEqual(expect.arrayContaining(DEFAULTS.nodeFlags))
    expect(out.argv).toEqual(['--an-argument', 'kept'])
    expect(out.env).toBe('from-defaults')
  })

  it("leaves the operator's settings alone", () => {
    const out = run({ NODE_OPTIONS: '--max-semi-space-size=16', SLUICE_TEST_DEFAULT: 'operator' })
    expect(out.execArgv).toContain('--max-old-space-size=900')
    expect(out.execArgv).not.toContain('--max-semi-space-size=8')
    expect(out.env).toBe('operator')
  })

  it('applies none when the operator turned them off', () => {
    expect(run({ [PROCESS_DEFAULTS_MARK]: 'off' }).execArgv).toEqual([])
  })

  it('does not restart when the operator set everything', () => {
    const out = run({
      NODE_OPTIONS: '--max-semi-space-size=16 --max-old-space-size=1000',
      SLUICE_TEST_DEFAULT: 'operator',
    })
    expect(out.execArgv).toEqual([])
  })
})
