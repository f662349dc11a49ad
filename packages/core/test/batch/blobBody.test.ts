import fc from 'fast-check'
import { encodePacked, type Hex, keccak256 as viemKeccak } from 'viem'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type BatchBlock,
  BatchBuilder,
  BatchEncodeError,
  BLOB_BODY_LIMIT,
  blobBatchHash,
  blobBatchWithinBounds,
  blobOpeningsForMessage,
  type DecodeBatchOptions,
  decodeBatch,
  decodeBlobBatch,
  decodeSlotAt,
  encodeBatch,
  encodeBlobBatchBody,
  encodePrelude,
  locateBlobMessage,
  MAX_BLOBS_PER_BATCH,
  readBlobBodyLayout,
  walkBlobBatch,
} from '../../src/batch/index.ts'
import {
  type BlobElement,
  blobCapacity,
  blobsNeeded,
  elementPayloadRange,
  encodeBlobs,
  payloadBody,
  readPayload,
} from '../../src/blob/index.ts'
import { bytesToHex, concatBytes } from '../../src/bytes/index.ts'
import type { SignedTransaction } from '../../src/tx/index.ts'
import { blocksArb, CHAIN_ID, materialize, transfer } from './support.ts'

const options = (delayedBefore: bigint, delayedCountAfter: bigint): DecodeBatchOptions => ({
  delayedBefore,
  delayedCountAfter,
  chainId: CHAIN_ID,
  l1Timestamp: 2n ** 62n,
  prevTimestamp: 0n,
  maxSequencerDrift: 0n,
})

function recipient(i: number): Uint8Array {
  const out = new Uint8Array(20)
  out[0] = 0xbb
  out[18] = (i >>> 8) & 0xff
  out[19] = i & 0xff
  return out
}

/** Unsigned transfers (decoding never checks signatures); recipients repeat so the dictionary is used. */
function transfers(n: number, first = 0, recipients = 5): SignedTransaction[] {
  return Array.from({ length: n }, (_, i) =>
    transfer({ nonce: BigInt(first + i), to: recipient((first + i) % recipients), r: 3n + BigInt(i), s: 99n }),
  )
}

/** A blob batch's messages take delayed messages only in leading blocks: drop those after the first slot. */
function leadingDelayedOnly<P extends { blocks: { delayedDelta: bigint; txs: unknown[] }[] }>(params: P): P {
  let seenSlot = false
  return {
    ...params,
    blocks: params.blocks.map((block) => {
      const out = seenSlot ? { ...block, delayedDelta: 0n } : block
      if (block.txs.length > 0) seenSlot = true
      return out
    }),
  }
}

/** What a one-step prover sees: the payload with only the opened elements' bytes, zeros elsewhere. */
function proverView(body: Uint8Array, openings: BlobElement[]): Uint8Array {
  const payload = readPayload(encodeBlobs(body))
  const view = new Uint8Array(payload.length)
  for (const element of openings) {
    const { start, end } = elementPayloadRange(element)
    view.set(payload.subarray(start, end), start)
  }
  return payloadBody(view)
}

/**
 * §8.3 step 2 read literally, in its order: the payload ranges `[start, end)` a prover reads for
 * message j, each then mapped to the elements it touches (a second implementation, for a differential).
 */
function specReadElements(body: Uint8Array, delayed: bigint, slots: number, j: bigint): string[] {
  if (j < delayed) return []
  const reads: [number, number][] = [[0, 4]] // bodyLength: payload bytes 0..3
  const read = (start: number, end: number) => reads.push([start + 4, end + 4]) // body offsets → payload
  const L = body.length
  const u = (at: number, n: number) => body.subarray(at, at + n).reduce((x, b) => x * 256 + b, 0)
  const elements = () => {
    const out = new Set<number>()
    for (const [start, end] of reads) for (let p = start; p < end; p++) out.add(Math.floor(p / 31))
    return [...out].sort((a, b) => a - b).map((e) => `${Math.floor(e / 4096)}/${e % 4096}`)
  }
  if (L < 11) return elements()
  read(8, 10)
  const A = u(8, 2)
  if (11 + 20 * A > L) return elements()
  read(10 + 20 * A, 11 + 20 * A)
  const P = 11 + 20 * A + 40 * (body[10 + 20 * A] as number)
  if (P > L) return elements()
  const k = Number(j - delayed)
  const g = Math.floor(k / 32)
  const groupAt = P + slots + 4 * g
  if (groupAt + 4 > L) return elements()
  read(groupAt, groupAt + 4)
  read(P + 32 * g, P + k + 1)
  let start = P + slots + 4 * Math.ceil(slots / 32) + u(groupAt, 4)
  for (let i = 32 * g; i < k; i++) start += body[P + i] as number
  const end = start + (body[P + k] as number)
  if (end > L) return elements()
  read(start, end)
  const layout = readBlobBodyLayout(body, slots)
  const reads2: { feeIndex?: number; addressIndex?: number | undefined } = {}
  if (layout && decodeSlotAt(body, start, end, layout.prelude, CHAIN_ID, reads2).ok) {
    read(11 + 20 * A + 40 * (reads2.feeIndex as number), 51 + 20 * A + 40 * (reads2.feeIndex as number))
    if (reads2.addressIndex !== undefined) read(10 + 20 * reads2.addressIndex, 30 + 20 * reads2.addressIndex)
  }
  return elements()
}

/** Message j read from `view` must be what it is in the whole body: same place, same slot result. */
function expectOpeningsSuffice(body: Uint8Array, delayed: bigint, slots: number, j: bigint): BlobElement[] {
  const openings = blobOpeningsForMessage(body, delayed, slots, j)
  expect(openings.map((o) => `${o.blobIndex}/${o.element}`)).toEqual(specReadElements(body, delayed, slots, j))
  const sorted = [...openings].sort((a, b) => a.blobIndex - b.blobIndex || a.element - b.element)
  expect(openings).toEqual(sorted)
  expect(new Set(openings.map((o) => `${o.blobIndex}/${o.element}`)).size).toBe(openings.length)
  expect(openings.length).toBeLessThanOrEqual(17) // the bound of §8.4 for blob batches
  const full = locateBlobMessage(body, delayed, slots, j)
  if (full.kind === 'delayed') {
    expect(openings).toEqual([])
    return openings
  }
  const view = proverView(body, openings)
  expect(view.length).toBe(body.length)
  const seen = locateBlobMessage(view, delayed, slots, j)
  expect(seen.kind === 'slot' && seen.span).toEqual(full.span)
  const layout = readBlobBodyLayout(body, slots)
  const viewLayout = readBlobBodyLayout(view, slots)
  expect(viewLayout === undefined).toBe(layout === undefined)
  if (full.span !== undefined && layout !== undefined && viewLayout !== undefined) {
    const whole = decodeSlotAt(body, full.span.start, full.span.end, layout.prelude, CHAIN_ID)
    const proven = decodeSlotAt(view, full.span.start, full.span.end, viewLayout.prelude, CHAIN_ID)
    expect(proven).toEqual(whole)
  }
  return openings
}

describe('blob body v2: encodeBlobBatchBody → decodeBlobBatch (§5.7.3)', () => {
  it('gives exactly the blocks, slots and timestamps the calldata encoding of the same blocks gives', async () => {
    await fc.assert(
      fc.asyncProperty(blocksArb.map(leadingDelayedOnly), async (params) => {
        const { blocks } = await materialize(params)
        const after = blocks.at(-1)?.delayedCountAfter ?? params.prevDelayed
        const blob = encodeBlobBatchBody({ blocks, prevDelayedCount: params.prevDelayed, chainId: CHAIN_ID })
        expect(blob.delayedCountAfter).toBe(after)
        expect(blob.slotCount).toBe(blocks.reduce((n, b) => n + b.transactions.length, 0))
        const calldata = decodeBatch(encodeBatch({ blocks, prevDelayedCount: params.prevDelayed, chainId: CHAIN_ID }), {
          ...options(params.prevDelayed, after),
          prevTimestamp: params.base,
        })
        const decoded = decodeBlobBatch(blob.body, {
          ...options(params.prevDelayed, after),
          prevTimestamp: params.base,
          slotCount: blob.slotCount,
        })
        expect(decoded.header).toBeUndefined()
        expect(decoded.prelude).toEqual(calldata.prelude)
        expect(decoded.blocks).toEqual(calldata.blocks)
        // and through the blobs
        expect(
          decodeBlobBatch(payloadBody(readPayload(encodeBlobs(blob.body))), {
            ...options(params.prevDelayed, after),
            prevTimestamp: params.base,
            slotCount: blob.slotCount,
          }).blocks,
        ).toEqual(calldata.blocks)
      }),
      { numRuns: 80 },
    )
  })

  it('the builder knows its exact size, and refuses a block with delayed messages once it holds a slot', () => {
    const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 10n, da: 'blobs' })
    expect(builder.maxBatchBytes).toBe(BLOB_BODY_LIMIT)
    expect(builder.tryAdd({ timestamp: 100n, delayedCountAfter: 12n, transactions: [] })).toBe(true)
    expect(builder.tryAdd({ timestamp: 101n, delayedCountAfter: 13n, transactions: transfers(3) })).toBe(true)
    const size = builder.size
    expect(builder.tryAdd({ timestamp: 102n, delayedCountAfter: 14n, transactions: transfers(1, 3) })).toBe(false)
    expect(builder.size).toBe(size)
    expect(builder.tryAdd({ timestamp: 102n, delayedCountAfter: 13n, transactions: transfers(40, 3) })).toBe(true)
    const body = builder.finish()
    expect(body.length).toBe(builder.size)
    const decoded = decodeBlobBatch(body, { ...options(10n, 13n), slotCount: builder.slotCount })
    expect(decoded.blocks.map((b) => [b.delayedTo - b.delayedFrom, b.slots.length, b.implicit])).toEqual([
      [2n, 0, false],
      [1n, 3, false],
      [0n, 40, false],
    ])
    expect(decoded.blocks.every((b) => b.slots.every((s) => s.ok))).toBe(true)
    expect(() =>
      encodeBlobBatchBody({
        chainId: CHAIN_ID,
        prevDelayedCount: 0n,
        blocks: [
          { timestamp: 1n, delayedCountAfter: 0n, transactions: transfers(1) },
          { timestamp: 1n, delayedCountAfter: 1n, transactions: [] },
        ],
      }),
    ).toThrow(BatchEncodeError)
  })

  it('fills a blob batch up to the capacity of its blob count and no further', () => {
    for (const maxBlobs of [1, 2]) {
      const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n, da: 'blobs', maxBlobs })
      let block = 0
      let added: BatchBlock | undefined
      for (;;) {
        added = { timestamp: BigInt(block), delayedCountAfter: 0n, transactions: transfers(50, block * 50, 3000) }
        if (!builder.tryAdd(added)) break
        block++
      }
      const body = builder.finish()
      expect(body.length).toBe(builder.size)
      expect(body.length).toBeLessThanOrEqual(blobCapacity(maxBlobs))
      expect(body.length).toBeGreaterThan(blobCapacity(maxBlobs) - 50 * 100) // the refused block did not fit
      expect(encodeBlobs(body)).toHaveLength(maxBlobs)
      expect(builder.blobCount).toBe(maxBlobs)
      expect(blobBatchWithinBounds(builder.slotCount, maxBlobs)).toBe(true)
      const decoded = decodeBlobBatch(body, { ...options(0n, 0n), slotCount: builder.slotCount })
      expect(decoded.blocks).toHaveLength(block)
      expect(decoded.blocks.flatMap((b) => b.slots).every((s) => s.ok)).toBe(true)
    }
    expect(() => new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n, da: 'blobs', maxBlobs: 7 })).toThrow(
      BatchEncodeError,
    )
  })

  it('cuts a blob batch at 512 blocks', () => {
    const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n, da: 'blobs' })
    for (let i = 0; i < 512; i++) {
      expect(builder.tryAdd({ timestamp: BigInt(i), delayedCountAfter: 0n, transactions: transfers(1, i) })).toBe(true)
    }
    expect(builder.tryAdd({ timestamp: 600n, delayedCountAfter: 0n, transactions: [] })).toBe(false)
    expect(walkBlobBatch(builder.finish(), 0n, 512).stop).toBe('end')
  })
})

/** A body laid out by hand: prelude, then the given lengths, groups, slot bytes and trailing bytes. */
function handBody(parts: {
  addresses?: Uint8Array[]
  fees?: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; gasLimit: bigint }[]
  lengths: number[]
  groups: number[]
  slots: Uint8Array
  tail?: Uint8Array
}): Uint8Array {
  const groups = new Uint8Array(4 * parts.groups.length)
  const view = new DataView(groups.buffer)
  parts.groups.forEach((g, i) => {
    view.setUint32(4 * i, g)
  })
  return concatBytes(
    encodePrelude(1000n, parts.addresses ?? [], parts.fees ?? []),
    Uint8Array.from(parts.lengths),
    groups,
    parts.slots,
    parts.tail ?? new Uint8Array(0),
  )
}

describe('walkBlobBatch on hostile bodies (total, §5.7.3)', () => {
  /** Valid bodies to mutate, made once. */
  const valid: { body: Uint8Array; delayed: bigint; slots: number }[] = []
  beforeAll(async () => {
    for (const params of fc.sample(blocksArb.map(leadingDelayedOnly), { numRuns: 16, seed: 11 })) {
      const { blocks } = await materialize(params)
      const encoded = encodeBlobBatchBody({ blocks, prevDelayedCount: params.prevDelayed, chainId: CHAIN_ID })
      valid.push({
        body: encoded.body,
        delayed: encoded.delayedCountAfter - params.prevDelayed,
        slots: encoded.slotCount,
      })
    }
    const big = encodeBlobBatchBody({
      chainId: CHAIN_ID,
      prevDelayedCount: 0n,
      blocks: [
        { timestamp: 5n, delayedCountAfter: 2n, transactions: transfers(70, 0, 9) },
        { timestamp: 9n, delayedCountAfter: 2n, transactions: transfers(30, 70, 100) },
      ],
    })
    valid.push({ body: big.body, delayed: 2n, slots: big.slotCount })
  })

  const mutationArb = fc.record({
    pick: fc.nat(),
    flips: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    delayed: fc.option(fc.bigInt({ min: 0n, max: 5n }), { nil: undefined }),
    slots: fc.option(fc.nat(120), { nil: undefined }),
  })

  function checkWalk(body: Uint8Array, delayed: bigint, slots: number) {
    const walk = walkBlobBatch(body, delayed, slots)
    expect(walk.blocks.length).toBeLessThanOrEqual(513)
    let d = 0n
    let s = 0
    for (const block of walk.blocks) {
      expect(block.firstSlot).toBe(s)
      // a blob batch's delayed messages come first: no block takes one after a slot
      if (block.delayedCount > 0n) expect(s).toBe(0)
      d += block.delayedCount
      s += block.slotCount
    }
    expect(d).toBe(delayed)
    expect(s).toBe(slots)
    expect(walk.blocks.filter((b) => b.proposedTimestamp === undefined).length).toBeLessThanOrEqual(1)
    walk.slots.forEach((span) => {
      if (span) expect(0 <= span.start && span.start <= span.end && span.end <= body.length).toBe(true)
    })
    expect(walk.slots).toHaveLength(slots)
    for (let j = 0n; j < delayed + BigInt(slots); j++) {
      const where = locateBlobMessage(body, delayed, slots, j)
      if (j < delayed) expect(where).toEqual({ kind: 'delayed', delayedOffset: j })
      else if (where.kind === 'slot') expect(where.span).toEqual(walk.slots[Number(j - delayed)])
      expectOpeningsSuffice(body, delayed, slots, j)
    }
    decodeBlobBatch(body, { ...options(7n, 7n + delayed), slotCount: slots })
  }

  it('any mutation of a valid body walks, locates and opens consistently, and never throws', () => {
    fc.assert(
      fc.property(mutationArb, (m) => {
        const source = valid[m.pick % valid.length]!
        let body = source.body.slice()
        for (const [at, value] of m.flips) if (body.length > 0) body[at % body.length] = value
        if (m.cut !== undefined) body = body.subarray(0, m.cut % (body.length + 1))
        checkWalk(body, m.delayed ?? source.delayed, m.slots ?? source.slots)
      }),
      { numRuns: 150 },
    )
  })

  it('random bytes walk too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.bigInt({ min: 0n, max: 3n }), fc.nat(20), (body, d, s) => {
        checkWalk(body, d, s)
      }),
      { numRuns: 150 },
    )
  })

  it('a hostile groups value makes its slots absent; overlapping slots are each decoded', () => {
    const [a] = transfers(1, 0, 100)
    const slotA = encodeBlobBatchBody({
      chainId: CHAIN_ID,
      prevDelayedCount: 0n,
      blocks: [{ timestamp: 1n, delayedCountAfter: 0n, transactions: [a!] }],
    })
    const layout = readBlobBodyLayout(slotA.body, 1)!
    const bytesA = slotA.body.subarray(
      layout.slotsStart,
      layout.slotsStart + (slotA.body[layout.lengthsStart] as number),
    )
    // 33 slots: slot 0 is bytesA, slots 1..31 are empty, and group 1 (slot 32) points back at slot 0's bytes
    const lengths = Array.from({ length: 33 }, (_, k) => (k === 0 || k === 32 ? bytesA.length : 0))
    const fees = layout.prelude.fees
    const overlapping = handBody({ fees, lengths, groups: [0, 0], slots: bytesA })
    const walk = walkBlobBatch(overlapping, 0n, 33)
    expect(walk.slots[0]).toEqual(walk.slots[32]) // group 1 restarts at offset 0: the same bytes
    const decoded = decodeBlobBatch(overlapping, { ...options(0n, 0n), slotCount: 33 })
    const results = decoded.blocks.flatMap((blk) => blk.slots)
    expect(results[0]).toEqual(results[32])
    expect(results[0]?.ok).toBe(true)
    expect(results[1]?.ok).toBe(false) // a zero-length present slot is empty
    const hostile = handBody({ fees, lengths, groups: [0, 0xffff_fff0], slots: bytesA })
    const hostileWalk = walkBlobBatch(hostile, 0n, 33)
    expect(hostileWalk.slots[32]).toBeUndefined()
    expect(hostileWalk.slots[0]).toBeDefined()
    expect(hostileWalk.blocks).toEqual([
      { proposedTimestamp: undefined, delayedCount: 0n, firstSlot: 0, slotCount: 33 },
    ])
    expect(hostileWalk.stop).toBe('noBlocks')
    // the prover needs only element 0, feeCount, the group and lengths: no slot byte of an absent slot
    const openings = expectOpeningsSuffice(hostile, 0n, 33, 32n)
    expect(openings.length).toBeLessThanOrEqual(4)
  })

  it('a truncated body: the cut slots are absent, no block entries are read, everything goes to the implicit block at T_b', () => {
    const source = valid.at(-1)!
    const layout = readBlobBodyLayout(source.body, source.slots)!
    const cut = source.body.subarray(0, layout.slotsStart + 200)
    const walk = walkBlobBatch(cut, source.delayed, source.slots)
    const present = walk.slots.filter((s) => s !== undefined).length
    expect(present).toBeGreaterThan(0)
    expect(present).toBeLessThan(source.slots)
    expect(walk.slots.slice(0, present).every((s) => s !== undefined)).toBe(true)
    expect(walk.blocks).toEqual([
      { proposedTimestamp: undefined, delayedCount: source.delayed, firstSlot: 0, slotCount: source.slots },
    ])
    const decoded = decodeBlobBatch(cut, { ...options(0n, source.delayed), l1Timestamp: 777n, slotCount: source.slots })
    expect(decoded.blocks.map((b) => [b.timestamp, b.implicit])).toEqual([[777n, true]])
    // a body ending inside its prelude has no present slot
    expect(walkBlobBatch(cut.subarray(0, 10), 0n, 3).stop).toBe('prelude')
    expect(walkBlobBatch(cut.subarray(0, 10), 0n, 3).slots.every((s) => s === undefined)).toBe(true)
  })

  it('block entries: a count beyond what remains takes the rest and ends the body; empty blocks are kept', () => {
    const body = handBody({
      lengths: [],
      groups: [],
      slots: new Uint8Array(0),
      tail: Uint8Array.from([1, 0, 2, 9, 3, 0, 4, 1]),
    })
    const walk = walkBlobBatch(body, 3n, 0)
    expect(walk.stop).toBe('messageOverflow')
    expect(walk.blocks).toEqual([
      { proposedTimestamp: 1001n, delayedCount: 0n, firstSlot: 0, slotCount: 0 },
      { proposedTimestamp: 1003n, delayedCount: 3n, firstSlot: 0, slotCount: 0 },
    ])
  })
})

describe('blobOpeningsForMessage (§8.3)', () => {
  it('a dictionary slot opens element 0, feeCount, its group and lengths, its bytes, its fee entry and its address', () => {
    const fees = Array.from({ length: 4 }, (_, i) => ({
      maxFeePerGas: 2_000_000_000n + BigInt(i),
      maxPriorityFeePerGas: 1n,
      gasLimit: 21_000n,
    }))
    const addresses = Array.from({ length: 3 }, (_, i) => recipient(i))
    // the slot: fee entry 2 and address 1, by index
    const tx = transfer({ nonce: 5n, to: addresses[1]!, maxFeePerGas: fees[2]!.maxFeePerGas, maxPriorityFeePerGas: 1n })
    const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n, da: 'blobs' })
    const txs = [...transfers(6, 0, 3), tx]
    builder.tryAdd({ timestamp: 1n, delayedCountAfter: 1n, transactions: txs })
    const body = builder.finish()
    const layout = readBlobBodyLayout(body, txs.length)!
    const where = locateBlobMessage(body, 1n, txs.length, BigInt(txs.length))
    if (where.kind !== 'slot' || where.span === undefined) throw new Error('slot not present')
    const reads = {}
    const decoded = decodeSlotAt(body, where.span.start, where.span.end, layout.prelude, CHAIN_ID, reads)
    expect(decoded.ok).toBe(true)
    const { feeIndex, addressIndex } = reads as { feeIndex: number; addressIndex: number }
    expect(addressIndex).toBeDefined()
    const elementsOf = (start: number, end: number) => {
      const out = new Set<number>()
      for (let p = start + 4; p < end + 4; p++) out.add(Math.floor(p / 31))
      return out
    }
    const expected = new Set<number>([
      0,
      ...elementsOf(layout.feeCountAt, layout.feeCountAt + 1),
      ...elementsOf(layout.groupsStart, layout.groupsStart + 4),
      ...elementsOf(layout.lengthsStart, layout.lengthsStart + txs.length),
      ...elementsOf(where.span.start, where.span.end),
      ...elementsOf(layout.feeCountAt + 1 + 40 * feeIndex, layout.feeCountAt + 41 + 40 * feeIndex),
      ...elementsOf(10 + 20 * addressIndex, 30 + 20 * addressIndex),
    ])
    const openings = expectOpeningsSuffice(body, 1n, txs.length, BigInt(txs.length))
    expect(openings).toEqual([...expected].sort((x, y) => x - y).map((e) => ({ blobIndex: 0, element: e })))
    expect(blobOpeningsForMessage(body, 1n, txs.length, 0n)).toEqual([]) // the delayed message
    expect(() => blobOpeningsForMessage(body, 1n, txs.length, BigInt(txs.length + 1))).toThrow()
  })

  it('a slot straddling a blob boundary opens elements of both blobs', () => {
    // one slot per block of fresh recipients until the body passes the first blob's end
    const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n, da: 'blobs', maxBlobs: 2 })
    let n = 0
    while (builder.size < blobCapacity(1) + 500) {
      builder.tryAdd({ timestamp: 1n, delayedCountAfter: 0n, transactions: transfers(20, n, 1_000_000) })
      n += 20
    }
    const body = builder.finish()
    const walk = walkBlobBatch(body, 0n, n)
    const k = walk.slots.findIndex((s) => s !== undefined && s.start + 4 < 126_976 && s.end + 4 > 126_976)
    expect(k).toBeGreaterThan(0)
    const openings = expectOpeningsSuffice(body, 0n, n, BigInt(k))
    expect(openings.some((o) => o.blobIndex === 0 && o.element === 4095)).toBe(true)
    expect(openings.some((o) => o.blobIndex === 1 && o.element === 0)).toBe(true)
    expect(blobsNeeded(body.length)).toBe(2)
  })
})

describe('blob batch commitment and bound (§5.7.1)', () => {
  it('blobBatchHash is keccak256(uint8 2 ‖ uint64 ‖ uint32 ‖ versioned hashes), as abi.encodePacked writes it', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.nat(2 ** 32 - 1),
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 6 }),
        (delayed, slots, hashes) => {
          const expected = viemKeccak(
            encodePacked(
              ['uint8', 'uint64', 'uint32', 'bytes32[]'],
              [2, delayed, slots, hashes.map((h) => bytesToHex(h) as Hex)],
            ),
          )
          expect(bytesToHex(blobBatchHash(delayed, slots, hashes))).toBe(expected)
        },
      ),
      { numRuns: 50 },
    )
  })

  it('the slot bound: one slot per 64 payload bytes, 1 to 6 blobs', () => {
    expect(blobBatchWithinBounds(1984, 1)).toBe(true)
    expect(blobBatchWithinBounds(1985, 1)).toBe(false)
    expect(blobBatchWithinBounds(11_904, 6)).toBe(true)
    expect(blobBatchWithinBounds(0, 0)).toBe(false)
    expect(blobBatchWithinBounds(0, MAX_BLOBS_PER_BATCH + 1)).toBe(false)
    expect(BLOB_BODY_LIMIT).toBe(blobCapacity(MAX_BLOBS_PER_BATCH))
  })
})
