import { claimManagerAbi, disputeGameAbi } from '@sluice/contracts'
import {
  bytesToBigint,
  bytesToHex,
  decodeRlp,
  encodeRlp,
  type Hex,
  hexToBytes,
  proposalValue,
  type RollupConfig,
  SluiceError,
} from '@sluice/core'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeFunctionData,
  getAddress,
  isAddressEqual,
  type PublicClient,
} from 'viem'
import type { ChainStore } from '../chain/store.ts'
import type { L1Reader } from '../l1/reader.ts'
import type { ClaimRecord, GameRecord } from '../l1/types.ts'
import { checkClaim } from '../rollup/provider.ts'
import type { RpcJson } from '../rpc/types.ts'
import type { L1TransactionRequest, L1Wallet } from '../wallet/l1Wallet.ts'
import { createDisputeMetrics, type DisputeMetrics } from './metrics.ts'
import { MessageRoots } from './roots.ts'

export type DisputeAgentOptions = {
  chain: ChainStore
  reader: L1Reader
  config: RollupConfig
  /** The deployment's ClaimManager and DisputeGame. */
  addresses: { claimManager: Address; disputeGame: Address }
  publicClient: PublicClient
  /** The agent's key: it plays the games of this address (as staker and as challenger). */
  wallet: L1Wallet
  logger: Logger
  registry: Registry
  /** Open games against every staker of every claim this node finds wrong (the verifier's `--challenger-key`). */
  challenge: boolean
  /**
   * Stake `proposerBond` on every pending claim this node finds correct and has not staked yet, and
   * defend it: a claim stays alive as long as one honest staker remains, whatever its proposer does
   * (a proposer that throws its own game cannot delete it).
   */
  stakeValid?: boolean
  /** Test-only fault (`--fault challenge-honest`): challenge claims this node finds *correct* instead. */
  challengeHonest?: boolean
  /** A sent transaction not mined after this long is replaced with a higher fee (default 6,000 ms). */
  replaceAfterMs?: number
  /** Gas limit = estimate × this percentage + 20,000 (default 130). */
  gasHeadroomPercent?: number
}

/** Game statuses of `DisputeGame.GameStatus`. */
const GAME_OPEN = 1
const GAME_STAKER_WON = 2
const GAME_CHALLENGER_WON = 3
/** `ClaimManager.StakerStatus.Active`. */
const STAKER_ACTIVE = 1
/** `Types.Turn`. */
const TURN_STAKER = 0

const META_CHALLENGES = 'dispute/challenges'

type Action =
  | 'propose'
  | 'stake'
  | 'challenge'
  | 'bisect'
  | 'agree'
  | 'disagree'
  | 'proveStep'
  | 'timeout'
  | 'voidGame'
  | 'finalizeClaim'
  | 'withdrawStake'
  | 'withdraw'
  | 'withdrawDeposits'

/** A transaction this agent sent and has not seen mined yet. */
type InFlight = {
  action: Action
  request: L1TransactionRequest
  nonce: number
  /** Every hash sent at this nonce (replacements included): any of them may be the one mined. */
  hashes: Hex[]
  sentAt: number
  attempts: number
  /** The game position the move was decided at (moves only). */
  position: Hex | undefined
}

/** A challenge sent, persisted (`dispute/challenges`) so that a restart never opens a second game by mistake. */
type SentChallenge = { claimId: bigint; staker: Address; hash: Hex; raw: Hex }

/** One game as `status()` shows it. */
export type DisputeGameStatus = {
  gameId: bigint
  claimId: bigint
  role: 'staker' | 'challenger'
  opponent: Address
  state: 'open' | 'won' | 'lost' | 'voided'
  lo: bigint
  hi: bigint
  /** Whose move it is (open games). */
  toMove: 'us' | 'them' | undefined
  /** Seconds left on the clock of the side to move, at the last L1 read. */
  clockLeft: number | undefined
}

/** On-chain game state read at one L1 block (`DisputeGame.getGame` + `position` + `isVoid`). */
type LiveGame = {
  lo: bigint
  hi: bigint
  stakerClock: bigint
  challengerClock: bigint
  staker: Address
  challenger: Address
  lastMoveAt: bigint
  turn: number
  status: number
  rootLo: Hex
  rootHi: Hex
  midRoot: Hex
  position: Hex
  void: boolean
}

/**
 * Plays protocol.md §8's bisection games from this node's own derivation, for one L1 key:
 * - as **challenger** (when `challenge`): opens a game, with `challengerBond`, against every `Active`
 *   staker of every claim whose root differs from the derived root, while the challenge deadline
 *   allows; on its turns agrees or disagrees with the staker's midpoint root by comparing it with its
 *   own `root_mid`; at one message left sends `proveStep` with the one-step proof of message `lo`;
 * - as **staker** (any claim this key staked on, e.g. the proposer's): posts its true `root_mid`;
 * - on both sides: `timeout` once the other side's clock ran out, `voidGame` on its games a slash cut
 *   short (which pays it its bond back and its share of the slashed staker's prize), `finalizeClaim` and
 *   `withdrawStake` on the claims it staked, `withdraw` of its credit in the DisputeGame (won bonds,
 *   prizes) and in the ClaimManager (the deposits of its finalized claims);
 * - for the claims it backs: `timeout` of games between others that have run out of clock (anyone may
 *   end them, and until then they make the claim wait).
 *
 * Every move names the position read at the block it was decided at; a move that no longer fits
 * (`PositionMismatch`, another move first, an L1 reorg) fails its gas estimate or reverts, and the
 * next round decides again from a fresh read. The agent keeps no game state of its own: games come
 * from the L1 reader's events and their current state from the contract, roots from the chain
 * store, so a restart mid-game simply resumes. Only sent challenges are persisted (so a restart
 * before the game shows up on L1 does not open a second one). Transactions go through the key's
 * `L1Wallet`; one not mined within `replaceAfterMs` is replaced at the same nonce with a higher fee.
 */
export class DisputeAgent {
  readonly address: Address
  readonly roots: MessageRoots
  private readonly options: DisputeAgentOptions
  private readonly logger: Logger
  private readonly metrics: DisputeMetrics
  private readonly inFlight = new Map<string, InFlight>()
  private challenges: SentChallenge[] = []
  /** Claims whose stake this key already withdrew (or never had), so they are not read again. */
  private readonly settledClaims = new Set<bigint>()
  private lastStatus: DisputeGameStatus[] = []
  /** Gas of every mined move of this agent, by action (for status and reports). */
  private readonly gasByAction = new Map<Action, bigint[]>()
  private lastHead: { number: bigint; timestamp: bigint } | undefined
  /** L1 block of each transaction mined, by in-flight key, until the reader has read that far. */
  private readonly minedAt = new Map<string, bigint>()
  /** Challenge deadlines of pending claims this key staked on (finalization is not checked before). */
  private readonly deadlines = new Map<bigint, bigint>()

  constructor(options: DisputeAgentOptions) {
    this.options = options
    this.address = getAddress(options.wallet.address)
    this.logger = options.logger
    this.metrics = createDisputeMetrics(options.registry)
    this.roots = new MessageRoots({ chain: options.chain, source: options.reader, config: options.config })
    this.loadChallenges()
  }

  /**
   * One round: settles sent transactions, opens challenges, plays every open game of this key,
   * finalizes and withdraws. Never throws on one game's trouble (logged; retried next round) so the
   * loop that calls it keeps reading L1; throws only critical errors.
   */
  async tick(): Promise<void> {
    const { publicClient } = this.options
    let head: { number: bigint; timestamp: bigint }
    try {
      const block = await publicClient.getBlock({ blockTag: 'latest' })
      head = { number: block.number, timestamp: block.timestamp }
    } catch (error) {
      this.logger.warn({ err: error }, 'dispute agent: no L1 head; retrying next round')
      return
    }
    this.lastHead = head
    await this.guard('settle', () => this.settle())
    // Open games first: their clocks run; new challenges have the whole challenge period.
    const statuses: DisputeGameStatus[] = []
    for (const game of this.options.reader.games()) {
      const role = this.roleIn(game)
      if (role === undefined) {
        if (game.status === 'open' && this.backs(game.claimId)) {
          await this.guard(`game ${game.gameId}`, () => this.endExpiredGameOfOthers(game, head))
        }
        continue
      }
      const status = this.statusOf(game, role)
      statuses.push(status)
      if (game.status !== 'open') continue
      await this.guard(`game ${game.gameId}`, () => this.play(game, role, head, status))
    }
    this.lastStatus = statuses
    this.updateGameMetrics(statuses)
    if (this.options.challenge) {
      await this.guard('challenges', () => this.openChallenges(head))
      await this.guard('true roots', () => this.proposeTrueRoots())
    }
    if (this.options.stakeValid && !this.options.challengeHonest) {
      await this.guard('backing stakes', () => this.stakeOnValidClaims())
    }
    await this.guard('stakes', () => this.settleStakes(head))
    await this.guard('credit', () => this.withdrawCredit())
  }

  /** The agent's view for `sluice_syncStatus`. */
  status(): Record<string, RpcJson> {
    const outcomes = { won: 0, lost: 0, voided: 0 }
    for (const game of this.lastStatus) if (game.state !== 'open') outcomes[game.state]++
    const gas: Record<string, RpcJson> = {}
    for (const [action, list] of this.gasByAction) gas[action] = list.map((g) => g.toString())
    return {
      address: this.address,
      challenger: this.options.challenge,
      l1Head: this.lastHead?.number ?? null,
      games: this.lastStatus.map((g) => ({
        gameId: g.gameId,
        claimId: g.claimId,
        role: g.role,
        opponent: g.opponent,
        state: g.state,
        lo: g.lo,
        hi: g.hi,
        toMove: g.toMove ?? null,
        clockLeft: g.clockLeft ?? null,
      })),
      outcomes,
      pendingTransactions: [...this.inFlight.values()].map((t) => ({
        action: t.action,
        hash: t.hashes[t.hashes.length - 1] ?? null,
      })),
      gasUsed: gas,
    }
  }

  /** Games of this key as the last round saw them. */
  games(): readonly DisputeGameStatus[] {
    return this.lastStatus
  }

  // ---------------------------------------------------------------------------------------------
  // Challenges

  private async openChallenges(head: { timestamp: bigint }): Promise<void> {
    const { reader, chain } = this.options
    const games = reader.games()
    for (const claim of reader.claims()) {
      if (claim.status !== 'pending' || claim.claimHash === undefined) continue
      const check = checkClaim(chain, claim)
      const wanted = this.options.challengeHonest ? check.verdict === 'valid' : check.verdict === 'invalid'
      if (!wanted) continue
      for (const staker of claim.stakers) {
        if (isAddressEqual(staker, this.address) || claim.slashed.some((s) => isAddressEqual(s, staker))) continue
        const existing = games.find(
          (g) =>
            g.claimId === claim.claimId &&
            isAddressEqual(g.staker, staker) &&
            isAddressEqual(g.challenger, this.address),
        )
        if (existing !== undefined) {
          await this.forgetChallenge(claim.claimId, staker)
          continue
        }
        const sent = this.challenges.find((c) => c.claimId === claim.claimId && isAddressEqual(c.staker, staker))
        if (sent !== undefined) {
          await this.followChallenge(sent)
          continue
        }
        await this.challenge(claim, staker, head)
      }
    }
  }

  private async challenge(claim: ClaimRecord, staker: Address, head: { timestamp: bigint }): Promise<void> {
    const { publicClient, addresses, config, wallet } = this.options
    const [onChain, stakerStatus] = await Promise.all([
      publicClient.readContract({
        address: addresses.claimManager,
        abi: claimManagerAbi,
        functionName: 'getClaim',
        args: [claim.claimId],
      }),
      publicClient.readContract({
        address: addresses.claimManager,
        abi: claimManagerAbi,
        functionName: 'stakerStatus',
        args: [claim.claimId, staker],
      }),
    ])
    if (Number(stakerStatus) !== STAKER_ACTIVE) return
    // The next block is at least one second later: a challenge needs `timestamp < challengeDeadline` there.
    if (head.timestamp + 1n >= BigInt(onChain.challengeDeadline)) {
      this.logger.error(
        { claimId: Number(claim.claimId), staker, deadline: Number(onChain.challengeDeadline) },
        'too late to challenge a claim this node disputes: its challenge deadline has passed',
      )
      return
    }
    const claimHash = claim.claimHash as Hex
    const data = encodeFunctionData({
      abi: disputeGameAbi,
      functionName: 'challenge',
      args: [claim.claimId, claimHash, staker],
    })
    const request = await this.request(addresses.disputeGame, data, config.challengerBond, 'challenge')
    if (request === undefined) return
    // Signed, stored, then sent: after a crash the same bytes are re-broadcast, never a second game.
    const signed = await wallet.sign(request, `challenge(${claim.claimId}, ${staker})`)
    this.challenges.push({ claimId: claim.claimId, staker, hash: signed.hash, raw: signed.raw })
    await this.saveChallenges()
    await wallet.broadcast(signed.raw, `challenge(${claim.claimId}, ${staker})`)
    this.track(`challenge:${claim.claimId}:${staker}`, 'challenge', request, signed, undefined)
    this.logger.warn(
      { claimId: Number(claim.claimId), staker, claimed: claim.stateRoot, tx: signed.hash },
      this.options.challengeHonest
        ? 'FAULT challenge-honest: challenging a correct claim'
        : 'challenging a wrong claim',
    )
  }

  /** A challenge sent but not yet seen as a game: re-broadcast it, or forget it once it failed. */
  private async followChallenge(sent: SentChallenge): Promise<void> {
    if (this.inFlight.has(`challenge:${sent.claimId}:${sent.staker}`)) return
    const receipt = await this.options.publicClient.getTransactionReceipt({ hash: sent.hash }).catch(() => undefined)
    if (receipt === undefined) {
      try {
        await this.options.wallet.broadcast(sent.raw, 'challenge (re-broadcast)')
      } catch (error) {
        // Refused: mined meanwhile, or its nonce went to another transaction. Forget it only in the
        // second case (it can never land); otherwise the game shows up once its block is confirmed.
        const known = await this.options.publicClient.getTransaction({ hash: sent.hash }).catch(() => undefined)
        if (known === undefined) {
          this.logger.warn({ err: error, claimId: Number(sent.claimId) }, 'sent challenge was replaced; deciding again')
          await this.forgetChallenge(sent.claimId, sent.staker)
        }
      }
      return
    }
    if (receipt.status !== 'success') {
      this.logger.error({ claimId: Number(sent.claimId), tx: sent.hash }, 'challenge reverted; deciding again')
      await this.forgetChallenge(sent.claimId, sent.staker)
    }
    // Mined: the game shows up once the reader confirms its block.
  }

  /**
   * After a wrong claim was deleted, proposes the true root for its batch (with `proposerBond`) unless
   * a live claim already says it: withdrawals of that batch should not wait for someone else. The
   * agent then stakes on it like any proposer: defends it, finalizes it, withdraws the bond.
   */
  private async proposeTrueRoots(): Promise<void> {
    const { reader, chain, config, addresses } = this.options
    const claims = reader.claims()
    for (const claim of claims) {
      if (claim.status !== 'deleted' || this.options.challengeHonest) continue
      const record = chain.batch(claim.batchIndex)
      if (record === undefined) continue
      const root = bytesToHex(record.stateRoot)
      const accumulator = bytesToHex(record.accumulator)
      if (root === claim.stateRoot.toLowerCase()) continue
      // a claim over another L1 history (reorged away) says nothing about this batch
      if (claim.accumulator !== undefined && claim.accumulator.toLowerCase() !== accumulator) continue
      const said = claims.some(
        (c) => c.batchIndex === claim.batchIndex && c.status !== 'deleted' && c.stateRoot.toLowerCase() === root,
      )
      const key = `propose:${claim.batchIndex}`
      if (said || this.inFlight.has(key)) continue
      const mined = this.minedAt.get(key)
      if (mined !== undefined && mined > reader.cursor.number) continue
      this.minedAt.delete(key)
      const data = encodeFunctionData({
        abi: claimManagerAbi,
        functionName: 'propose',
        args: [claim.batchIndex, accumulator, root],
      })
      // The proposer's stake and the claim's deposit (returned when the claim finalizes, §8.1).
      const request = await this.request(addresses.claimManager, data, proposalValue(config), 'propose')
      if (request === undefined) continue
      const signed = await this.options.wallet.send(request, `propose(${claim.batchIndex})`)
      this.track(key, 'propose', request, signed, undefined)
      this.logger.warn(
        { batch: Number(claim.batchIndex), stateRoot: root, deletedClaim: Number(claim.claimId), tx: signed.hash },
        'proposing the true root of a batch whose wrong claim was deleted',
      )
    }
  }

  /** Joins every pending claim this node agrees with as a staker (once), while staking is open. */
  private async stakeOnValidClaims(): Promise<void> {
    const { reader, chain, config, addresses } = this.options
    for (const claim of reader.claims()) {
      if (claim.status !== 'pending' || claim.claimHash === undefined) continue
      if (claim.stakers.some((s) => isAddressEqual(s, this.address))) continue
      if (checkClaim(chain, claim).verdict !== 'valid') continue
      const key = `stake:${claim.claimId}`
      if (this.inFlight.has(key)) continue
      const mined = this.minedAt.get(key)
      if (mined !== undefined && mined > reader.cursor.number) continue
      this.minedAt.delete(key)
      const data = encodeFunctionData({
        abi: claimManagerAbi,
        functionName: 'stake',
        args: [claim.claimId, claim.claimHash],
      })
      // Reverts once the claim's staking window closed: then the estimate says so and nothing is sent.
      const request = await this.request(addresses.claimManager, data, config.proposerBond, 'stake')
      if (request === undefined) continue
      const signed = await this.options.wallet.send(request, `stake(${claim.claimId})`)
      this.track(key, 'stake', request, signed, undefined)
      this.logger.info(
        { claimId: Number(claim.claimId), batch: Number(claim.batchIndex), tx: signed.hash },
        'staking on a correct claim',
      )
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Games

  private roleIn(game: GameRecord): 'staker' | 'challenger' | undefined {
    if (isAddressEqual(game.challenger, this.address)) return 'challenger'
    if (isAddressEqual(game.staker, this.address)) return 'staker'
    return undefined
  }

  private statusOf(game: GameRecord, role: 'staker' | 'challenger'): DisputeGameStatus {
    let state: DisputeGameStatus['state'] = 'open'
    if (game.status === 'voided') state = 'voided'
    else if (game.status === 'resolved') state = (game.stakerWon === true) === (role === 'staker') ? 'won' : 'lost'
    return {
      gameId: game.gameId,
      claimId: game.claimId,
      role,
      opponent: role === 'staker' ? game.challenger : game.staker,
      state,
      lo: game.lo,
      hi: game.hi,
      toMove: undefined,
      clockLeft: undefined,
    }
  }

  private async readGame(gameId: bigint, blockNumber: bigint): Promise<LiveGame> {
    const { publicClient, addresses } = this.options
    const at = { address: addresses.disputeGame, abi: disputeGameAbi, blockNumber } as const
    const [game, position, isVoid] = await Promise.all([
      publicClient.readContract({ ...at, functionName: 'getGame', args: [gameId] }),
      publicClient.readContract({ ...at, functionName: 'position', args: [gameId] }),
      publicClient.readContract({ ...at, functionName: 'isVoid', args: [gameId] }),
    ])
    return {
      lo: BigInt(game.lo),
      hi: BigInt(game.hi),
      stakerClock: BigInt(game.stakerClock),
      challengerClock: BigInt(game.challengerClock),
      staker: getAddress(game.staker),
      challenger: getAddress(game.challenger),
      lastMoveAt: BigInt(game.lastMoveAt),
      turn: Number(game.turn),
      status: Number(game.status),
      rootLo: game.rootLo,
      rootHi: game.rootHi,
      midRoot: game.midRoot,
      position,
      void: isVoid,
    }
  }

  private async play(
    record: GameRecord,
    role: 'staker' | 'challenger',
    head: { number: bigint; timestamp: bigint },
    status: DisputeGameStatus,
  ): Promise<void> {
    const game = await this.readGame(record.gameId, head.number)
    if (game.status !== GAME_OPEN) {
      if (game.status === GAME_STAKER_WON || game.status === GAME_CHALLENGER_WON) {
        status.state = (game.status === GAME_STAKER_WON) === (role === 'staker') ? 'won' : 'lost'
      }
      return
    }
    status.lo = game.lo
    status.hi = game.hi
    const key = `game:${record.gameId}`
    const pending = this.inFlight.get(key)
    // Our move for this position is on its way: let `settle` mine or replace it.
    if (pending !== undefined && pending.position === game.position) return
    const args = { gameId: record.gameId, position: game.position }
    if (game.void) {
      // The staker lost another game: ending it pays the challenger its bond back and its share of the prize.
      if (role === 'challenger') await this.move(key, 'voidGame', args, game.position, [record.gameId, game.position])
      return
    }
    const stakerToMove = game.turn === TURN_STAKER
    const ours = stakerToMove === (role === 'staker')
    const clock = stakerToMove ? game.stakerClock : game.challengerClock
    const elapsed = head.timestamp - game.lastMoveAt
    status.toMove = ours ? 'us' : 'them'
    status.clockLeft = Number(clock > elapsed ? clock - elapsed : 0n)
    if (!ours) {
      // `timeout` needs `timestamp − lastMoveAt > clock` in the block that mines it (≥ head + 1 s).
      if (head.timestamp + 1n - game.lastMoveAt > clock) {
        this.logger.warn({ gameId: Number(record.gameId), opponent: status.opponent }, 'opponent ran out of clock')
        await this.move(key, 'timeout', args, game.position, [record.gameId, game.position])
      }
      return
    }
    if (status.clockLeft < Number(this.options.config.gameClock) / 4) {
      this.logger.warn({ gameId: Number(record.gameId), clockLeft: status.clockLeft }, 'our game clock is running low')
    }
    const mid = game.lo + (game.hi - game.lo) / 2n
    if (role === 'staker') {
      const root = this.roots.rootAt(mid)
      if (root === undefined) {
        this.logger.warn({ gameId: Number(record.gameId), mid: Number(mid) }, 'midpoint not derived yet; waiting')
        return
      }
      await this.move(key, 'bisect', { ...args, mid, root }, game.position, [record.gameId, game.position, root])
      return
    }
    if (game.hi - game.lo > 1n) {
      const ourRoot = this.roots.rootAt(mid)
      if (ourRoot === undefined) {
        this.logger.warn({ gameId: Number(record.gameId), mid: Number(mid) }, 'midpoint not derived yet; waiting')
        return
      }
      const action = ourRoot === game.midRoot.toLowerCase() ? 'agree' : 'disagree'
      await this.move(key, action, { ...args, mid, theirs: game.midRoot, ours: ourRoot }, game.position, [
        record.gameId,
        game.position,
      ])
      return
    }
    const step = await this.roots.stepProof(game.lo)
    if (step.preRoot !== game.rootLo.toLowerCase()) {
      // Cannot happen to an honest challenger: every root_lo it reached was one it agreed with.
      this.logger.error(
        { gameId: Number(record.gameId), lo: Number(game.lo), agreed: game.rootLo, ours: step.preRoot },
        'the game’s agreed root differs from ours; the one-step proof cannot win',
      )
    }
    if (step.postRoot === game.rootHi.toLowerCase()) {
      this.logger.warn(
        { gameId: Number(record.gameId), lo: Number(game.lo) },
        'the staker’s root is right: proving anyway',
      )
    }
    await this.move(
      key,
      'proveStep',
      { ...args, lo: game.lo, outcome: step.outcome, proofBytes: (step.proof.length - 2) / 2 },
      game.position,
      [record.gameId, game.position, step.proof],
    )
  }

  private async move(
    key: string,
    action: 'bisect' | 'agree' | 'disagree' | 'proveStep' | 'timeout' | 'voidGame',
    log: Record<string, unknown>,
    position: Hex,
    args: readonly unknown[],
  ): Promise<void> {
    // `action` and `args` match by construction in `play`; the cast spares a union of six call types.
    const data = encodeFunctionData({ abi: disputeGameAbi, functionName: action, args } as never)
    const request = await this.request(this.options.addresses.disputeGame, data, 0n, action)
    if (request === undefined) return
    const signed = await this.options.wallet.send(request, `${action}(${String(args[0])})`)
    this.track(key, action, request, signed, position)
    this.logger.info(
      { ...stringify(log), action, tx: signed.hash, gas: Number(request.gas) },
      `dispute move: ${action}`,
    )
  }

  // ---------------------------------------------------------------------------------------------
  // Stakes and credit

  private async settleStakes(head: { timestamp: bigint }): Promise<void> {
    const { reader, publicClient, addresses } = this.options
    for (const claim of reader.claims()) {
      if (this.settledClaims.has(claim.claimId)) continue
      if (!claim.stakers.some((s) => isAddressEqual(s, this.address))) continue
      if (claim.slashed.some((s) => isAddressEqual(s, this.address)) || claim.status === 'deleted') {
        this.settledClaims.add(claim.claimId)
        continue
      }
      const key = `claim:${claim.claimId}`
      if (this.inFlight.has(key)) continue
      const at = { address: addresses.claimManager, abi: claimManagerAbi } as const
      if (claim.status === 'pending') {
        // Before its challenge deadline a claim cannot finalize: read the deadline once, not every round.
        const deadline = this.deadlines.get(claim.claimId)
        if (deadline !== undefined && head.timestamp < deadline) continue
        const finalizable = await publicClient.readContract({
          ...at,
          functionName: 'isFinalizable',
          args: [claim.claimId],
        })
        if (!finalizable) {
          // (Re)read the deadline: a late stake moves it. Past it, the claim waits for games or conflicts.
          const onChain = await publicClient.readContract({ ...at, functionName: 'getClaim', args: [claim.claimId] })
          this.deadlines.set(claim.claimId, BigInt(onChain.challengeDeadline))
          continue
        }
        this.deadlines.delete(claim.claimId)
        await this.send(
          key,
          'finalizeClaim',
          addresses.claimManager,
          encodeFunctionData({ ...at, functionName: 'finalizeClaim', args: [claim.claimId] }),
          { claimId: Number(claim.claimId) },
        )
        continue
      }
      const stake = await publicClient.readContract({
        ...at,
        functionName: 'stakerStatus',
        args: [claim.claimId, this.address],
      })
      if (Number(stake) !== STAKER_ACTIVE) {
        this.settledClaims.add(claim.claimId)
        continue
      }
      await this.send(
        key,
        'withdrawStake',
        addresses.claimManager,
        encodeFunctionData({ ...at, functionName: 'withdrawStake', args: [claim.claimId] }),
        { claimId: Number(claim.claimId) },
      )
    }
  }

  /** Withdraws this key's credit: won bonds and prizes (DisputeGame), deposits of finalized claims (ClaimManager). */
  private async withdrawCredit(): Promise<void> {
    const { publicClient, addresses } = this.options
    if (!this.inFlight.has('credit')) {
      const credit = await publicClient.readContract({
        address: addresses.disputeGame,
        abi: disputeGameAbi,
        functionName: 'credit',
        args: [this.address],
      })
      if (credit !== 0n) {
        await this.send(
          'credit',
          'withdraw',
          addresses.disputeGame,
          encodeFunctionData({ abi: disputeGameAbi, functionName: 'withdraw' }),
          { credit: credit.toString() },
        )
      }
    }
    if (this.inFlight.has('deposits')) return
    const deposits = await publicClient.readContract({
      address: addresses.claimManager,
      abi: claimManagerAbi,
      functionName: 'credit',
      args: [this.address],
    })
    if (deposits === 0n) return
    await this.send(
      'deposits',
      'withdrawDeposits',
      addresses.claimManager,
      encodeFunctionData({ abi: claimManagerAbi, functionName: 'withdraw' }),
      { deposits: deposits.toString() },
    )
  }

  /** Whether this key is an `Active` staker of pending claim `claimId` (as far as events show). */
  private backs(claimId: bigint): boolean {
    const claim = this.options.reader.claims().find((c) => c.claimId === claimId)
    return (
      claim !== undefined &&
      claim.status === 'pending' &&
      claim.stakers.some((s) => isAddressEqual(s, this.address)) &&
      !claim.slashed.some((s) => isAddressEqual(s, this.address))
    )
  }

  /** Times out a game between two others on a claim this key backs once its side to move ran out of clock. */
  private async endExpiredGameOfOthers(record: GameRecord, head: { number: bigint; timestamp: bigint }): Promise<void> {
    const game = await this.readGame(record.gameId, head.number)
    if (game.status !== GAME_OPEN || game.void) return
    const key = `game:${record.gameId}`
    const pending = this.inFlight.get(key)
    if (pending !== undefined && pending.position === game.position) return
    const clock = game.turn === TURN_STAKER ? game.stakerClock : game.challengerClock
    if (head.timestamp + 1n - game.lastMoveAt <= clock) return
    this.logger.info(
      { gameId: Number(record.gameId), claimId: Number(record.claimId) },
      'ending an expired game of others on a claim we back',
    )
    await this.move(key, 'timeout', { gameId: record.gameId }, game.position, [record.gameId, game.position])
  }

  private async send(key: string, action: Action, to: Address, data: Hex, log: Record<string, unknown>): Promise<void> {
    const request = await this.request(to, data, 0n, action)
    if (request === undefined) return
    const signed = await this.options.wallet.send(request, action)
    this.track(key, action, request, signed, undefined)
    this.logger.info({ ...log, action, tx: signed.hash }, `dispute: ${action}`)
  }

  // ---------------------------------------------------------------------------------------------
  // Transactions

  /**
   * The transaction with its gas estimated (plus headroom), or undefined when the estimate reverts:
   * the call no longer fits the chain (another move landed first, a clock did not run out yet, a
   * claim is not finalizable…). The next round reads again and decides again.
   */
  private async request(
    to: Address,
    data: Hex,
    value: bigint,
    action: Action,
  ): Promise<L1TransactionRequest | undefined> {
    let estimate: bigint
    try {
      estimate = await this.options.publicClient.estimateGas({ account: this.address, to, data, value })
    } catch (error) {
      const reason = revertReason(error)
      if (reason === undefined) throw error
      const level = reason === 'PositionMismatch' || reason === 'ClockNotExpired' ? 'debug' : 'warn'
      this.logger[level]({ action, reason }, 'dispute call would revert; deciding again next round')
      return undefined
    }
    const headroom = BigInt(this.options.gasHeadroomPercent ?? 130)
    return { to, data, value, gas: (estimate * headroom) / 100n + 20_000n }
  }

  private track(
    key: string,
    action: Action,
    request: L1TransactionRequest,
    signed: { hash: Hex; nonce: number },
    position: Hex | undefined,
  ): void {
    this.metrics.moves.inc({ action })
    this.inFlight.set(key, {
      action,
      request,
      nonce: signed.nonce,
      hashes: [signed.hash],
      sentAt: Date.now(),
      attempts: 1,
      position,
    })
  }

  /** Records mined transactions; replaces ones not mined in time at the same nonce with a higher fee. */
  private async settle(): Promise<void> {
    const { publicClient, wallet } = this.options
    for (const [key, sent] of this.inFlight) {
      let mined = false
      for (const hash of sent.hashes) {
        const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined)
        if (receipt === undefined) continue
        mined = true
        if (sent.action === 'propose') this.minedAt.set(key, receipt.blockNumber)
        this.metrics.gasUsed.inc({ action: sent.action }, Number(receipt.gasUsed))
        this.metrics.feesPaid.inc({ action: sent.action }, Number(receipt.gasUsed * receipt.effectiveGasPrice))
        const list = this.gasByAction.get(sent.action) ?? []
        list.push(receipt.gasUsed)
        this.gasByAction.set(sent.action, list.slice(-32))
        if (receipt.status !== 'success') {
          this.logger.warn({ action: sent.action, tx: hash }, 'dispute transaction reverted; deciding again')
        } else {
          this.logger.info(
            { action: sent.action, tx: hash, gasUsed: Number(receipt.gasUsed), l1Block: Number(receipt.blockNumber) },
            'dispute transaction mined',
          )
        }
        break
      }
      if (mined) {
        this.inFlight.delete(key)
        continue
      }
      if (Date.now() - sent.sentAt < (this.options.replaceAfterMs ?? 6_000)) continue
      try {
        const signed = await wallet.send(
          { ...sent.request, nonce: sent.nonce, feeBumpPercent: 100 + 25 * sent.attempts },
          `${sent.action} (replacement)`,
        )
        sent.hashes.push(signed.hash)
        sent.attempts++
        sent.sentAt = Date.now()
        this.logger.warn(
          { action: sent.action, tx: signed.hash, attempt: sent.attempts },
          'dispute transaction replaced',
        )
      } catch (error) {
        // Nonce used by another transaction (maybe this one, mined meanwhile): decide again next round.
        this.logger.warn({ err: error, action: sent.action }, 'could not replace a dispute transaction; deciding again')
        this.inFlight.delete(key)
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bookkeeping

  private updateGameMetrics(statuses: readonly DisputeGameStatus[]): void {
    this.metrics.games.reset()
    for (const role of ['staker', 'challenger'] as const) {
      for (const state of ['open', 'won', 'lost', 'voided'] as const) {
        this.metrics.games.set({ role, state }, statuses.filter((g) => g.role === role && g.state === state).length)
      }
    }
  }

  /** Runs one part of a round; logs and swallows what a later round may fix, rethrows critical errors. */
  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn()
    } catch (error) {
      if (error instanceof SluiceError && error.severity === 'critical') throw error
      this.logger.warn({ err: error, part: what }, 'dispute agent: retrying next round')
    }
  }

  private loadChallenges(): void {
    const { chain } = this.options
    const stored = chain.store.getSync(chain.metaKey(META_CHALLENGES))
    if (stored === undefined) return
    this.challenges = (decodeRlp(stored) as Uint8Array[][]).map(([claimId, staker, hash, raw]) => ({
      claimId: bytesToBigint(claimId as Uint8Array),
      staker: getAddress(bytesToHex(staker as Uint8Array)),
      hash: bytesToHex(hash as Uint8Array),
      raw: bytesToHex(raw as Uint8Array),
    }))
  }

  private async saveChallenges(): Promise<void> {
    const { chain } = this.options
    const value = encodeRlp(
      this.challenges.map((c) => [c.claimId, hexToBytes(c.staker), hexToBytes(c.hash), hexToBytes(c.raw)]),
    )
    await chain.store.batch([{ type: 'put', key: chain.metaKey(META_CHALLENGES), value }])
  }

  private async forgetChallenge(claimId: bigint, staker: Address): Promise<void> {
    const before = this.challenges.length
    this.challenges = this.challenges.filter((c) => !(c.claimId === claimId && isAddressEqual(c.staker, staker)))
    if (this.challenges.length !== before) await this.saveChallenges()
  }
}

/** The custom error name of a reverted call, `revert` for another revert, undefined when it is not a revert. */
function revertReason(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (reverted instanceof ContractFunctionRevertedError) return reverted.data?.errorName ?? 'revert'
  // A plain `estimateGas` has no ABI: decode the revert data found along the cause chain.
  let data: Hex | undefined
  error.walk((e) => {
    const candidate = (e as { data?: unknown }).data
    if (typeof candidate === 'string' && candidate.startsWith('0x') && candidate.length >= 10) data = candidate as Hex
    return false
  })
  if (data !== undefined) {
    try {
      return decodeErrorResult({ abi: DISPUTE_ERRORS, data }).errorName
    } catch {
      return 'revert'
    }
  }
  const text = `${error.shortMessage} ${error.details ?? ''}`.toLowerCase()
  return text.includes('revert') ? 'revert' : undefined
}

/** The DisputeGame's and ClaimManager's custom errors, to name a revert. */
const DISPUTE_ERRORS = [...disputeGameAbi, ...claimManagerAbi].filter((item) => item.type === 'error')

function stringify(log: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(log)) out[k] = typeof v === 'bigint' ? v.toString() : v
  return out
}
