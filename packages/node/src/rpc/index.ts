export { type BlockSelector, type BlockTag, findBlock, parseBlockSelector, stateBlock } from './blockTag.ts'
export { type Admission, type DispatchResult, JsonRpcDispatcher } from './dispatch.ts'
export {
  headerNotFound,
  invalidParam,
  type JsonRpcErrorObject,
  methodNotFound,
  REFUSAL_FOR_NOOP_REASON,
  RPC_ERROR_CODES,
  RpcError,
  type RpcErrorCode,
  TXPOOL_REFUSALS,
  type TxPoolRefusalCode,
  TxPoolRefusalError,
  toJsonRpcError,
} from './errors.ts'
export {
  blockSize,
  formatBlock,
  formatHeader,
  formatIncludedTransaction,
  formatLog,
  formatPendingTransaction,
  formatReceipt,
  toJson,
} from './format.ts'
export { ForwardError, type ForwardOptions, forwardPendingNonce, forwardTransactions } from './forward.ts'
export {
  type CallContext,
  createMethods,
  type MethodDependencies,
  type MethodHandler,
  type SubscriptionHost,
} from './methods.ts'
export { createRpcMetrics, type RpcMetrics } from './metrics.ts'
export { RateLimiter } from './rateLimit.ts'
export { createRpcServer, type RpcServer, type RpcServerAddress } from './server.ts'
export {
  DEFAULT_RPC_LIMITS,
  type HealthReport,
  type PendingPool,
  type PendingTransaction,
  type RateLimit,
  type RollupRpcProvider,
  type RpcJson,
  type RpcLimits,
  type RpcServerOptions,
  type SendBodyAdmission,
  type SendBodyIntake,
} from './types.ts'
