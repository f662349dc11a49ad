import type { Client, Hash, TransactionReceipt, Transport } from 'viem'
import { getTransactionReceipt } from 'viem/actions'
import type { Withdrawal } from '../contracts.ts'
import { getWithdrawalsFromLogs } from '../utils/withdrawals.ts'

export type GetWithdrawalsParameters =
  | { hash: Hash; receipt?: undefined }
  | { receipt: TransactionReceipt; hash?: undefined }
export type GetWithdrawalsReturnType = Withdrawal[]

/**
 * The withdrawals an L2 transaction made, read from its receipt's `MessagePassed` logs (empty for a
 * transfer).
 *
 * @example
 * const [withdrawal] = await getWithdrawals(l2Client, { hash })
 */
export async function getWithdrawals(
  client: Client<Transport>,
  parameters: GetWithdrawalsParameters,
): Promise<GetWithdrawalsReturnType> {
  const receipt = parameters.receipt ?? (await getTransactionReceipt(client, { hash: parameters.hash as Hash }))
  return getWithdrawalsFromLogs(receipt.logs)
}
