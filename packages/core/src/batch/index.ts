export { type BatchBlock, BatchBuilder, type BatchBuilderOptions } from './builder.ts'
export {
  BATCH_HEADER_BYTES,
  BATCH_VERSION,
  FEE_ENTRY_BYTES as BATCH_FEE_ENTRY_BYTES,
  FORCED_BATCH_VERSION,
  MAX_ADDRESSES as BATCH_MAX_ADDRESSES,
  MAX_BLOCKS_PER_BATCH,
  MAX_EXPONENT as BATCH_MAX_VALUE_EXPONENT,
  MAX_FEE_ENTRIES as BATCH_MAX_FEE_ENTRIES,
  MAX_SLOT_BYTES as BATCH_MAX_SLOT_BYTES,
  MIN_SLOT_BYTES as BATCH_MIN_SLOT_BYTES,
} from './constants.ts'
export {
  clampTimestamp,
  type DecodeBatchOptions,
  type DecodedBatch,
  type DecodedBlock,
  decodeBatch,
  decodeWalk,
} from './decode.ts'
export {
  addressFromKey,
  addressKey,
  type BatchDictionaries,
  createDictionaries,
  feeKey,
} from './dictionaries.ts'
export { type EncodeBatchParameters, encodeBatch } from './encode.ts'
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
  type SlotResult,
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
