import type { Client, Hash, TransactionReceipt, Transport } from 'viem'
import { getTransactionReceipt } from 'viem/actions'
import type { SluiceRpcError, SluiceRpcResponseError, WaitTimeoutError } from '../errors.ts'
import type { SyncStatus } from '../types.ts'
import { poll, type WaitOptions } from '../utils/poll.ts'
import { getSyncStatus } from './getSyncStatus.ts'

export type WaitForHeadParameters = WaitOptions & {
  /** The L2 transaction. */
  hash: Hash
}
export type WaitForHeadReturnType = { receipt: TransactionReceipt; syncStatus: SyncStatus }
export type WaitForHeadErrorType = WaitTimeoutError | SluiceRpcError | SluiceRpcResponseError

/**
 * Waits until L2 transaction `hash` is in a block at or below the node's `head` (safe or finalized).
 * The receipt is read again on each poll, so a transaction moved to another block by an L2 reorg is
 * followed to its new block.
 */
export async function waitForHead(
  client: Client<Transport>,
  head: 'safe' | 'finalized',
  { hash, ...options }: WaitForHeadParameters,
): Promise<WaitForHeadReturnType> {
  return poll<WaitForHeadReturnType>(
    `L2 transaction ${hash} to become ${head}`,
    async () => {
      const receipt = await getTransactionReceipt(client, { hash }).catch(() => undefined)
      if (receipt === undefined) return { done: false, progress: `${hash} is not in an L2 block yet` }
      const syncStatus = await getSyncStatus(client)
      const headNumber = syncStatus[head].number
      if (headNumber >= receipt.blockNumber) return { done: true, value: { receipt, syncStatus } }
      return {
        done: false,
        progress: `in L2 block ${receipt.blockNumber}; ${head} head at ${headNumber} (${receipt.blockNumber - headNumber} to go)`,
      }
    },
    options,
  )
}

export type WaitForSafeParameters = WaitForHeadParameters
export type WaitForSafeReturnType = WaitForHeadReturnType
export type WaitForSafeErrorType = WaitForHeadErrorType

/**
 * Waits until an L2 transaction is **safe**: derived from L1 blocks `l1Confirmations` deep, so only
 * a deep L1 reorg can undo it.
 *
 * @example
 * const { receipt } = await waitForSafe(l2Client, { hash, onProgress: console.error })
 */
export async function waitForSafe(
  client: Client<Transport>,
  parameters: WaitForSafeParameters,
): Promise<WaitForSafeReturnType> {
  return waitForHead(client, 'safe', parameters)
}
