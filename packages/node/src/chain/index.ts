export { BlobStore } from './blobStore.ts'
export { ChainStoreCorruptError, decodeBlockHeader, decodeStoredBlock, encodeStoredBlock } from './codec.ts'
export {
  NODE_LEVEL_OPTIONS,
  openNodeStore,
  registerStoreMetrics,
  STORE_FORMAT,
  StoreFormatError,
  storeMemoryBytes,
} from './nodeStore.ts'
export {
  judgeOwnBatch,
  type OwnBatchInputs,
  type OwnBatchRejection,
  type OwnBatchVerdict,
  type PostedBatch,
  PostedBatchAdoption,
} from './ownBatches.ts'
export {
  CACHE_TRANSACTIONS,
  ChainStore,
  ChainStoreMismatchError,
  type ChainStoreOptions,
  hashKey,
  toStoredBlock,
} from './store.ts'
export type {
  BatchRecord,
  ChainReader,
  HeadName,
  Heads,
  StoredBlock,
  StoredTransaction,
  TransactionLocation,
} from './types.ts'
