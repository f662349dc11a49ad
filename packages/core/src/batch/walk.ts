import { BATCH_HEADER_BYTES, MAX_BLOCKS_PER_BATCH, MAX_SLOT_COUNT, UINT64_LIMIT } from './constants.ts'
import { BatchArgumentError } from './errors.ts'
import { type BatchHeader, decodeBatchHeader } from './header.ts'
import { type BatchPrelude, readPrelude } from './prelude.ts'
import { readVarint } from './varint.ts'

/** A block's proposed timestamp saturates here (§5.6 step 3). */
export const MAX_TIMESTAMP = UINT64_LIMIT - 1n

/** One block of the walk (§5.6 step 3, or the implicit block of step 4). */
export type WalkedBlock = {
  /** `t` after this block's timestampDelta; undefined for the implicit block (its proposed timestamp is T_b) */
  proposedTimestamp: bigint | undefined
  /** delayed messages the block takes (nd), the next ones by index */
  delayedCount: bigint
  /** number, within the batch, of the block's first slot */
  firstSlot: number
  /** slots the block takes (ns) */
  slotCount: number
}

/** Why the walk stopped reading block headers. */
export type WalkStop =
  /** no bytes remained after the last block (or after the prelude) */
  | 'end'
  /** a block header varint was truncated or non-canonical: the rest of the body is ignored */
  | 'blockHeader'
  /** the body ended inside a slot: that slot and every later one are empty */
  | 'slotCutOff'
  /** the body ended inside the prelude: it has no blocks */
  | 'prelude'
  /** no body is read: a forced batch (version 0), or bytes the inbox never accepts (see `decodeBatchHeader`) */
  | 'noBody'
  /** MAX_BLOCKS_PER_BATCH block headers were read: the rest of the body is ignored */
  | 'blockLimit'
  /** a block announced more slots than the batch had left: the rest of the body is ignored */
  | 'slotOverflow'

/** The structure of a batch: its blocks and where each slot's bytes are. No slot is decoded. */
export type BatchWalk = {
  /** undefined for bytes the inbox never accepts (see `decodeBatchHeader`) */
  header: BatchHeader | undefined
  /** undefined when there is no body or it ends inside the prelude */
  prelude: BatchPrelude | undefined
  blocks: WalkedBlock[]
  /**
   * `slotStart[k]`, `slotEnd[k]`: where slot k's bytes (after its length byte) lie in the batch,
   * for the slots the body holds completely. They always form a prefix of the slot numbers: every
   * slot numbered `slotStart.length` or more is missing (cut off, or in the implicit block) and
   * fails to decode as an empty slot.
   */
  slotStart: number[]
  slotEnd: number[]
  stop: WalkStop
}

/** Throws `BatchArgumentError` for counts no inbox produces: D_b negative, S_b not a uint32. */
export function checkCounts(delayedCount: bigint, slotCount: number): void {
  if (delayedCount < 0n) throw new BatchArgumentError(`the batch's delayed message count ${delayedCount} is negative`)
  if (!Number.isInteger(slotCount) || slotCount < 0 || slotCount > MAX_SLOT_COUNT) {
    throw new BatchArgumentError(`the batch's slot count ${slotCount} is not a uint32`)
  }
}

/**
 * Walks a batch as derivation and the one-step prover do (docs/protocol.md §5.6 steps 1–4),
 * without decoding slots. `delayedCount` is D_b (delayed messages the batch takes, from the inbox)
 * and `slotCount` is S_b (the header's slot count). Total: any bytes give one walk; it never
 * throws on the bytes (only on negative counts, which no inbox produces).
 *
 * Bytes the inbox never accepts (shorter than 13 bytes, version other than 0/1, or a slot count
 * above `length − 13`) are walked like a forced batch: no body, so the implicit block takes all
 * D_b delayed messages and S_b empty slots.
 */
export function walkBatch(batch: Uint8Array, delayedCount: bigint, slotCount: number): BatchWalk {
  checkCounts(delayedCount, slotCount)
  const header = decodeBatchHeader(batch)
  const blocks: WalkedBlock[] = []
  const slotStart: number[] = []
  const slotEnd: number[] = []
  let dLeft = delayedCount
  let sLeft = slotCount
  let prelude: BatchPrelude | undefined
  let stop: WalkStop = 'noBody'
  if (header?.version === 1) {
    const read = readPrelude(batch, BATCH_HEADER_BYTES)
    stop = 'prelude'
    if (read !== undefined) {
      prelude = read.prelude
      stop = 'end'
      const end = batch.length
      let pos = read.next
      let t = prelude.baseTimestamp
      reading: while (pos < end) {
        if (blocks.length === MAX_BLOCKS_PER_BATCH) {
          stop = 'blockLimit'
          break
        }
        const timestampDelta = readVarint(batch, pos, end)
        if (!timestampDelta.ok) {
          stop = 'blockHeader'
          break
        }
        const delayedDelta = readVarint(batch, timestampDelta.next, end)
        if (!delayedDelta.ok) {
          stop = 'blockHeader'
          break
        }
        const announced = readVarint(batch, delayedDelta.next, end)
        if (!announced.ok) {
          stop = 'blockHeader'
          break
        }
        pos = announced.next
        t += timestampDelta.value
        if (t > MAX_TIMESTAMP) t = MAX_TIMESTAMP
        let nd = delayedDelta.value
        if (nd > dLeft) nd = dLeft
        let ns = sLeft
        if (announced.value < BigInt(sLeft)) ns = Number(announced.value)
        blocks.push({ proposedTimestamp: t, delayedCount: nd, firstSlot: slotCount - sLeft, slotCount: ns })
        dLeft -= nd
        sLeft -= ns
        for (let i = 0; i < ns; i++) {
          if (pos >= end || pos + 1 + (batch[pos] as number) > end) {
            stop = 'slotCutOff'
            break reading
          }
          slotStart.push(pos + 1)
          pos += 1 + (batch[pos] as number)
          slotEnd.push(pos)
        }
        // A block announcing more slots than the batch has left ends the body: nothing after it
        // is read, so no walk ever skips slots that are not messages (the on-chain bound, §5.6).
        if (announced.value > BigInt(ns)) {
          stop = 'slotOverflow'
          break
        }
      }
    }
  }
  if (dLeft > 0n || sLeft > 0) {
    blocks.push({ proposedTimestamp: undefined, delayedCount: dLeft, firstSlot: slotCount - sLeft, slotCount: sLeft })
  }
  return { header, prelude, blocks, slotStart, slotEnd, stop }
}

/** Where message j of a batch comes from (§5.6, last paragraph). */
export type MessageLocation =
  | {
      kind: 'delayed'
      /** delayed messages the batch takes before this one: its index is `delayedCount[b−1] + delayedOffset` */
      delayedOffset: bigint
    }
  | {
      kind: 'slot'
      /** slots of the batch before this one */
      slotNumber: number
      /** the slot's bytes after its length byte; empty when the slot is missing (it fails to decode) */
      bytes: Uint8Array
    }

/**
 * Finds message `j` (0 ≤ j < D + S) of a batch by the walk of §5.6: the computation the one-step
 * prover makes on chain. `delayedCount` is D_b, `slotCount` is S_b. Throws `BatchArgumentError`
 * only for j out of range; never on the bytes.
 *
 * @example
 * const where = locateMessage(batch, i - messageCount[b - 1], delayedCount[b] - delayedCount[b - 1], header.slotCount)
 * // where: { kind: 'delayed', delayedOffset } or { kind: 'slot', slotNumber, bytes }
 */
export function locateMessage(batch: Uint8Array, j: bigint, delayedCount: bigint, slotCount: number): MessageLocation {
  checkCounts(delayedCount, slotCount)
  if (j < 0n || j >= delayedCount + BigInt(slotCount)) {
    throw new BatchArgumentError(
      `message ${j} is not in a batch of ${delayedCount} delayed messages and ${slotCount} slots`,
    )
  }
  const walk = walkBatch(batch, delayedCount, slotCount)
  let rest = j
  let delayedBefore = 0n
  for (const block of walk.blocks) {
    if (rest < block.delayedCount) return { kind: 'delayed', delayedOffset: delayedBefore + rest }
    rest -= block.delayedCount
    delayedBefore += block.delayedCount
    if (rest < BigInt(block.slotCount)) {
      const slotNumber = block.firstSlot + Number(rest)
      const start = walk.slotStart[slotNumber]
      const bytes = start === undefined ? new Uint8Array(0) : batch.subarray(start, walk.slotEnd[slotNumber])
      return { kind: 'slot', slotNumber, bytes }
    }
    rest -= BigInt(block.slotCount)
  }
  // Unreachable: the blocks take exactly D delayed messages and S slots.
  throw new BatchArgumentError(`message ${j} was not found by the walk`)
}
