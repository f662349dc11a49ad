import type { Account, Address, Chain, Client, Hash, Transport, WriteContractErrorType } from 'viem'
import { waitForTransactionReceipt, writeContract } from 'viem/actions'
import { claimManagerAbi, finalizeWithdrawalArgs, portalAbi, readClaim, type Withdrawal } from '../contracts.ts'
import { L1TransactionRevertedError, type WaitTimeoutError } from '../errors.ts'
import { resolveContractAddress } from '../utils/contractAddress.ts'
import { poll } from '../utils/poll.ts'
import {
  type BuildFinalizeWithdrawalErrorType,
  type BuildFinalizeWithdrawalParameters,
  buildFinalizeWithdrawal,
} from './buildFinalizeWithdrawal.ts'

export type FinalizeWithdrawalParameters = BuildFinalizeWithdrawalParameters & {
  /** The L1 account that pays the gas (anyone may finalize; the recipient is paid). */
  account?: Account | Address | undefined
  /** The L1 chain; the client's when absent. */
  chain?: Chain | undefined
}
export type FinalizeWithdrawalReturnType = {
  /** The L1 transaction of `Portal.finalizeWithdrawal` (not yet mined). */
  hash: Hash
  withdrawal: Withdrawal
  claimId: bigint
  /** The `ClaimManager.finalizeClaim` transaction sent first, when the claim needed it. */
  finalizeClaimHash: Hash | undefined
}
export type FinalizeWithdrawalErrorType =
  | BuildFinalizeWithdrawalErrorType
  | WriteContractErrorType
  | L1TransactionRevertedError
  | WaitTimeoutError

/**
 * Pays a withdrawal on L1: finalizes the covering claim first when its period is over but nobody
 * finalized it, builds the proofs from the L2 node, and calls `Portal.finalizeWithdrawal`. Returns
 * the L1 transaction hash (wait for its receipt to see the payment).
 *
 * @example
 * const { hash } = await l1Wallet.finalizeWithdrawal({ l2Client, transactionHash: withdrawalTxHash })
 * await l1Public.waitForTransactionReceipt({ hash })
 */
export async function finalizeWithdrawal(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  parameters: FinalizeWithdrawalParameters,
): Promise<FinalizeWithdrawalReturnType> {
  const account = parameters.account ?? client.account
  const chain = parameters.chain ?? client.chain
  const proof = await buildFinalizeWithdrawal(client, parameters)
  const targetChain = parameters.targetChain ?? (parameters.l2Client.chain as typeof parameters.targetChain)

  let finalizeClaimHash: Hash | undefined
  if (proof.claimNeedsFinalization) {
    const claimManager = resolveContractAddress('claimManager', parameters.claimManagerAddress, targetChain, chain)
    // Anyone may finalize the claim (the proposer does too): only send it while it is still pending,
    // and accept losing the race to someone else — whose transaction may not be mined yet, so read
    // the pending state (the one gas estimation sees).
    const finalized = async () =>
      (await readClaim(client, claimManager, proof.claimId, 'pending')).status === 'finalized'
    if (!(await finalized())) {
      try {
        finalizeClaimHash = await writeContract(client, {
          abi: claimManagerAbi,
          address: claimManager,
          functionName: 'finalizeClaim',
          args: [proof.claimId],
          account,
          chain,
        } as unknown as Parameters<typeof writeContract>[1])
      } catch (error) {
        if (!(await finalized())) throw error
      }
      if (finalizeClaimHash !== undefined) {
        const receipt = await waitForTransactionReceipt(client, { hash: finalizeClaimHash })
        if (receipt.status !== 'success' && !(await finalized())) {
          throw new L1TransactionRevertedError({ what: `finalizeClaim(${proof.claimId})`, hash: finalizeClaimHash })
        }
      }
    }
    // Whoever finalized it, the Portal must see it finalized before our call executes.
    await poll(
      `claim ${proof.claimId} to be finalized in a mined block`,
      async () =>
        (await readClaim(client, claimManager, proof.claimId)).status === 'finalized'
          ? { done: true, value: undefined }
          : { done: false, progress: `claim ${proof.claimId} is finalized in a pending transaction` },
      { pollingInterval: 500, timeout: 120_000 },
    )
  }

  const portal = resolveContractAddress('portal', parameters.portalAddress, targetChain, chain)
  const hash = await writeContract(client, {
    abi: portalAbi,
    address: portal,
    functionName: 'finalizeWithdrawal',
    args: finalizeWithdrawalArgs(proof),
    account,
    chain,
  } as unknown as Parameters<typeof writeContract>[1])
  return { hash, withdrawal: proof.withdrawal, claimId: proof.claimId, finalizeClaimHash }
}
