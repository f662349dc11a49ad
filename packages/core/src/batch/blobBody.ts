/**
 * Blob batches, body version 2 (docs/protocol.md §5.7): the layout, the walk that gives derivation
 * the same blocks and messages as a calldata batch's walk, where a message lies, and which blob
 * field elements a one-step proof must open to read it.
 */
import {
  BLOB_LENGTH_PREFIX_BYTES,
  type BlobElement,
  bodyElements,
  PAYLOAD_BYTES_PER_BLOB,
  payloadElements,
} from '../blob/codec.ts'
import { keccak256 } from '../crypto/keccak.ts'
import {
  ADDRESS_BYTES,
  BLOB_BATCH_DA_TAG,
  FEE_ENTRY_BYTES,
  MAX_BLOBS_PER_BATCH,
  MAX_BLOCKS_PER_BATCH,
  MIN_SLOT_BYTES,
  PRELUDE_FIXED_BYTES,
  SLOT_GROUP_OFFSET_BYTES,
  SLOT_GROUP_SIZE,
  UINT64_LIMIT,
} from './constants.ts'
import { BatchArgumentError } from './errors.ts'
import { readUintNumber, writeUint } from './fixed.ts'
import { type BatchPrelude, readPrelude } from './prelude.ts'
import { decodeSlotAt, type SlotDictionaryReads } from './slot.ts'
import { readVarint } from './varint.ts'
import { checkCounts, MAX_TIMESTAMP, type MessageLocation, type WalkedBlock } from './walk.ts'

/** Offset of `addressCount` in the prelude (after baseTimestamp). */
const ADDRESS_COUNT_AT = 8
/** Offset of the first dictionary address in the prelude. */
const ADDRESSES_AT = 10

/** Where the parts of a blob body start (offsets in body bytes). Only for a body whose prelude is complete. */
export type BlobBodyLayout = {
  prelude: BatchPrelude
  /** offset of `feeCount` (its fee entries follow) */
  feeCountAt: number
  /** P: the prelude's length; `lengths` start here */
  lengthsStart: number
  /** P + S_b */
  groupsStart: number
  /** P + S_b + 4·⌈S_b / 32⌉ */
  slotsStart: number
}

/** Body bytes `[start, end)` of a present slot. */
export type SlotSpan = { start: number; end: number }

/** The layout of a blob body of `slotCount` slots, or undefined when the body ends inside its prelude. Never throws. */
export function readBlobBodyLayout(body: Uint8Array, slotCount: number): BlobBodyLayout | undefined {
  checkCounts(0n, slotCount)
  const read = readPrelude(body, 0)
  if (read === undefined) return undefined
  const lengthsStart = read.next
  const groupsStart = lengthsStart + slotCount
  return {
    prelude: read.prelude,
    feeCountAt: ADDRESSES_AT + read.prelude.addressCount * ADDRESS_BYTES,
    lengthsStart,
    groupsStart,
    slotsStart: groupsStart + SLOT_GROUP_OFFSET_BYTES * Math.ceil(slotCount / SLOT_GROUP_SIZE),
  }
}

/**
 * Slot `k` of a blob body (§5.7.3): present iff `lengths[32g..k]` and `groups[g]` lie inside the body
 * and its end does not pass the body's end; undefined when absent (it is then an empty slot).
 */
export function blobSlotSpan(body: Uint8Array, layout: BlobBodyLayout, k: number): SlotSpan | undefined {
  const group = Math.floor(k / SLOT_GROUP_SIZE)
  const groupAt = layout.groupsStart + group * SLOT_GROUP_OFFSET_BYTES
  if (groupAt + SLOT_GROUP_OFFSET_BYTES > body.length) return undefined
  let start = layout.slotsStart + readUintNumber(body, groupAt, 4)
  for (let i = group * SLOT_GROUP_SIZE; i < k; i++) start += body[layout.lengthsStart + i] as number
  const end = start + (body[layout.lengthsStart + k] as number)
  return end <= body.length ? { start, end } : undefined
}

/** Why the walk of a blob body stopped reading block entries. */
export type BlobWalkStop =
  /** no bytes remained after the last entry */
  | 'end'
  /** an entry's varint was truncated or non-canonical: the rest of the body is ignored */
  | 'blockHeader'
  /** MAX_BLOCKS_PER_BATCH entries were read */
  | 'blockLimit'
  /** an entry announced more messages than remained: the rest of the body is ignored */
  | 'messageOverflow'
  /** the body ends inside the prelude: no slot is present and there are no entries */
  | 'prelude'
  /** the last slot is absent, so the entries have no start: there are none */
  | 'noBlocks'

/** The structure of a blob batch: its blocks (same shape as a calldata batch's walk) and its slots. */
export type BlobBatchWalk = {
  /** undefined when the body ends inside the prelude */
  layout: BlobBodyLayout | undefined
  prelude: BatchPrelude | undefined
  blocks: WalkedBlock[]
  /** slot k's bytes, or undefined when slot k is absent (it fails to decode as an empty slot) */
  slots: (SlotSpan | undefined)[]
  /** where block entries start; undefined when there are none */
  blocksStart: number | undefined
  stop: BlobWalkStop
}

/**
 * Walks a blob body as derivation does (docs/protocol.md §5.7.3). `delayedCount` is D_b and
 * `slotCount` is S_b, both from the inbox. The blocks take the batch's messages — its D_b delayed
 * messages first, then its S_b slots — in order; the result has the shape of `walkBatch`'s, so
 * `decodeBlobWalk` and derivation treat both alike (timestamps are clamped there). Total: never
 * throws on the body (only on counts no inbox produces). The caller bounds S_b by the inbox's rule
 * (`blobBatchWithinBounds`): the walk lists every slot.
 */
export function walkBlobBatch(body: Uint8Array, delayedCount: bigint, slotCount: number): BlobBatchWalk {
  checkCounts(delayedCount, slotCount)
  const layout = readBlobBodyLayout(body, slotCount)
  const slots: (SlotSpan | undefined)[] = new Array(slotCount).fill(undefined)
  if (layout !== undefined) {
    const groups = Math.ceil(slotCount / SLOT_GROUP_SIZE)
    for (let g = 0; g < groups; g++) {
      const groupAt = layout.groupsStart + g * SLOT_GROUP_OFFSET_BYTES
      if (groupAt + SLOT_GROUP_OFFSET_BYTES > body.length) break // so is every later group's
      let start = layout.slotsStart + readUintNumber(body, groupAt, 4)
      const last = Math.min(slotCount, (g + 1) * SLOT_GROUP_SIZE)
      for (let k = g * SLOT_GROUP_SIZE; k < last; k++) {
        const end = start + (body[layout.lengthsStart + k] as number)
        if (end <= body.length) slots[k] = { start, end }
        start = end
      }
    }
  }
  let blocksStart: number | undefined
  if (layout !== undefined) blocksStart = slotCount === 0 ? layout.slotsStart : slots[slotCount - 1]?.end
  const blocks: WalkedBlock[] = []
  let stop: BlobWalkStop = layout === undefined ? 'prelude' : blocksStart === undefined ? 'noBlocks' : 'end'
  let dLeft = delayedCount
  let sLeft = slotCount
  if (layout !== undefined && blocksStart !== undefined) {
    let t = layout.prelude.baseTimestamp
    let pos = blocksStart
    while (pos < body.length) {
      if (blocks.length === MAX_BLOCKS_PER_BATCH) {
        stop = 'blockLimit'
        break
      }
      const timestampDelta = readVarint(body, pos, body.length)
      if (!timestampDelta.ok) {
        stop = 'blockHeader'
        break
      }
      const messageCount = readVarint(body, timestampDelta.next, body.length)
      if (!messageCount.ok) {
        stop = 'blockHeader'
        break
      }
      pos = messageCount.next
      t += timestampDelta.value
      if (t > MAX_TIMESTAMP) t = MAX_TIMESTAMP
      const remaining = dLeft + BigInt(sLeft)
      const take = messageCount.value < remaining ? messageCount.value : remaining
      const nd = take < dLeft ? take : dLeft
      const ns = Number(take - nd)
      blocks.push({ proposedTimestamp: t, delayedCount: nd, firstSlot: slotCount - sLeft, slotCount: ns })
      dLeft -= nd
      sLeft -= ns
      if (messageCount.value > take) {
        stop = 'messageOverflow'
        break
      }
    }
  }
  if (dLeft > 0n || sLeft > 0) {
    blocks.push({ proposedTimestamp: undefined, delayedCount: dLeft, firstSlot: slotCount - sLeft, slotCount: sLeft })
  }
  return { layout, prelude: layout?.prelude, blocks, slots, blocksStart, stop }
}

/** Where message j of a blob batch comes from; a slot also says where its bytes are (undefined: absent). */
export type BlobMessageLocation =
  | Extract<MessageLocation, { kind: 'delayed' }>
  | (Extract<MessageLocation, { kind: 'slot' }> & { span: SlotSpan | undefined })

function checkMessage(j: bigint, delayedCount: bigint, slotCount: number): void {
  checkCounts(delayedCount, slotCount)
  if (j < 0n || j >= delayedCount + BigInt(slotCount)) {
    throw new BatchArgumentError(
      `message ${j} is not in a batch of ${delayedCount} delayed messages and ${slotCount} slots`,
    )
  }
}

/**
 * Message `j` (0 ≤ j < D_b + S_b) of a blob batch, as the one-step prover finds it (§5.7.3): delayed
 * message `delayedCount[b−1] + j` when j < D_b, else slot `j − D_b`, located through its group
 * offset — no walk. Throws `BatchArgumentError` only for j out of range; never on the body.
 */
export function locateBlobMessage(
  body: Uint8Array,
  delayedCount: bigint,
  slotCount: number,
  j: bigint,
): BlobMessageLocation {
  checkMessage(j, delayedCount, slotCount)
  if (j < delayedCount) return { kind: 'delayed', delayedOffset: j }
  const slotNumber = Number(j - delayedCount)
  const layout = readBlobBodyLayout(body, slotCount)
  const span = layout === undefined ? undefined : blobSlotSpan(body, layout, slotNumber)
  const bytes = span === undefined ? new Uint8Array(0) : body.subarray(span.start, span.end)
  return { kind: 'slot', slotNumber, bytes, span }
}

/**
 * The field elements a one-step proof of message `j` of a blob batch must open (§8.3): the exact
 * set the prover requires, sorted by (blobIndex, element) and without duplicates. `body` is the body
 * as `decodeBlobs` gives it (its length is the body length the prover reads). Empty for a delayed
 * message. For a slot: element (0, 0) (the length prefix and `addressCount`); `feeCount` when it lies
 * inside the body; when the prelude is complete and `groups[g]` lies inside the body, `groups[g]` and
 * `lengths[32g..k]`; the slot's bytes when it is present; and when the slot decodes, its fee entry
 * and (recipient by index) its address entry.
 */
export function blobOpeningsForMessage(
  body: Uint8Array,
  delayedCount: bigint,
  slotCount: number,
  j: bigint,
): BlobElement[] {
  checkMessage(j, delayedCount, slotCount)
  if (j < delayedCount) return []
  const k = Number(j - delayedCount)
  const ranges: [number, number][] = []
  const layoutPrefix = Math.min(body.length, ADDRESS_COUNT_AT + 2)
  ranges.push([0, layoutPrefix]) // with the length prefix: element (0, 0)
  if (body.length >= PRELUDE_FIXED_BYTES) {
    const addressCount = readUintNumber(body, ADDRESS_COUNT_AT, 2)
    const feeCountAt = ADDRESSES_AT + addressCount * ADDRESS_BYTES
    if (feeCountAt < body.length) ranges.push([feeCountAt, feeCountAt + 1])
  }
  const layout = readBlobBodyLayout(body, slotCount)
  if (layout !== undefined) {
    const group = Math.floor(k / SLOT_GROUP_SIZE)
    const groupAt = layout.groupsStart + group * SLOT_GROUP_OFFSET_BYTES
    if (groupAt + SLOT_GROUP_OFFSET_BYTES <= body.length) {
      ranges.push([groupAt, groupAt + SLOT_GROUP_OFFSET_BYTES])
      ranges.push([layout.lengthsStart + group * SLOT_GROUP_SIZE, layout.lengthsStart + k + 1])
      const span = blobSlotSpan(body, layout, k)
      if (span !== undefined) {
        ranges.push([span.start, span.end])
        const reads: SlotDictionaryReads = {}
        // The chain id only shapes the rebuilt transaction, never whether the slot decodes.
        if (decodeSlotAt(body, span.start, span.end, layout.prelude, 0n, reads).ok) {
          const feeAt = layout.feeCountAt + 1 + (reads.feeIndex as number) * FEE_ENTRY_BYTES
          ranges.push([feeAt, feeAt + FEE_ENTRY_BYTES])
          if (reads.addressIndex !== undefined) {
            const addressAt = ADDRESSES_AT + reads.addressIndex * ADDRESS_BYTES
            ranges.push([addressAt, addressAt + ADDRESS_BYTES])
          }
        }
      }
    }
  }
  const seen = new Map<number, BlobElement>()
  const add = (element: BlobElement) => seen.set(element.blobIndex * PAYLOAD_BYTES_PER_BLOB + element.element, element)
  for (const element of payloadElements(0, BLOB_LENGTH_PREFIX_BYTES)) add(element)
  for (const [start, end] of ranges) for (const element of bodyElements(start, end)) add(element)
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, element]) => element)
}

/**
 * The inbox's rule for a blob batch (§5.7.1): 1 to 6 blobs and `slotCount × 64 ≤ 126,976 × blobCount`
 * (one slot per MIN_SLOT_BYTES of payload). Derivation reads a batch that breaks it — only a broken
 * L1 node delivers one — as having no body and no slots.
 */
export function blobBatchWithinBounds(slotCount: number, blobCount: number): boolean {
  return (
    blobCount >= 1 &&
    blobCount <= MAX_BLOBS_PER_BATCH &&
    Number.isInteger(slotCount) &&
    slotCount >= 0 &&
    slotCount * MIN_SLOT_BYTES <= PAYLOAD_BYTES_PER_BLOB * blobCount
  )
}

/**
 * §5.7.1: `keccak256(uint8(2) ‖ delayedCountAfter:uint64 ‖ slotCount:uint32 ‖ versionedHash_0 ‖ …)`,
 * the hash the inbox stores for a blob batch and folds into the accumulator.
 */
export function blobBatchHash(
  delayedCountAfter: bigint,
  slotCount: number,
  versionedHashes: readonly Uint8Array[],
): Uint8Array {
  if (delayedCountAfter < 0n || delayedCountAfter >= UINT64_LIMIT) {
    throw new BatchArgumentError(`delayedCountAfter ${delayedCountAfter} is not a uint64`)
  }
  checkCounts(0n, slotCount)
  const out = new Uint8Array(1 + 8 + 4 + 32 * versionedHashes.length)
  out[0] = BLOB_BATCH_DA_TAG
  writeUint(delayedCountAfter, out, 1, 8)
  writeUint(slotCount, out, 9, 4)
  versionedHashes.forEach((hash, i) => {
    if (hash.length !== 32) throw new BatchArgumentError(`versioned hash ${i} is ${hash.length} bytes, not 32`)
    out.set(hash, 13 + 32 * i)
  })
  return keccak256(out)
}
