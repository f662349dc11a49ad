import type { Chain, Client, Transport } from 'viem'
import { L2TransactionNotFoundError, type WaitTimeoutError, WithdrawalAlreadyFinalizedError } from '../errors.ts'
import { poll, type WaitOptions } from '../utils/poll.ts'
import {
  type GetWithdrawalStatusErrorType,
  type GetWithdrawalStatusParameters,
  type GetWithdrawalStatusReturnType,
  getWithdrawalStatus,
} from './getWithdrawalStatus.ts'

export type WaitUntilFinalizableParameters = GetWithdrawalStatusParameters & WaitOptions
export type WaitUntilFinalizableReturnType = GetWithdrawalStatusReturnType & { status: 'finalizable' }
export type WaitUntilFinalizableErrorType =
  | GetWithdrawalStatusErrorType
  | L2TransactionNotFoundError
  | WaitTimeoutError
  | WithdrawalAlreadyFinalizedError

/** What a withdrawal in `status` is waiting for, for progress lines. */
function waitingFor(status: GetWithdrawalStatusReturnType, now: number): string {
  switch (status.status) {
    case 'pending':
      return 'waiting for the transaction to enter an L2 block'
    case 'included':
      return `in L2 block ${status.l2BlockNumber}; waiting for its batch to be posted and confirmed on L1`
    case 'safe':
      return `safe in batch ${status.batchIndex}; waiting for a claim that covers it`
    case 'claimed': {
      const left = status.claim === undefined ? 0 : Math.max(0, Number(status.claim.finalizableAt) - now)
      return `claimed by claim ${status.claim?.id} (${status.claim?.status}); challenge period ends in ~${Math.ceil(left / 10) * 10} s`
    }
    default:
      return status.status
  }
}

/**
 * Waits until a withdrawal can be finalized on L1: its batch is posted, a claim covers it and that
 * claim's challenge period has passed with no open game. Reports progress through `onProgress`.
 *
 * @example
 * await l1Client.waitUntilFinalizable({ l2Client, transactionHash: hash, onProgress: (line) => console.error(line) })
 */
export async function waitUntilFinalizable(
  client: Client<Transport, Chain | undefined>,
  parameters: WaitUntilFinalizableParameters,
): Promise<WaitUntilFinalizableReturnType> {
  const { pollingInterval, timeout, onProgress, ...statusParameters } = parameters
  return poll<WaitUntilFinalizableReturnType>(
    `withdrawal ${parameters.transactionHash} to become finalizable`,
    async () => {
      const status = await getWithdrawalStatus(client, statusParameters)
      if (status.status === 'finalizable') return { done: true, value: status as WaitUntilFinalizableReturnType }
      // A withdrawal comes from a mined transaction: an unknown hash is a mistake, not something to wait for.
      if (status.status === 'unknown') throw new L2TransactionNotFoundError({ hash: parameters.transactionHash })
      if (status.status === 'finalized') {
        throw new WithdrawalAlreadyFinalizedError({
          withdrawalHash: status.withdrawal?.withdrawalHash ?? parameters.transactionHash,
        })
      }
      return { done: false, progress: waitingFor(status, Math.floor(Date.now() / 1000)) }
    },
    { pollingInterval, timeout, onProgress },
  )
}
