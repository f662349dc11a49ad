export {
  BeaconBlobProvider,
  type BlobBlock,
  type BlobCheck,
  BlobMismatchError,
  type BlobProvider,
  type BlobRequest,
  BlobUnavailableError,
  blobProviderFor,
  fetchBlobs,
  warmKzg,
} from './beacon.ts'
export {
  applyDisputeLogs,
  type DisputeLog,
  decodeDisputeLogs,
  foldClaim,
  foldGame,
  rewindClaim,
  rewindGame,
} from './disputes.ts'
export {
  BatchDataError,
  DelayedMessageMismatchError,
  L1InconsistencyError,
  L1RpcError,
  L1StoreCorruptError,
} from './errors.ts'
export {
  assembleBatch,
  assembleBlobBatch,
  type BatchAppendedEvent,
  batchBytesFromTransaction,
  decodeInboxLogs,
  INBOX_START,
  type InboxEvents,
  type InboxPosition,
  kzgHintsFromTransaction,
  nextAccumulator,
} from './inbox.ts'
export {
  encodeKzgHints,
  hintsByVersionedHash,
  KZG_HINT_BYTES,
  type KzgHint,
  splitKzgHints,
} from './kzgHints.ts'
export { createL1ReaderMetrics, type L1ReaderMetrics } from './metrics.ts'
export { decodePortalLogs } from './portal.ts'
export { L1Reader, type L1ReaderOptions } from './reader.ts'
export { isTemporaryRpcError, type RetryOptions, withRetry } from './retry.ts'
export { type L1Meta, l1Keys } from './schema.ts'
export { type L1Header, type L1Log, type L1Source, type L1Transaction, viemL1Source } from './source.ts'
export type {
  ClaimRecord,
  ClaimStatus,
  DataAvailability,
  DisputeEvent,
  GameRecord,
  InboxBatch,
  L1Addresses,
  L1BlockRef,
  L1Origin,
  L1Step,
  PortalMessage,
  UnconfirmedView,
} from './types.ts'
