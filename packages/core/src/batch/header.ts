import { BATCH_HEADER_BYTES, FORCED_BATCH_VERSION, MAX_SLOT_COUNT, MIN_SLOT_BYTES, UINT64_LIMIT } from './constants.ts'
import { BatchEncodeError } from './errors.ts'
import { readUint, readUintNumber, writeUint } from './fixed.ts'

/** The 13-byte batch header (docs/protocol.md §5.2), the part the inbox reads on chain. */
export type BatchHeader = {
  /** 1: a sequencer batch; 0: a forced-inclusion batch (header only) */
  version: 0 | 1
  /** the Portal's delayed-message count once this batch is applied (uint64) */
  delayedCountAfter: bigint
  /** the number of slots (uint32); with the delayed messages it fixes the batch's message count */
  slotCount: number
}

/** Writes the header into the first 13 bytes of `out`. */
export function writeBatchHeader(header: BatchHeader, out: Uint8Array, offset = 0): void {
  if (header.delayedCountAfter < 0n || header.delayedCountAfter >= UINT64_LIMIT) {
    throw new BatchEncodeError('blockOrder', `delayedCountAfter ${header.delayedCountAfter} is not a uint64`)
  }
  if (!Number.isInteger(header.slotCount) || header.slotCount < 0 || header.slotCount > MAX_SLOT_COUNT) {
    throw new BatchEncodeError('tooLarge', `slotCount ${header.slotCount} is not a uint32`)
  }
  out[offset] = header.version
  writeUint(header.delayedCountAfter, out, offset + 1, 8)
  writeUint(header.slotCount, out, offset + 9, 4)
}

/** The 13 header bytes. */
export function encodeBatchHeader(header: BatchHeader): Uint8Array {
  const out = new Uint8Array(BATCH_HEADER_BYTES)
  writeBatchHeader(header, out)
  return out
}

/**
 * Reads the header of `batch`, or returns undefined for bytes the inbox never accepts as a batch:
 * shorter than 13 bytes, a version other than 0 and 1, or `slotCount × 64 > batch.length − 13`
 * (one slot per `MIN_SLOT_BYTES` = 64 body bytes, §5.1 and §5.6 step 1). Never throws.
 */
export function decodeBatchHeader(batch: Uint8Array): BatchHeader | undefined {
  if (batch.length < BATCH_HEADER_BYTES) return undefined
  const version = batch[0] as number
  if (version > 1) return undefined
  const slotCount = readUintNumber(batch, 9, 4)
  if (slotCount * MIN_SLOT_BYTES > batch.length - BATCH_HEADER_BYTES) return undefined
  return { version: version as 0 | 1, delayedCountAfter: readUint(batch, 1, 8), slotCount }
}

/**
 * The bytes of a forced-inclusion batch (§5.3): exactly the header `(0, upToDelayedCount, 0)`.
 * Nodes rebuild them from the `BatchForced` event.
 */
export function encodeForcedBatch(upToDelayedCount: bigint): Uint8Array {
  return encodeBatchHeader({ version: FORCED_BATCH_VERSION, delayedCountAfter: upToDelayedCount, slotCount: 0 })
}
