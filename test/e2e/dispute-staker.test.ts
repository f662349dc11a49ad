/**
 * A proposer that throws its own game cannot delete a claim that a second, honest staker defends:
 * an honest verifier stakes on the sequencer's correct claim (`--stake-claims`); a colluding
 * challenger (`--fault challenge-honest`) challenges both stakers; the proposer stops answering (its
 * process is killed) and loses its game on timeout — the staker side of the timeout path — while the
 * honest staker wins its own game. The claim keeps a staker and finalizes.
 */
import { claimManagerAbi, disputeGameAbi } from '@sluice/contracts'
import { createPublicClient, http, isAddressEqual, type PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devAccount, jsonRpc, stopAll, tempDir, waitFor } from '../support/processes.ts'
import {
  deposit,
  e2eConfig,
  type L1,
  type NodeProcess,
  SEQUENCER,
  startL1,
  startSequencerProcess,
  startVerifierProcess,
} from '../support/rollup.ts'

const CLAIM_FINALIZED = 2
const honest = devAccount(6)
const colluder = devAccount(7)

type Resolved = { gameId: bigint; claimId: bigint; stakerWon: boolean }
type Opened = { gameId: bigint; claimId: bigint; staker: `0x${string}`; challenger: `0x${string}` }

describe('a thrown game cannot delete a claim another staker defends', () => {
  let dir: string
  let l1: L1
  let client: PublicClient
  let sequencer: NodeProcess

  beforeAll(async () => {
    dir = tempDir('sluice-dispute-staker-')
    l1 = await startL1(dir, { config: e2eConfig({ challengePeriod: 60n, gameClock: 20n }) })
    client = createPublicClient({ transport: http(l1.anvil.rpcUrl) }) as PublicClient
    for (let i = 0; i < 3; i++) await deposit(l1, 4, `0x${(0x2000 + i).toString(16).padStart(40, '0')}`, 10n ** 16n)
    sequencer = await startSequencerProcess(dir, l1)
    await startVerifierProcess(dir, l1, {
      name: 'honest-staker',
      dataDir: `${dir}/honest`,
      extraArgs: ['--p2p-port', '0', '--challenger-key', honest.privateKey, '--stake-claims'],
    })
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('keeps the claim alive through the honest staker, and the thrower loses on timeout', async () => {
    const events = () =>
      client.getContractEvents({ address: l1.deployment.claimManager, abi: claimManagerAbi, fromBlock: 0n })
    // The honest verifier stakes on the sequencer's first claim.
    const claimId = await waitFor(
      'the honest stake',
      async () => {
        const staked = (await events()).find(
          (e) =>
            e.eventName === 'Staked' && isAddressEqual((e.args as { staker: `0x${string}` }).staker, honest.address),
        )
        return (staked?.args as { claimId: bigint } | undefined)?.claimId
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    )
    // The colluder challenges both stakers of that correct claim.
    await startVerifierProcess(dir, l1, {
      name: 'colluder',
      dataDir: `${dir}/colluder`,
      extraArgs: [
        '--p2p-port',
        '0',
        '--challenger-key',
        colluder.privateKey,
        '--enable-faults',
        '--fault',
        'challenge-honest',
      ],
    })
    const games = () =>
      client.getContractEvents({ address: l1.deployment.disputeGame, abi: disputeGameAbi, fromBlock: 0n })
    const opened = await waitFor(
      'games against both stakers',
      async () => {
        const open = (await games()).filter((e) => e.eventName === 'GameOpened').map((e) => e.args as Opened)
        const ofClaim = open.filter((g) => g.claimId === claimId)
        return ofClaim.length >= 2 ? ofClaim : undefined
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    )
    const againstProposer = opened.find((g) => isAddressEqual(g.staker, SEQUENCER.address)) as Opened
    const againstHonest = opened.find((g) => isAddressEqual(g.staker, honest.address)) as Opened
    expect(againstProposer).toBeDefined()
    expect(againstHonest).toBeDefined()

    // The proposer throws its game: it stops answering.
    await sequencer.stop('SIGKILL')
    const resolved = await waitFor(
      'both games to end',
      async () => {
        const done = (await games()).filter((e) => e.eventName === 'GameResolved').map((e) => e.args as Resolved)
        const a = done.find((g) => g.gameId === againstProposer.gameId)
        const b = done.find((g) => g.gameId === againstHonest.gameId)
        return a && b ? { a, b } : undefined
      },
      { timeoutMs: 150_000, intervalMs: 1_000 },
    )
    expect(resolved.a.stakerWon).toBe(false) // the thrower lost (timeout)
    expect(resolved.b.stakerWon).toBe(true) // the honest staker defended
    const slashed = (await events())
      .filter((e) => e.eventName === 'StakerSlashed')
      .map((e) => e.args as { claimId: bigint; staker: `0x${string}` })
    expect(slashed.some((s) => s.claimId === claimId && isAddressEqual(s.staker, SEQUENCER.address))).toBe(true)
    expect(slashed.some((s) => isAddressEqual(s.staker, honest.address))).toBe(false)

    // The claim survives with its honest staker and finalizes after its window.
    await jsonRpc(l1.anvil.rpcUrl, 'evm_increaseTime', [130])
    await jsonRpc(l1.anvil.rpcUrl, 'evm_mine', [])
    await waitFor(
      'the claim to finalize',
      async () => {
        const claim = (await client.readContract({
          address: l1.deployment.claimManager,
          abi: claimManagerAbi,
          functionName: 'getClaim',
          args: [claimId],
        })) as {
          status: number
        }
        return claim.status === CLAIM_FINALIZED
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    )
  }, 300_000)
})
