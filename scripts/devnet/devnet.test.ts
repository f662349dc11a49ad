/** `npm run devnet`'s refusals, before it starts anything: bad flags and ports in use. */
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, NODE_BIN, REPO_ROOT, tempDir } from '../../test/support/processes.ts'

function devnet(args: string[], root = REPO_ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE_BIN, [join(root, 'scripts', 'devnet.ts'), ...args], { cwd: root })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/**
 * What a fresh clone has: the repository's files (tracked or new, never ignored ones: no contract
 * build output, no generated ABIs) and installed dependencies, with the workspace packages linked
 * to the copy's own packages.
 */
function freshClone(): string {
  const root = tempDir('sluice-clone-')
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
  for (const file of files.split('\0')) {
    if (file === '' || !existsSync(join(REPO_ROOT, file))) continue
    mkdirSync(dirname(join(root, file)), { recursive: true })
    cpSync(join(REPO_ROOT, file), join(root, file))
  }
  const modules = join(root, 'node_modules')
  mkdirSync(join(modules, '@sluice'), { recursive: true })
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (entry !== '@sluice') symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(modules, entry))
  }
  for (const name of readdirSync(join(REPO_ROOT, 'node_modules', '@sluice'))) {
    symlinkSync(join(root, 'packages', name), join(modules, '@sluice', name))
  }
  return root
}

const servers: Server[] = []
afterAll(() => {
  for (const server of servers) server.close()
})

describe('npm run devnet', () => {
  it('answers --help and flag errors on a fresh clone, before the contracts were ever built', async () => {
    const clone = freshClone()
    expect(existsSync(join(clone, 'packages', 'contracts', 'src', 'generated'))).toBe(false)
    const help = await devnet(['--help'], clone)
    expect(help.stderr).toBe('')
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/Usage: npm run devnet/)
    const typo = await devnet(['--verifer', '2'], clone)
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/Unknown option '--verifer'/)
    expect(typo.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND/)
    // Neither compiled anything.
    expect(existsSync(join(clone, 'packages', 'contracts', 'src', 'generated'))).toBe(false)
  }, 60_000)

  it('refuses a malformed flag with the usage (exit 2)', async () => {
    const { code, stderr } = await devnet(['--verifiers', 'many', '--dir', tempDir()])
    expect(code).toBe(2)
    expect(stderr).toMatch(/--verifiers must be an integer from 0 to 9/)
    expect(stderr).toMatch(/Usage: npm run devnet/)
    const da = await devnet(['--da', 'blob', '--dir', tempDir()])
    expect(da.code).toBe(2)
    expect(da.stderr).toMatch(/--da must be blobs, calldata or auto, not "blob"/)
  })

  it('names the port in use and the flag that changes it, and starts nothing', async () => {
    const port = await freePort()
    const server = createServer()
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    const { code, stderr, stdout } = await devnet(['--l1-port', String(port), '--dir', tempDir()])
    expect(code).toBe(1)
    expect(stderr).toContain(`Port ${port} on 127.0.0.1 is in use`)
    expect(stderr).toContain('--l1-port')
    expect(stdout).not.toMatch(/starting anvil/)
  })
})
