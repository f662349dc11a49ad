/**
 * The operator guide (docs/operator.md), as written: a second anvil with its own chain id stands for
 * another L1; the contracts are deployed with the deploy script's command line; a verifier started
 * with only the L1 URL, its beacon API (anvil's own port), the deployment file and a data directory
 * derives what the sequencer posted (blob batches, the default).
 */
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { rollupConfigToJson } from '@sluice/core'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEQUENCER_PROCESS_DEFAULTS } from '../../packages/sequencer/src/processDefaults.ts'
import { rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { BIN, NODE_BIN, REPO_ROOT, startAnvil, startProcess, stopAll, tempDir, waitFor } from '../support/processes.ts'
import { DEPLOYER, deposit, e2eConfig, type L1, startSequencerProcess } from '../support/rollup.ts'
import { testAccount, transfer } from '../support/wallet.ts'

type Status = { safe: { number: string; hash: string } }

describe('operator guide: a verifier against another L1', () => {
  let dir: string
  let l1: L1

  beforeAll(async () => {
    dir = tempDir()
    const anvil = await startAnvil(dir, { blockTime: 1, extraArgs: ['--chain-id', '4242'] })
    const config = e2eConfig()
    const configFile = join(dir, 'rollup-config.json')
    writeFileSync(configFile, JSON.stringify(rollupConfigToJson(config), null, 2))
    const deploymentFile = join(dir, 'deployment.json')
    await promisify(execFile)(
      NODE_BIN,
      ['packages/contracts/scripts/deploy.ts', '--rpc', anvil.rpcUrl, '--config', configFile, '--out', deploymentFile],
      { cwd: REPO_ROOT, env: { ...process.env, SLUICE_DEPLOYER_KEY: DEPLOYER.privateKey } },
    )
    const deployment = JSON.parse(readFileSync(deploymentFile, 'utf8'))
    l1 = { anvil, deployment: { ...deployment, deployBlock: BigInt(deployment.deployBlock) }, deploymentFile, config }
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('derives the sequencer’s chain from the deployment file and the L1 URL alone', async () => {
    const sequencer = await startSequencerProcess(dir, l1)
    // The guide's memory defaults: the sequencer restarted itself in place (same pid) with them.
    const own = (file: string) => readFileSync(`/proc/${sequencer.child.pid}/${file}`, 'utf8').split('\0')
    expect(own('cmdline')).toEqual(expect.arrayContaining([...SEQUENCER_PROCESS_DEFAULTS.nodeFlags]))
    expect(own('environ')).toEqual(
      expect.arrayContaining(Object.entries(SEQUENCER_PROCESS_DEFAULTS.env).map(([name, value]) => `${name}=${value}`)),
    )
    const alice = testAccount(31)
    await deposit(l1, 2, alice.addressHex, parseEther('1'))
    await waitFor(
      'the deposit on L2',
      async () => BigInt(await rpcCall<string>(sequencer.rpcUrl, 'eth_getBalance', [alice.addressHex, 'latest'])) > 0n,
      {
        timeoutMs: 30_000,
      },
    )
    const [answer] = await sendBatch(sequencer.rpcUrl, [
      transfer(alice, testAccount(32).address, { chainId: l1.config.chainId, nonce: 0n, value: 1n }).raw,
    ])
    await waitForReceipts(sequencer.rpcUrl, [answer?.result as string], 20_000)
    const receipt = await rpcCall<{ blockNumber: string; blockHash: string }>(
      sequencer.rpcUrl,
      'eth_getTransactionReceipt',
      [answer?.result],
    )

    const rpcPort = 20_000 + Math.floor(Math.random() * 20_000)
    const verifier = startProcess(
      'verifier-other-l1',
      join(BIN, 'sluice-verifier'),
      [
        '--l1-rpc',
        l1.anvil.rpcUrl,
        '--l1-beacon',
        l1.anvil.rpcUrl,
        '--deployment',
        l1.deploymentFile,
        '--data-dir',
        join(dir, 'v1'),
        '--rpc-port',
        String(rpcPort),
        '--p2p-port',
        '0',
      ],
      { dir },
    )
    const url = `http://127.0.0.1:${rpcPort}`
    await waitFor(
      'the verifier to derive the transfer',
      async () => {
        if (verifier.child.exitCode !== null) throw new Error(`verifier exited; see ${verifier.logFile}`)
        return BigInt((await rpcCall<Status>(url, 'sluice_syncStatus')).safe.number) >= BigInt(receipt.blockNumber)
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    )
    const block = await rpcCall<{ hash: string }>(url, 'eth_getBlockByNumber', [receipt.blockNumber, false])
    expect(block.hash).toBe(receipt.blockHash)
    expect(BigInt(await rpcCall<string>(url, 'eth_chainId'))).toBe(l1.config.chainId)
  }, 180_000)
})
