export {
  type BlobBatchWalk,
  type BlobBodyLayout,
  type BlobMessageLocation,
  type BlobWalkStop,
  blobBatchHash,
  blobBatchWithinBounds,
  blobOpeningsForMessage,
  blobSlotSpan,
  locateBlobMessage,
  readBlobBodyLayout,
  type SlotSpan,
  walkBlobBatch,
} from './blobBody.ts'
export { type BatchBlock, BatchBuilder, type BatchBuilderOptions, type DataAvailability } from './builder.ts'
export {
  BATCH_HEADER_BYTES,
  BATCH_VERSION,
  BLOB_BATCH_DA_TAG,
  BLOB_BODY_LIMIT,
  FEE_ENTRY_BYTES as BATCH_FEE_ENTRY_BYTES,
  FORCED_BATCH_VERSION,
  MAX_ADDRESSES as BATCH_MAX_ADDRESSES,
  MAX_BLOBS_PER_BATCH,
  MAX_BLOCKS_PER_BATCH,
  MAX_EXPONENT as BATCH_MAX_VALUE_EXPONENT,
  MAX_FEE_ENTRIES as BATCH_MAX_FEE_ENTRIES,
  MAX_SLOT_BYTES as BATCH_MAX_SLOT_BYTES,
  MIN_SLOT_BYTES as BATCH_MIN_SLOT_BYTES,
  SLOT_GROUP_SIZE as BLOB_SLOT_GROUP_SIZE,
} from './constants.ts'
export {
  clampTimestamp,
  type DecodeBatchOptions,
  type DecodeBlobBatchOptions,
  type DecodedBatch,
  type DecodedBlock,
  decodeBatch,
  decodeBlobBatch,
  decodeBlobWalk,
  decodeWalk,
} from './decode.ts'
export {
  addressFromKey,
  addressKey,
  type BatchDictionaries,
  createDictionaries,
  feeKey,
} from './dictionaries.ts'
export {
  type EncodeBatchParameters,
  type EncodeBlobBatchBodyParameters,
  type EncodedBlobBatch,
  encodeBatch,
  encodeBlobBatchBody,
} from './encode.ts'
export { BatchArgumentError, BatchEncodeError, type BatchEncodeProblem } from './errors.ts'
export { type BatchHeader, decodeBatchHeader, encodeBatchHeader, encodeForcedBatch } from './header.ts'
export {
  type BatchFeeEntry,
  type BatchPrelude,
  encodePrelude,
  preludeAddress,
  preludeLength,
  readPrelude,
} from './prelude.ts'
export {
  decodeSlot,
  decodeSlotAt,
  encodeSlot,
  type PreparedSlot,
  preparedSlotLength,
  prepareSlot,
  type SlotDictionaryReads,
  type SlotResult,
  worstSlotLength,
  writePreparedSlot,
} from './slot.ts'
export {
  decodeValue,
  encodeValue,
  readValue,
  type ValueParts,
  type ValueRead,
  valueParts,
} from './value.ts'
export {
  decodeVarint,
  encodeVarint,
  readVarint,
  type VarintProblem,
  type VarintRead,
  varintLength,
} from './varint.ts'
export {
  type BatchWalk,
  locateMessage,
  type MessageLocation,
  type WalkedBlock,
  type WalkStop,
  walkBatch,
} from './walk.ts'
