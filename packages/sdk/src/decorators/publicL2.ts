import type { Chain, Client, Transport } from 'viem'
import {
  type GetBatchOfBlockParameters,
  type GetBatchOfBlockReturnType,
  type GetBatchParameters,
  type GetBatchReturnType,
  getBatch,
  getBatchOfBlock,
} from '../actions/getBatch.ts'
import { type GetSyncStatusReturnType, getSyncStatus } from '../actions/getSyncStatus.ts'
import {
  type GetWithdrawalsParameters,
  type GetWithdrawalsReturnType,
  getWithdrawals,
} from '../actions/getWithdrawals.ts'
import {
  type WaitForDepositParameters,
  type WaitForDepositReturnType,
  waitForDeposit,
} from '../actions/waitForDeposit.ts'
import {
  type WaitForFinalizedParameters,
  type WaitForFinalizedReturnType,
  waitForFinalized,
} from '../actions/waitForFinalized.ts'
import { type WaitForSafeParameters, type WaitForSafeReturnType, waitForSafe } from '../actions/waitForSafe.ts'

export type PublicActionsL2 = {
  getSyncStatus: () => Promise<GetSyncStatusReturnType>
  getBatch: (parameters: GetBatchParameters) => Promise<GetBatchReturnType>
  getBatchOfBlock: (parameters: GetBatchOfBlockParameters) => Promise<GetBatchOfBlockReturnType>
  getWithdrawals: (parameters: GetWithdrawalsParameters) => Promise<GetWithdrawalsReturnType>
  waitForDeposit: (parameters: WaitForDepositParameters) => Promise<WaitForDepositReturnType>
  waitForSafe: (parameters: WaitForSafeParameters) => Promise<WaitForSafeReturnType>
  waitForFinalized: (parameters: WaitForFinalizedParameters) => Promise<WaitForFinalizedReturnType>
}

/**
 * Sluice's read actions for an L2 client: sync status, batches, withdrawals in receipts, and waits
 * for deposits and for the safe and finalized heads.
 *
 * @example
 * const l2 = createPublicClient({ chain: sluiceDevnet, transport: http() }).extend(publicActionsL2())
 * const { safe, finalized } = await l2.getSyncStatus()
 */
export function publicActionsL2() {
  return <transport extends Transport, chain extends Chain | undefined>(
    client: Client<transport, chain>,
  ): PublicActionsL2 => ({
    getSyncStatus: () => getSyncStatus(client),
    getBatch: (parameters) => getBatch(client, parameters),
    getBatchOfBlock: (parameters) => getBatchOfBlock(client, parameters),
    getWithdrawals: (parameters) => getWithdrawals(client, parameters),
    waitForDeposit: (parameters) => waitForDeposit(client, parameters),
    waitForSafe: (parameters) => waitForSafe(client, parameters),
    waitForFinalized: (parameters) => waitForFinalized(client, parameters),
  })
}
