/**
 * @sluice/sdk: viem chain definitions and actions for Sluice, an optimistic rollup.
 *
 * Decorators for `client.extend`: `publicActionsL1`, `walletActionsL1` (an L1 client: deposits,
 * claims, withdrawal status and finalization), `publicActionsL2`, `walletActionsL2` (an L2 client:
 * sync status, batches, waits, withdrawals). Each action is also exported as a plain function
 * `action(client, parameters)`.
 */
export {
  type BuildFinalizeWithdrawalErrorType,
  type BuildFinalizeWithdrawalParameters,
  type BuildFinalizeWithdrawalReturnType,
  buildFinalizeWithdrawal,
} from './actions/buildFinalizeWithdrawal.ts'
export {
  DEPOSIT_GAS_MARGIN,
  type DepositETHErrorType,
  type DepositETHParameters,
  type DepositETHReturnType,
  depositETH,
} from './actions/depositETH.ts'
export {
  type FinalizeWithdrawalErrorType,
  type FinalizeWithdrawalParameters,
  type FinalizeWithdrawalReturnType,
  finalizeWithdrawal,
} from './actions/finalizeWithdrawal.ts'
export {
  type GetBatchErrorType,
  type GetBatchOfBlockParameters,
  type GetBatchOfBlockReturnType,
  type GetBatchParameters,
  type GetBatchReturnType,
  getBatch,
  getBatchOfBlock,
} from './actions/getBatch.ts'
export {
  type ClaimStatus,
  type GetClaimsParameters,
  type GetClaimsReturnType,
  getClaims,
  type SluiceClaim,
} from './actions/getClaims.ts'
export { type GetGamesParameters, type GetGamesReturnType, getGames, type SluiceGame } from './actions/getGames.ts'
export { type GetSyncStatusErrorType, type GetSyncStatusReturnType, getSyncStatus } from './actions/getSyncStatus.ts'
export {
  type GetWithdrawalStatusErrorType,
  type GetWithdrawalStatusParameters,
  type GetWithdrawalStatusReturnType,
  getWithdrawalStatus,
  type WithdrawalStatus,
} from './actions/getWithdrawalStatus.ts'
export {
  type GetWithdrawalsParameters,
  type GetWithdrawalsReturnType,
  getWithdrawals,
} from './actions/getWithdrawals.ts'
export {
  type WaitForDepositErrorType,
  type WaitForDepositParameters,
  type WaitForDepositReturnType,
  waitForDeposit,
} from './actions/waitForDeposit.ts'
export {
  type WaitForFinalizedErrorType,
  type WaitForFinalizedParameters,
  type WaitForFinalizedReturnType,
  waitForFinalized,
} from './actions/waitForFinalized.ts'
export {
  type WaitForSafeErrorType,
  type WaitForSafeParameters,
  type WaitForSafeReturnType,
  waitForSafe,
} from './actions/waitForSafe.ts'
export {
  type WaitUntilFinalizableErrorType,
  type WaitUntilFinalizableParameters,
  type WaitUntilFinalizableReturnType,
  waitUntilFinalizable,
} from './actions/waitUntilFinalizable.ts'
export {
  type WithdrawETHErrorType,
  type WithdrawETHParameters,
  type WithdrawETHReturnType,
  withdrawalData,
  withdrawalGas,
  withdrawETH,
} from './actions/withdrawETH.ts'
export * from './chain.ts'
export {
  type FinalizeWithdrawalProof,
  finalizeWithdrawalArgs,
  type GameStatus,
  type GameTurn,
  type OnChainClaimStatus,
  type Withdrawal,
} from './contracts.ts'
export { type PublicActionsL1, publicActionsL1 } from './decorators/publicL1.ts'
export { type PublicActionsL2, publicActionsL2 } from './decorators/publicL2.ts'
export { type WalletActionsL1, walletActionsL1 } from './decorators/walletL1.ts'
export { type WalletActionsL2, walletActionsL2 } from './decorators/walletL2.ts'
export * from './devnet.ts'
export * from './errors.ts'
export type * from './types.ts'
export type { WaitOptions } from './utils/poll.ts'
export {
  type Deposit,
  getDepositsFromLogs,
  getWithdrawalsFromLogs,
  MESSAGE_PASSER,
  messagePassedEvent,
} from './utils/withdrawals.ts'
