import { type BlobBatchWalk, walkBlobBatch } from './blobBody.ts'
import { BatchArgumentError } from './errors.ts'
import { type BatchHeader, decodeBatchHeader } from './header.ts'
import type { BatchPrelude } from './prelude.ts'
import { decodeSlotAt, type SlotResult } from './slot.ts'
import { type BatchWalk, type WalkedBlock, walkBatch } from './walk.ts'

export type DecodeBatchOptions = {
  /** `delayedCount[b−1]`: delayed messages taken before this batch */
  delayedBefore: bigint
  /** `delayedCount[b]` from the inbox; D_b = delayedCountAfter − delayedBefore */
  delayedCountAfter: bigint
  /** the L2 chain id (config) */
  chainId: bigint
  /** T_b: timestamp of the L1 block that holds the batch */
  l1Timestamp: bigint
  /** timestamp of the L2 block before this batch's first block (`l2GenesisTimestamp` before the first) */
  prevTimestamp: bigint
  /** config `maxSequencerDrift` */
  maxSequencerDrift: bigint
}

/** One L2 block of a batch: its timestamp, its delayed messages `[delayedFrom, delayedTo)`, then its slots. */
export type DecodedBlock = {
  /** clamped (§5.6 step 5) */
  timestamp: bigint
  /** index of the first delayed message the block takes */
  delayedFrom: bigint
  /** one past the last (delayedFrom when it takes none) */
  delayedTo: bigint
  /** number, within the batch, of the block's first slot */
  firstSlot: number
  slots: SlotResult[]
  /** the block that §5.6 step 4 adds for delayed messages and slots the body did not place */
  implicit: boolean
}

export type DecodedBatch = {
  /** undefined for bytes the inbox never accepts (then: no slots, no body), and for a blob batch (no header) */
  header: BatchHeader | undefined
  prelude: BatchPrelude | undefined
  blocks: DecodedBlock[]
}

/**
 * §5.6 step 5: `max(prevTimestamp, min(proposed, T_b + maxSequencerDrift))` — the drift ceiling
 * first, then the floor, so a timestamp never goes backwards whatever the inputs.
 */
export function clampTimestamp(
  proposed: bigint,
  prevTimestamp: bigint,
  l1Timestamp: bigint,
  maxSequencerDrift: bigint,
): bigint {
  const ceiling = l1Timestamp + maxSequencerDrift
  const capped = proposed > ceiling ? ceiling : proposed
  return capped < prevTimestamp ? prevTimestamp : capped
}

/**
 * Derives a batch's L2 blocks and decodes every slot (docs/protocol.md §5.6, §5.5). Total: any
 * bytes give one result and it never throws on them; a slot that cannot be decoded is a
 * `slotDecode` result with a detail. D_b comes from the options (the inbox), S_b from the header.
 *
 * Bytes the inbox never accepts — shorter than 13 bytes, a version other than 0 and 1, or a slot
 * count above `length − 13` — have `header: undefined` and are read as S_b = 0 with no body: one
 * implicit block at T_b with the D_b delayed messages, or no block when D_b = 0. A forced batch
 * (version 0) has no body: one block at T_b with its delayed messages (and its S_b slots, all
 * empty, should a version-0 header announce any).
 *
 * Throws `BatchArgumentError` only when `delayedCountAfter < delayedBefore` (no inbox state gives that).
 *
 * @example
 * const { blocks } = decodeBatch(calldata, {
 *   delayedBefore: delayedCount[b - 1], delayedCountAfter: delayedCount[b], chainId: config.chainId,
 *   l1Timestamp: T_b, prevTimestamp: parent.timestamp, maxSequencerDrift: config.maxSequencerDrift,
 * })
 */
export function decodeBatch(batch: Uint8Array, options: DecodeBatchOptions): DecodedBatch {
  const delayedCount = options.delayedCountAfter - options.delayedBefore
  if (delayedCount < 0n) {
    throw new BatchArgumentError(
      `delayedCountAfter ${options.delayedCountAfter} is below delayedBefore ${options.delayedBefore}`,
    )
  }
  const walk = walkBatch(batch, delayedCount, decodeBatchHeader(batch)?.slotCount ?? 0)
  return decodeWalk(batch, walk, options)
}

/** Decodes the slots of a walk and clamps its timestamps (see `decodeBatch`). */
export function decodeWalk(batch: Uint8Array, walk: BatchWalk, options: DecodeBatchOptions): DecodedBatch {
  const { prelude } = walk
  const present = walk.slotStart.length
  const missing =
    walk.stop === 'slotCutOff'
      ? 'the batch ends before this slot is complete (it and every later slot are empty)'
      : 'the batch body holds no bytes for this slot (an empty slot of the last block, §5.6 step 4)'
  const blocks = decodeBlocks(walk.blocks, options, (k) =>
    k < present && prelude !== undefined
      ? decodeSlotAt(batch, walk.slotStart[k] as number, walk.slotEnd[k] as number, prelude, options.chainId)
      : { ok: false, reason: 'slotDecode', detail: missing },
  )
  return { header: walk.header, prelude, blocks }
}

/** Options of `decodeBlobBatch`: those of a calldata batch, and S_b (a blob body has no header). */
export type DecodeBlobBatchOptions = DecodeBatchOptions & {
  /** S_b: the slot count of the inbox's `appendBlobBatch` call */
  slotCount: number
}

/**
 * Derives a blob batch's L2 blocks from its body (docs/protocol.md §5.7.3) and decodes every slot,
 * exactly as `decodeBatch` does for a calldata batch: same blocks, same slot results, same clamped
 * timestamps (§5.6 step 5). Total: never throws on the body; an absent slot is a `slotDecode` result.
 * The result has no header (the inbox call carries D_b and S_b).
 *
 * Throws `BatchArgumentError` only when `delayedCountAfter < delayedBefore` or the slot count is not a uint32.
 */
export function decodeBlobBatch(body: Uint8Array, options: DecodeBlobBatchOptions): DecodedBatch {
  const delayedCount = options.delayedCountAfter - options.delayedBefore
  if (delayedCount < 0n) {
    throw new BatchArgumentError(
      `delayedCountAfter ${options.delayedCountAfter} is below delayedBefore ${options.delayedBefore}`,
    )
  }
  return decodeBlobWalk(body, walkBlobBatch(body, delayedCount, options.slotCount), options)
}

/** Decodes the slots of a blob walk and clamps its timestamps (see `decodeBlobBatch`). */
export function decodeBlobWalk(body: Uint8Array, walk: BlobBatchWalk, options: DecodeBatchOptions): DecodedBatch {
  const { prelude } = walk
  const blocks = decodeBlocks(walk.blocks, options, (k) => {
    const span = walk.slots[k]
    return span !== undefined && prelude !== undefined
      ? decodeSlotAt(body, span.start, span.end, prelude, options.chainId)
      : {
          ok: false,
          reason: 'slotDecode',
          detail: 'the blob body holds no bytes for this slot (its offset, length or end lies outside the body)',
        }
  })
  return { header: undefined, prelude, blocks }
}

/** The blocks of a walk with their slots decoded and their timestamps clamped (§5.6 step 5). */
function decodeBlocks(
  walked: readonly WalkedBlock[],
  options: DecodeBatchOptions,
  slot: (k: number) => SlotResult,
): DecodedBlock[] {
  const blocks: DecodedBlock[] = []
  let prev = options.prevTimestamp
  let delayed = options.delayedBefore
  for (const block of walked) {
    const proposed = block.proposedTimestamp ?? options.l1Timestamp
    const timestamp = clampTimestamp(proposed, prev, options.l1Timestamp, options.maxSequencerDrift)
    prev = timestamp
    const slots: SlotResult[] = new Array(block.slotCount)
    for (let i = 0; i < block.slotCount; i++) slots[i] = slot(block.firstSlot + i)
    blocks.push({
      timestamp,
      delayedFrom: delayed,
      delayedTo: delayed + block.delayedCount,
      firstSlot: block.firstSlot,
      slots,
      implicit: block.proposedTimestamp === undefined,
    })
    delayed += block.delayedCount
  }
  return blocks
}
