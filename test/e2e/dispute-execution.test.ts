/**
 * A wrong root from a wrong execution rather than a wrong number (fault `apply-invalid-tx`): the
 * sequencer executes with half the base fee, so it admits and applies a transfer whose fee cap is
 * below the real base fee — a no-op under the true STF. Its blocks and its claims are wrong; an
 * honest verifier (a separate process with only L1 and a challenger key) challenges, wins the game on
 * L1 through the one-step proof of that transaction's message, and the claim is deleted.
 */
import { claimManagerAbi, disputeGameAbi } from '@sluice/contracts'
import { createPublicClient, http, type PublicClient, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { devAccount, stopAll, tempDir, waitFor } from '../support/processes.ts'
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

  beforeAll(async () => {
    dir = tempDir('sluice-dispute-exec-')
    l1 = await startL1(dir, { config: e2eConfig({ challengePeriod: 60n, gameClock: 30n }) })
    client = createPublicClient({ transport: http(l1.anvil.rpcUrl) }) as PublicClient
    sequencer = await startSequencerProcess(dir, l1, { extraArgs: ['--enable-faults', '--fault', 'apply-invalid-tx'] })
    await startVerifierProcess(dir, l1, {
      extraArgs: ['--p2p-port', '0', '--challenger-key', devAccount(6).privateKey],
    })
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('wins through the one-step proof of the wrongly applied transaction', async () => {
    const alice = testAccount(81)
    await deposit(l1, 3, alice.addressHex, parseEther('1'))
    await waitFor(
      'the deposit',
      async () => BigInt(await rpcCall<string>(sequencer.rpcUrl, 'eth_getBalance', [alice.addressHex, 'latest'])) > 0n,
      {
        timeoutMs: 30_000,
      },
    )
    // Fee cap 0.75 gwei: below the rollup's 1 gwei base fee (rule 14: a no-op), above the faulty half.
    const cheap = transfer(alice, testAccount(82).address, {
      chainId: l1.config.chainId,
      nonce: 0n,
      value: 1n,
      maxFeePerGas: 750_000_000n,
      maxPriorityFeePerGas: 0n,
    })
    const [answer] = await sendBatch(sequencer.rpcUrl, [cheap.raw])
    expect(answer?.error).toBeUndefined()
    await waitForReceipts(sequencer.rpcUrl, [answer?.result as string], 20_000)

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
    console.log(
      `apply-invalid-tx: game ${gameId} won by the challenger; one-step proof of message ${(step?.args as { messageIndex: bigint }).messageIndex} used ${receipt.gasUsed} gas`,
    )
  }, 240_000)
})
