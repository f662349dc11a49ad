/**
 * A wrong root from a wrong execution rather than a wrong number (fault `apply-invalid-tx`): the
 * sequencer executes with half the base fee, so it admits and applies a transfer whose fee cap is
 * below the real base fee — a no-op under the true STF. Its blocks and its claims are wrong; an
 * honest verifier (a separate process with only L1 and a challenger key) challenges, wins the game on
 * L1 through the one-step proof of that transaction's message, and the claim is deleted. It then
 * proposes the true root: a withdrawal proved against the deleted claim is refused, the same
 * withdrawal against the true claim pays once that claim finalizes. Batches are blob batches (the
 * default): the one-step proof carries no batch bytes but KZG openings of the elements it reads.
 */
import { claimManagerAbi, disputeGameAbi, portalAbi } from '@sluice/contracts'
import { hexToBytes, MESSAGE_PASSER_ADDRESS } from '@sluice/core'
import { ONE_STEP_PROOF_ABI } from '@sluice/node'
import {
  createPublicClient,
  createWalletClient,
  decodeAbiParameters,
  decodeFunctionData,
  http,
  type PublicClient,
  parseEther,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { devAccount, jsonRpc, stopAll, tempDir, waitFor } from '../support/processes.ts'
import {
  deposit,
  e2eConfig,
  type L1,
  type NodeProcess,
  startL1,
  startSequencerProcess,
  startVerifierProcess,
} from '../support/rollup.ts'
import { testAccount, transfer } from '../support/wallet.ts'

const GAME_CHALLENGER_WON = 3
const CLAIM_DELETED = 3

describe('a wrong execution is challenged and loses', () => {
  let dir: string
  let l1: L1
  let client: PublicClient
  let sequencer: NodeProcess
  let verifier: NodeProcess

  beforeAll(async () => {
    dir = tempDir('sluice-dispute-exec-')
    l1 = await startL1(dir, { config: e2eConfig({ challengePeriod: 60n, gameClock: 30n }) })
    client = createPublicClient({ transport: http(l1.anvil.rpcUrl) }) as PublicClient
    sequencer = await startSequencerProcess(dir, l1, { extraArgs: ['--enable-faults', '--fault', 'apply-invalid-tx'] })
    verifier = await startVerifierProcess(dir, l1, {
      extraArgs: ['--p2p-port', '0', '--challenger-key', devAccount(6).privateKey],
    })
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('wins through the one-step proof of the wrongly applied transaction; only the true claim pays withdrawals', async () => {
    const anyone = createWalletClient({ account: devAccount(8).account, transport: http(l1.anvil.rpcUrl) })
    const alice = testAccount(81)
    await deposit(l1, 3, alice.addressHex, parseEther('1'))
    await waitFor(
      'the deposit',
      async () => BigInt(await rpcCall<string>(sequencer.rpcUrl, 'eth_getBalance', [alice.addressHex, 'latest'])) > 0n,
      {
        timeoutMs: 30_000,
      },
    )
    // A withdrawal both executions apply (its fee cap is above the real base fee) …
    const word = new Uint8Array(32)
    word.set(alice.address, 12)
    const withdrawal = transfer(alice, hexToBytes(MESSAGE_PASSER_ADDRESS), {
      chainId: l1.config.chainId,
      nonce: 0n,
      value: parseEther('0.1'),
      gasLimit: 30_000n,
      data: word,
    })
    // … then a transfer with fee cap 0.75 gwei: below the rollup's 1 gwei base fee (rule 14: a
    // no-op), above the faulty half.
    const cheap = transfer(alice, testAccount(82).address, {
      chainId: l1.config.chainId,
      nonce: 1n,
      value: 1n,
      maxFeePerGas: 750_000_000n,
      maxPriorityFeePerGas: 0n,
    })
    const answers = await sendBatch(sequencer.rpcUrl, [withdrawal.raw, cheap.raw])
    expect(answers.map((a) => a.error)).toEqual([undefined, undefined])
    await waitForReceipts(
      sequencer.rpcUrl,
      answers.map((a) => a.result as string),
      20_000,
    )

    // The sequencer claims the root of its own (wrong) execution; the verifier opens a game and wins.
    const resolved = await waitFor(
      'the game to be won by the challenger',
      async () => {
        const events = await client.getContractEvents({
          address: l1.deployment.disputeGame,
          abi: disputeGameAbi,
          eventName: 'GameResolved',
          fromBlock: 0n,
        })
        return events.find((e) => (e.args as { stakerWon: boolean }).stakerWon === false)
      },
      { timeoutMs: 150_000, intervalMs: 1_000 },
    )
    const { gameId, claimId } = resolved.args as { gameId: bigint; claimId: bigint }
    const game = (await client.readContract({
      address: l1.deployment.disputeGame,
      abi: disputeGameAbi,
      functionName: 'getGame',
      args: [gameId],
    })) as {
      status: number
    }
    expect(game.status).toBe(GAME_CHALLENGER_WON)
    const claim = (await client.readContract({
      address: l1.deployment.claimManager,
      abi: claimManagerAbi,
      functionName: 'getClaim',
      args: [claimId],
    })) as {
      status: number
    }
    expect(claim.status).toBe(CLAIM_DELETED)
    const proven = await client.getContractEvents({
      address: l1.deployment.disputeGame,
      abi: disputeGameAbi,
      eventName: 'StepProven',
      fromBlock: 0n,
    })
    const step = proven.find((e) => (e.args as { gameId: bigint }).gameId === gameId)
    expect(step).toBeDefined()
    const receipt = await client.getTransactionReceipt({ hash: step?.transactionHash as `0x${string}` })
    // Over a blob batch: no batch bytes in the proof, openings of the elements the transfer's slot reads.
    const proveStep = await client.getTransaction({ hash: step?.transactionHash as `0x${string}` })
    const { args } = decodeFunctionData({ abi: disputeGameAbi, data: proveStep.input })
    const [oneStep] = decodeAbiParameters(ONE_STEP_PROOF_ABI, (args as readonly unknown[]).at(-1) as `0x${string}`)
    expect(oneStep.batch).toBe('0x')
    expect(oneStep.openings.length).toBeGreaterThan(1)
    // The challenger proposes the true root for the batch; a withdrawal proved against the deleted
    // claim is refused, one against the true claim pays once it finalizes.
    const proposedClaims = async () =>
      (
        await client.getContractEvents({
          address: l1.deployment.claimManager,
          abi: claimManagerAbi,
          eventName: 'ClaimProposed',
          fromBlock: 0n,
        })
      ).map(
        (e) => e.args as { claimId: bigint; batchIndex: bigint; claimHash: `0x${string}`; stateRoot: `0x${string}` },
      )
    const deleted = (await proposedClaims()).find((c) => c.claimId === claimId) as {
      batchIndex: bigint
      claimHash: `0x${string}`
    }
    const honest = await waitFor(
      'the true root to be proposed',
      async () => (await proposedClaims()).find((c) => c.batchIndex === deleted.batchIndex && c.claimId !== claimId),
      { timeoutMs: 60_000, intervalMs: 1_000 },
    )
    const withdrawalReceipt = await rpcCall<{ logs: { topics: `0x${string}`[]; data: `0x${string}` }[] }>(
      verifier.rpcUrl,
      'eth_getTransactionReceipt',
      [answers[0]?.result],
    )
    const log = withdrawalReceipt.logs[0] as { topics: `0x${string}`[]; data: `0x${string}` }
    const w = {
      nonce: BigInt(log.topics[1] as string),
      sender: alice.addressHex,
      l1Recipient: alice.addressHex,
      value: BigInt(`0x${log.data.slice(2, 66)}`),
    }
    const withdrawalHash = `0x${log.data.slice(66, 130)}` as `0x${string}`
    const batch = await rpcCall<{ lastBlock: string }>(verifier.rpcUrl, 'sluice_getBatch', [
      `0x${deleted.batchIndex.toString(16)}`,
    ])
    const proof = await rpcCall<{ accountProof: `0x${string}`[]; storageProof: { proof: `0x${string}`[] }[] }>(
      verifier.rpcUrl,
      'eth_getProof',
      [MESSAGE_PASSER_ADDRESS, [withdrawalHash], batch.lastBlock],
    )
    const finalize = (id: bigint, hash: `0x${string}`) =>
      anyone.writeContract({
        address: l1.deployment.portal,
        abi: portalAbi,
        functionName: 'finalizeWithdrawal',
        args: [w, id, hash, proof.accountProof, proof.storageProof[0]?.proof ?? []],
        chain: null,
      })
    await expect(finalize(claimId, deleted.claimHash)).rejects.toThrow(/ClaimNotFinalized|revert/)
    await jsonRpc(l1.anvil.rpcUrl, 'evm_increaseTime', [130])
    await jsonRpc(l1.anvil.rpcUrl, 'evm_mine', [])
    await waitFor(
      'the true claim to finalize',
      async () =>
        (
          (await client.readContract({
            address: l1.deployment.claimManager,
            abi: claimManagerAbi,
            functionName: 'getClaim',
            args: [honest.claimId],
          })) as {
            status: number
          }
        ).status === 2,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    )
    const before = await client.getBalance({ address: alice.addressHex })
    await client.waitForTransactionReceipt({
      hash: await finalize(honest.claimId, honest.claimHash),
      pollingInterval: 100,
    })
    expect(await client.getBalance({ address: alice.addressHex })).toBe(before + parseEther('0.1'))
    console.log(
      `apply-invalid-tx: game ${gameId} won by the challenger; one-step proof of message ${(step?.args as { messageIndex: bigint }).messageIndex} over a blob batch (${oneStep.openings.length} openings, ${(proveStep.input.length - 2) / 2} calldata bytes) used ${receipt.gasUsed} gas`,
    )
  }, 240_000)
})
