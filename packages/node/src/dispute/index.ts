export { DisputeAgent, type DisputeAgentOptions, type DisputeGameStatus } from './agent.ts'
export { BlobsNotRetainedError, MessageNotDerivedError, RootMismatchError } from './errors.ts'
export { createDisputeMetrics, type DisputeMetrics } from './metrics.ts'
export {
  type BlobOpening,
  blobOpenings,
  encodeOneStepProof,
  ONE_STEP_PROOF_ABI,
  type OneStepProofInput,
} from './proof.ts'
export { type MessageLocation, MessageRoots, type MessageRootsOptions, type StepProof } from './roots.ts'
