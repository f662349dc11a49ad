import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex, configHash, encodeBatch, GENESIS_STATE_ROOT, type RollupConfig } from '@sluice/core'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  encodePacked,
  http,
  keccak256,
  parseEther,
  parseEventLogs,
  toHex,
  zeroHash,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../test/support/processes.ts'
import { testAccount, transfer } from '../../../test/support/wallet.ts'
import { deploySluice, type SluiceDeployment } from '../scripts/deploy.ts'
import {
  claimManagerAbi,
  disputeGameAbi,
  oneStepProverAbi,
  portalAbi,
  sequencerInboxAbi,
} from '../src/generated/index.ts'

// anvil's development accounts come from this mnemonic: 0 deploys, 1 sequences, 2 deposits.
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'
const devAccount = (index: number) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index })
const DEPLOYER_KEY = toHex(devAccount(0).getHdKey().privateKey as Uint8Array)

const anvilBin = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'anvil')

describe('deploySluice on anvil', () => {
  let anvil: ChildProcess
  let rpcUrl: string
  let deployment: SluiceDeployment
  let outDir: string
  const sequencer = devAccount(1)
  const user = devAccount(2)
  const config: RollupConfig = {
    chainId: 424242n,
    sequencer: sequencer.address,
    feeVault: '0x00000000000000000000000000000000000fee00',
    baseFeePerGas: 1_000_000_000n,
    l2BlockGasLimit: 30_000_000n,
    l2GenesisTimestamp: 1_700_000_000n,
    genesisStateRoot: GENESIS_STATE_ROOT,
    minDeposit: 1_000_000_000_000_000n,
    maxForcedTxBytes: 1024n,
    maxBatchBytes: 90_000n,
    maxSequencerDrift: 600n,
    forceInclusionDelay: 86_400n,
    l1Confirmations: 6n,
    proposerBond: parseEther('1'),
    challengerBond: parseEther('0.5'),
    challengePeriod: 604_800n,
    gameClock: 86_400n,
    bondBurnBps: 1000n,
  }

  const client = () => createPublicClient({ transport: http(rpcUrl) })

  beforeAll(async () => {
    const port = await freePort()
    rpcUrl = `http://127.0.0.1:${port}`
    anvil = spawn(anvilBin, ['--port', String(port), '--host', '127.0.0.1', '--silent'], { stdio: 'ignore' })
    const deadline = Date.now() + 20_000
    for (;;) {
      try {
        await client().getChainId()
        break
      } catch (error) {
        if (Date.now() > deadline) throw error
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    outDir = mkdtempSync(join(tmpdir(), 'sluice-deploy-'))
    deployment = await deploySluice({
      l1RpcUrl: rpcUrl,
      deployerPrivateKey: DEPLOYER_KEY,
      config,
      outFile: join(outDir, 'deployment.json'),
    })
  })

  afterAll(() => {
    anvil?.kill('SIGTERM')
    if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true })
  })

  it('deploys every contract with code at the returned addresses', async () => {
    const c = client()
    for (const address of [
      deployment.portal,
      deployment.sequencerInbox,
      deployment.claimManager,
      deployment.disputeGame,
      deployment.oneStepProver,
    ]) {
      const code = await c.getCode({ address })
      expect(code !== undefined && code.length > 2).toBe(true)
    }
    expect(new Set([deployment.portal, deployment.sequencerInbox, deployment.claimManager]).size).toBe(3)
    expect(deployment.deployBlock).toBeGreaterThan(0n)
  })

  it('stores the TS-computed config hash in every contract', async () => {
    const c = client()
    const tsHash = configHash(config)
    // The same hash from viem's ABI encoder of the 18 fields, independently of @sluice/core.
    const viemHash = keccak256(
      encodeAbiParameters(
        [
          { type: 'uint64' },
          { type: 'address' },
          { type: 'address' },
          { type: 'uint256' },
          { type: 'uint64' },
          { type: 'uint64' },
          { type: 'bytes32' },
          { type: 'uint256' },
          { type: 'uint32' },
          { type: 'uint32' },
          { type: 'uint64' },
          { type: 'uint64' },
          { type: 'uint64' },
          { type: 'uint256' },
          { type: 'uint256' },
          { type: 'uint64' },
          { type: 'uint64' },
          { type: 'uint16' },
        ],
        [
          config.chainId,
          config.sequencer,
          config.feeVault,
          config.baseFeePerGas,
          config.l2BlockGasLimit,
          config.l2GenesisTimestamp,
          config.genesisStateRoot,
          config.minDeposit,
          Number(config.maxForcedTxBytes),
          Number(config.maxBatchBytes),
          config.maxSequencerDrift,
          config.forceInclusionDelay,
          config.l1Confirmations,
          config.proposerBond,
          config.challengerBond,
          config.challengePeriod,
          config.gameClock,
          Number(config.bondBurnBps),
        ],
      ),
    )
    expect(tsHash).toBe(viemHash)
    expect(deployment.configHash).toBe(tsHash)
    const stored = await Promise.all([
      c.readContract({ address: deployment.portal, abi: portalAbi, functionName: 'configHash' }),
      c.readContract({ address: deployment.sequencerInbox, abi: sequencerInboxAbi, functionName: 'configHash' }),
      c.readContract({ address: deployment.claimManager, abi: claimManagerAbi, functionName: 'configHash' }),
      c.readContract({ address: deployment.disputeGame, abi: disputeGameAbi, functionName: 'configHash' }),
      c.readContract({ address: deployment.oneStepProver, abi: oneStepProverAbi, functionName: 'configHash' }),
    ])
    expect(stored).toEqual([tsHash, tsHash, tsHash, tsHash, tsHash])
  })

  it('links the contracts to each other', async () => {
    const c = client()
    const links = await Promise.all([
      c.readContract({ address: deployment.portal, abi: portalAbi, functionName: 'claimManager' }),
      c.readContract({ address: deployment.sequencerInbox, abi: sequencerInboxAbi, functionName: 'portal' }),
      c.readContract({ address: deployment.sequencerInbox, abi: sequencerInboxAbi, functionName: 'sequencer' }),
      c.readContract({ address: deployment.claimManager, abi: claimManagerAbi, functionName: 'sequencerInbox' }),
      c.readContract({ address: deployment.claimManager, abi: claimManagerAbi, functionName: 'disputeGame' }),
      c.readContract({ address: deployment.disputeGame, abi: disputeGameAbi, functionName: 'claimManager' }),
      c.readContract({ address: deployment.disputeGame, abi: disputeGameAbi, functionName: 'oneStepProver' }),
    ])
    expect(links).toEqual([
      deployment.claimManager,
      deployment.portal,
      sequencer.address,
      deployment.sequencerInbox,
      deployment.disputeGame,
      deployment.claimManager,
      deployment.oneStepProver,
    ])
    const anchor = await c.readContract({
      address: deployment.claimManager,
      abi: claimManagerAbi,
      functionName: 'anchor',
    })
    expect(anchor).toEqual([0n, config.genesisStateRoot])
  })

  it('writes the deployment to the JSON file', () => {
    const json = JSON.parse(readFileSync(join(outDir, 'deployment.json'), 'utf8')) as Record<string, unknown>
    expect(json.portal).toBe(deployment.portal)
    expect(json.sequencerInbox).toBe(deployment.sequencerInbox)
    expect(json.configHash).toBe(deployment.configHash)
    expect(json.deployBlock).toBe(deployment.deployBlock.toString())
    expect((json.config as Record<string, unknown>).chainId).toBe('424242')
  })

  it('takes a deposit and a batch through viem', async () => {
    const c = client()
    const chain = {
      id: await c.getChainId(),
      name: 'anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    } as const
    const userWallet = createWalletClient({ account: user, chain, transport: http(rpcUrl) })
    const recipient: Address = '0x00000000000000000000000000000000000b0b00'
    const amount = parseEther('0.25')
    const depositHash = await userWallet.writeContract({
      address: deployment.portal,
      abi: portalAbi,
      functionName: 'depositETH',
      args: [recipient],
      value: amount,
    })
    const depositReceipt = await c.waitForTransactionReceipt({ hash: depositHash })
    expect(depositReceipt.status).toBe('success')
    const [delayed] = parseEventLogs({ abi: portalAbi, logs: depositReceipt.logs, eventName: 'DelayedMessage' })
    expect(delayed?.args.index).toBe(0n)
    expect(delayed?.args.kind).toBe(0)
    expect(delayed?.args.l1Sender).toBe(user.address)
    const payload = encodePacked(['address', 'uint256'], [recipient, amount])
    expect(delayed?.args.payload).toBe(payload)
    const block = await c.getBlock({ blockNumber: depositReceipt.blockNumber })
    const expectedHash = keccak256(
      encodeAbiParameters(
        [{ type: 'uint8' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint64' }, { type: 'bytes32' }],
        [0, 0n, user.address, block.timestamp, keccak256(payload)],
      ),
    )
    expect(
      await c.readContract({
        address: deployment.portal,
        abi: portalAbi,
        functionName: 'delayedMessageHash',
        args: [0n],
      }),
    ).toBe(expectedHash)
    expect(await c.getBalance({ address: deployment.portal })).toBe(amount)

    // A real batch from the codec: one block taking the deposit and carrying two signed transfers.
    const seqWallet = createWalletClient({ account: sequencer, chain, transport: http(rpcUrl) })
    const sender = testAccount(1)
    const transfers = [0n, 1n].map(
      (nonce) => transfer(sender, testAccount(2).address, { chainId: config.chainId, nonce, value: 10n ** 15n }).tx,
    )
    const batch = bytesToHex(
      encodeBatch({
        chainId: config.chainId,
        prevDelayedCount: 0n,
        blocks: [{ timestamp: block.timestamp, delayedCountAfter: 1n, transactions: transfers }],
      }),
    )
    const batchTx = await seqWallet.writeContract({
      address: deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'appendBatch',
      args: [batch, 0n],
    })
    const batchReceipt = await c.waitForTransactionReceipt({ hash: batchTx })
    expect(batchReceipt.status).toBe('success')
    const [appended] = parseEventLogs({ abi: sequencerInboxAbi, logs: batchReceipt.logs, eventName: 'BatchAppended' })
    const accumulator = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'uint256' }],
        [zeroHash, keccak256(batch), 1n, 3n],
      ),
    )
    expect(appended?.args).toEqual({
      index: 0n,
      batchHash: keccak256(batch),
      accumulator,
      messageCountAfter: 3n,
      delayedCountAfter: 1n,
    })
    expect(
      await c.readContract({ address: deployment.sequencerInbox, abi: sequencerInboxAbi, functionName: 'batchCount' }),
    ).toBe(1n)

    // Anyone else is refused.
    await expect(
      userWallet.writeContract({
        address: deployment.sequencerInbox,
        abi: sequencerInboxAbi,
        functionName: 'appendBatch',
        args: [batch, 1n],
      }),
    ).rejects.toThrow(/NotSequencer/)
  })

  it('uses a given OneStepProver address instead of deploying one', async () => {
    const prover: Address = '0x000000000000000000000000000000000000beef'
    const second = await deploySluice({
      l1RpcUrl: rpcUrl,
      deployerPrivateKey: DEPLOYER_KEY,
      config,
      oneStepProver: prover,
    })
    expect(second.oneStepProver).toBe('0x000000000000000000000000000000000000bEEF')
    const c = client()
    expect(
      await c.readContract({ address: second.disputeGame, abi: disputeGameAbi, functionName: 'oneStepProver' }),
    ).toBe(second.oneStepProver)
    expect(second.portal).not.toBe(deployment.portal)
  })
})
