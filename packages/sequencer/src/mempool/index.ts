export { type DropReason, MempoolConfigError, MempoolError, refusalForNoop } from './errors.ts'
export { HeadAccounts } from './headAccounts.ts'
export { blockHashKeys, blockSenderKeys } from './keys.ts'
export { Mempool } from './mempool.ts'
export { registerMempoolMetrics } from './metrics.ts'
export { RecoveryBatcher, type SenderRecovery } from './recoveryBatcher.ts'
export type {
  AccountState,
  AccountView,
  DroppedTransaction,
  MempoolLimits,
  MempoolOptions,
  MempoolStats,
  PoolTransaction,
  RecoveredTransaction,
} from './types.ts'
