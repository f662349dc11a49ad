import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type DecodeBatchOptions,
  type DecodedBatch,
  decodeBatch,
  decodeBatchHeader,
  decodeSlot,
  encodeBatch,
  locateMessage,
  type SlotResult,
  walkBatch,
} from '../../src/batch/index.ts'
import { blocksArb, CHAIN_ID, materialize } from './support.ts'

/** Valid batches to mutate, made once (signing is the slow part). */
const valid: { batch: Uint8Array; delayed: bigint }[] = []

beforeAll(async () => {
  const samples = fc.sample(blocksArb, { numRuns: 24, seed: 7 })
  for (const params of samples) {
    const { blocks } = await materialize(params)
    const batch = encodeBatch({ blocks, prevDelayedCount: params.prevDelayed, chainId: CHAIN_ID })
    valid.push({ batch, delayed: (blocks.at(-1)?.delayedCountAfter ?? params.prevDelayed) - params.prevDelayed })
  }
})

function options(delayedCount: bigint, extra: Partial<DecodeBatchOptions> = {}): DecodeBatchOptions {
  return {
    delayedBefore: 1000n,
    delayedCountAfter: 1000n + delayedCount,
    chainId: CHAIN_ID,
    l1Timestamp: 1_700_000_000n,
    prevTimestamp: 1_699_999_000n,
    maxSequencerDrift: 600n,
    ...extra,
  }
}

type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
)

function mutate(batch: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = batch.slice()
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1)
    if (m.kind === 'flip' && at < out.length) out[at] = (out[at] as number) ^ m.xor
    else if (m.kind === 'truncate') out = out.slice(0, at)
    else if (m.kind === 'insert') {
      const next = new Uint8Array(out.length + m.bytes.length)
      next.set(out.subarray(0, at))
      next.set(m.bytes, at)
      next.set(out.subarray(at), at + m.bytes.length)
      out = next
    } else if (m.kind === 'delete') {
      out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + m.length)])
    }
  }
  return out
}

/** Random bytes, often behind a plausible header and prelude so that the block walk is exercised. */
const randomBatchArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .record({
      version: fc.constantFrom(0, 1, 1, 1, 2),
      slots: fc.integer({ min: 0, max: 12 }),
      addresses: fc.integer({ min: 0, max: 3 }),
      fees: fc.integer({ min: 0, max: 9 }),
      body: fc.uint8Array({ maxLength: 600 }),
    })
    .map(({ version, slots, addresses, fees, body }) => {
      const prelude = new Uint8Array(11 + 20 * addresses + 40 * fees)
      prelude[9] = addresses
      prelude[10 + 20 * addresses] = fees
      const out = new Uint8Array(13 + prelude.length + body.length)
      out[0] = version
      out[12] = slots
      out.set(prelude, 13)
      out.set(body, 13 + prelude.length)
      return out
    }),
)

/** What any decode must satisfy, whatever the bytes. */
function checkShape(batch: Uint8Array, decoded: DecodedBatch, opts: DecodeBatchOptions): void {
  const header = decodeBatchHeader(batch)
  const slotCount = header?.slotCount ?? 0
  let delayed = opts.delayedBefore
  let slots = 0
  let prev = opts.prevTimestamp
  for (const block of decoded.blocks) {
    expect(block.delayedFrom).toBe(delayed)
    expect(block.delayedTo).toBeGreaterThanOrEqual(block.delayedFrom)
    expect(block.firstSlot).toBe(slots)
    delayed = block.delayedTo
    slots += block.slots.length
    expect(block.timestamp).toBeGreaterThanOrEqual(prev)
    expect(block.timestamp).toBeLessThanOrEqual(opts.l1Timestamp + opts.maxSequencerDrift)
    prev = block.timestamp
    for (const slot of block.slots) if (!slot.ok) expect(slot.reason).toBe('slotDecode')
  }
  expect(delayed).toBe(opts.delayedCountAfter)
  expect(slots).toBe(slotCount)
  decoded.blocks.forEach((block, i) => {
    if (block.implicit) expect(i).toBe(decoded.blocks.length - 1)
  })
}

/** locateMessage must find, for every j, what decodeBatch places at j. */
function checkLocate(batch: Uint8Array, decoded: DecodedBatch, opts: DecodeBatchOptions): void {
  const delayedCount = opts.delayedCountAfter - opts.delayedBefore
  const slotCount = decodeBatchHeader(batch)?.slotCount ?? 0
  const messages: ({ delayed: bigint } | { slot: number; result: SlotResult })[] = []
  for (const block of decoded.blocks) {
    for (let d = block.delayedFrom; d < block.delayedTo; d++) messages.push({ delayed: d - opts.delayedBefore })
    block.slots.forEach((result, i) => {
      messages.push({ slot: block.firstSlot + i, result })
    })
  }
  expect(messages).toHaveLength(Number(delayedCount) + slotCount)
  messages.forEach((message, j) => {
    const location = locateMessage(batch, BigInt(j), delayedCount, slotCount)
    if ('delayed' in message) {
      expect(location).toEqual({ kind: 'delayed', delayedOffset: message.delayed })
    } else {
      expect(location.kind).toBe('slot')
      if (location.kind !== 'slot') return
      expect(location.slotNumber).toBe(message.slot)
      const again =
        decoded.prelude === undefined ? { ok: false } : decodeSlot(location.bytes, decoded.prelude, opts.chainId)
      if (message.result.ok) expect(again).toEqual(message.result)
      else expect(again.ok).toBe(false)
    }
  })
}

describe('decodeBatch is total and deterministic', () => {
  it('never throws on random bytes; same input, same output; counts come from the header and the inbox', () => {
    fc.assert(
      fc.property(randomBatchArb, fc.bigInt({ min: 0n, max: 6n }), (batch, delayedCount) => {
        const opts = options(delayedCount)
        const decoded = decodeBatch(batch, opts)
        expect(decodeBatch(batch.slice(), opts)).toEqual(decoded)
        checkShape(batch, decoded, opts)
        checkLocate(batch, decoded, opts)
      }),
      { numRuns: 1500 },
    )
  })

  it('never throws on mutated valid batches (flips, truncation, insertion, deletion)', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.bigInt({ min: -2n, max: 2n }),
        (pick, mutations, skew) => {
          const sample = valid[pick % valid.length]!
          const batch = mutate(sample.batch, mutations)
          const delayed = sample.delayed + skew < 0n ? 0n : sample.delayed + skew
          const opts = options(delayed)
          const decoded = decodeBatch(batch, opts)
          expect(decodeBatch(batch.slice(), opts)).toEqual(decoded)
          checkShape(batch, decoded, opts)
          checkLocate(batch, decoded, opts)
        },
      ),
      { numRuns: 800 },
    )
  })

  it('a corrupted slot changes only itself', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }),
        (pick, slotPick, flips) => {
          const candidates = valid.filter((v) => (decodeBatchHeader(v.batch)?.slotCount ?? 0) > 0)
          const sample = candidates[pick % candidates.length]!
          const slotCount = decodeBatchHeader(sample.batch)!.slotCount
          const walk = walkBatch(sample.batch, sample.delayed, slotCount)
          const k = slotPick % slotCount
          const start = walk.slotStart[k]!
          const length = walk.slotEnd[k]! - start
          const corrupted = sample.batch.slice()
          for (const [at, xor] of flips) corrupted[start + (at % length)]! ^= xor
          const opts = options(sample.delayed)
          const before = decodeBatch(sample.batch, opts)
          const after = decodeBatch(corrupted, opts)
          expect(after.blocks.map(({ slots, ...rest }) => ({ ...rest, slots: slots.length }))).toEqual(
            before.blocks.map(({ slots, ...rest }) => ({ ...rest, slots: slots.length })),
          )
          const flat = (d: DecodedBatch) => d.blocks.flatMap((block) => block.slots)
          const a = flat(before)
          const b = flat(after)
          for (let i = 0; i < a.length; i++) if (i !== k) expect(b[i]).toEqual(a[i])
        },
      ),
      { numRuns: 300 },
    )
  })
})
