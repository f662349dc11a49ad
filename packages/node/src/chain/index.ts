export { BlobStore } from './blobStore.ts'
export { ChainStoreCorruptError, decodeBlockHeader, decodeStoredBlock, encodeStoredBlock } from './codec.ts'
export {
  judgeOwnBatch,
  type OwnBatchInputs,
  type OwnBatchRejection,
  type OwnBatchVerdict,
  type PostedBatch,
  PostedBatchAdoption,
} from './ownBatches.ts'
export { ChainStore, ChainStoreMismatchError, hashKey, toStoredBlock } from './store.ts'
export type {
  BatchRecord,
  ChainReader,
  HeadName,
  Heads,
  StoredBlock,
  StoredTransaction,
  TransactionLocation,
} from './types.ts'
