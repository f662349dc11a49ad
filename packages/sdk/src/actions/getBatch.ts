import type { Client, Transport } from 'viem'
import type { SluiceRpcError, SluiceRpcResponseError } from '../errors.ts'
import type { BatchAtBlock, SluiceBatch } from '../types.ts'
import { parseBatch, parseBatchAtBlock, sluiceRequest, toQuantity } from '../utils/rpc.ts'

export type GetBatchParameters = {
  /** The batch's index in the inbox. */
  index: bigint
}
export type GetBatchReturnType = SluiceBatch | null
export type GetBatchErrorType = SluiceRpcError | SluiceRpcResponseError

/**
 * A batch as the node derived it — its L2 blocks, message count and state root — or null when the
 * node has not derived it (`sluice_getBatch`).
 *
 * @example
 * const batch = await getBatch(l2Client, { index: 0n })
 * console.log(batch?.lastBlock, batch?.stateRoot)
 */
export async function getBatch(client: Client<Transport>, { index }: GetBatchParameters): Promise<GetBatchReturnType> {
  return parseBatch(await sluiceRequest(client, 'sluice_getBatch', [toQuantity(index)]))
}

export type GetBatchOfBlockParameters = {
  /** An L2 block number. */
  blockNumber: bigint
}
export type GetBatchOfBlockReturnType = BatchAtBlock | null

/**
 * The batch that holds L2 block `blockNumber` (the first batch at or after it), or null while no
 * batch on L1 holds it yet (`sluice_claimAtBlock`). A claim at that batch or a later one covers the
 * block.
 *
 * @example
 * const batch = await getBatchOfBlock(l2Client, { blockNumber: receipt.blockNumber })
 */
export async function getBatchOfBlock(
  client: Client<Transport>,
  { blockNumber }: GetBatchOfBlockParameters,
): Promise<GetBatchOfBlockReturnType> {
  return parseBatchAtBlock(await sluiceRequest(client, 'sluice_claimAtBlock', [toQuantity(blockNumber)]))
}
