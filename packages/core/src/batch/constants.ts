/** Sizes and limits of the batch format (docs/protocol.md §5.2–5.5). */

/** version ‖ delayedCountAfter:uint64 ‖ slotCount:uint32 */
export const BATCH_HEADER_BYTES = 13
/** baseTimestamp:uint64 ‖ addressCount:uint16 ‖ feeCount:uint8, without the dictionaries */
export const PRELUDE_FIXED_BYTES = 11
export const ADDRESS_BYTES = 20
/** maxFeePerGas:uint128 ‖ maxPriorityFeePerGas:uint128 ‖ gasLimit:uint64 */
export const FEE_ENTRY_BYTES = 40
export const MAX_ADDRESSES = 0xffff
export const MAX_FEE_ENTRIES = 0xff
/** A slot's length is one byte. */
export const MAX_SLOT_BYTES = 0xff
export const MAX_SLOT_COUNT = 0xffff_ffff
export const SIGNATURE_BYTES = 64
export const WITHDRAWAL_TAIL_BYTES = 20
/** 12 zero bytes ‖ 20-byte tail: the one data word a slot can carry. */
export const WITHDRAWAL_DATA_BYTES = 32
export const MAX_EXPONENT = 77

/** Sequencer batch and forced-inclusion batch. */
export const BATCH_VERSION = 1
export const FORCED_BATCH_VERSION = 0

export const FLAG_Y_PARITY = 0x01
export const FLAG_TYPE_MASK = 0x06
export const FLAG_TYPE_SHIFT = 1
export const FLAG_INLINE_RECIPIENT = 0x08
export const FLAG_WITHDRAWAL_DATA = 0x10
export const FLAG_FEE_SHIFT = 5
/** A fee index field of 7 in the flags means "a feeIndex varint follows the nonce". */
export const FEE_INDEX_IN_VARINT = 7

export const UINT64_LIMIT = 1n << 64n
export const UINT128_LIMIT = 1n << 128n
export const UINT256_LIMIT = 1n << 256n

/**
 * Bounds that keep the on-chain walk of a batch (§5.6) inside the one-step-proof gas bound (§8.4):
 * at most this many block headers are read from a body, and the inbox accepts at most one slot per
 * MIN_SLOT_BYTES bytes of body (every slot that can decode carries a 64-byte signature).
 */
export const MAX_BLOCKS_PER_BATCH = 512
export const MIN_SLOT_BYTES = 64

/**
 * Blob batches (docs/protocol.md §5.7). `MAX_BLOBS_PER_BATCH` is EIP-7594's per-transaction cap; the
 * inbox refuses more. A blob body is bounded by what that many blobs carry: 126,976 payload bytes
 * per blob less the 4-byte length prefix (`blobCapacity(MAX_BLOBS_PER_BATCH)`), not by `maxBatchBytes`.
 */
export const MAX_BLOBS_PER_BATCH = 6
export const BLOB_BODY_LIMIT = 761_852
/** The DA tag that starts a blob batch's hash preimage (a calldata batch's hash is keccak256 of its bytes). */
export const BLOB_BATCH_DA_TAG = 2
/** Slots per entry of a blob body's `groups` table: a slot's offset sums at most 31 lengths. */
export const SLOT_GROUP_SIZE = 32
/** Bytes of one `groups` entry (uint32 offset relative to the start of the slots). */
export const SLOT_GROUP_OFFSET_BYTES = 4
