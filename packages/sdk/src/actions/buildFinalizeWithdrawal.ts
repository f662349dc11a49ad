import type { Chain, Client, Hash, Transport } from 'viem'
import { getBlock, getProof } from 'viem/actions'
import type { FinalizeWithdrawalProof } from '../contracts.ts'
import {
  SluiceRpcResponseError,
  StateRootMismatchError,
  WithdrawalAlreadyFinalizedError,
  WithdrawalNotFinalizableError,
} from '../errors.ts'
import { MESSAGE_PASSER } from '../utils/withdrawals.ts'
import { getBatch } from './getBatch.ts'
import type { SluiceClaim } from './getClaims.ts'
import {
  type GetWithdrawalStatusErrorType,
  type GetWithdrawalStatusParameters,
  type GetWithdrawalStatusReturnType,
  getWithdrawalStatus,
} from './getWithdrawalStatus.ts'

export type BuildFinalizeWithdrawalParameters = GetWithdrawalStatusParameters & {
  /** A status already read with `getWithdrawalStatus` (saves reading it again). */
  status?: GetWithdrawalStatusReturnType | undefined
}
export type BuildFinalizeWithdrawalReturnType = FinalizeWithdrawalProof & {
  /** The claim the proof is against. */
  claim: SluiceClaim
  /** True when the claim can finalize but nobody called `ClaimManager.finalizeClaim` yet. */
  claimNeedsFinalization: boolean
}
export type BuildFinalizeWithdrawalErrorType =
  | GetWithdrawalStatusErrorType
  | WithdrawalNotFinalizableError
  | WithdrawalAlreadyFinalizedError
  | StateRootMismatchError

/** What to do next for a withdrawal that is not finalizable yet. */
export function nextStepFor(status: GetWithdrawalStatusReturnType['status']): string {
  switch (status) {
    case 'unknown':
      return 'Check the transaction hash and that --rpc points at the L2 node that received it.'
    case 'finalized':
      return 'It was already paid.'
    default:
      return 'Wait for it to become finalizable (`sluice finalize --wait <hash>`, or waitUntilFinalizable).'
  }
}

/**
 * Builds what `Portal.finalizeWithdrawal` needs: the withdrawal, the claim, and the EIP-1186 proofs
 * of the message passer's account and of slot `withdrawalHash`, read with `eth_getProof` from the
 * L2 node at the last L2 block of the claim's batch (whose state root is the claim's).
 *
 * @example
 * const proof = await l1Client.buildFinalizeWithdrawal({ l2Client, transactionHash: hash })
 */
export async function buildFinalizeWithdrawal(
  client: Client<Transport, Chain | undefined>,
  parameters: BuildFinalizeWithdrawalParameters,
): Promise<BuildFinalizeWithdrawalReturnType> {
  const { l2Client, transactionHash } = parameters
  const status = parameters.status ?? (await getWithdrawalStatus(client, parameters))
  const { withdrawal, claim } = status
  if (status.status === 'finalized') {
    throw new WithdrawalAlreadyFinalizedError({ withdrawalHash: withdrawal?.withdrawalHash ?? transactionHash })
  }
  if (status.status !== 'finalizable' || withdrawal === undefined || claim === undefined) {
    throw new WithdrawalNotFinalizableError({
      hash: transactionHash,
      status: status.status,
      next: nextStepFor(status.status),
    })
  }

  const batch = await getBatch(l2Client, { index: claim.batchIndex })
  if (batch === null) {
    throw new SluiceRpcResponseError({ method: 'sluice_getBatch', problem: `batch ${claim.batchIndex} is unknown` })
  }
  const [block, proof] = await Promise.all([
    getBlock(l2Client, { blockNumber: batch.lastBlock }),
    getProof(l2Client, {
      address: MESSAGE_PASSER,
      storageKeys: [withdrawal.withdrawalHash],
      blockNumber: batch.lastBlock,
    }),
  ])
  if (block.stateRoot.toLowerCase() !== claim.stateRoot.toLowerCase()) {
    throw new StateRootMismatchError({ claimId: claim.id, claimRoot: claim.stateRoot, nodeRoot: block.stateRoot })
  }
  const storage = proof.storageProof[0]
  if (storage === undefined || storage.value === 0n) {
    throw new SluiceRpcResponseError({
      method: 'eth_getProof',
      problem: `the message passer holds no slot ${withdrawal.withdrawalHash} at L2 block ${batch.lastBlock}`,
    })
  }
  return {
    withdrawal,
    claim,
    claimId: claim.id,
    claimHash: claim.claimHash,
    stateRoot: claim.stateRoot as Hash,
    batchIndex: claim.batchIndex,
    accountProof: proof.accountProof,
    storageProof: storage.proof,
    claimNeedsFinalization: claim.status !== 'finalized',
  }
}
