import type { Address, Chain, Client, Hash, Transport } from 'viem'
import { getContractEvents } from 'viem/actions'
import { claimManagerAbi, readClaim } from '../contracts.ts'
import { resolveContractAddress, resolveFromBlock, type TargetChainParameter } from '../utils/contractAddress.ts'
import { getGames } from './getGames.ts'

/**
 * Where a claim stands: `pending` (in its challenge period or waiting to be finalized), `challenged`
 * (pending with a game open on it), `finalized` (withdrawals may be proven against it), `deleted`
 * (every staker was slashed).
 */
export type ClaimStatus = 'pending' | 'challenged' | 'finalized' | 'deleted'

/** A claim `root_n = stateRoot` for `n = messageCount[batchIndex]`, as the ClaimManager stores it. */
export type SluiceClaim = {
  id: bigint
  batchIndex: bigint
  /** `n`: the number of messages the claim covers. */
  messageCount: bigint
  stateRoot: Hash
  /** How L1 calls name this claim (`keccak256(abi.encode(batchIndex, accumulator, stateRoot))`). */
  claimHash: Hash
  /** The inbox accumulator at `batchIndex` the claim was made against. */
  accumulator: Hash
  proposer: Address
  status: ClaimStatus
  /** L1 timestamp of the proposal. */
  proposedAt: bigint
  /** L1 timestamp from which it can finalize (its challenge deadline; stakes push it later). */
  finalizableAt: bigint
  /** Whether `ClaimManager.finalizeClaim` would succeed now (`isFinalizable`). */
  finalizable: boolean
  /** L1 timestamp of finalization, 0 before. */
  finalizedAt: bigint
  liveStakers: number
  openGames: number
  /** Ids of the games played on this claim. */
  games: bigint[]
  /** The L1 transaction that proposed it. */
  l1TransactionHash: Hash
}

export type GetClaimsParameters = TargetChainParameter & {
  claimManagerAddress?: Address | undefined
  disputeGameAddress?: Address | undefined
  /** L1 block to search logs from; the deployment block by default. */
  fromBlock?: bigint | undefined
  /** Only claims at this batch index or later. */
  minBatchIndex?: bigint | undefined
  /** At most this many claims: the earliest proposed ones that pass the filter. */
  limit?: number | undefined
}
export type GetClaimsReturnType = SluiceClaim[]

/**
 * Every claim in the ClaimManager (from its `ClaimProposed` logs), read as it stands now, with the
 * ids of the games on it; in id order.
 *
 * @example
 * const claims = await l1Client.getClaims({ targetChain: sluiceDevnet })
 * for (const claim of claims) console.log(claim.id, claim.batchIndex, claim.status)
 */
export async function getClaims(
  client: Client<Transport, Chain | undefined>,
  parameters: GetClaimsParameters = {},
): Promise<GetClaimsReturnType> {
  const { targetChain } = parameters
  const address = resolveContractAddress('claimManager', parameters.claimManagerAddress, targetChain, client.chain)
  const fromBlock = resolveFromBlock(parameters.fromBlock, targetChain, client.chain)
  const logs = await getContractEvents(client, {
    abi: claimManagerAbi,
    address,
    eventName: 'ClaimProposed',
    fromBlock,
    toBlock: 'latest',
  })
  const proposals = logs
    .filter((log) => parameters.minBatchIndex === undefined || (log.args.batchIndex ?? 0n) >= parameters.minBatchIndex)
    .slice(0, parameters.limit)
  const games = proposals.length === 0 ? [] : await getGames(client, { ...parameters, fromBlock })
  const claims = await Promise.all(
    proposals.map(async (log) => {
      const id = log.args.claimId as bigint
      const claim = await readClaim(client, address, id)
      const status: ClaimStatus =
        claim.status === 'pending' && claim.openGames > 0
          ? 'challenged'
          : claim.status === 'none'
            ? 'pending'
            : claim.status
      return {
        id,
        batchIndex: claim.batchIndex,
        messageCount: claim.messageCount,
        stateRoot: claim.stateRoot,
        claimHash: claim.claimHash,
        accumulator: log.args.accumulator as Hash,
        proposer: log.args.proposer as Address,
        status,
        proposedAt: claim.proposedAt,
        finalizableAt: claim.challengeDeadline,
        finalizable: claim.finalizable,
        finalizedAt: claim.finalizedAt,
        liveStakers: claim.liveStakers,
        openGames: claim.openGames,
        games: games.filter((game) => game.claimId === id).map((game) => game.id),
        l1TransactionHash: log.transactionHash,
      }
    }),
  )
  return claims.sort((a, b) => (a.id < b.id ? -1 : 1))
}
