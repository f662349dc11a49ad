import { blobCapacity, blobsNeeded, PAYLOAD_BYTES_PER_BLOB } from '../blob/codec.ts'
import { SluiceError } from '../errors/base.ts'
import type { SignedTransaction } from '../tx/index.ts'
import {
  ADDRESS_BYTES,
  BATCH_HEADER_BYTES,
  BATCH_VERSION,
  FEE_ENTRY_BYTES,
  FEE_INDEX_IN_VARINT,
  MAX_ADDRESSES,
  MAX_BLOBS_PER_BATCH,
  MAX_BLOCKS_PER_BATCH,
  MAX_FEE_ENTRIES,
  MAX_SLOT_COUNT,
  MIN_SLOT_BYTES,
  PRELUDE_FIXED_BYTES,
  SLOT_GROUP_OFFSET_BYTES,
  SLOT_GROUP_SIZE,
  UINT64_LIMIT,
} from './constants.ts'
import { feeKey } from './dictionaries.ts'
import { BatchEncodeError } from './errors.ts'
import { writeUint } from './fixed.ts'
import { writeBatchHeader } from './header.ts'
import type { BatchFeeEntry } from './prelude.ts'
import { writePrelude } from './prelude.ts'
import { type PreparedSlot, prepareSlot, writePreparedSlot } from './slot.ts'
import { varintLength, writeVarint } from './varint.ts'

/** One L2 block as the batcher hands it over: its timestamp, delayed count, and transactions. */
export type BatchBlock = {
  timestamp: bigint
  /** the number of delayed messages taken up to and including this block (absolute, not a delta) */
  delayedCountAfter: bigint
  /** the block's batch transactions in order (delayed messages are not listed: they come from L1) */
  transactions: readonly SignedTransaction[]
}

/** How the batch reaches L1: calldata (`appendBatch`, version 1, §5.2–5.6) or blobs (`appendBlobBatch`, body version 2, §5.7). */
export type DataAvailability = 'calldata' | 'blobs'

export type BatchBuilderOptions = {
  /** the L2 chain id (config) */
  chainId: bigint
  /** delayed count after the previous batch (`delayedCount[b−1]`) */
  prevDelayedCount: bigint
  /**
   * calldata: the config's `maxBatchBytes` (unbounded when omitted). blobs: a further bound on the
   * body, below what `maxBlobs` blobs carry.
   */
  maxBatchBytes?: number | undefined
  /** 'calldata' (default) or 'blobs' */
  da?: DataAvailability | undefined
  /** blobs only: the most blobs the batch may use (1..6, default 6); the body stays within `blobCapacity(maxBlobs)` */
  maxBlobs?: number | undefined
}

type BuiltBlock = { timestampDelta: bigint; delayedDelta: bigint; slots: PreparedSlot[] }
type Counted<T> = { count: number; first: number; item: T }

/**
 * Builds one sequencer batch (docs/protocol.md §5.2–5.5) block by block, knowing its exact size
 * at every step, so the batcher can fill batches up to `maxBatchBytes`. With `da: 'blobs'` it
 * builds a blob body (§5.7.3) instead and follows its encoder rules: a block that takes delayed
 * messages is refused (`tryAdd` returns false: start a new batch) once the batch holds a slot, since
 * a blob batch's delayed messages come before all its slots; the body stays within
 * `blobCapacity(maxBlobs)` and the slot bound of §5.7.1; 512 blocks at most, as for calldata.
 *
 * Dictionaries: a recipient goes into the address dictionary when it occurs at least twice in the
 * batch (20 bytes once, then a 1–3-byte index per use; a recipient used once stays inline), ordered
 * by descending frequency so the most frequent get 1-byte indices; the fee dictionary holds every
 * distinct (maxFeePerGas, maxPriorityFeePerGas, gasLimit) triple, ordered by descending frequency so
 * that the seven most frequent fold into the flags byte. Ties keep first-seen order.
 *
 * @example
 * const builder = new BatchBuilder({ chainId, prevDelayedCount, maxBatchBytes: 100_000 })
 * while (pending.length && builder.tryAdd(pending[0])) pending.shift()
 * const batch = builder.finish()
 */
export class BatchBuilder {
  readonly chainId: bigint
  readonly prevDelayedCount: bigint
  readonly maxBatchBytes: number
  readonly da: DataAvailability
  /** blobs only: the most blobs the body may fill */
  readonly maxBlobs: number
  private readonly blocks: BuiltBlock[] = []
  private baseTimestamp = 0n
  private lastTimestamp = 0n
  private lastDelayed: bigint
  private slots = 0
  /** block-header varints plus, per slot, its length byte and its dictionary-independent bytes */
  private fixedBytes = 0
  private readonly addresses = new Map<string, Counted<Uint8Array>>()
  /** addresses used exactly once (written inline) */
  private singles = 0
  /** histogram of use counts of addresses used at least twice: count → how many addresses */
  private readonly histogram: number[] = []
  private dictionaryAddresses = 0
  private dictionaryUses = 0
  private maxCount = 0
  private readonly fees = new Map<string, Counted<BatchFeeEntry>>()

  constructor(options: BatchBuilderOptions) {
    if (options.prevDelayedCount < 0n || options.prevDelayedCount >= UINT64_LIMIT) {
      throw new BatchEncodeError('blockOrder', `prevDelayedCount ${options.prevDelayedCount} is not a uint64`)
    }
    this.chainId = options.chainId
    this.prevDelayedCount = options.prevDelayedCount
    this.lastDelayed = options.prevDelayedCount
    this.da = options.da ?? 'calldata'
    this.maxBlobs = options.maxBlobs ?? MAX_BLOBS_PER_BATCH
    if (!Number.isInteger(this.maxBlobs) || this.maxBlobs < 1 || this.maxBlobs > MAX_BLOBS_PER_BATCH) {
      throw new BatchEncodeError('tooLarge', `maxBlobs ${this.maxBlobs} is not in 1..${MAX_BLOBS_PER_BATCH}`)
    }
    const limit = options.maxBatchBytes ?? Number.POSITIVE_INFINITY
    this.maxBatchBytes = this.da === 'blobs' ? Math.min(limit, blobCapacity(this.maxBlobs)) : limit
  }

  /** Blocks added so far. */
  get blockCount(): number {
    return this.blocks.length
  }

  /** Slots (batch transactions) added so far. */
  get slotCount(): number {
    return this.slots
  }

  /** The delayed count the batch brings L2 up to (its header's `delayedCountAfter`). */
  get delayedCountAfter(): bigint {
    return this.lastDelayed
  }

  /** The exact length of the bytes `finish()` returns now. */
  get size(): number {
    return this.sizeWith(this.slots)
  }

  /** blobs only: the blobs `finish()`'s body needs now. */
  get blobCount(): number {
    return blobsNeeded(this.size)
  }

  private sizeWith(slotCount: number): number {
    const framing =
      this.da === 'blobs' ? SLOT_GROUP_OFFSET_BYTES * Math.ceil(slotCount / SLOT_GROUP_SIZE) : BATCH_HEADER_BYTES
    return (
      framing +
      PRELUDE_FIXED_BYTES +
      this.dictionaryAddresses * ADDRESS_BYTES +
      this.fees.size * FEE_ENTRY_BYTES +
      this.fixedBytes +
      this.singles * ADDRESS_BYTES +
      this.addressIndexBytes() +
      this.feeIndexBytes()
    )
  }

  /**
   * Adds `block` if the batch stays within `maxBatchBytes` and the dictionary limits (65,535
   * addresses, 255 fee entries); returns false, leaving the builder unchanged, when it would not.
   * Throws `BatchEncodeError` (leaving the builder unchanged) when a transaction cannot be put in
   * any batch, when blocks go backwards in time or delayed count, or when the block alone does not
   * fit in an empty batch.
   */
  tryAdd(block: BatchBlock): boolean {
    const first = this.blocks.length === 0
    if (block.timestamp < 0n || block.timestamp >= UINT64_LIMIT) {
      throw new BatchEncodeError('blockOrder', `block timestamp ${block.timestamp} is not a uint64`)
    }
    if (!first && block.timestamp < this.lastTimestamp) {
      throw new BatchEncodeError(
        'blockOrder',
        `block timestamp ${block.timestamp} is before the previous block's ${this.lastTimestamp}`,
      )
    }
    if (block.delayedCountAfter < this.lastDelayed || block.delayedCountAfter >= UINT64_LIMIT) {
      throw new BatchEncodeError(
        'blockOrder',
        `block delayedCountAfter ${block.delayedCountAfter} is below the previous ${this.lastDelayed} or not a uint64`,
      )
    }
    if (this.blocks.length === MAX_BLOCKS_PER_BATCH) return false
    const blobs = this.da === 'blobs'
    // A blob batch's messages are its delayed messages first, then its slots (§5.7.3).
    if (blobs && this.slots > 0 && block.delayedCountAfter > this.lastDelayed) return false
    const slots = block.transactions.map((tx) => prepareSlot(tx, this.chainId))
    if (this.slots + slots.length > MAX_SLOT_COUNT) return this.refuse(first, 'more than 2^32−1 slots')
    const built: BuiltBlock = {
      timestampDelta: first ? 0n : block.timestamp - this.lastTimestamp,
      delayedDelta: block.delayedCountAfter - this.lastDelayed,
      slots,
    }
    // calldata: timestampDelta, delayedDelta, slotCount, then each slot's length byte; blobs:
    // timestampDelta, messageCount, and each slot's byte in `lengths`.
    const headerBytes = blobs
      ? varintLength(built.timestampDelta) + varintLength(built.delayedDelta + BigInt(slots.length))
      : varintLength(built.timestampDelta) + varintLength(built.delayedDelta) + varintLength(slots.length)
    let added = headerBytes
    for (const slot of slots) added += 1 + slot.fixedLength
    this.fixedBytes += added
    slots.forEach((slot) => {
      this.countAddress(slot, 1)
      this.countFee(slot, 1)
    })
    const slotCount = this.slots + slots.length
    const size = this.sizeWith(slotCount)
    const withinLimits =
      this.dictionaryAddresses <= MAX_ADDRESSES &&
      this.fees.size <= MAX_FEE_ENTRIES &&
      (!blobs || slotCount * MIN_SLOT_BYTES <= PAYLOAD_BYTES_PER_BLOB * blobsNeeded(size))
    if (size > this.maxBatchBytes || !withinLimits) {
      for (let i = slots.length - 1; i >= 0; i--) {
        const slot = slots[i] as PreparedSlot
        this.countFee(slot, -1)
        this.countAddress(slot, -1)
      }
      this.fixedBytes -= added
      return this.refuse(
        first,
        withinLimits
          ? `the block alone makes a ${size}-byte batch, over maxBatchBytes ${this.maxBatchBytes}`
          : 'the block alone needs more than 65,535 dictionary addresses or 255 fee entries, or breaks the slot bound',
      )
    }
    if (first) this.baseTimestamp = block.timestamp
    this.lastTimestamp = block.timestamp
    this.lastDelayed = block.delayedCountAfter
    this.slots += slots.length
    this.blocks.push(built)
    return true
  }

  /**
   * calldata: the batch bytes (header, prelude with both dictionaries, then the blocks); blobs: the
   * body (prelude, lengths, groups, slots, block entries) that `encodeBlobs` packs, whose D_b and S_b
   * go into the inbox call (`delayedCountAfter`, `slotCount`).
   */
  finish(): Uint8Array {
    const addresses = [...this.addresses.values()].filter((entry) => entry.count >= 2).sort(byFrequency)
    const addressIndex = new Map<Uint8Array, number>()
    addresses.forEach((entry, index) => {
      addressIndex.set(entry.item, index)
    })
    const fees = [...this.fees.values()].sort(byFrequency)
    const feeIndex = new Map<string, number>()
    fees.forEach((entry, index) => {
      feeIndex.set(feeKey(entry.item.maxFeePerGas, entry.item.maxPriorityFeePerGas, entry.item.gasLimit), index)
    })
    const size = this.size
    const out = new Uint8Array(size)
    const slotIndices = (slot: PreparedSlot): [number, number | undefined] => {
      const entry = this.addresses.get(slot.recipientKey) as Counted<Uint8Array>
      return [feeIndex.get(slot.feeKey) as number, entry.count >= 2 ? addressIndex.get(entry.item) : undefined]
    }
    if (this.da === 'blobs') {
      const at = this.writeBlobBody(
        out,
        addresses.map((entry) => entry.item),
        fees.map((entry) => entry.item),
        slotIndices,
      )
      if (at !== size) {
        throw new SluiceError(`Batch builder bug: wrote ${at} blob body bytes, computed ${size}.`, {
          code: 'BatchBuilderInternal',
        })
      }
      return out
    }
    writeBatchHeader({ version: BATCH_VERSION, delayedCountAfter: this.lastDelayed, slotCount: this.slots }, out, 0)
    let at = writePrelude(
      this.baseTimestamp,
      addresses.map((entry) => entry.item),
      fees.map((entry) => entry.item),
      out,
      BATCH_HEADER_BYTES,
    )
    for (const block of this.blocks) {
      at = writeVarint(block.timestampDelta, out, at)
      at = writeVarint(block.delayedDelta, out, at)
      at = writeVarint(block.slots.length, out, at)
      for (const slot of block.slots) {
        const [fee, address] = slotIndices(slot)
        const start = at + 1
        at = writePreparedSlot(slot, fee, address, out, start)
        out[start - 1] = at - start // ≤ 128 (prepareSlot bounds every field), so it fits the length byte
      }
    }
    if (at !== size) {
      throw new SluiceError(`Batch builder bug: wrote ${at} bytes, computed ${size}.`, { code: 'BatchBuilderInternal' })
    }
    return out
  }

  /** prelude ‖ lengths ‖ groups ‖ slots ‖ block entries (§5.7.3); returns the offset after them. */
  private writeBlobBody(
    out: Uint8Array,
    addresses: Uint8Array[],
    fees: BatchFeeEntry[],
    slotIndices: (slot: PreparedSlot) => [number, number | undefined],
  ): number {
    const lengthsStart = writePrelude(this.baseTimestamp, addresses, fees, out, 0)
    const groupsStart = lengthsStart + this.slots
    const slotsStart = groupsStart + SLOT_GROUP_OFFSET_BYTES * Math.ceil(this.slots / SLOT_GROUP_SIZE)
    let at = slotsStart
    let k = 0
    for (const block of this.blocks) {
      for (const slot of block.slots) {
        if (k % SLOT_GROUP_SIZE === 0) {
          writeUint(at - slotsStart, out, groupsStart + (k / SLOT_GROUP_SIZE) * SLOT_GROUP_OFFSET_BYTES, 4)
        }
        const [fee, address] = slotIndices(slot)
        const start = at
        at = writePreparedSlot(slot, fee, address, out, start)
        out[lengthsStart + k] = at - start // ≤ 128 (prepareSlot bounds every field)
        k++
      }
    }
    for (const block of this.blocks) {
      at = writeVarint(block.timestampDelta, out, at)
      at = writeVarint(block.delayedDelta + BigInt(block.slots.length), out, at)
    }
    return at
  }

  private refuse(first: boolean, why: string): false {
    if (first) throw new BatchEncodeError('tooLarge', why)
    return false
  }

  private countAddress(slot: PreparedSlot, delta: 1 | -1): void {
    let entry = this.addresses.get(slot.recipientKey)
    if (entry === undefined) {
      entry = { count: 0, first: this.addresses.size, item: slot.recipient }
      this.addresses.set(slot.recipientKey, entry)
    }
    const before = entry.count
    const after = before + delta
    entry.count = after
    if (before === 1) this.singles--
    if (after === 1) this.singles++
    if (before >= 2) {
      this.histogram[before] = (this.histogram[before] as number) - 1
      this.dictionaryAddresses--
      this.dictionaryUses -= before
    }
    if (after >= 2) {
      this.histogram[after] = (this.histogram[after] ?? 0) + 1
      this.dictionaryAddresses++
      this.dictionaryUses += after
      if (after > this.maxCount) this.maxCount = after
    }
    if (after === 0) this.addresses.delete(slot.recipientKey)
  }

  private countFee(slot: PreparedSlot, delta: 1 | -1): void {
    let entry = this.fees.get(slot.feeKey)
    if (entry === undefined) {
      entry = { count: 0, first: this.fees.size, item: slot.fee }
      this.fees.set(slot.feeKey, entry)
    }
    entry.count += delta
    if (entry.count === 0) this.fees.delete(slot.feeKey)
  }

  /** Σ over dictionary uses of the index varint: ranks < 128 cost 1 byte, < 16,384 two, else three. */
  private addressIndexBytes(): number {
    if (this.dictionaryAddresses <= 128) return this.dictionaryUses
    return 3 * this.dictionaryUses - this.topUses(128) - this.topUses(16_384)
  }

  /** Uses of the `k` most frequent dictionary addresses. */
  private topUses(k: number): number {
    if (k >= this.dictionaryAddresses) return this.dictionaryUses
    let left = k
    let uses = 0
    for (let count = this.maxCount; count >= 2 && left > 0; count--) {
      const n = Math.min(this.histogram[count] ?? 0, left)
      uses += n * count
      left -= n
    }
    return uses
  }

  /** Σ over slots of the fee index cost: the 7 most frequent entries fold into the flags. */
  private feeIndexBytes(): number {
    if (this.fees.size <= FEE_INDEX_IN_VARINT) return 0
    const counts = [...this.fees.values()].map((entry) => entry.count).sort((a, b) => b - a)
    let bytes = 0
    for (let rank = FEE_INDEX_IN_VARINT; rank < counts.length; rank++) {
      bytes += (counts[rank] as number) * varintLength(rank)
    }
    return bytes
  }
}

function byFrequency<T>(a: Counted<T>, b: Counted<T>): number {
  return b.count - a.count || a.first - b.first
}
