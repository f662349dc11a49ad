import type { Client, Transport } from 'viem'
import type { SluiceRpcError, SluiceRpcResponseError } from '../errors.ts'
import type { SyncStatus } from '../types.ts'
import { parseSyncStatus, sluiceRequest } from '../utils/rpc.ts'

export type GetSyncStatusReturnType = SyncStatus
export type GetSyncStatusErrorType = SluiceRpcError | SluiceRpcResponseError

/**
 * Where the L2 node stands: its unsafe, safe and finalized heads, the L1 blocks it follows, its lags
 * and batch count (`sluice_syncStatus`).
 *
 * @example
 * const status = await getSyncStatus(l2Client)
 * console.log(status.unsafe.number, status.safe.number, status.finalized.number)
 */
export async function getSyncStatus(client: Client<Transport>): Promise<GetSyncStatusReturnType> {
  return parseSyncStatus(await sluiceRequest(client, 'sluice_syncStatus', []))
}
