import { type Client, hexToBigInt, type TransactionReceipt, type Transport } from 'viem'
import { getBlock } from 'viem/actions'
import { SluiceRpcResponseError, type WaitTimeoutError } from '../errors.ts'
import { poll, type WaitOptions } from '../utils/poll.ts'
import { type Deposit, getDepositsFromLogs } from '../utils/withdrawals.ts'

export type WaitForDepositParameters = WaitOptions &
  (
    | {
        /** The L1 receipt of the `depositETH` call. */
        l1Receipt: TransactionReceipt
        depositIndex?: undefined
      }
    | {
        /** The deposit's delayed-message number (`Deposit.index`). */
        depositIndex: bigint
        l1Receipt?: undefined
      }
  )
export type WaitForDepositReturnType = {
  /** The first L2 block that includes the deposit (or a later one). */
  l2BlockNumber: bigint
  /** The deposit, when read from an L1 receipt. */
  deposit: Deposit | undefined
}
export type WaitForDepositErrorType = WaitTimeoutError | SluiceRpcResponseError

/**
 * Waits until the L2 has taken a deposit. An L2 block's header `nonce` is the number of delayed
 * messages taken up to and including it (protocol.md §6.3), so deposit `d` is in once the latest
 * block's count exceeds `d`.
 *
 * @example
 * const hash = await l1Wallet.depositETH({ value: parseEther('1'), targetChain: sluiceDevnet })
 * const l1Receipt = await l1Public.waitForTransactionReceipt({ hash })
 * await l2Client.waitForDeposit({ l1Receipt })
 */
export async function waitForDeposit(
  client: Client<Transport>,
  parameters: WaitForDepositParameters,
): Promise<WaitForDepositReturnType> {
  const { l1Receipt, depositIndex, ...options } = parameters
  const deposit = l1Receipt === undefined ? undefined : getDepositsFromLogs(l1Receipt.logs)[0]
  const index = depositIndex ?? deposit?.index
  if (index === undefined) {
    throw new SluiceRpcResponseError({ method: 'waitForDeposit', problem: 'the L1 receipt holds no deposit' })
  }
  return poll<WaitForDepositReturnType>(
    `deposit ${index} to reach L2`,
    async () => {
      const block = await getBlock(client, { blockTag: 'latest' })
      if (block.nonce === null) {
        throw new SluiceRpcResponseError({ method: 'eth_getBlockByNumber', problem: 'the block has no nonce' })
      }
      const taken = hexToBigInt(block.nonce)
      if (taken > index) return { done: true, value: { l2BlockNumber: block.number ?? 0n, deposit } }
      return {
        done: false,
        progress: `L2 block ${block.number} has taken ${taken} delayed messages; waiting for #${index}`,
      }
    },
    options,
  )
}
