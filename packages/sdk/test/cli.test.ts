/** The `sluice` CLI's argument checks and error messages: exit code 2 on usage errors, with what to do. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/support/processes.ts'
import { runCli } from '../src/cli/program.ts'

const ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const HASH = `0x${'ab'.repeat(32)}`

async function run(argv: string[], cwd = tempDir('sluice-cli-')) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    cwd,
  })
  return { code, out: out.join(''), err: err.join('') }
}

describe('sluice CLI arguments', () => {
  it('prints help with every command and exits 0', async () => {
    const { code, out } = await run(['--help'])
    expect(code).toBe(0)
    for (const command of [
      'send',
      'balance',
      'deposit',
      'withdraw',
      'withdrawal-status',
      'finalize',
      'status',
      'claims',
    ]) {
      expect(out).toContain(command)
    }
  })

  it.each([
    [['send', '0x12', '1'], /expected an address/],
    [['send', ADDRESS, 'abc'], /expected an amount of ETH/],
    [['send', ADDRESS, '0'], /more than zero/],
    [['send', ADDRESS, '1.0000000000000000001'], /at most 18 decimals/],
    [['deposit', '1', '--to', 'nobody'], /expected an address/],
    [['withdrawal-status', '0x1234'], /expected a transaction hash/],
    [['finalize', HASH, '--timeout', '-5'], /seconds/],
    [['send', ADDRESS], /missing required argument/],
    [['teleport'], /unknown command/],
  ])('%j is a usage error (exit 2): %s', async (argv, message) => {
    const { code, err } = await run(argv)
    expect(code).toBe(2)
    expect(err).toMatch(message)
  })

  it('without a devnet file or URLs, says to start a devnet or pass the URL', async () => {
    const { code, err } = await run(['balance', ADDRESS])
    expect(code).toBe(2)
    expect(err).toMatch(/npm run devnet/)
    expect(err).toMatch(/--rpc/)
  })

  it('a --devnet file that is missing or malformed is named in the error', async () => {
    const cwd = tempDir('sluice-cli-')
    const missing = await run(['--devnet', 'nope.json', 'balance', ADDRESS], cwd)
    expect(missing.code).toBe(2)
    expect(missing.err).toMatch(/nope\.json: not found/)

    writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ l1: { rpcUrl: 'x', chainId: 1 } }))
    const bad = await run(['--devnet', 'bad.json', 'balance', ADDRESS], cwd)
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/missing or invalid l2, contracts\.Portal/)
  })

  it('refuses a malformed --key before contacting anything', async () => {
    const { code, err } = await run(['--rpc', 'http://127.0.0.1:1', '--key', '0x1234', 'balance'])
    expect(code).toBe(2)
    expect(err).toMatch(/--key must be 0x and 64 hex digits/)
  })

  it('with --json, a failure is also a JSON error object on stdout', async () => {
    const { code, out } = await run(['--json', '--rpc', 'http://127.0.0.1:1', 'balance', ADDRESS])
    expect(code).toBe(1)
    expect(JSON.parse(out)).toMatchObject({
      error: { name: 'NodeUnreachable', hint: expect.stringMatching(/npm run devnet/) },
    })
  })
})
