import type { Address, Chain, Client, Hash, TransactionReceipt, Transport } from 'viem'
import { getTransaction, getTransactionReceipt, readContract } from 'viem/actions'
import type { SluiceChain } from '../chain.ts'
import { portalAbi, type Withdrawal } from '../contracts.ts'
import { NotAWithdrawalError, type SluiceRpcError, type SluiceRpcResponseError } from '../errors.ts'
import { resolveContractAddress, type TargetChainParameter } from '../utils/contractAddress.ts'
import { getWithdrawalsFromLogs } from '../utils/withdrawals.ts'
import { getBatch, getBatchOfBlock } from './getBatch.ts'
import { getClaims, type SluiceClaim } from './getClaims.ts'
import { getSyncStatus } from './getSyncStatus.ts'

/**
 * Where a withdrawal stands, in order:
 * - `unknown`: the L2 node does not know the transaction;
 * - `pending`: in the node's pool, not in a block;
 * - `included`: in an L2 block that is not safe yet;
 * - `safe`: its block is derived from confirmed L1 batches; no claim covers it yet;
 * - `claimed`: a claim covers it, still in its challenge period (or challenged);
 * - `finalizable`: a claim covering it is finalized or can be: `finalizeWithdrawal` will pay it;
 * - `finalized`: the Portal paid it.
 */
export type WithdrawalStatus = 'unknown' | 'pending' | 'included' | 'safe' | 'claimed' | 'finalizable' | 'finalized'

export type GetWithdrawalStatusParameters = TargetChainParameter & {
  /** A client of the L2 node (public actions are enough). */
  l2Client: Client<Transport, Chain | undefined>
  /** The L2 withdrawal transaction. */
  transactionHash: Hash
  portalAddress?: Address | undefined
  claimManagerAddress?: Address | undefined
  disputeGameAddress?: Address | undefined
  /** L1 block to search claims from; the deployment block by default. */
  fromBlock?: bigint | undefined
}

export type GetWithdrawalStatusReturnType = {
  status: WithdrawalStatus
  transactionHash: Hash
  /** The withdrawal, once the transaction is in a block. */
  withdrawal?: Withdrawal | undefined
  /** The L2 block holding it. */
  l2BlockNumber?: bigint | undefined
  /** The batch holding that block, once posted. */
  batchIndex?: bigint | undefined
  /**
   * The claim to finalize against: a finalized or finalizable one when there is one, else the
   * pending claim that can finalize first. Only claims whose state root the L2 node agrees with.
   */
  claim?: SluiceClaim | undefined
  /** Every claim covering the withdrawal whose state root the L2 node agrees with. */
  claims?: SluiceClaim[] | undefined
}
export type GetWithdrawalStatusErrorType = NotAWithdrawalError | SluiceRpcError | SluiceRpcResponseError

/** How many of the claims covering a withdrawal are read (the earliest proposed). */
const CANDIDATE_CLAIMS = 16

/** The L2 chain of `l2Client` as a Sluice chain, when it is one. */
function sluiceChainOf(l2Client: Client<Transport, Chain | undefined>): SluiceChain | undefined {
  const chain = l2Client.chain as Partial<SluiceChain> | undefined
  return chain?.contracts?.portal === undefined ? undefined : (chain as SluiceChain)
}

/**
 * Where an L2 withdrawal stands, from the L2 node (its block, batch, heads) and L1 (claims and the
 * Portal's `paid`). Claims are only trusted when the node computed the same state root at their
 * batch, so a wrong claim (that a verifier will challenge) never counts.
 *
 * @example
 * const { status, claim } = await l1Client.getWithdrawalStatus({ l2Client, transactionHash: hash })
 */
export async function getWithdrawalStatus(
  client: Client<Transport, Chain | undefined>,
  parameters: GetWithdrawalStatusParameters,
): Promise<GetWithdrawalStatusReturnType> {
  const { l2Client, transactionHash } = parameters
  const targetChain = parameters.targetChain ?? sluiceChainOf(l2Client)

  const receipt: TransactionReceipt | undefined = await getTransactionReceipt(l2Client, {
    hash: transactionHash,
  }).catch(() => undefined)
  if (receipt === undefined) {
    const inPool = await getTransaction(l2Client, { hash: transactionHash }).catch(() => undefined)
    return { status: inPool === undefined ? 'unknown' : 'pending', transactionHash }
  }
  const withdrawal = getWithdrawalsFromLogs(receipt.logs)[0]
  if (withdrawal === undefined) throw new NotAWithdrawalError({ hash: transactionHash })
  const base = { transactionHash, withdrawal, l2BlockNumber: receipt.blockNumber }

  const portal = resolveContractAddress('portal', parameters.portalAddress, targetChain, client.chain)
  const paid = await readContract(client, {
    abi: portalAbi,
    address: portal,
    functionName: 'paid',
    args: [withdrawal.withdrawalHash],
  })
  if (paid) return { status: 'finalized', ...base }

  const [batch, syncStatus] = await Promise.all([
    getBatchOfBlock(l2Client, { blockNumber: receipt.blockNumber }),
    getSyncStatus(l2Client),
  ])
  if (batch === null || syncStatus.safe.number < receipt.blockNumber) return { status: 'included', ...base }
  const withBatch = { ...base, batchIndex: batch.batchIndex }

  const candidates = (
    await getClaims(client, {
      targetChain,
      claimManagerAddress: parameters.claimManagerAddress,
      disputeGameAddress: parameters.disputeGameAddress,
      fromBlock: parameters.fromBlock,
      minBatchIndex: batch.batchIndex,
      // The earliest claims covering it finalize first; later ones need not be read on every poll.
      limit: CANDIDATE_CLAIMS,
    })
  ).filter((claim) => claim.status !== 'deleted')
  // Only claims the node agrees with: their root is the node's root after their batch.
  const roots = new Map<bigint, Hash | undefined>()
  for (const claim of candidates) {
    if (!roots.has(claim.batchIndex)) {
      roots.set(claim.batchIndex, (await getBatch(l2Client, { index: claim.batchIndex }))?.stateRoot)
    }
  }
  const claims = candidates.filter((claim) => roots.get(claim.batchIndex) === claim.stateRoot.toLowerCase())
  const ready = claims.find((claim) => claim.status === 'finalized') ?? claims.find((claim) => claim.finalizable)
  if (ready !== undefined) return { status: 'finalizable', ...withBatch, claim: ready, claims }
  const pending = [...claims].sort((a, b) => (a.finalizableAt < b.finalizableAt ? -1 : 1))[0]
  if (pending !== undefined) return { status: 'claimed', ...withBatch, claim: pending, claims }
  return { status: 'safe', ...withBatch, claims }
}
