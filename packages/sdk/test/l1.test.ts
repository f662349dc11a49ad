/**
 * The SDK's L1 side against a real anvil with the contracts deployed: deposits (viem and ethers),
 * claims and games read back with their statuses, and the CLI commands that need only L1.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { claimManagerAbi, disputeGameAbi, portalAbi, sequencerInboxAbi } from '@sluice/contracts'
import { proposalValue } from '@sluice/core'
import { ethers } from 'ethers'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  type Hash,
  type Hex,
  http,
  keccak256,
  parseEther,
  toHex,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../../test/support/config.ts'
import { devAccount, startAnvil, stopAll, tempDir } from '../../../test/support/processes.ts'
import { deploySluice, type SluiceDeployment } from '../../contracts/scripts/deploy.ts'
import { runCli } from '../src/cli/program.ts'
import {
  type DevnetFile,
  defineL1Chain,
  defineSluiceChain,
  getDepositsFromLogs,
  publicActionsL1,
  type SluiceChain,
  walletActionsL1,
} from '../src/index.ts'

const L2_CHAIN_ID = 1_337_901
const FORCE_INCLUSION_DELAY = 10n
const CHALLENGE_PERIOD = 100n

let rpcUrl: string
let deployment: SluiceDeployment
let chain: SluiceChain
let l1Chain: ReturnType<typeof defineL1Chain>
let dir: string
const config = testConfig({
  forceInclusionDelay: FORCE_INCLUSION_DELAY,
  challengePeriod: CHALLENGE_PERIOD,
  gameClock: 50n,
})

function publicClient() {
  return createPublicClient({ chain: l1Chain, transport: http(rpcUrl) }).extend(publicActionsL1())
}
function walletClient(index: number) {
  return createWalletClient({ account: devAccount(index).account, chain: l1Chain, transport: http(rpcUrl) }).extend(
    walletActionsL1(),
  )
}
async function mined(hash: Hash) {
  const receipt = await publicClient().waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  return receipt
}
async function advanceTime(seconds: bigint) {
  const client = publicClient()
  await client.request({ method: 'evm_increaseTime' as never, params: [toHex(seconds)] as never })
  await client.request({ method: 'evm_mine' as never, params: [] as never })
}

/** Forces every delayed message so far into a batch; returns the batch index and its accumulator. */
async function forceBatch(): Promise<{ batchIndex: bigint; accumulator: Hex }> {
  const l1 = publicClient()
  await advanceTime(FORCE_INCLUSION_DELAY + 1n)
  const count = await l1.readContract({
    abi: portalAbi,
    address: deployment.portal,
    functionName: 'delayedMessageCount',
  })
  await mined(
    await walletClient(0).writeContract({
      abi: sequencerInboxAbi,
      address: deployment.sequencerInbox,
      functionName: 'forceInclude',
      args: [count],
    }),
  )
  const batches = await l1.readContract({
    abi: sequencerInboxAbi,
    address: deployment.sequencerInbox,
    functionName: 'batchCount',
  })
  const batchIndex = batches - 1n
  const accumulator = await l1.readContract({
    abi: sequencerInboxAbi,
    address: deployment.sequencerInbox,
    functionName: 'accumulator',
    args: [batchIndex],
  })
  return { batchIndex, accumulator }
}

async function propose(proposer: number, batchIndex: bigint, accumulator: Hex, stateRoot: Hex): Promise<void> {
  await mined(
    await walletClient(proposer).writeContract({
      abi: claimManagerAbi,
      address: deployment.claimManager,
      functionName: 'propose',
      args: [batchIndex, accumulator, stateRoot],
      value: proposalValue(config),
    }),
  )
}

beforeAll(async () => {
  dir = tempDir('sluice-sdk-')
  const anvil = await startAnvil(dir, { extraArgs: ['--accounts', '20'] })
  rpcUrl = anvil.rpcUrl
  const latest = await createPublicClient({ transport: http(rpcUrl) }).getBlock()
  deployment = await deploySluice({
    l1RpcUrl: rpcUrl,
    deployerPrivateKey: devAccount(0).privateKey,
    config: { ...config, l2GenesisTimestamp: latest.timestamp },
  })
  l1Chain = defineL1Chain({ id: 31_337, rpcUrl })
  chain = defineSluiceChain({
    id: L2_CHAIN_ID,
    rpcUrl: 'http://127.0.0.1:1',
    l1ChainId: 31_337,
    deployBlock: deployment.deployBlock,
    contracts: deployment,
  })
})

afterAll(stopAll)

describe('depositETH', () => {
  it('records a deposit to the named L2 recipient, numbered in order', async () => {
    const recipient = devAccount(3).address
    const value = parseEther('1.5')
    const hash = await walletClient(0).depositETH({ value, to: recipient, targetChain: chain })
    const receipt = await mined(hash)
    const [deposit] = getDepositsFromLogs(receipt.logs)
    expect(deposit).toMatchObject({ index: 0n, l1Sender: devAccount(0).address, l2Recipient: recipient, value })

    const second = await mined(await walletClient(2).depositETH({ value, targetChain: chain }))
    expect(getDepositsFromLogs(second.logs)[0]).toMatchObject({ index: 1n, l2Recipient: devAccount(2).address })
  })

  it('deposits sent together land in one block and all succeed, whatever slot they open', async () => {
    const l1 = publicClient()
    const count = () =>
      l1.readContract({ abi: portalAbi, address: deployment.portal, functionName: 'delayedMessageCount' })
    // Estimates made while the packed timestamp slot is half full miss the fresh slot a later deposit opens.
    while ((await count()) % 4n !== 1n)
      await mined(await walletClient(0).depositETH({ value: parseEther('0.01'), targetChain: chain }))
    await l1.request({ method: 'evm_setAutomine' as never, params: [false] as never })
    try {
      const hashes = await Promise.all(
        [11, 12, 13, 14, 15].map((i) => walletClient(i).depositETH({ value: parseEther('0.01'), targetChain: chain })),
      )
      await l1.request({ method: 'evm_mine' as never, params: [] as never })
      const receipts = await Promise.all(hashes.map((hash) => l1.waitForTransactionReceipt({ hash })))
      expect(receipts.map((receipt) => receipt.status)).toEqual(Array(5).fill('success'))
      expect(new Set(receipts.map((receipt) => receipt.blockNumber)).size).toBe(1)
    } finally {
      await l1.request({ method: 'evm_setAutomine' as never, params: [true] as never })
    }
  })

  it('refuses less than minDeposit with the contract error', async () => {
    await expect(walletClient(0).depositETH({ value: config.minDeposit - 1n, targetChain: chain })).rejects.toThrow(
      /DepositTooSmall/,
    )
  })

  it('works from ethers with the ABI from @sluice/contracts (docs/sdk.md)', async () => {
    // The example of docs/sdk.md, "From ethers".
    const provider = new ethers.JsonRpcProvider(rpcUrl)
    const wallet = new ethers.Wallet(devAccount(4).privateKey, provider)
    const portal = new ethers.Contract(deployment.portal, portalAbi, wallet)
    const tx = await portal.getFunction('depositETH')(wallet.address, { value: ethers.parseEther('0.25') })
    const receipt = await tx.wait()
    const event = portal.interface.parseLog(receipt.logs[0])
    expect(event?.name).toBe('DelayedMessage')
    expect(event?.args.l1Sender).toBe(wallet.address)
    provider.destroy()
  })
})

describe('getClaims / getGames', () => {
  it('reads claims with their batch, root, hash, games and status as they change', async () => {
    const first = await forceBatch()
    const goodRoot = keccak256(toHex('root at batch 0'))
    await propose(2, first.batchIndex, first.accumulator, goodRoot)
    await mined(await walletClient(0).depositETH({ value: parseEther('1'), targetChain: chain }))
    const second = await forceBatch()
    const badRoot = keccak256(toHex('wrong root at batch 1'))
    await propose(5, second.batchIndex, second.accumulator, badRoot)

    const l1 = publicClient()
    let claims = await l1.getClaims({ targetChain: chain })
    expect(claims.map((claim) => [claim.id, claim.batchIndex, claim.stateRoot, claim.status])).toEqual([
      [1n, first.batchIndex, goodRoot, 'pending'],
      [2n, second.batchIndex, badRoot, 'pending'],
    ])
    const expectedHash = await l1.readContract({
      abi: claimManagerAbi,
      address: deployment.claimManager,
      functionName: 'hashClaim',
      args: [second.batchIndex, second.accumulator, badRoot],
    })
    const disputed = claims[1]!
    expect(disputed.claimHash).toBe(expectedHash)
    expect(disputed.proposer).toBe(devAccount(5).address)
    expect(disputed.finalizable).toBe(false)

    await mined(
      await walletClient(6).writeContract({
        abi: disputeGameAbi,
        address: deployment.disputeGame,
        functionName: 'challenge',
        args: [disputed.id, disputed.claimHash, devAccount(5).address],
        value: config.challengerBond,
      }),
    )
    claims = await l1.getClaims({ targetChain: chain })
    expect(claims[1]).toMatchObject({ status: 'challenged', games: [1n], openGames: 1 })
    expect(claims[0]).toMatchObject({ status: 'pending', games: [] })
    const games = await l1.getGames({ targetChain: chain, claimId: disputed.id })
    expect(games).toHaveLength(1)
    expect(games[0]).toMatchObject({
      id: 1n,
      claimId: disputed.id,
      staker: devAccount(5).address,
      challenger: devAccount(6).address,
      status: 'open',
      rootHi: badRoot,
    })

    // After the challenge period the unchallenged claim can finalize, and then is finalized.
    await advanceTime(CHALLENGE_PERIOD + 1n)
    claims = await l1.getClaims({ targetChain: chain })
    expect(claims[0]?.finalizable).toBe(true)
    await mined(
      await walletClient(0).writeContract({
        abi: claimManagerAbi,
        address: deployment.claimManager,
        functionName: 'finalizeClaim',
        args: [1n],
      }),
    )
    claims = await l1.getClaims({ targetChain: chain, minBatchIndex: first.batchIndex })
    expect(claims[0]).toMatchObject({ id: 1n, status: 'finalized', finalizable: false })
  })
})

describe('sluice CLI on L1', () => {
  function capture() {
    const out: string[] = []
    const err: string[] = []
    return {
      io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), cwd: dir },
      out: () => out.join(''),
      err: () => err.join(''),
    }
  }
  function writeDevnet(): string {
    const devnet: DevnetFile = {
      l1: { rpcUrl, chainId: 31_337 },
      // No L2 node in this test: commands that need one must say it cannot be reached.
      l2: { chainId: L2_CHAIN_ID, sequencerRpcUrl: 'http://127.0.0.1:1', verifierRpcUrls: [] },
      contracts: {
        Portal: deployment.portal,
        SequencerInbox: deployment.sequencerInbox,
        ClaimManager: deployment.claimManager,
        DisputeGame: deployment.disputeGame,
        OneStepProver: deployment.oneStepProver,
      },
      accounts: [7, 8].map((i) => ({ address: devAccount(i).address, privateKey: devAccount(i).privateKey })),
      components: {},
      deployBlock: String(deployment.deployBlock),
    }
    mkdirSync(join(dir, '.devnet'), { recursive: true })
    const file = join(dir, '.devnet', 'devnet.json')
    writeFileSync(file, JSON.stringify(devnet))
    return file
  }

  it('deposits from the first devnet account and shows the L1 balance, as JSON', async () => {
    writeDevnet()
    const before = await publicClient().getBalance({ address: devAccount(7).address })
    const deposit = capture()
    expect(await runCli(['deposit', '0.5', '--no-wait', '--json'], deposit.io)).toBe(0)
    const result = JSON.parse(deposit.out()) as { to: Address; value: string; depositIndex: string }
    expect(result.to).toBe(devAccount(7).address)
    expect(result.value).toBe(parseEther('0.5').toString())

    const balance = capture()
    expect(await runCli(['balance', devAccount(7).address, '--l1', '--json'], balance.io)).toBe(0)
    const { wei } = JSON.parse(balance.out()) as { wei: string }
    expect(BigInt(wei)).toBeLessThan(before - parseEther('0.5'))
  })

  it('lists claims as JSON with id, batch index, state root, status and games', async () => {
    writeDevnet()
    const claims = capture()
    expect(await runCli(['claims', '--json'], claims.io)).toBe(0)
    const listed = JSON.parse(claims.out()) as {
      id: string
      batchIndex: string
      stateRoot: Hex
      status: string
      games: string[]
    }[]
    const onChain = await publicClient().getClaims({ targetChain: chain })
    expect(listed.map((c) => [c.id, c.batchIndex, c.stateRoot, c.status, c.games])).toEqual(
      onChain.map((c) => [String(c.id), String(c.batchIndex), c.stateRoot, c.status, c.games.map(String)]),
    )
  })

  it('says the L2 node cannot be reached, what to do, and exits 1', async () => {
    writeDevnet()
    const status = capture()
    expect(await runCli(['status'], status.io)).toBe(1)
    expect(status.err()).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:1/)
    expect(status.err()).toMatch(/npm run devnet/)
  })
})
