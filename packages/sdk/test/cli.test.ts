/** The `sluice` CLI's argument checks and error messages: exit code 2 on usage errors, with what to do. */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, devAccount, jsonRpc, stopAll, systemNode, tempDir, waitFor } from '../../../test/support/processes.ts'
import { deposit, type L1, type NodeProcess, startL1, startSequencerProcess } from '../../../test/support/rollup.ts'
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

  it('with --json, a usage error is one JSON document on stdout too', async () => {
    for (const argv of [
      ['--json', 'send', '0x12', '1'],
      ['--json', 'teleport'],
      ['send', ADDRESS, '--json'],
    ]) {
      const { code, out, err } = await run(argv)
      expect(code).toBe(2)
      expect(err).not.toBe('')
      expect(JSON.parse(out)).toMatchObject({ error: { name: 'CliUsageError', message: expect.any(String) } })
    }
  })

  it('with --json, a failure is also a JSON error object on stdout', async () => {
    const { code, out } = await run(['--json', '--rpc', 'http://127.0.0.1:1', 'balance', ADDRESS])
    expect(code).toBe(1)
    expect(JSON.parse(out)).toMatchObject({
      error: { name: 'NodeUnreachable', hint: expect.stringMatching(/npm run devnet/) },
    })
  })
})

/** `node_modules/.bin/sluice …` started with the system Node, as a user's shell would; wall time included. */
function sluice(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(systemNode().path, [join(BIN, 'sluice'), ...args], { cwd: tempDir('sluice-cli-') })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }))
  })
}

describe('sluice against a running sequencer', () => {
  const user = devAccount(6)
  let l1: L1
  let sequencer: NodeProcess
  let global: string[]

  beforeAll(async () => {
    const dir = tempDir()
    l1 = await startL1(dir)
    sequencer = await startSequencerProcess(dir, l1)
    await deposit(l1, 6, user.address, parseEther('1'))
    await waitFor(
      'the deposit on L2',
      async () => BigInt((await jsonRpc(sequencer.rpcUrl, 'eth_getBalance', [user.address, 'latest'])) as string) > 0n,
      { timeoutMs: 60_000, intervalMs: 200 },
    )
    global = ['--rpc', sequencer.rpcUrl, '--l1-rpc', l1.anvil.rpcUrl, '--deployment', l1.deploymentFile]
  }, 180_000)

  afterAll(async () => {
    await stopAll()
  })

  it('send returns and exits within a couple of block times of the inclusion', async () => {
    // Before: ~10 s (receipt polled every 4 s, then ~4 s of idle keep-alive sockets before exit).
    // Starting the executable (two Node start-ups and the imports) costs seconds on a loaded machine
    // whatever the command: what send adds to it is what is measured.
    const startup = await sluice(['--help'])
    expect(startup.code).toBe(0)
    const sent = await sluice([...global, '--key', user.privateKey, '--json', 'send', ADDRESS, '0.01'])
    expect(sent.stderr).toMatch(/sent 0x/)
    expect(sent.code).toBe(0)
    const result = JSON.parse(sent.stdout)
    expect(result).toMatchObject({ to: ADDRESS, status: 'success', value: parseEther('0.01').toString() })
    const receipt = (await jsonRpc(sequencer.rpcUrl, 'eth_getTransactionReceipt', [result.hash])) as {
      blockNumber: string
    }
    expect(BigInt(receipt.blockNumber)).toBe(BigInt(result.blockNumber))
    console.log(`sluice send: ${sent.ms.toFixed(0)} ms from start to exit; --help: ${startup.ms.toFixed(0)} ms`)
    // Less than one of viem's default 4 s polling intervals beyond start-up, and the whole well under 10 s.
    expect(sent.ms - startup.ms).toBeLessThan(4_000)
    expect(sent.ms).toBeLessThan(10_000)
  }, 60_000)

  it('status --json names the last batch index the node reports', async () => {
    const status = await waitFor(
      'a batch on L1 in sluice status',
      async () => {
        const { code, stdout } = await sluice([...global, '--json', 'status'])
        expect(code).toBe(0)
        const parsed = JSON.parse(stdout) as { batches: { count: string; lastIndex: string | null } }
        return parsed.batches.lastIndex === null ? undefined : parsed
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    )
    expect(BigInt(status.batches.lastIndex as string)).toBe(BigInt(status.batches.count) - 1n)
    // The sequencer posts blobs by default on anvil: the latest batch says so, with its hashes and cost.
    const latest = (status as unknown as { latestBatch: Record<string, unknown> }).latestBatch
    expect(latest).toMatchObject({ index: status.batches.lastIndex, dataAvailability: { kind: 'blobs', blobCount: 1 } })
    expect((latest.dataAvailability as { versionedHashes: string[] }).versionedHashes[0]).toMatch(/^0x01[0-9a-f]{62}$/)
    expect(BigInt(latest.l1BlobGasUsed as string)).toBe(131_072n)
    const text = await sluice([...global, 'status'])
    expect(text.stdout).toMatch(
      /batches +\d+; latest #\d+ in blobs \(1\): 0x01[0-9a-f]{6}…, \d+ bytes \([\d.]+% of the blobs\)/,
    )
  }, 90_000)
})
