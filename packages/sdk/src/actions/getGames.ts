import type { Address, Chain, Client, Hash, Transport } from 'viem'
import { getContractEvents, readContract } from 'viem/actions'
import { disputeGameAbi, type GameStatus, type GameTurn, gameStatusName, turnName } from '../contracts.ts'
import { resolveContractAddress, resolveFromBlock, type TargetChainParameter } from '../utils/contractAddress.ts'

/** A bisection game as the DisputeGame stores it. */
export type SluiceGame = {
  id: bigint
  claimId: bigint
  staker: Address
  challenger: Address
  /** The current range of message counts `[lo, hi]`. */
  lo: bigint
  hi: bigint
  status: GameStatus
  turn: GameTurn
  /** Seconds left on each side's chess clock at the last move. */
  stakerClock: bigint
  challengerClock: bigint
  /** L1 timestamp of the last move. */
  lastMoveAt: bigint
  rootLo: Hash
  rootHi: Hash
  midRoot: Hash
}

export type GetGamesParameters = TargetChainParameter & {
  /** Only the games on this claim. */
  claimId?: bigint | undefined
  disputeGameAddress?: Address | undefined
  /** L1 block to search logs from; the deployment block by default. */
  fromBlock?: bigint | undefined
}
export type GetGamesReturnType = SluiceGame[]

/**
 * The games opened in the DisputeGame (from its `GameOpened` logs), each read as it stands now.
 *
 * @example
 * const games = await l1Client.getGames({ targetChain: sluiceDevnet })
 */
export async function getGames(
  client: Client<Transport, Chain | undefined>,
  parameters: GetGamesParameters = {},
): Promise<GetGamesReturnType> {
  const address = resolveContractAddress(
    'disputeGame',
    parameters.disputeGameAddress,
    parameters.targetChain,
    client.chain,
  )
  const logs = await getContractEvents(client, {
    abi: disputeGameAbi,
    address,
    eventName: 'GameOpened',
    ...(parameters.claimId === undefined ? {} : { args: { claimId: parameters.claimId } }),
    fromBlock: resolveFromBlock(parameters.fromBlock, parameters.targetChain, client.chain),
    toBlock: 'latest',
  })
  const ids = [...new Set(logs.map((log) => log.args.gameId).filter((id): id is bigint => id !== undefined))]
  return Promise.all(
    ids.map(async (id) => {
      const game = await readContract(client, { abi: disputeGameAbi, address, functionName: 'getGame', args: [id] })
      return {
        id,
        claimId: BigInt(game.claimId),
        staker: game.staker,
        challenger: game.challenger,
        lo: BigInt(game.lo),
        hi: BigInt(game.hi),
        status: gameStatusName(game.status),
        turn: turnName(game.turn),
        stakerClock: BigInt(game.stakerClock),
        challengerClock: BigInt(game.challengerClock),
        lastMoveAt: BigInt(game.lastMoveAt),
        rootLo: game.rootLo,
        rootHi: game.rootHi,
        midRoot: game.midRoot,
      }
    }),
  )
}
