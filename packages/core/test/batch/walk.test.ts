import { describe, expect, it } from 'vitest'
import {
  createDictionaries,
  type DecodeBatchOptions,
  decodeBatch,
  encodeBatchHeader,
  encodeForcedBatch,
  encodePrelude,
  encodeSlot,
  encodeVarint,
  locateMessage,
  MAX_BLOCKS_PER_BATCH,
  BATCH_MIN_SLOT_BYTES as MIN_SLOT_BYTES,
  walkBatch,
} from '../../src/batch/index.ts'
import { concatBytes } from '../../src/bytes/index.ts'
import { MAX_BATCH_BYTES_LIMIT } from '../../src/config/index.ts'
import { CHAIN_ID, transfer } from './support.ts'

const FEE = { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n, gasLimit: 21_000n }
const DICT = createDictionaries([], [FEE])
const T_B = 1_700_000_000n
const DRIFT = 600n

function slot(nonce: bigint): Uint8Array {
  const bytes = encodeSlot(transfer({ nonce }), DICT, CHAIN_ID)
  return concatBytes(Uint8Array.of(bytes.length), bytes)
}
function blockHeader(timestampDelta: bigint, delayedDelta: bigint, slotCount: bigint): Uint8Array {
  return concatBytes(encodeVarint(timestampDelta), encodeVarint(delayedDelta), encodeVarint(slotCount))
}
/**
 * A version-1 batch: header (delayedCountAfter unused by the walk), prelude at `base`, then `body`.
 * Where the inbox rule `slotCount × 64 ≤ length − 13` needs more bytes, 0x80 bytes are appended:
 * they are a block-header varint that never ends, so the walk stops there and ignores them.
 */
function batch(slotCount: number, base: bigint, ...body: Uint8Array[]): Uint8Array {
  const bytes = concatBytes(
    encodeBatchHeader({ version: 1, delayedCountAfter: 0n, slotCount }),
    encodePrelude(base, [], [FEE]),
    ...body,
  )
  const missing = 13 + slotCount * MIN_SLOT_BYTES - bytes.length
  return missing > 0 ? concatBytes(bytes, new Uint8Array(missing).fill(0x80)) : bytes
}
function options(delayedCount: bigint, prevTimestamp = T_B - 100n): DecodeBatchOptions {
  return {
    delayedBefore: 50n,
    delayedCountAfter: 50n + delayedCount,
    chainId: CHAIN_ID,
    l1Timestamp: T_B,
    prevTimestamp,
    maxSequencerDrift: DRIFT,
  }
}
const nonces = (slots: { ok: boolean; tx?: { nonce: bigint } }[]) => slots.map((s) => (s.ok ? s.tx?.nonce : 'fail'))

describe('walking a batch (§5.6)', () => {
  it('places delayed messages first, then slots, per block', () => {
    const bytes = batch(3, T_B - 10n, blockHeader(0n, 2n, 1n), slot(0n), blockHeader(5n, 1n, 2n), slot(1n), slot(2n))
    const decoded = decodeBatch(bytes, options(3n))
    expect(decoded.blocks.map((b) => [b.timestamp, b.delayedFrom, b.delayedTo, nonces(b.slots), b.implicit])).toEqual([
      [T_B - 10n, 50n, 52n, [0n], false],
      [T_B - 5n, 52n, 53n, [1n, 2n], false],
    ])
    expect([0n, 1n, 2n, 3n, 4n, 5n].map((j) => locateMessage(bytes, j, 3n, 3))).toEqual([
      { kind: 'delayed', delayedOffset: 0n },
      { kind: 'delayed', delayedOffset: 1n },
      { kind: 'slot', slotNumber: 0, bytes: slot(0n).subarray(1) },
      { kind: 'delayed', delayedOffset: 2n },
      { kind: 'slot', slotNumber: 1, bytes: slot(1n).subarray(1) },
      { kind: 'slot', slotNumber: 2, bytes: slot(2n).subarray(1) },
    ])
  })

  it('walks bytes longer than the largest maxBatchBytes like any batch (§5.6 step 1: length never makes a batch headerless)', () => {
    const short = batch(3, T_B - 10n, blockHeader(0n, 2n, 1n), slot(0n), blockHeader(5n, 1n, 2n), slot(1n), slot(2n))
    const long = concatBytes(short, new Uint8Array(Number(MAX_BATCH_BYTES_LIMIT) + 1 - short.length).fill(0x80))
    expect(long.length).toBe(Number(MAX_BATCH_BYTES_LIMIT) + 1)
    expect(decodeBatch(long, options(3n))).toEqual(decodeBatch(short, options(3n)))
    expect(walkBatch(long, 3n, 3).blocks).toEqual(walkBatch(short, 3n, 3).blocks)
    expect(locateMessage(long, 5n, 3n, 3)).toEqual({ kind: 'slot', slotNumber: 2, bytes: slot(2n).subarray(1) })
  })

  it('clamps blocks that announce more delayed messages or slots than D and S; announcing too many slots ends the body', () => {
    const bytes = batch(
      2,
      T_B,
      blockHeader(0n, 10n, 3n),
      slot(0n),
      slot(1n),
      slot(2n), // announced beyond S: belongs to no message, and nothing after it is read
      blockHeader(7n, 0n, 0n),
    )
    const decoded = decodeBatch(bytes, options(3n))
    expect(decoded.blocks.map((b) => [b.timestamp, b.delayedTo - b.delayedFrom, nonces(b.slots)])).toEqual([
      [T_B, 3n, [0n, 1n]],
    ])
    expect(walkBatch(bytes, 3n, 2).stop).toBe('slotOverflow')
    // Delayed messages still owed go to the implicit block, not to blocks after the overflow.
    const owed = decodeBatch(bytes, options(5n))
    expect(owed.blocks.map((b) => [b.implicit, b.delayedTo - b.delayedFrom])).toEqual([[false, 5n]])
  })

  it(`reads at most ${MAX_BLOCKS_PER_BATCH} block headers; the rest of the body is ignored`, () => {
    const headers = Array.from({ length: MAX_BLOCKS_PER_BATCH + 5 }, () => blockHeader(1n, 1n, 0n))
    const bytes = batch(0, T_B - 5_000n, ...headers)
    const walk = walkBatch(bytes, 3_000n, 0)
    expect(walk.stop).toBe('blockLimit')
    expect(walk.blocks).toHaveLength(MAX_BLOCKS_PER_BATCH + 1) // the last is the implicit block
    expect(walk.blocks.at(-1)).toMatchObject({
      proposedTimestamp: undefined,
      delayedCount: 3_000n - BigInt(MAX_BLOCKS_PER_BATCH),
    })
  })

  it('adds one implicit block at T_b for what the body did not place: remaining delayed messages, then empty slots', () => {
    const bytes = batch(3, T_B - 50n, blockHeader(0n, 1n, 1n), slot(0n))
    const decoded = decodeBatch(bytes, options(4n))
    expect(decoded.blocks).toHaveLength(2)
    const implicit = decoded.blocks[1]!
    expect(implicit).toMatchObject({ implicit: true, timestamp: T_B, delayedFrom: 51n, delayedTo: 54n, firstSlot: 1 })
    expect(implicit.slots).toHaveLength(2)
    for (const s of implicit.slots) {
      expect(s).toEqual({ ok: false, reason: 'slotDecode', detail: expect.stringMatching(/holds no bytes/) })
    }
    expect(locateMessage(bytes, 5n, 4n, 3)).toEqual({ kind: 'slot', slotNumber: 1, bytes: new Uint8Array(0) })
  })

  it('clamps timestamps: never below the previous block, never above T_b + maxSequencerDrift', () => {
    const bytes = batch(0, T_B - 1000n, blockHeader(0n, 0n, 0n), blockHeader(1700n, 0n, 0n), blockHeader(1n, 0n, 0n))
    const decoded = decodeBatch(bytes, options(0n, T_B - 100n))
    expect(decoded.blocks.map((b) => b.timestamp)).toEqual([T_B - 100n, T_B + DRIFT, T_B + DRIFT])
    // t saturates at 2^64 − 1 before clamping
    const huge = batch(0, 2n ** 64n - 2n, blockHeader(5n, 0n, 0n))
    expect(walkBatch(huge, 0n, 0).blocks[0]?.proposedTimestamp).toBe(2n ** 64n - 1n)
  })

  it('keeps blocks without messages as empty L2 blocks', () => {
    const decoded = decodeBatch(batch(0, T_B, blockHeader(0n, 0n, 0n), blockHeader(0n, 0n, 0n)), options(0n))
    expect(decoded.blocks).toHaveLength(2)
    expect(decoded.blocks.every((b) => b.slots.length === 0 && b.delayedFrom === b.delayedTo)).toBe(true)
  })

  it('a forced batch (version 0) is one block at T_b with all D delayed messages', () => {
    const decoded = decodeBatch(encodeForcedBatch(57n), options(7n, T_B - 1n))
    expect(decoded.header).toEqual({ version: 0, delayedCountAfter: 57n, slotCount: 0 })
    expect(decoded.blocks).toEqual([
      { timestamp: T_B, delayedFrom: 50n, delayedTo: 57n, firstSlot: 0, slots: [], implicit: true },
    ])
  })

  it('a slot cut off by the end of the batch is empty, with every later slot, and no further block is read', () => {
    const full = batch(3, T_B, blockHeader(0n, 0n, 2n), slot(0n), slot(1n), blockHeader(0n, 0n, 1n), slot(2n))
    const cut = full.subarray(0, full.length - slot(0n).length - 4) // inside slot 1
    const decoded = decodeBatch(cut, options(0n))
    expect(decoded.blocks.map((b) => [b.implicit, nonces(b.slots)])).toEqual([
      [false, [0n, 'fail']],
      [true, ['fail']],
    ])
    const detail = decoded.blocks[0]!.slots[1]
    expect(detail).toEqual({ ok: false, reason: 'slotDecode', detail: expect.stringMatching(/ends before this slot/) })
    expect(walkBatch(cut, 0n, 3).stop).toBe('slotCutOff')
  })

  it('stops at a block header whose varint fails; trailing bytes are ignored', () => {
    const bad = batch(1, T_B, blockHeader(0n, 0n, 0n), Uint8Array.of(0x80, 0x00, 0x00, 0x01), slot(0n))
    expect(walkBatch(bad, 0n, 1).stop).toBe('blockHeader')
    const decoded = decodeBatch(bad, options(0n))
    expect(decoded.blocks.map((b) => [b.implicit, b.slots.length])).toEqual([
      [false, 0],
      [true, 1],
    ])
    const trailing = batch(0, T_B, blockHeader(0n, 0n, 0n), Uint8Array.of(0x81))
    expect(decodeBatch(trailing, options(0n)).blocks).toHaveLength(1)
  })

  it('a body that ends inside the prelude has no blocks', () => {
    const bytes = concatBytes(
      encodeBatchHeader({ version: 1, delayedCountAfter: 0n, slotCount: 1 }),
      new Uint8Array(MIN_SLOT_BYTES),
    )
    bytes[23] = 2 // two fee entries: the prelude needs 11 + 80 bytes, the body has 64
    const walk = walkBatch(bytes, 2n, 1)
    expect(walk.stop).toBe('prelude')
    expect(walk.prelude).toBeUndefined()
    const decoded = decodeBatch(bytes, options(2n))
    expect(decoded.blocks.map((b) => [b.implicit, b.delayedTo - b.delayedFrom, b.slots.length])).toEqual([
      [true, 2n, 1],
    ])
  })

  it('bytes the inbox never accepts decode as no slots, no body: one block at T_b with D delayed messages, or none', () => {
    for (const bytes of [
      new Uint8Array(0),
      new Uint8Array(12).fill(1),
      concatBytes(Uint8Array.of(2), new Uint8Array(30)),
      concatBytes(encodeBatchHeader({ version: 1, delayedCountAfter: 0n, slotCount: 9 }), new Uint8Array(8)),
    ]) {
      const decoded = decodeBatch(bytes, options(2n))
      expect(decoded.header).toBeUndefined()
      expect(decoded.blocks).toEqual([
        { timestamp: T_B, delayedFrom: 50n, delayedTo: 52n, firstSlot: 0, slots: [], implicit: true },
      ])
      expect(decodeBatch(bytes, options(0n)).blocks).toEqual([])
    }
  })

  it('locateMessage refuses j outside the batch', () => {
    const bytes = batch(0, T_B)
    expect(() => locateMessage(bytes, 2n, 2n, 0)).toThrow(/not in a batch of 2 delayed messages and 0 slots/)
    expect(() => locateMessage(bytes, -1n, 2n, 0)).toThrow()
    expect(() => decodeBatch(bytes, { ...options(0n), delayedCountAfter: 1n })).toThrow(/below delayedBefore/)
  })
})

describe('spec points a third implementation must not guess (protocol.md §5.6)', () => {
  const options: DecodeBatchOptions = {
    delayedBefore: 4n,
    delayedCountAfter: 6n,
    chainId: CHAIN_ID,
    l1Timestamp: T_B,
    prevTimestamp: T_B - 10n,
    maxSequencerDrift: DRIFT,
  }

  it('reads no body after a version-0 header: its slots are empty slots of the implicit block', () => {
    const body = concatBytes(encodePrelude(T_B, [], [FEE]), blockHeader(0n, 0n, 1n), slot(0n))
    const batch = concatBytes(encodeBatchHeader({ version: 0, delayedCountAfter: 6n, slotCount: 2 }), body)
    const decoded = decodeBatch(batch, options)
    expect(decoded.header).toEqual({ version: 0, delayedCountAfter: 6n, slotCount: 2 })
    expect(decoded.prelude).toBeUndefined()
    expect(decoded.blocks).toHaveLength(1)
    const [implicit] = decoded.blocks
    expect(implicit).toMatchObject({ implicit: true, delayedFrom: 4n, delayedTo: 6n, timestamp: T_B })
    expect(implicit?.slots.map((s) => s.ok)).toEqual([false, false])
  })

  it("takes D_b from the inbox, not from the header's delayedCountAfter", () => {
    const batch = encodeBatchHeader({ version: 0, delayedCountAfter: 99n, slotCount: 0 })
    const decoded = decodeBatch(batch, options)
    expect(decoded.blocks).toHaveLength(1)
    expect(decoded.blocks[0]).toMatchObject({ delayedFrom: 4n, delayedTo: 6n })
  })

  it('clamps with T_b + maxSequencerDrift computed unbounded, so a timestamp still fits in 64 bits', () => {
    const max64 = 2n ** 64n - 1n
    const decoded = decodeBatch(encodeForcedBatch(6n), { ...options, l1Timestamp: max64, maxSequencerDrift: max64 })
    expect(decoded.blocks[0]?.timestamp).toBe(max64)
    const body = concatBytes(encodePrelude(max64, [], [FEE]), blockHeader(5n, 0n, 0n))
    const batch = concatBytes(encodeBatchHeader({ version: 1, delayedCountAfter: 4n, slotCount: 0 }), body)
    const fromBody = decodeBatch(batch, {
      ...options,
      delayedCountAfter: 4n,
      l1Timestamp: max64,
      maxSequencerDrift: 1n,
    })
    expect(fromBody.blocks[0]?.timestamp).toBe(max64)
  })
})
