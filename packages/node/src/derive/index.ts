export {
  type BatchBlobs,
  BeaconNotConfiguredError,
  BlobRetrieval,
  type BlobRetrievalOptions,
  type BlobWait,
  describeBlobWait,
  withBlobWait,
} from './blobs.ts'
export { DerivationDriver, type DerivationDriverOptions, genesisTip } from './driver.ts'
export {
  BatchContinuityError,
  DerivationBusyError,
  DerivationInvariantError,
  DerivationStoreCorruptError,
  GenesisMismatchError,
} from './errors.ts'
export { adoptBatch, executeBatch } from './executor.ts'
export { createDerivationMetrics, type DerivationMetrics } from './metrics.ts'
export { DerivationPipeline, type PipelineStep } from './pipeline.ts'
export { BatchPlanner, type BatchPlannerOptions, touchedAddresses } from './planner.ts'
export { ProgressTracker } from './progress.ts'
export { retrieveNextBatch, tipMatchesSource } from './retrieval.ts'
export { decodeTip, deriveKeys, encodeTip, tipOps } from './schema.ts'
export type {
  AdoptedBatch,
  BatchSource,
  DerivationSink,
  DerivedBatch,
  OwnBatches,
  PlannedBatch,
  PlanningTip,
  SafeTip,
  SyncProgress,
} from './types.ts'
