export {
  appendBatchGas,
  BatchConflictError,
  Batcher,
  type BatchIntent,
  BatchSelfCheckError,
} from './batcher/batcher.ts'
export {
  BlockBuilder,
  type BlockBuilderOptions,
  type DelayedMessages,
  type TransactionSource,
} from './builder/blockBuilder.ts'
export * from './intake/index.ts'
export * from './mempool/index.ts'
export { parseSequencerOptions, SEQUENCER_FAULTS, SEQUENCER_OPTIONS, type SequencerOptions } from './options.ts'
export { Proposer, type ProposerOptions } from './proposer/proposer.ts'
export { SEQUENCER_VERSION, type SequencerNode, startSequencer } from './sequencerNode.ts'
