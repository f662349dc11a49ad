export {
  type BlockPlan,
  type DerivationConfig,
  decodeL1Batch,
  deriveBatch,
  executePlans,
  planBatch,
  tipOf,
} from './deriveBatch.ts'
export { MissingDelayedMessageError } from './errors.ts'
export { delayedToStfMessage } from './messages.ts'
export type { ChainTip, DelayedMessageSource, L1Batch, L1BlobBatch } from './types.ts'
