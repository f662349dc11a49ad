/**
 * Everything in the SDK that depends on the L1 contracts' ABIs, in one place: the ABIs (generated in
 * `@sluice/contracts`), the mapping of their enums, and the arguments of the calls the SDK makes.
 * When the contracts change, this is the file to update.
 */
import { claimManagerAbi, disputeGameAbi, portalAbi, sequencerInboxAbi } from '@sluice/contracts'
import type { Address, Chain, Client, Hash, Hex, Transport } from 'viem'
import { readContract } from 'viem/actions'

export { claimManagerAbi, disputeGameAbi, portalAbi, sequencerInboxAbi }

/** `Types.ClaimStatus` in ClaimManager order. */
const CLAIM_STATUSES = ['none', 'pending', 'finalized', 'deleted'] as const
/** A claim's status as stored on L1. */
export type OnChainClaimStatus = (typeof CLAIM_STATUSES)[number]

/** `Types.GameStatus` in DisputeGame order. */
const GAME_STATUSES = ['none', 'open', 'stakerWon', 'challengerWon', 'voided'] as const
export type GameStatus = (typeof GAME_STATUSES)[number]

/** `Types.Turn`. */
const TURNS = ['staker', 'challenger'] as const
export type GameTurn = (typeof TURNS)[number]

export function claimStatusName(value: number): OnChainClaimStatus {
  return CLAIM_STATUSES[value] ?? 'none'
}
export function gameStatusName(value: number): GameStatus {
  return GAME_STATUSES[value] ?? 'none'
}
export function turnName(value: number): GameTurn {
  return TURNS[value] ?? 'staker'
}

/** A withdrawal as the L2 message passer records it and the Portal pays it (protocol.md §7.3). */
export type Withdrawal = {
  /** The message passer's nonce for this withdrawal. */
  nonce: bigint
  /** The L2 account that withdrew. */
  sender: Address
  /** Who is paid on L1. */
  l1Recipient: Address
  /** Wei paid on L1. */
  value: bigint
  /** `keccak256(abi.encode(nonce, sender, l1Recipient, value))`: the passer's storage slot and value. */
  withdrawalHash: Hash
}

/** What `Portal.finalizeWithdrawal` needs, once built from L1 and the L2 node. */
export type FinalizeWithdrawalProof = {
  withdrawal: Withdrawal
  /** The finalized claim the proofs are against. */
  claimId: bigint
  /** What the Portal expects of that claim: `keccak256(abi.encode(batchIndex, accumulator, stateRoot))`. */
  claimHash: Hash
  /** The claim's state root (what the proofs are rooted in). */
  stateRoot: Hash
  /** The claim's batch. */
  batchIndex: bigint
  /** EIP-1186 account proof of the message passer. */
  accountProof: readonly Hex[]
  /** EIP-1186 storage proof of slot `withdrawalHash`. */
  storageProof: readonly Hex[]
}

/** The `args` of `Portal.finalizeWithdrawal` for a built proof. */
export function finalizeWithdrawalArgs(proof: FinalizeWithdrawalProof) {
  const { withdrawal } = proof
  return [
    {
      nonce: withdrawal.nonce,
      sender: withdrawal.sender,
      l1Recipient: withdrawal.l1Recipient,
      value: withdrawal.value,
    },
    proof.claimId,
    proof.claimHash,
    proof.accountProof,
    proof.storageProof,
  ] as const
}

/** A claim as `ClaimManager.getClaim` returns it, with `isFinalizable`. */
export type OnChainClaim = {
  stateRoot: Hash
  batchIndex: bigint
  messageCount: bigint
  proposedAt: bigint
  finalizedAt: bigint
  liveStakers: number
  openGames: number
  status: OnChainClaimStatus
  /** Games may open before it; the claim can finalize from it on (stakes push it later). */
  challengeDeadline: bigint
  /** `keccak256(abi.encode(batchIndex, accumulator, stateRoot))`: how calls name this claim. */
  claimHash: Hash
  /** Whether `finalizeClaim` would succeed now (the contract's own check, conflicts included). */
  finalizable: boolean
}

/** Reads claim `claimId` and whether it can finalize now (at `blockTag`: `pending` sees transactions not yet mined). */
export async function readClaim(
  client: Client<Transport, Chain | undefined>,
  claimManager: Address,
  claimId: bigint,
  blockTag: 'latest' | 'pending' = 'latest',
): Promise<OnChainClaim> {
  const at = { address: claimManager, args: [claimId], blockTag } as const
  const [claim, finalizable] = await Promise.all([
    readContract(client, { abi: claimManagerAbi, functionName: 'getClaim', ...at }),
    readContract(client, { abi: claimManagerAbi, functionName: 'isFinalizable', ...at }),
  ])
  return {
    stateRoot: claim.stateRoot,
    batchIndex: BigInt(claim.batchIndex),
    messageCount: BigInt(claim.messageCount),
    proposedAt: BigInt(claim.proposedAt),
    finalizedAt: BigInt(claim.finalizedAt),
    liveStakers: claim.liveStakers,
    openGames: claim.openGames,
    status: claimStatusName(claim.status),
    challengeDeadline: BigInt(claim.challengeDeadline),
    claimHash: claim.claimHash,
    finalizable,
  }
}
