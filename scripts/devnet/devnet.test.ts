/** `npm run devnet`'s refusals, before it starts anything: bad flags and ports in use. */
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, NODE_BIN, REPO_ROOT, tempDir } from '../../test/support/processes.ts'

function devnet(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE_BIN, [join(REPO_ROOT, 'scripts', 'devnet.ts'), ...args], { cwd: REPO_ROOT })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const servers: Server[] = []
afterAll(() => {
  for (const server of servers) server.close()
})

describe('npm run devnet', () => {
  it('refuses a malformed flag with the usage (exit 2)', async () => {
    const { code, stderr } = await devnet(['--verifiers', 'many', '--dir', tempDir()])
    expect(code).toBe(2)
    expect(stderr).toMatch(/--verifiers must be an integer from 0 to 16/)
    expect(stderr).toMatch(/Usage: npm run devnet/)
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
