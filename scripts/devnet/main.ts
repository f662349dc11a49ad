/**
 * The devnet itself (see scripts/devnet.ts, which parses the flags and loads this once the contract
 * ABIs exist). Starts
 * anvil, deploys, starts the nodes, funds the dev accounts through deposits, writes devnet.json,
 * prints `ready`, and stops everything on SIGINT/SIGTERM.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { parseRollupConfig } from '@sluice/core'
import { type DevnetFile, depositETH, devnetContracts } from '@sluice/sdk'
import { type Address, createPublicClient, createWalletClient, formatEther, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { deploySluice } from '../../packages/contracts/scripts/deploy.ts'
import {
  ANVIL_ACCOUNTS,
  CHALLENGER_BASE_INDEX,
  DEPLOYER_INDEX,
  devAccount,
  devnetRollupConfig,
  L2_FUNDING,
  PROPOSER_INDEX,
  SEQUENCER_INDEX,
  USER_INDICES,
} from './config.ts'
import { type DevnetOptions, P2P_PORT_OFFSET } from './options.ts'
import {
  assertPortFree,
  type Component,
  DevnetError,
  healthy,
  startComponent,
  stopComponent,
  waitUntil,
} from './processes.ts'

const REPO_ROOT = resolve(import.meta.dirname, '..', '..')
const HOST = '127.0.0.1'

function say(line: string): void {
  process.stdout.write(`devnet: ${line}\n`)
}

/** JSON-RPC call to a node or anvil. */
async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(5000),
  })
  const body = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

type NodeInfo = { rpcUrl: string; p2p: string[]; pid: number }

function readNodeInfo(dataDir: string): NodeInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'node.json'), 'utf8')) as NodeInfo
  } catch {
    return undefined
  }
}

/** The devnet's running state, for shutdown. */
const components: Component[] = []
let stopping = false
/** Where anvil's state is saved, once the contracts are deployed. */
let anvilState: { url: string; file: string } | undefined
let snapshotTimer: NodeJS.Timeout | undefined
const SNAPSHOT_INTERVAL_MS = 10_000

/** Saves anvil's state (`anvil_dumpState`: gzipped JSON) to the state file, atomically. */
async function saveAnvilState(): Promise<void> {
  if (anvilState === undefined) return
  const dump = (await rpc(anvilState.url, 'anvil_dumpState')) as Hex
  const temporary = `${anvilState.file}.tmp`
  writeFileSync(temporary, gunzipSync(Buffer.from(dump.slice(2), 'hex')))
  renameSync(temporary, anvilState.file)
}

async function shutdown(code: number): Promise<void> {
  // A second Ctrl-C while stopping must not exit early and orphan the processes.
  if (stopping) return
  stopping = true
  say('stopping…')
  const stop = async (component: Component) => {
    await stopComponent(component)
    say(`${component.name} stopped`)
  }
  clearInterval(snapshotTimer)
  // Nodes first, together (they flush to disk); then anvil's state is saved and anvil stopped.
  await Promise.all(components.filter((component) => component.name !== 'anvil').map(stop))
  try {
    await saveAnvilState()
  } catch (error) {
    say(`could not save anvil's state (${String(error)}); the next start resumes from the last snapshot`)
  }
  await Promise.all(components.filter((component) => component.name === 'anvil').map(stop))
  process.exit(code)
}

async function startNode(
  name: string,
  command: string[],
  dataDir: string,
  rpcUrl: string,
  logDir: string,
): Promise<{ component: Component; info: NodeInfo }> {
  // Ctrl-C during startup: start nothing more (it would outlive the shutdown).
  if (stopping) throw new DevnetError('Stopping; not starting more processes.')
  mkdirSync(dataDir, { recursive: true })
  const component = startComponent(name, command, REPO_ROOT, join(logDir, `${name}.log`))
  components.push(component)
  const info = await waitUntil(
    `${name} to serve ${rpcUrl}/health`,
    async () => {
      const nodeInfo = readNodeInfo(dataDir)
      if (nodeInfo === undefined || nodeInfo.pid !== component.child.pid) return undefined
      return (await healthy(rpcUrl)) ? nodeInfo : undefined
    },
    { timeoutMs: 90_000, component },
  )
  return { component, info }
}

async function main(options: DevnetOptions): Promise<void> {
  const { dir } = options
  if (options.fresh && existsSync(dir)) {
    const ours = ['deployment.json', 'devnet.json', 'logs'].some((name) => existsSync(join(dir, name)))
    if (!ours && readdirSync(dir).length > 0) {
      throw new DevnetError(`--fresh would delete ${dir}, which is not a devnet directory; pick another --dir.`)
    }
    say(`--fresh: deleting ${dir}`)
    rmSync(dir, { recursive: true, force: true })
  }
  const logDir = join(dir, 'logs')
  mkdirSync(logDir, { recursive: true })

  const sequencerBin = join(REPO_ROOT, 'packages', 'sequencer', 'src', 'bin.ts')
  const verifierBin = join(REPO_ROOT, 'packages', 'verifier', 'src', 'bin.ts')
  if (!existsSync(sequencerBin) || (options.verifiers > 0 && !existsSync(verifierBin))) {
    throw new DevnetError(
      'The node executables (packages/sequencer/src/bin.ts, packages/verifier/src/bin.ts) are missing in this checkout.',
    )
  }

  const l1Url = `http://${HOST}:${options.l1Port}`
  const sequencerUrl = `http://${HOST}:${options.sequencerPort}`
  const verifierPorts = Array.from({ length: options.verifiers }, (_, i) => options.verifierPort + i)
  await assertPortFree(HOST, options.l1Port, '--l1-port')
  await assertPortFree(HOST, options.sequencerPort, '--sequencer-port')
  await assertPortFree(HOST, options.sequencerPort + P2P_PORT_OFFSET, '--sequencer-port')
  for (const port of verifierPorts) {
    await assertPortFree(HOST, port, '--verifier-port')
    await assertPortFree(HOST, port + P2P_PORT_OFFSET, '--verifier-port')
  }

  // L1.
  const statePath = join(dir, 'anvil-state.json')
  const deploymentFile = join(dir, 'deployment.json')
  const resume = existsSync(deploymentFile) && existsSync(statePath)
  if (!resume) rmSync(statePath, { force: true })
  say(`${resume ? 'resuming' : 'starting'} anvil (L1) on ${l1Url}`)
  // anvil's own --state dump on exit can be cut short; the devnet saves snapshots itself
  // (anvil_dumpState, written atomically) and loads the last one on resume.
  const anvilBase = [
    join(REPO_ROOT, 'node_modules', '.bin', 'anvil'),
    ...['--host', HOST, '--port', String(options.l1Port), '--block-time', '1', '--accounts', String(ANVIL_ACCOUNTS)],
  ]
  const anvilRestart = [...anvilBase, '--load-state', statePath]
  const anvil = startComponent('anvil', resume ? anvilRestart : anvilBase, REPO_ROOT, join(logDir, 'anvil.log'))
  anvil.command = anvilRestart
  components.push(anvil)
  const l1ChainId = Number(
    await waitUntil('anvil to answer', () => rpc(l1Url, 'eth_chainId') as Promise<string>, {
      timeoutMs: 30_000,
      component: anvil,
    }),
  )
  const l1 = createPublicClient({ transport: http(l1Url) })

  // Contracts.
  if (!resume) {
    if (existsSync(deploymentFile)) rmSync(deploymentFile)
    const latest = await l1.getBlock({ blockTag: 'latest' })
    const config = devnetRollupConfig(latest.timestamp)
    say('deploying the contracts (Portal, SequencerInbox, OneStepProver, ClaimManager, DisputeGame)')
    const deployed = await deploySluice({
      l1RpcUrl: l1Url,
      deployerPrivateKey: devAccount(DEPLOYER_INDEX).privateKey,
      config,
      outFile: deploymentFile,
    })
    if (deployed.portal !== devnetContracts.portal || deployed.disputeGame !== devnetContracts.disputeGame) {
      say('warning: the contracts did not land at the usual devnet addresses (was anvil fresh?)')
    }
  }
  const deployment = JSON.parse(readFileSync(deploymentFile, 'utf8')) as {
    portal: Address
    sequencerInbox: Address
    claimManager: Address
    disputeGame: Address
    oneStepProver: Address
    configHash: Hex
    deployBlock: string
    config: Record<string, string>
  }
  const config = parseRollupConfig(deployment.config)
  anvilState = { url: l1Url, file: statePath }
  await saveAnvilState()
  snapshotTimer = setInterval(() => void saveAnvilState().catch(() => undefined), SNAPSHOT_INTERVAL_MS)
  if ((await l1.getCode({ address: deployment.portal })) === undefined) {
    throw new DevnetError(
      `The saved L1 state has no Portal at ${deployment.portal}; start over with \`npm run devnet -- --fresh\`.`,
    )
  }

  // Nodes.
  const sequencerKey = devAccount(SEQUENCER_INDEX).privateKey
  const sequencerDir = join(dir, 'sequencer')
  const sequencerCommand = [
    process.execPath,
    sequencerBin,
    ...['--l1-rpc', l1Url, '--deployment', deploymentFile, '--data-dir', sequencerDir],
    ...['--sequencer-key', sequencerKey, '--proposer-key', devAccount(PROPOSER_INDEX).privateKey],
    ...['--rpc-host', HOST, '--rpc-port', String(options.sequencerPort)],
    // anvil serves the beacon API's blobs endpoint on its RPC port.
    ...['--da', options.da, '--l1-beacon', l1Url],
    ...['--p2p-host', HOST, '--p2p-port', String(options.sequencerPort + P2P_PORT_OFFSET)],
    ...['--block-time', String(options.blockTime)],
    ...(options.fault === undefined ? [] : ['--enable-faults', '--fault', options.fault]),
  ]
  say(
    `starting the sequencer on ${sequencerUrl}, batches in ${options.da === 'auto' ? 'blobs or calldata by price (auto)' : options.da}${options.fault ? `, with fault ${options.fault}` : ''}`,
  )
  const sequencer = await startNode('sequencer', sequencerCommand, sequencerDir, sequencerUrl, logDir)

  const verifierUrls: string[] = []
  const verifierDirs: string[] = []
  for (const [i, port] of verifierPorts.entries()) {
    const url = `http://${HOST}:${port}`
    const dataDir = join(dir, `verifier-${i}`)
    const command = [
      process.execPath,
      verifierBin,
      ...['--l1-rpc', l1Url, '--deployment', deploymentFile, '--data-dir', dataDir],
      ...['--rpc-host', HOST, '--rpc-port', String(port), '--sequencer-rpc', sequencerUrl, '--l1-beacon', l1Url],
      ...['--p2p-host', HOST, '--p2p-port', String(port + P2P_PORT_OFFSET)],
      ...['--challenger-key', devAccount(CHALLENGER_BASE_INDEX + i).privateKey],
      ...sequencer.info.p2p.flatMap((address) => ['--peer', address]),
    ]
    say(`starting verifier-${i} on ${url}`)
    await startNode(`verifier-${i}`, command, dataDir, url, logDir)
    verifierUrls.push(url)
    verifierDirs.push(dataDir)
  }

  // devnet.json, written before funding so that scripts can watch the funding too.
  const accounts = USER_INDICES.map((index) => devAccount(index))
  const dataDirs: Record<string, string> = { anvil: dir, sequencer: sequencerDir }
  verifierDirs.forEach((dataDir, i) => {
    dataDirs[`verifier-${i}`] = dataDir
  })
  const rpcUrls: Record<string, string> = { anvil: l1Url, sequencer: sequencerUrl }
  verifierUrls.forEach((url, i) => {
    rpcUrls[`verifier-${i}`] = url
  })
  const devnet: DevnetFile = {
    l1: { rpcUrl: l1Url, chainId: l1ChainId },
    l2: { chainId: Number(config.chainId), sequencerRpcUrl: sequencerUrl, verifierRpcUrls: verifierUrls },
    contracts: {
      Portal: deployment.portal,
      SequencerInbox: deployment.sequencerInbox,
      ClaimManager: deployment.claimManager,
      DisputeGame: deployment.disputeGame,
      OneStepProver: deployment.oneStepProver,
    },
    accounts,
    components: Object.fromEntries(
      components.map((component) => [
        component.name,
        {
          pid: component.child.pid as number,
          command: component.command,
          cwd: component.cwd,
          dataDir: dataDirs[component.name] as string,
          rpcUrl: rpcUrls[component.name],
          logFile: component.logFile,
        },
      ]),
    ),
    deployBlock: String(deployment.deployBlock),
    deploymentFile,
    configHash: deployment.configHash,
    rollupConfig: deployment.config,
  }
  const devnetFile = join(dir, 'devnet.json')
  writeFileSync(devnetFile, `${JSON.stringify(devnet, null, 2)}\n`)

  // Funding on L2, through real deposits, once per chain.
  const fundedMarker = join(dir, 'funded')
  if (!existsSync(fundedMarker)) {
    say(`funding ${accounts.length} accounts on L2: each deposits ${formatEther(L2_FUNDING)} ETH through the Portal`)
    const l1Chain = await l1.getChainId().then((id) => ({
      id,
      name: 'Devnet L1',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [l1Url] } },
    }))
    const hashes = await Promise.all(
      accounts.map((account) =>
        depositETH(
          createWalletClient({
            account: privateKeyToAccount(account.privateKey),
            chain: l1Chain,
            transport: http(l1Url),
          }),
          {
            value: L2_FUNDING,
            portalAddress: deployment.portal,
          },
        ),
      ),
    )
    for (const hash of hashes) {
      const receipt = await l1.waitForTransactionReceipt({ hash })
      if (receipt.status !== 'success') throw new DevnetError(`A funding deposit reverted on L1 (${hash}).`)
    }
    const l2 = createPublicClient({ transport: http(sequencerUrl) })
    let reported = -1
    await waitUntil(
      'the deposits to show on L2',
      async () => {
        const balances = await Promise.all(accounts.map((account) => l2.getBalance({ address: account.address })))
        const funded = balances.filter((balance) => balance >= L2_FUNDING).length
        if (funded !== reported) say(`  ${funded}/${accounts.length} accounts funded on L2`)
        reported = funded
        return funded === accounts.length ? true : undefined
      },
      { timeoutMs: 180_000, intervalMs: 500, component: sequencer.component },
    )
    writeFileSync(fundedMarker, `${new Date().toISOString()}\n`)
    await saveAnvilState()
  }

  const lines = [
    '',
    `L1 (anvil)     ${l1Url}   chain id ${l1ChainId}`,
    `L2 sequencer   ${sequencerUrl}   chain id ${config.chainId}`,
    `Batches        ${options.da === 'auto' ? 'blobs or calldata, by price (--da auto)' : `${options.da} (--da ${options.da})`}; nodes read blobs from the beacon API at ${l1Url}`,
    ...verifierUrls.map((url, i) => `L2 verifier-${i}   ${url}`),
    `Explorer       ${sequencerUrl}/ (every node serves one at its RPC address, in a browser)`,
    '',
    `Portal         ${deployment.portal}`,
    `SequencerInbox ${deployment.sequencerInbox}`,
    `ClaimManager   ${deployment.claimManager}`,
    `DisputeGame    ${deployment.disputeGame}`,
    `OneStepProver  ${deployment.oneStepProver}`,
    '',
    'Accounts (funded on L1 and L2):',
    ...accounts.map((account, i) => `  (${i}) ${account.address}  ${account.privateKey}`),
    '',
    `Devnet file    ${devnetFile}`,
    `Logs           ${logDir}`,
    `Windows        challenge period ${config.challengePeriod} s, game clock ${config.gameClock} s, forced inclusion ${config.forceInclusionDelay} s, ${config.l1Confirmations} L1 confirmations`,
    '',
    `Try: npx sluice balance ${accounts[0]?.address}`,
    'Ctrl-C stops the devnet; `npm run devnet` again resumes it.',
    '',
  ]
  process.stdout.write(`${lines.join('\n')}\nready\n`)

  for (const component of components) {
    void component.exited.then((code) => {
      if (stopping) return
      say(
        `${component.name} exited (${code}); see ${component.logFile}. Restart it with: (cd ${component.cwd} && ${component.command.join(' ')})`,
      )
    })
  }
}

/** Starts the devnet with options `parseDevnetOptions` checked; runs until SIGINT/SIGTERM. */
export function runDevnet(options: DevnetOptions): void {
  process.on('SIGINT', () => void shutdown(0))
  process.on('SIGTERM', () => void shutdown(0))
  main(options).catch(async (error: unknown) => {
    process.stderr.write(`devnet: ${error instanceof Error ? error.message : String(error)}\n`)
    await shutdown(1)
  })
}
