/**
 * The devnet as a user runs it: `npm run devnet`, then the `sluice` CLI — deposit on L1 → balance on
 * L2 → transfers → withdraw → finalize on L1 after the challenge period → L1 balance increased; the
 * same flow through the SDK with viem, and a transfer with ethers; the quick start's commands as
 * written; and a sequencer killed and restarted from the command in devnet.json, with nothing lost.
 *
 * Needs the node executables; skipped (with a message) while packages/sequencer/src/bin.ts is absent.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { createPublicClient, createWalletClient, type Hash, http, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type DevnetFile,
  devnetChains,
  getDepositsFromLogs,
  publicActionsL1,
  publicActionsL2,
  readDevnetFile,
  walletActionsL1,
  walletActionsL2,
} from '../../packages/sdk/src/index.ts'
import { freePort, NODE_BIN, REPO_ROOT, startProcess, stopAll, tempDir, waitFor } from '../support/processes.ts'

const SEQUENCER_BIN = join(REPO_ROOT, 'packages', 'sequencer', 'src', 'bin.ts')
const SLUICE_BIN = join(REPO_ROOT, 'packages', 'sdk', 'src', 'cli', 'bin.ts')
const haveNodes = existsSync(SEQUENCER_BIN)
if (!haveNodes) {
  console.warn(
    `devnet e2e skipped: ${SEQUENCER_BIN} does not exist yet (the node executables are not in this checkout)`,
  )
}

/** The devnet's own output, and the process (npm) in its own group. */
let devnet: ChildProcess
let devnetOutput = ''
let devnetExited: Promise<number | null>
let work: string
let info: DevnetFile

/** Runs the CLI like a user, in `cwd`; resolves with the exit code and output. */
function sluice(args: string[], cwd = work): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE_BIN, [SLUICE_BIN, ...args], { cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}
async function sluiceJson<T>(args: string[]): Promise<T> {
  const result = await sluice([...args, '--json'])
  if (result.code !== 0) throw new Error(`sluice ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(new URL('/health', url)).catch(() => undefined)
  return response?.status === 200
}

/** Ports whose p2p neighbour (port + 100) is free too. */
async function portPair(): Promise<number> {
  for (;;) {
    const port = await freePort()
    if (port < 65_000) return port
  }
}

describe.skipIf(!haveNodes)('npm run devnet, then the sluice CLI and the SDK', () => {
  beforeAll(async () => {
    work = tempDir('sluice-devnet-')
    const [l1Port, sequencerPort, verifierPort] = [await portPair(), await portPair(), await portPair()]
    // As a user would: npm run devnet (with ports and a directory of its own, so tests can run anywhere).
    devnet = spawn(
      'npm',
      [
        'run',
        'devnet',
        '--',
        ...['--dir', join(work, '.devnet'), '--l1-port', String(l1Port)],
        ...['--sequencer-port', String(sequencerPort), '--verifier-port', String(verifierPort)],
      ],
      {
        cwd: REPO_ROOT,
        detached: true,
        env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH}` },
      },
    )
    devnet.stdout?.on('data', (chunk) => (devnetOutput += chunk))
    devnet.stderr?.on('data', (chunk) => (devnetOutput += chunk))
    devnetExited = new Promise((resolve) => devnet.once('exit', (code) => resolve(code)))
    await waitFor('the devnet to print ready', () => /^ready$/m.test(devnetOutput) || undefined, {
      timeoutMs: 240_000,
      intervalMs: 250,
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- devnet output ---\n${devnetOutput}`)
    })
    info = readDevnetFile(join(work, '.devnet', 'devnet.json'))
  }, 300_000)

  afterAll(async () => {
    if (devnet?.pid !== undefined && devnet.exitCode === null) {
      try {
        process.kill(-devnet.pid, 'SIGTERM')
      } catch {
        // gone
      }
      const timer = setTimeout(() => devnet.pid !== undefined && process.kill(-devnet.pid, 'SIGKILL'), 30_000)
      await devnetExited
      clearTimeout(timer)
    }
    await stopAll()
  }, 60_000)

  it('prints the URLs, chain ids, addresses and keys, and writes devnet.json in the documented shape', () => {
    expect(devnetOutput).toContain(info.l1.rpcUrl)
    expect(devnetOutput).toContain(info.l2.sequencerRpcUrl)
    expect(devnetOutput).toContain(info.contracts.Portal)
    expect(devnetOutput).toContain(info.accounts[0]?.privateKey)
    expect(info.l1.chainId).toBe(31_337)
    expect(info.l2.chainId).toBe(1_337_901)
    expect(info.l2.verifierRpcUrls).toHaveLength(1)
    expect(Object.keys(info.components).sort()).toEqual(['anvil', 'sequencer', 'verifier-0'])
    for (const component of Object.values(info.components)) {
      expect(component).toMatchObject({ pid: expect.any(Number), cwd: expect.any(String), dataDir: expect.any(String) })
      expect(component.command.length).toBeGreaterThan(1)
    }
  })

  it('CLI and SDK: deposit → L2 balance → transfers (viem, ethers) → withdraw → finalize → L1 balance', async () => {
    const { l1: l1Chain, l2: l2Chain } = devnetChains(info)
    const l1 = createPublicClient({ chain: l1Chain, transport: http() }).extend(publicActionsL1())
    const l2 = createPublicClient({ chain: l2Chain, transport: http() }).extend(publicActionsL2())

    // CLI: deposit to a fresh L2 account, which then shows the balance.
    const aliceKey = generatePrivateKey()
    const alice = privateKeyToAccount(aliceKey)
    const deposit = await sluiceJson<{ l2Balance: string; depositIndex: string }>([
      'deposit',
      '3',
      '--to',
      alice.address,
    ])
    expect(BigInt(deposit.l2Balance)).toBe(parseEther('3'))
    const aliceBalance = await sluiceJson<{ wei: string }>(['balance', alice.address])
    expect(BigInt(aliceBalance.wei)).toBe(parseEther('3'))

    // CLI transfer from alice (her key) to bob.
    const bob = privateKeyToAccount(generatePrivateKey())
    const sent = await sluiceJson<{ status: string }>(['--key', aliceKey, 'send', bob.address, '1.25'])
    expect(sent.status).toBe('success')
    expect(await l2.getBalance({ address: bob.address })).toBe(parseEther('1.25'))

    // ethers transfer on L2: an ordinary wallet against the sequencer's RPC.
    const provider = new ethers.JsonRpcProvider(info.l2.sequencerRpcUrl, info.l2.chainId, { staticNetwork: true })
    const funded = new ethers.Wallet(info.accounts[1]?.privateKey as string, provider)
    const carol = ethers.Wallet.createRandom().address
    const tx = await funded.sendTransaction({ to: carol, value: ethers.parseEther('0.75'), gasLimit: 21_000n })
    const etherReceipt = await tx.wait()
    expect(etherReceipt?.status).toBe(1)
    expect(await provider.getBalance(carol)).toBe(ethers.parseEther('0.75'))
    provider.destroy()

    // Withdrawals: one through the CLI, one through the SDK, finalized in parallel after the window.
    const cliRecipient = privateKeyToAccount(generatePrivateKey()).address
    const cliWithdrawal = await sluiceJson<{ hash: Hash }>(['withdraw', '0.5', '--to', cliRecipient])

    const key = info.accounts[2]?.privateKey as `0x${string}`
    const account = privateKeyToAccount(key)
    const l1Wallet = createWalletClient({ account, chain: l1Chain, transport: http() }).extend(walletActionsL1())
    const l2Wallet = createWalletClient({ account, chain: l2Chain, transport: http() }).extend(walletActionsL2())
    const sdkDepositHash = await l1Wallet.depositETH({ value: parseEther('2'), targetChain: l2Chain })
    const sdkDepositReceipt = await l1.waitForTransactionReceipt({ hash: sdkDepositHash })
    expect(getDepositsFromLogs(sdkDepositReceipt.logs)[0]?.value).toBe(parseEther('2'))
    await l2.waitForDeposit({ l1Receipt: sdkDepositReceipt, timeout: 120_000 })
    const sdkRecipient = privateKeyToAccount(generatePrivateKey()).address
    const sdkWithdrawalHash = await l2Wallet.withdrawETH({ value: parseEther('0.4'), to: sdkRecipient })
    const [sdkWithdrawal] = await l2.getWithdrawals({
      receipt: await l2.waitForTransactionReceipt({ hash: sdkWithdrawalHash }),
    })
    expect(sdkWithdrawal).toMatchObject({
      sender: account.address,
      l1Recipient: sdkRecipient,
      value: parseEther('0.4'),
    })

    const viaCli = sluice(['finalize', cliWithdrawal.hash, '--timeout', '400', '--json'])
    const viaSdk = (async () => {
      await l2.waitForSafe({ hash: sdkWithdrawalHash, timeout: 200_000 })
      const status = await l1.waitUntilFinalizable({
        l2Client: l2,
        transactionHash: sdkWithdrawalHash,
        timeout: 400_000,
      })
      const { hash } = await l1Wallet.finalizeWithdrawal({ l2Client: l2, transactionHash: sdkWithdrawalHash, status })
      return l1.waitForTransactionReceipt({ hash })
    })()
    const [cliResult, sdkReceipt] = await Promise.all([viaCli, viaSdk])
    expect(cliResult.code, cliResult.stderr).toBe(0)
    expect(sdkReceipt.status).toBe('success')
    expect(await l1.getBalance({ address: cliRecipient })).toBe(parseEther('0.5'))
    expect(await l1.getBalance({ address: sdkRecipient })).toBe(parseEther('0.4'))
    expect((await l1.getWithdrawalStatus({ l2Client: l2, transactionHash: sdkWithdrawalHash })).status).toBe(
      'finalized',
    )

    // A second finalize of the same withdrawal says it was already paid.
    const again = await sluice(['finalize', cliWithdrawal.hash, '--no-wait'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already paid/)

    // claims --json lists the claim that was finalized.
    const claims = await sluiceJson<{ id: string; status: string; games: string[] }[]>(['claims'])
    expect(claims.some((claim) => claim.status === 'finalized')).toBe(true)
  }, 900_000)

  it('runs the quick start commands as written (README.md and docs/quickstart.md)', async () => {
    const quickstart = ['README.md', join('docs', 'quickstart.md')]
      .map((file) => readFileSync(join(REPO_ROOT, file), 'utf8'))
      .join('\n')
    const commands = [...quickstart.matchAll(/^npx sluice (.+)$/gm)]
      .map((match) => (match[1] as string).replace(/\s+#.*$/, '').trim())
      .filter((command) => !command.includes('<'))
    expect(commands.length).toBeGreaterThanOrEqual(3)
    for (const command of commands) {
      const result = await sluice(command.split(/\s+/))
      expect(result.code, `sluice ${command}: ${result.stderr}`).toBe(0)
    }
  }, 300_000)

  it('a killed sequencer restarts from the command in devnet.json, and nothing is lost', async () => {
    const { l2: l2Chain } = devnetChains(info)
    const l2 = createPublicClient({ chain: l2Chain, transport: http() })
    const sequencer = info.components.sequencer
    expect(sequencer).toBeDefined()
    if (sequencer === undefined) return
    const friend = privateKeyToAccount(generatePrivateKey()).address
    await sluiceJson(['send', friend, '0.1'])
    const headBefore = await l2.getBlockNumber()

    process.kill(sequencer.pid, 'SIGKILL')
    await waitFor(
      'the sequencer to stop answering',
      async () => !(await healthy(info.l2.sequencerRpcUrl)) || undefined,
      {
        timeoutMs: 20_000,
      },
    )
    const [command, ...args] = sequencer.command
    startProcess('sequencer-restarted', command as string, args, { dir: work, cwd: sequencer.cwd })
    await waitFor('the restarted sequencer to serve /health', () => healthy(info.l2.sequencerRpcUrl) || undefined, {
      timeoutMs: 90_000,
      intervalMs: 250,
    })

    expect(await l2.getBalance({ address: friend })).toBe(parseEther('0.1'))
    expect(await l2.getBlockNumber()).toBeGreaterThanOrEqual(headBefore)
    await sluiceJson(['send', friend, '0.2'])
    expect(await l2.getBalance({ address: friend })).toBe(parseEther('0.3'))
  }, 300_000)

  it('Ctrl-C (SIGTERM) stops every process the devnet started', async () => {
    const pids = Object.entries(info.components)
      .filter(([name]) => name !== 'sequencer') // killed and replaced in the previous test
      .map(([, component]) => component.pid)
    process.kill(-(devnet.pid as number), 'SIGTERM')
    await devnetExited
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    await waitFor('every component to exit', () => pids.every((pid) => !alive(pid)) || undefined, { timeoutMs: 30_000 })
  }, 60_000)
})
