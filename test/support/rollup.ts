/**
 * A whole rollup for end-to-end tests: anvil as L1, the contracts deployed from a test rollup config,
 * and the node executables started as separate processes on free ports.
 */
import { join } from 'node:path'
import { portalAbi } from '@sluice/contracts'
import { bytesToHex, genesisStateRoot, type RollupConfig } from '@sluice/core'
import { type Address, createPublicClient, createWalletClient, http, parseEther } from 'viem'
import { deploySluice, type SluiceDeployment } from '../../packages/contracts/scripts/deploy.ts'
import {
  type Anvil,
  devAccount,
  freePort,
  NODE_BIN,
  REPO_ROOT,
  type Started,
  startAnvil,
  startProcess,
  waitFor,
} from './processes.ts'

export const SEQUENCER = devAccount(1)
export const DEPLOYER = devAccount(0)

/** A rollup config with short windows for tests; `overrides` set what a test is about. */
export function e2eConfig(overrides: Partial<RollupConfig> = {}): RollupConfig {
  return {
    chainId: 1_337_901n,
    sequencer: SEQUENCER.address.toLowerCase() as `0x${string}`,
    feeVault: '0x00000000000000000000000000000000000fee01',
    baseFeePerGas: 1_000_000_000n,
    l2BlockGasLimit: 30_000_000n,
    l2GenesisTimestamp: BigInt(Math.floor(Date.now() / 1000) - 60),
    genesisStateRoot: bytesToHex(genesisStateRoot()),
    minDeposit: 1_000_000_000_000n,
    maxForcedTxBytes: 4_096n,
    maxBatchBytes: 90_000n,
    maxSequencerDrift: 600n,
    forceInclusionDelay: 60n,
    l1Confirmations: 1n,
    proposerBond: parseEther('1'),
    challengerBond: parseEther('1'),
    challengePeriod: 60n,
    gameClock: 30n,
    bondBurnBps: 1_000n,
    ...overrides,
  }
}

export type L1 = {
  anvil: Anvil
  deployment: SluiceDeployment
  deploymentFile: string
  config: RollupConfig
}

/** Starts anvil (1 s blocks unless told) and deploys the contracts; writes `<dir>/deployment.json`. */
export async function startL1(
  dir: string,
  {
    config = e2eConfig(),
    blockTime = 1,
    anvilArgs = [],
  }: { config?: RollupConfig; blockTime?: number; anvilArgs?: string[] } = {},
): Promise<L1> {
  const anvil = await startAnvil(dir, { blockTime, extraArgs: ['--gas-limit', '300000000', ...anvilArgs] })
  const deploymentFile = join(dir, 'deployment.json')
  const deployment = await deploySluice({
    l1RpcUrl: anvil.rpcUrl,
    deployerPrivateKey: DEPLOYER.privateKey,
    config,
    outFile: deploymentFile,
  })
  return { anvil, deployment, deploymentFile, config }
}

export type NodeProcess = Started & { rpcUrl: string; dataDir: string; args: string[]; p2pPort: number }

async function waitHealthy(url: string, process: Started, timeoutMs: number, healthy = true): Promise<void> {
  await waitFor(
    `${process.name} to be ${healthy ? 'healthy' : 'serving'} (log: ${process.logFile})`,
    async () => {
      if (process.child.exitCode !== null)
        throw new Error(`${process.name} exited with ${process.child.exitCode}; see ${process.logFile}`)
      const response = await fetch(`${url}/health`)
      return healthy ? response.status === 200 : true
    },
    { timeoutMs, intervalMs: 100 },
  )
}

/** Starts `sluice-sequencer` on free ports with `dataDir` (reused across restarts). */
export async function startSequencerProcess(
  dir: string,
  l1: L1,
  {
    dataDir = join(dir, 'sequencer'),
    extraArgs = [],
    rpcPort,
    p2pPort,
    name = 'sequencer',
    beacon = l1.anvil.rpcUrl,
  }: {
    dataDir?: string
    extraArgs?: string[]
    rpcPort?: number
    p2pPort?: number
    name?: string
    beacon?: string
  } = {},
): Promise<NodeProcess> {
  const port = rpcPort ?? (await freePort())
  const p2p = p2pPort ?? (await freePort())
  const args = [
    join(REPO_ROOT, 'packages/sequencer/src/bin.ts'),
    '--l1-rpc',
    l1.anvil.rpcUrl,
    '--deployment',
    l1.deploymentFile,
    '--data-dir',
    dataDir,
    '--rpc-port',
    String(port),
    '--p2p-port',
    String(p2p),
    '--block-time',
    '100',
    '--batch-age',
    '500',
    '--l1-poll-interval',
    '200',
    '--l1-beacon',
    beacon,
    ...extraArgs,
  ]
  const process = startProcess(name, NODE_BIN, args, { dir, env: { SLUICE_SEQUENCER_KEY: SEQUENCER.privateKey } })
  const rpcUrl = `http://127.0.0.1:${port}`
  await waitHealthy(rpcUrl, process, 60_000)
  return Object.assign(process, { rpcUrl, dataDir, args, p2pPort: p2p })
}

/** Starts `sluice-verifier` on free ports with `dataDir`. */
export async function startVerifierProcess(
  dir: string,
  l1: L1,
  {
    dataDir = join(dir, 'verifier'),
    extraArgs = [],
    rpcPort,
    name = 'verifier',
    beacon = l1.anvil.rpcUrl,
    healthy = true,
  }: {
    dataDir?: string
    extraArgs?: string[]
    rpcPort?: number
    name?: string
    /** The beacon API blobs are read from (default: anvil's, on its RPC port). */
    beacon?: string
    /** Wait until `/health` answers 200 (default), or only until it answers at all (a node expected to wait). */
    healthy?: boolean
  } = {},
): Promise<NodeProcess> {
  const port = rpcPort ?? (await freePort())
  const p2p = await freePort()
  const args = [
    join(REPO_ROOT, 'packages/verifier/src/bin.ts'),
    '--l1-rpc',
    l1.anvil.rpcUrl,
    '--deployment',
    l1.deploymentFile,
    '--data-dir',
    dataDir,
    '--rpc-port',
    String(port),
    '--p2p-port',
    String(p2p),
    '--l1-poll-interval',
    '200',
    '--l1-beacon',
    beacon,
    ...extraArgs,
  ]
  const process = startProcess(name, NODE_BIN, args, { dir })
  const rpcUrl = `http://127.0.0.1:${port}`
  await waitHealthy(rpcUrl, process, 60_000, healthy)
  return Object.assign(process, { rpcUrl, dataDir, args, p2pPort: p2p })
}

/** Deposits `amount` on L1 for `recipient` from anvil dev account `fromIndex`. */
export async function deposit(l1: L1, fromIndex: number, recipient: Address, amount: bigint): Promise<void> {
  const from = devAccount(fromIndex)
  const wallet = createWalletClient({ account: from.account, transport: http(l1.anvil.rpcUrl) })
  const client = createPublicClient({ transport: http(l1.anvil.rpcUrl) })
  const hash = await wallet.writeContract({
    address: l1.deployment.portal,
    abi: portalAbi,
    functionName: 'depositETH',
    args: [recipient],
    value: amount,
    chain: null,
  })
  await client.waitForTransactionReceipt({ hash, pollingInterval: 100 })
}
