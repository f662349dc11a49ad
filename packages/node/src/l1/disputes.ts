/**
 * Claims (ClaimManager) and bisection games (DisputeGame) as their events describe them. Kept
 * apart from batches and delayed messages because these ABIs change more often: each record is a
 * fold over its own event list, so a new event only needs a line in `foldClaim`/`foldGame`, and a
 * rewind simply drops the events above the common ancestor and folds again.
 */

import { claimManagerAbi, disputeGameAbi } from '@sluice/contracts'
import type { Hex } from '@sluice/core'
import { type Address, decodeEventLog, getAddress, isAddressEqual } from 'viem'
import type { L1Log } from './source.ts'
import type { ClaimRecord, DisputeEvent, GameRecord } from './types.ts'

/** One decoded ClaimManager or DisputeGame event, keyed by the record it belongs to. */
export type DisputeLog =
  | { contract: 'claimManager'; claimId: bigint; event: DisputeEvent }
  | { contract: 'disputeGame'; gameId: bigint; event: DisputeEvent }

function jsonArgs(args: Record<string, unknown>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {}
  for (const [key, value] of Object.entries(args)) {
    out[key] = typeof value === 'boolean' ? value : typeof value === 'string' ? value : String(value)
  }
  return out
}

function decodeWith(abi: typeof claimManagerAbi | typeof disputeGameAbi, log: L1Log) {
  try {
    const decoded = decodeEventLog({ abi, topics: log.topics as [Hex, ...Hex[]], data: log.data })
    return { name: decoded.eventName as string, args: (decoded.args ?? {}) as Record<string, unknown> }
  } catch {
    return undefined
  }
}

/** Decodes the claim and game events among `logs`, in log order; events without an id are skipped. */
export function decodeDisputeLogs(
  logs: readonly L1Log[],
  addresses: { claimManager: Address; disputeGame: Address },
): DisputeLog[] {
  const out: DisputeLog[] = []
  for (const log of logs) {
    const isClaims = isAddressEqual(log.address, addresses.claimManager)
    if (!isClaims && !isAddressEqual(log.address, addresses.disputeGame)) continue
    const decoded = decodeWith(isClaims ? claimManagerAbi : disputeGameAbi, log)
    if (decoded === undefined) continue
    const event: DisputeEvent = {
      name: decoded.name,
      l1BlockNumber: log.blockNumber,
      l1TransactionHash: log.transactionHash,
      args: jsonArgs(decoded.args),
    }
    const id = isClaims ? decoded.args.claimId : decoded.args.gameId
    if (typeof id !== 'bigint') continue
    out.push(
      isClaims ? { contract: 'claimManager', claimId: id, event } : { contract: 'disputeGame', gameId: id, event },
    )
  }
  return out
}

const arg = (event: DisputeEvent, name: string): string => {
  const value = event.args[name]
  return typeof value === 'string' ? value : String(value ?? '')
}

const optionalHex = (event: DisputeEvent, name: string): Hex | undefined => {
  const value = event.args[name]
  return typeof value === 'string' && value.startsWith('0x') ? (value as Hex) : undefined
}

/** The claim its events describe, or undefined when its proposal is not among them. */
export function foldClaim(claimId: bigint, events: readonly DisputeEvent[]): ClaimRecord | undefined {
  const proposal = events.find((e) => e.name === 'ClaimProposed')
  if (proposal === undefined) return undefined
  const proposer = getAddress(arg(proposal, 'proposer'))
  const claim: ClaimRecord = {
    claimId,
    batchIndex: BigInt(arg(proposal, 'batchIndex')),
    messageCount: BigInt(arg(proposal, 'messageCount')),
    stateRoot: arg(proposal, 'stateRoot') as Hex,
    proposer,
    accumulator: optionalHex(proposal, 'accumulator'),
    claimHash: optionalHex(proposal, 'claimHash'),
    status: 'pending',
    stakers: [proposer],
    slashed: [],
    l1BlockNumber: proposal.l1BlockNumber,
    l1TransactionHash: proposal.l1TransactionHash,
    events: [...events],
  }
  for (const event of events) {
    switch (event.name) {
      case 'Staked': {
        const staker = getAddress(arg(event, 'staker'))
        if (!claim.stakers.includes(staker)) claim.stakers.push(staker)
        break
      }
      case 'StakerSlashed': {
        const staker = getAddress(arg(event, 'staker'))
        if (!claim.slashed.includes(staker)) claim.slashed.push(staker)
        break
      }
      case 'ClaimFinalized':
        claim.status = 'finalized'
        break
      case 'ClaimDeleted':
        claim.status = 'deleted'
        break
    }
  }
  return claim
}

/** The game its events describe, or undefined when its opening is not among them. */
export function foldGame(gameId: bigint, events: readonly DisputeEvent[]): GameRecord | undefined {
  const opening = events.find((e) => e.name === 'GameOpened')
  if (opening === undefined) return undefined
  const game: GameRecord = {
    gameId,
    claimId: BigInt(arg(opening, 'claimId')),
    staker: getAddress(arg(opening, 'staker')),
    challenger: getAddress(arg(opening, 'challenger')),
    status: 'open',
    stakerWon: undefined,
    lo: BigInt(arg(opening, 'lo') || '0'),
    hi: BigInt(arg(opening, 'hi') || '0'),
    position: undefined,
    l1BlockNumber: opening.l1BlockNumber,
    events: [...events],
  }
  for (const event of events) {
    game.position = optionalHex(event, 'position') ?? game.position
    switch (event.name) {
      case 'Responded':
        game.lo = BigInt(arg(event, 'lo'))
        game.hi = BigInt(arg(event, 'hi'))
        break
      case 'GameResolved':
        game.status = 'resolved'
        game.stakerWon = event.args.stakerWon === true
        break
      case 'GameVoided':
        game.status = 'voided'
        break
    }
  }
  return game
}

/**
 * Applies decoded events to the records they name. `loadClaim`/`loadGame` give the stored record
 * (or undefined); returns every record that changed. An event of a record whose creation the
 * reader never saw (it lies below the deployment block) is dropped.
 */
export function applyDisputeLogs(
  logs: readonly DisputeLog[],
  loadClaim: (id: bigint) => ClaimRecord | undefined,
  loadGame: (id: bigint) => GameRecord | undefined,
): { claims: ClaimRecord[]; games: GameRecord[] } {
  const claimEvents = new Map<bigint, DisputeEvent[]>()
  const gameEvents = new Map<bigint, DisputeEvent[]>()
  for (const log of logs) {
    if (log.contract === 'claimManager') {
      let events = claimEvents.get(log.claimId)
      if (events === undefined) claimEvents.set(log.claimId, (events = [...(loadClaim(log.claimId)?.events ?? [])]))
      events.push(log.event)
    } else {
      let events = gameEvents.get(log.gameId)
      if (events === undefined) gameEvents.set(log.gameId, (events = [...(loadGame(log.gameId)?.events ?? [])]))
      events.push(log.event)
    }
  }
  const claims: ClaimRecord[] = []
  for (const [id, events] of claimEvents) {
    const claim = foldClaim(id, events)
    if (claim !== undefined) claims.push(claim)
  }
  const games: GameRecord[] = []
  for (const [id, events] of gameEvents) {
    const game = foldGame(id, events)
    if (game !== undefined) games.push(game)
  }
  return { claims, games }
}

/** The claim as it stood at the end of L1 block `l1BlockNumber` (undefined: proposed after it). */
export function rewindClaim(claim: ClaimRecord, l1BlockNumber: bigint): ClaimRecord | undefined {
  return foldClaim(
    claim.claimId,
    claim.events.filter((e) => e.l1BlockNumber <= l1BlockNumber),
  )
}

/** The game as it stood at the end of L1 block `l1BlockNumber` (undefined: opened after it). */
export function rewindGame(game: GameRecord, l1BlockNumber: bigint): GameRecord | undefined {
  return foldGame(
    game.gameId,
    game.events.filter((e) => e.l1BlockNumber <= l1BlockNumber),
  )
}
