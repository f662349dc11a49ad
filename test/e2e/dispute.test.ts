/**
 * Disputes end to end (protocol.md §8), every party a real process on anvil with short clocks:
 * - a sequencer proposing a wrong root (`--fault bad-claim`) is challenged by two verifiers. One plays
 *   the bisection against the sequencer's own dispute agent (it defends with its true roots), is
 *   killed and restarted mid-game, resumes, and wins through the one-step proof on L1: the claim is
 *   deleted (its deposit burned) and the staker's bond, less the burn, is split between the two
 *   challengers; it then proposes the true root. The other, stopped after opening its game, comes back
 *   to a game the slash cut short, ends it and gets its bond back plus the same share;
 * - the self-slash attack (issue 18) against that true claim: an attacker keeps proposing wrong roots at
 *   the same batch, challenges its own staker in the next transaction, never answers the honest games
 *   and slashes itself just before they would time out, proposing again. The verifier is paid for every
 *   game cut short, each deleted claim burns its deposit (the attacker ends poorer by at least a bond
 *   per blocking claim), and the true claim finalizes within the bound of §8.6; it withdraws its
 *   credit, its stake and its deposit;
 * - two dishonest challengers (`--fault challenge-honest`) challenge a correct claim: one plays to
 *   the one-step proof and loses, the other stops answering (killed) and loses on `timeout`; the claim
 *   finalizes and the proposer collects both bonds.
 */
import { claimManagerAbi, disputeGameAbi, sequencerInboxAbi } from '@sluice/contracts'
import { ONE_STEP_PROOF_ABI } from '@sluice/node'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  decodeAbiParameters,
  decodeFunctionData,
  encodeFunctionData,
  type Hex,
  http,
  isAddressEqual,
  keccak256,
  type PublicClient,
  parseEventLogs,
  toHex,
} from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
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

const BURN = '0x000000000000000000000000000000000000dEaD'
const GAME_STAKER_WON = 2
const GAME_CHALLENGER_WON = 3
const GAME_VOIDED = 4
const CLAIM_FINALIZED = 2
const CLAIM_DELETED = 3
const DEPOSITS = 6

type Rollup = { dir: string; l1: L1; client: PublicClient }

/** Anvil with the contracts, and `DEPOSITS` deposits waiting: batch 0 will hold that many messages. */
async function rollup(): Promise<Rollup> {
  const dir = tempDir('sluice-dispute-')
  const l1 = await startL1(dir, { config: e2eConfig({ challengePeriod: 60n, gameClock: 30n }) })
  for (let i = 0; i < DEPOSITS; i++) {
    await deposit(l1, 4, `0x${(0x1000 + i).toString(16).padStart(40, '0')}`, 10n ** 16n)
  }
  return { dir, l1, client: createPublicClient({ transport: http(l1.anvil.rpcUrl) }) as PublicClient }
}

async function advanceTime(l1: L1, seconds: bigint): Promise<void> {
  await jsonRpc(l1.anvil.rpcUrl, 'evm_increaseTime', [Number(seconds)])
  await jsonRpc(l1.anvil.rpcUrl, 'evm_mine', [])
}

const games = ({ client, l1 }: Rollup) =>
  client.getContractEvents({ address: l1.deployment.disputeGame, abi: disputeGameAbi, fromBlock: 0n })
const claimEvents = ({ client, l1 }: Rollup) =>
  client.getContractEvents({ address: l1.deployment.claimManager, abi: claimManagerAbi, fromBlock: 0n })
const gameState = ({ client, l1 }: Rollup, gameId: bigint) =>
  client.readContract({
    address: l1.deployment.disputeGame,
    abi: disputeGameAbi,
    functionName: 'getGame',
    args: [gameId],
  })
const claimState = ({ client, l1 }: Rollup, claimId: bigint) =>
  client.readContract({
    address: l1.deployment.claimManager,
    abi: claimManagerAbi,
    functionName: 'getClaim',
    args: [claimId],
  })

/** The game's moves with their gas, from its events' transactions. */
async function movesOf(r: Rollup, gameId: bigint): Promise<{ move: string; gas: bigint }[]> {
  const events = (await games(r)).filter((e) => (e.args as { gameId?: bigint }).gameId === gameId)
  const out: { move: string; gas: bigint }[] = []
  for (const event of events) {
    if (event.eventName === 'GameResolved' && out.some((m) => m.move === 'StepProven')) continue
    const receipt = await r.client.getTransactionReceipt({ hash: event.transactionHash as Hex })
    out.push({ move: event.eventName, gas: receipt.gasUsed })
  }
  return out
}

/** The one-step proof `proveStep` sent in game `gameId`, decoded, and whether its batch is a blob batch on L1. */
async function provenStep(r: Rollup, gameId: bigint) {
  const event = (await games(r)).find(
    (e) => e.eventName === 'StepProven' && (e.args as { gameId: bigint }).gameId === gameId,
  )
  const tx = await r.client.getTransaction({ hash: event?.transactionHash as Hex })
  const { args } = decodeFunctionData({ abi: disputeGameAbi, data: tx.input })
  const [proof] = decodeAbiParameters(ONE_STEP_PROOF_ABI, (args as readonly unknown[]).at(-1) as Hex)
  const blobHashes = await r.client.readContract({
    address: r.l1.deployment.sequencerInbox,
    abi: sequencerInboxAbi,
    functionName: 'batchBlobHashes',
    args: [proof.batchIndex],
  })
  return { proof, blobBatch: blobHashes.length > 0 }
}

function report(label: string, moves: { move: string; gas: bigint }[], wallMs: number): void {
  const by = new Map<string, bigint[]>()
  for (const m of moves) by.set(m.move, [...(by.get(m.move) ?? []), m.gas])
  const summary = [...by].map(([move, gas]) => `${move}×${gas.length} [${gas.join(', ')}]`).join('; ')
  console.log(`${label}: ${Math.round(wallMs / 1000)} s; L1 gas per move: ${summary}`)
}

async function status(node: NodeProcess): Promise<{ disputes?: { outcomes: Record<string, number> } }> {
  const response = await fetch(node.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sluice_syncStatus', params: [] }),
  })
  return ((await response.json()) as { result: { disputes?: { outcomes: Record<string, number> } } }).result
}

afterAll(async () => {
  await stopAll()
})

type HonestClaim = { claimId: bigint; batchIndex: bigint; accumulator: Hex }

/**
 * The self-slash attack of issue 18 against the true claim `honest`, from dev account 5 (plain
 * transactions, as any L1 user): propose a wrong root at the same batch and challenge its own staker;
 * once the verifier (`honestChallenger`) has opened its game against that staker, jump L1 time to one
 * second past the attacker's own game clock — the honest game, opened later, has not run out — and slash
 * itself (time out its own game: its staker never moved), then propose again; until a wrong claim lands
 * at or after the true claim's challenge deadline (which no longer blocks it).
 */
async function selfSlashAttack(r: Rollup, honest: HonestClaim, honestChallenger: Address) {
  const { l1, client } = r
  const attacker = devAccount(5)
  const wallet = createWalletClient({ account: attacker.account, transport: http(l1.anvil.rpcUrl) })
  const startBalance = await client.getBalance({ address: attacker.address })
  const deadline = BigInt((await claimState(r, honest.claimId)).challengeDeadline)
  const claimIds: bigint[] = []
  const send = async (to: Address, data: Hex, value = 0n) => {
    const hash = await wallet.sendTransaction({ to, data, value, chain: null })
    const receipt = await client.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    return receipt
  }
  const proposeAndSelfChallenge = async () => {
    const root = keccak256(toHex(`forged ${claimIds.length}`))
    const proposed = await send(
      l1.deployment.claimManager,
      encodeFunctionData({
        abi: claimManagerAbi,
        functionName: 'propose',
        args: [honest.batchIndex, honest.accumulator, root],
      }),
      2n * l1.config.proposerBond,
    )
    const [event] = parseEventLogs({ abi: claimManagerAbi, logs: proposed.logs, eventName: 'ClaimProposed' })
    const { claimId, claimHash } = event?.args as { claimId: bigint; claimHash: Hex }
    claimIds.push(claimId)
    const proposedAt = (await client.getBlock({ blockNumber: proposed.blockNumber })).timestamp
    // A claim proposed at or after the true claim's deadline cannot block it: the attack is over, and the
    // verifier may delete it at once (the true claim, finalized, is the anchor at the same n).
    if (proposedAt >= deadline) return { claimId, gameId: 0n, proposedAt }
    const challenged = await send(
      l1.deployment.disputeGame,
      encodeFunctionData({
        abi: disputeGameAbi,
        functionName: 'challenge',
        args: [claimId, claimHash, attacker.address],
      }),
      l1.config.challengerBond,
    )
    const [opened] = parseEventLogs({ abi: disputeGameAbi, logs: challenged.logs, eventName: 'GameOpened' })
    return { claimId, gameId: (opened?.args as { gameId: bigint }).gameId, proposedAt }
  }
  let blocking = 0
  let current = await proposeAndSelfChallenge()
  while (current.proposedAt < deadline) {
    blocking++
    const claimId = current.claimId
    await waitFor(
      `the verifier's game against wrong claim ${claimId}`,
      async () =>
        (await games(r)).some(
          (e) =>
            e.eventName === 'GameOpened' &&
            (e.args as { claimId: bigint }).claimId === claimId &&
            isAddressEqual((e.args as { challenger: Address }).challenger, honestChallenger),
        ),
      { timeoutMs: 30_000 },
    )
    const own = await gameState(r, current.gameId)
    await jsonRpc(l1.anvil.rpcUrl, 'anvil_setNextBlockTimestamp', [Number(own.lastMoveAt + l1.config.gameClock + 1n)])
    const position = await client.readContract({
      address: l1.deployment.disputeGame,
      abi: disputeGameAbi,
      functionName: 'position',
      args: [current.gameId],
    })
    await send(
      l1.deployment.disputeGame,
      encodeFunctionData({ abi: disputeGameAbi, functionName: 'timeout', args: [current.gameId, position] }),
    )
    expect((await claimState(r, claimId)).status).toBe(CLAIM_DELETED)
    current = await proposeAndSelfChallenge()
  }
  return {
    address: attacker.address,
    deadline,
    blocking,
    startBalance,
    /** Wrong claims deleted so far. */
    deleted: async () => {
      let count = 0
      for (const id of claimIds) if ((await claimState(r, id)).status === CLAIM_DELETED) count++
      return count
    },
    /** Withdraws whatever the attacker was credited; returns its balance. */
    collect: async () => {
      const credit = await client.readContract({
        address: l1.deployment.disputeGame,
        abi: disputeGameAbi,
        functionName: 'credit',
        args: [attacker.address],
      })
      if (credit > 0n) {
        await send(l1.deployment.disputeGame, encodeFunctionData({ abi: disputeGameAbi, functionName: 'withdraw' }))
      }
      return client.getBalance({ address: attacker.address })
    },
  }
}

describe('dispute: a wrong claim', () => {
  it('is challenged, bisected, proven wrong on L1 through a challenger restart, and replaced by the true root', async () => {
    const r = await rollup()
    const { l1 } = r
    const challenger = devAccount(2)
    const second = devAccount(3)
    const sequencer = await startSequencerProcess(r.dir, l1, {
      extraArgs: ['--enable-faults', '--fault', 'bad-claim', '--propose-every', '1000'],
    })
    const verifierArgs = ['--challenger-key', challenger.privateKey]
    const secondOptions = {
      name: 'verifier-2',
      dataDir: `${r.dir}/verifier-2`,
      extraArgs: ['--challenger-key', second.privateKey],
    }
    let [verifier, secondVerifier] = await Promise.all([
      startVerifierProcess(r.dir, l1, { extraArgs: verifierArgs }),
      startVerifierProcess(r.dir, l1, secondOptions),
    ])

    const proposal = await waitFor('the wrong claim', async () =>
      (await claimEvents(r)).find((e) => e.eventName === 'ClaimProposed'),
    )
    const claim = proposal.args as { claimId: bigint; messageCount: bigint; stateRoot: Hex; batchIndex: bigint }
    expect(claim.messageCount).toBeGreaterThanOrEqual(BigInt(DEPOSITS))
    const openings = await waitFor('both challenges', async () => {
      const list = (await games(r)).filter((e) => e.eventName === 'GameOpened')
      return list.length === 2 ? list : undefined
    })
    const started = Date.now()
    const gameBy = (who: Address) =>
      openings.find((e) => isAddressEqual((e.args as { challenger: Address }).challenger, who))?.args as {
        gameId: bigint
        staker: Address
      }
    const gameId = gameBy(challenger.address).gameId
    const voidedId = gameBy(second.address).gameId
    expect(isAddressEqual(gameBy(challenger.address).staker, SEQUENCER.address)).toBe(true)
    // The second challenger goes away for now (its clock is longer than the first game).
    await secondVerifier.stop('SIGKILL')

    // Kill the first challenger right after its first answer, mid-game; it must resume from L1 and its store.
    await waitFor(
      'the challenger’s first answer',
      async () =>
        (await games(r)).some((e) => e.eventName === 'Responded' && (e.args as { gameId: bigint }).gameId === gameId),
      { timeoutMs: 30_000 },
    )
    await verifier.stop('SIGKILL')
    verifier = await startVerifierProcess(r.dir, l1, { name: 'verifier-restarted', extraArgs: verifierArgs })

    const resolved = await waitFor(
      'the game to end',
      async () => {
        const game = await gameState(r, gameId)
        return game.status === 1 ? undefined : game
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    )
    expect(resolved.status).toBe(GAME_CHALLENGER_WON)
    const moves = await movesOf(r, gameId)
    report(`bad-claim game (n = ${claim.messageCount}, challenger restarted)`, moves, Date.now() - started)
    expect(moves.filter((m) => m.move === 'StepProven')).toHaveLength(1)
    expect(moves.filter((m) => m.move === 'Bisected').length).toBeGreaterThanOrEqual(2)
    // Blobs are the default: the proven message lies in a blob batch, so the proof carries no batch bytes
    // (a delayed message of a blob batch needs no opening; a slot needs the elements it reads).
    const step = await provenStep(r, gameId)
    expect(step.blobBatch).toBe(true)
    expect(step.proof.batch).toBe('0x')
    console.log(`bad-claim proof: batch ${step.proof.batchIndex} (blobs), ${step.proof.openings.length} openings`)

    // The claim is deleted; the bond moved: the challenger is credited the staker's bond less the burn.
    expect((await claimState(r, claim.claimId)).status).toBe(CLAIM_DELETED)
    const resolution = (await games(r)).find(
      (e) => e.eventName === 'GameResolved' && (e.args as { gameId: bigint }).gameId === gameId,
    )?.args as {
      winner: Address
      credited: bigint
      burned: bigint
    }
    // Two games were open against the slashed staker: the prize (its bond less the burn) is split in two.
    const burned = (l1.config.proposerBond * l1.config.bondBurnBps) / 10_000n
    const share = (l1.config.proposerBond - burned) / 2n
    expect(resolution.burned).toBe(burned + (l1.config.proposerBond - burned - 2n * share))
    expect(resolution.credited).toBe(share + l1.config.challengerBond)
    // The burn address holds the burned share and the deleted claim's whole deposit.
    expect(await r.client.getBalance({ address: BURN })).toBe(resolution.burned + l1.config.proposerBond)
    await waitFor(
      'the challenger to withdraw its credit',
      async () =>
        (await games(r)).some(
          (e) =>
            e.eventName === 'CreditWithdrawn' &&
            isAddressEqual((e.args as { account: Address }).account, challenger.address) &&
            (e.args as { amount: bigint }).amount === resolution.credited,
        ),
      { timeoutMs: 20_000 },
    )

    // The second challenger's game was cut short (its staker lost): back, it ends it and is paid its bond
    // and the same share as the winner, not merely refunded.
    secondVerifier = await startVerifierProcess(r.dir, l1, { ...secondOptions, name: 'verifier-2-restarted' })
    await waitFor(
      'the cut-short game to end with its bond and a share',
      async () =>
        (await games(r)).some(
          (e) =>
            e.eventName === 'CreditWithdrawn' &&
            isAddressEqual((e.args as { account: Address }).account, second.address) &&
            (e.args as { amount: bigint }).amount === l1.config.challengerBond + share,
        ),
      { timeoutMs: 30_000 },
    )
    expect((await gameState(r, voidedId)).status).toBe(GAME_VOIDED)

    // The verifier proposes the true root of the batch; it finalizes after the window and the stake comes back.
    const honest = await waitFor('the true claim', async () =>
      (await claimEvents(r)).find(
        (e) =>
          e.eventName === 'ClaimProposed' &&
          isAddressEqual((e.args as { proposer: Address }).proposer, challenger.address),
      ),
    )
    const honestClaim = honest.args as { claimId: bigint; batchIndex: bigint; stateRoot: Hex }
    expect(honestClaim.batchIndex).toBe(claim.batchIndex)
    expect(honestClaim.stateRoot).not.toBe(claim.stateRoot)

    const attack = await selfSlashAttack(r, honest.args as HonestClaim, challenger.address)
    await waitFor(
      'the true claim to finalize and its stake and deposit to return',
      async () => {
        const events = await claimEvents(r)
        const staked = events.some(
          (e) => e.eventName === 'StakeWithdrawn' && (e.args as { claimId: bigint }).claimId === honestClaim.claimId,
        )
        const deposit = events.some(
          (e) =>
            e.eventName === 'CreditWithdrawn' &&
            isAddressEqual((e.args as { account: Address }).account, challenger.address) &&
            (e.args as { amount: bigint }).amount === l1.config.proposerBond,
        )
        return staked && deposit
      },
      { timeoutMs: 60_000 },
    )
    expect((await claimState(r, honestClaim.claimId)).status).toBe(CLAIM_FINALIZED)
    // Within the bound of §8.6 (reaction time: a few seconds of this machine's agents).
    const finalized = (await claimEvents(r)).find(
      (e) => e.eventName === 'ClaimFinalized' && (e.args as { claimId: bigint }).claimId === honestClaim.claimId,
    )
    const finalizedAt = (await r.client.getBlock({ blockNumber: finalized?.blockNumber as bigint })).timestamp
    const bound = attack.deadline + l1.config.challengePeriod + 2n * l1.config.gameClock + 30n
    console.log(
      `self-slash attack: ${attack.blocking} blocking claims, true claim finalized ${finalizedAt - attack.deadline} s after its deadline (bound ${bound - attack.deadline} s with 30 s of reaction time)`,
    )
    expect(finalizedAt).toBeLessThanOrEqual(bound)
    expect(attack.blocking).toBeGreaterThanOrEqual(2)
    // Every game the attacker's self-slash cut short paid the verifier its bond and a share of the prize
    // (the same as the attacker's own challenger got: both verifiers and the attacker had a game open).
    const cutShort = (await games(r)).filter(
      (e) =>
        e.eventName === 'GameVoided' &&
        isAddressEqual((e.args as { challenger: Address }).challenger, challenger.address),
    )
    expect(cutShort.length).toBeGreaterThanOrEqual(attack.blocking)
    for (const e of cutShort) {
      const { claimId, paid } = e.args as { claimId: bigint; paid: bigint }
      const prize = await r.client.readContract({
        address: l1.deployment.disputeGame,
        abi: disputeGameAbi,
        functionName: 'prizeShare',
        args: [claimId, attack.address],
      })
      expect(prize).toBeGreaterThanOrEqual((l1.config.proposerBond - burned) / 3n)
      expect(paid).toBe(l1.config.challengerBond + prize)
    }
    // The attacker, once it collected all it was credited, ends poorer by at least a bond per deleted claim.
    const lost = attack.startBalance - (await attack.collect())
    const deleted = await attack.deleted()
    console.log(`self-slash attack: the attacker lost ${lost} wei over ${deleted} deleted claims`)
    expect(deleted).toBeGreaterThanOrEqual(attack.blocking)
    expect(lost).toBeGreaterThanOrEqual(BigInt(deleted) * l1.config.proposerBond)
    // The verifier's status and metrics agree with L1: its wins (the bad claim's game, and any game that
    // deleted a late wrong claim) and its cut-short games.
    const wonOnL1 = (await games(r)).filter(
      (e) =>
        e.eventName === 'GameResolved' && isAddressEqual((e.args as { winner: Address }).winner, challenger.address),
    ).length
    expect(wonOnL1).toBeGreaterThanOrEqual(1)
    const seen = await waitFor('the verifier to report every game', async () => {
      const result = await status(verifier)
      return result.disputes?.outcomes.won === wonOnL1 && result.disputes?.outcomes.voided === cutShort.length
        ? result
        : undefined
    })
    expect(seen.disputes?.outcomes.won).toBe(wonOnL1)
    const metrics = await (await fetch(`${verifier.rpcUrl}/metrics`)).text()
    expect(metrics).toMatch(new RegExp(`sluice_dispute_games\\{role="challenger",state="won"\\} ${wonOnL1}`))
    expect(metrics).toMatch(new RegExp(`sluice_dispute_games\\{role="challenger",state="voided"\\} ${cutShort.length}`))
    await sequencer.stop()
  }, 240_000)
})

describe('dispute: a correct claim', () => {
  it('beats a dishonest challenger through the proof and another one on time; then finalizes', async () => {
    const r = await rollup()
    const { l1 } = r
    const sequencer = await startSequencerProcess(r.dir, l1, { extraArgs: ['--propose-every', '1000'] })
    const liars = [devAccount(2), devAccount(3)]
    const dishonest = await Promise.all(
      liars.map((liar, i) =>
        startVerifierProcess(r.dir, l1, {
          name: `liar-${i}`,
          dataDir: `${r.dir}/liar-${i}`,
          extraArgs: ['--challenger-key', liar.privateKey, '--enable-faults', '--fault', 'challenge-honest'],
        }),
      ),
    )
    const opened = await waitFor(
      'both challenges',
      async () => {
        const list = (await games(r)).filter((e) => e.eventName === 'GameOpened')
        return list.length === 2 ? list : undefined
      },
      { timeoutMs: 60_000 },
    )
    const started = Date.now()
    const gameOf = (liar: Address) =>
      (
        opened.find((e) => isAddressEqual((e.args as { challenger: Address }).challenger, liar))?.args as {
          gameId: bigint
        }
      ).gameId
    const played = gameOf(liars[0]!.address)
    const abandoned = gameOf(liars[1]!.address)
    // The second liar stops answering.
    await (dishonest[1] as NodeProcess).stop('SIGKILL')

    const ended = (gameId: bigint) =>
      waitFor(
        `game ${gameId} to end`,
        async () => {
          const game = await gameState(r, gameId)
          return game.status === 1 ? undefined : game
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      )
    expect((await ended(played)).status).toBe(GAME_STAKER_WON)
    const moves = await movesOf(r, played)
    report('challenge-honest game (played to the proof)', moves, Date.now() - started)
    expect(moves.filter((m) => m.move === 'StepProven')).toHaveLength(1)

    // Run the silent liar's clock out: the staker's agent calls `timeout`.
    await advanceTime(l1, l1.config.gameClock + 1n)
    expect((await ended(abandoned)).status).toBe(GAME_STAKER_WON)
    const timeoutMoves = await movesOf(r, abandoned)
    report('abandoned game (timeout)', timeoutMoves, Date.now() - started)

    // The claim finalizes once its window passed; the proposer withdraws its stake and both bonds won.
    const claimId = (opened[0]?.args as { claimId: bigint }).claimId
    await advanceTime(l1, l1.config.challengePeriod)
    await waitFor(
      'the claim to finalize and the proposer to collect',
      async () => {
        const events = await claimEvents(r)
        const withdrawn = events.some(
          (e) => e.eventName === 'StakeWithdrawn' && (e.args as { claimId: bigint }).claimId === claimId,
        )
        const credit = await r.client.readContract({
          address: l1.deployment.disputeGame,
          abi: disputeGameAbi,
          functionName: 'credit',
          args: [SEQUENCER.address],
        })
        return withdrawn && credit === 0n
      },
      { timeoutMs: 30_000 },
    )
    expect((await claimState(r, claimId)).status).toBe(CLAIM_FINALIZED)
    const proposerCredit = (await games(r))
      .filter(
        (e) =>
          e.eventName === 'CreditWithdrawn' &&
          isAddressEqual((e.args as { account: Address }).account, SEQUENCER.address),
      )
      .reduce((sum, e) => sum + (e.args as { amount: bigint }).amount, 0n)
    const burned = (l1.config.challengerBond * l1.config.bondBurnBps) / 10_000n
    expect(proposerCredit).toBe(2n * (l1.config.challengerBond - burned))
    for (const liar of liars) {
      const credit = await r.client.readContract({
        address: l1.deployment.disputeGame,
        abi: disputeGameAbi,
        functionName: 'credit',
        args: [liar.address],
      })
      expect(credit).toBe(0n)
    }
    const seen = await status(sequencer)
    expect(seen.disputes?.outcomes.won).toBe(2)
  }, 180_000)
})
