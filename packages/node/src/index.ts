/**
 * @sluice/node: what every Sluice node runs — the chain store, config loading, logs and metrics,
 * the L1 reader, the derivation driver, the JSON-RPC server and the p2p host. The sequencer and the
 * verifier are thin services on top of it.
 */
export * from './chain/index.ts'
export { ChainSink, type ChainSinkOptions, UnsafeChainDivergedError, type UnsafeReorg } from './chain/sink.ts'
export * from './config/index.ts'
export * from './derive/index.ts'
export * from './dispute/index.ts'
export * from './l1/index.ts'
export { Liveness, type LivenessCheck } from './ops/liveness.ts'
export { createLogger, type Logger } from './ops/logger.ts'
export { type Loop, type LoopOptions, startLoop } from './ops/loop.ts'
export { createNodeMetrics, type NodeMetrics } from './ops/metrics.ts'
export { Mutex } from './ops/mutex.ts'
export { type NodeInfo, writeNodeInfo } from './ops/nodeInfo.ts'
export {
  applyProcessDefaults,
  missingProcessDefaults,
  PROCESS_DEFAULTS_MARK,
  type ProcessDefaults,
} from './ops/processDefaults.ts'
export { type RunningNode, runNode } from './ops/runNode.ts'
export * from './p2p/index.ts'
export {
  advanceFinalizedHead,
  type ClaimCheck,
  type ClaimVerdict,
  checkClaim,
  createRollupProvider,
  type RollupProviderOptions,
} from './rollup/provider.ts'
export * from './rpc/index.ts'
export {
  BLOB_REPLACEMENT_BUMP_PERCENT,
  type L1Fees,
  REPLACEMENT_BUMP_PERCENT,
  replacementFees,
} from './wallet/fees.ts'
export {
  type L1BlobSidecars,
  L1SendError,
  type L1TransactionRequest,
  L1Wallet,
  l1TransactionHash,
  type SignedL1Transaction,
  walletFor,
} from './wallet/l1Wallet.ts'
