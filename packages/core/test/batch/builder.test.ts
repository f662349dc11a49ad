import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addressKey,
  type BatchBlock,
  BatchBuilder,
  BatchEncodeError,
  decodeBatch,
  encodeBatch,
  preludeAddress,
  walkBatch,
} from '../../src/batch/index.ts'
import type { SignedTransaction } from '../../src/tx/index.ts'
import { CHAIN_ID, transfer } from './support.ts'

function address(i: number): Uint8Array {
  const out = new Uint8Array(20)
  out[0] = 0xaa
  out[16] = i >>> 24
  out[17] = (i >>> 16) & 0xff
  out[18] = (i >>> 8) & 0xff
  out[19] = i & 0xff
  return out
}

/** Unsigned transfers (the encoder never checks signatures): recipients and fees from skewed pools. */
const txArb = (recipients: number, fees: number): fc.Arbitrary<SignedTransaction> =>
  fc
    .record({
      to: fc.integer({ min: 0, max: recipients - 1 }),
      skew: fc.integer({ min: 0, max: 3 }),
      fee: fc.integer({ min: 0, max: fees - 1 }),
      nonce: fc.bigInt({ min: 0n, max: 2n ** 20n }),
      r: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
      s: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
      v: fc.constantFrom(0n, 1n),
    })
    .map(({ to, skew, fee, nonce, r, s, v }) =>
      transfer({
        to: address(skew === 0 ? to : to % (1 + 3 * skew)),
        maxFeePerGas: 1_000_000_000n + BigInt(skew === 0 ? fee : fee % 3),
        nonce,
        r,
        s,
        v,
      }),
    )

const blocksArb = (recipients: number, fees: number, maxTxs: number) =>
  fc.array(
    fc.record({
      dt: fc.bigInt({ min: 0n, max: 200n }),
      dd: fc.bigInt({ min: 0n, max: 200n }),
      txs: fc.array(txArb(recipients, fees), { maxLength: maxTxs }),
    }),
    { minLength: 1, maxLength: 12 },
  )

function layout(raw: { dt: bigint; dd: bigint; txs: SignedTransaction[] }[]): BatchBlock[] {
  let t = 1_000n
  let d = 5n
  return raw.map(({ dt, dd, txs }) => {
    t += dt
    d += dd
    return { timestamp: t, delayedCountAfter: d, transactions: txs }
  })
}

function decodeAll(batch: Uint8Array, blocks: BatchBlock[], delayedBefore = 5n) {
  return decodeBatch(batch, {
    delayedBefore,
    delayedCountAfter: blocks.at(-1)?.delayedCountAfter ?? delayedBefore,
    chainId: CHAIN_ID,
    l1Timestamp: 2n ** 62n,
    prevTimestamp: 0n,
    maxSequencerDrift: 0n,
  })
}

describe('BatchBuilder', () => {
  it('knows its exact size after every block; the batch decodes to the same transactions', () => {
    fc.assert(
      fc.property(blocksArb(300, 20, 60), (raw) => {
        const blocks = layout(raw)
        const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 5n })
        for (const block of blocks) {
          expect(builder.tryAdd(block)).toBe(true)
          expect(builder.finish()).toHaveLength(builder.size)
        }
        const decoded = decodeAll(builder.finish(), blocks)
        expect(decoded.blocks.map((b) => b.slots.map((s) => (s.ok ? s.tx : s.detail)))).toEqual(
          blocks.map((b) => b.transactions),
        )
      }),
      { numRuns: 60 },
    )
  })

  it('puts in the address dictionary exactly the recipients used twice or more, most used first; fees by frequency', () => {
    fc.assert(
      fc.property(blocksArb(300, 20, 60), (raw) => {
        const blocks = layout(raw)
        const batch = encodeBatch({ blocks, prevDelayedCount: 5n, chainId: CHAIN_ID })
        const uses = new Map<string, number>()
        const feeUses = new Map<bigint, number>()
        for (const tx of blocks.flatMap((b) => b.transactions)) {
          const key = addressKey(tx.to!)
          uses.set(key, (uses.get(key) ?? 0) + 1)
          feeUses.set(tx.maxFeePerGas, (feeUses.get(tx.maxFeePerGas) ?? 0) + 1)
        }
        const prelude = decodeAll(batch, blocks).prelude!
        const dictionary = Array.from({ length: prelude.addressCount }, (_, i) =>
          addressKey(preludeAddress(prelude, i)!),
        )
        expect(new Set(dictionary)).toEqual(new Set([...uses].filter(([, n]) => n >= 2).map(([key]) => key)))
        const counts = dictionary.map((key) => uses.get(key)!)
        expect(counts).toEqual([...counts].sort((a, b) => b - a))
        const feeCounts = prelude.fees.map((fee) => feeUses.get(fee.maxFeePerGas)!)
        expect(feeCounts).toEqual([...feeCounts].sort((a, b) => b - a))
        expect(prelude.fees).toHaveLength(feeUses.size)
      }),
      { numRuns: 60 },
    )
  })

  it('writes 1-, 2- and 3-byte dictionary indices by rank and stays exact (20,000 addresses used twice)', () => {
    const txs: SignedTransaction[] = []
    for (let i = 0; i < 20_000; i++) {
      txs.push(transfer({ to: address(i) }), transfer({ to: address(i) }))
      if (i < 200) txs.push(transfer({ to: address(i) })) // the first 200 are used three times: ranks 0–199
    }
    const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n })
    expect(builder.tryAdd({ timestamp: 1n, delayedCountAfter: 0n, transactions: txs })).toBe(true)
    const batch = builder.finish()
    expect(batch).toHaveLength(builder.size)
    const walk = walkBatch(batch, 0n, txs.length)
    const lengths = new Set(walk.slotStart.map((start, k) => walk.slotEnd[k]! - start))
    const base = 1 + 1 + 2 + 64 // flags, nonce 7, value (16, 5), signature
    expect(lengths).toEqual(new Set([base + 1, base + 2, base + 3]))
    const decoded = decodeAll(batch, [{ timestamp: 1n, delayedCountAfter: 0n, transactions: txs }], 0n)
    expect(decoded.prelude?.addressCount).toBe(20_000)
    expect(decoded.blocks[0]!.slots.every((s, k) => s.ok && s.tx.to!.every((x, i) => x === txs[k]!.to![i]))).toBe(true)
  })

  it('fills up to maxBatchBytes and refuses the block that would overflow, unchanged', () => {
    fc.assert(
      fc.property(blocksArb(100, 12, 30), fc.integer({ min: 300, max: 5000 }), (raw, max) => {
        const blocks = layout(raw)
        const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 5n, maxBatchBytes: max })
        let added = 0
        for (const block of blocks) {
          const before = builder.finish()
          let ok: boolean
          try {
            ok = builder.tryAdd(block)
          } catch (error) {
            // only the first block may be refused by throwing (it could never fit)
            expect(added).toBe(0)
            expect((error as BatchEncodeError).problem).toBe('tooLarge')
            return
          }
          if (!ok) {
            expect(builder.finish()).toEqual(before)
            const unbounded = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 5n })
            for (const b of blocks.slice(0, added + 1)) unbounded.tryAdd(b)
            expect(unbounded.size).toBeGreaterThan(max)
            break
          }
          added++
          expect(builder.size).toBeLessThanOrEqual(max)
        }
        expect(builder.finish().length).toBeLessThanOrEqual(max)
        expect(builder.blockCount).toBe(added)
      }),
      { numRuns: 100 },
    )
  })

  it('stops at 255 distinct fee entries', () => {
    const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n })
    for (let i = 0; i < 255; i++) {
      const tx = transfer({ maxFeePerGas: 1_000_000_000n + BigInt(i) })
      expect(builder.tryAdd({ timestamp: 1n, delayedCountAfter: 0n, transactions: [tx] })).toBe(true)
    }
    const extra = transfer({ maxFeePerGas: 5n })
    expect(builder.tryAdd({ timestamp: 1n, delayedCountAfter: 0n, transactions: [extra] })).toBe(false)
    const reused = transfer({ maxFeePerGas: 1_000_000_000n })
    expect(builder.tryAdd({ timestamp: 1n, delayedCountAfter: 0n, transactions: [reused] })).toBe(true)
    const batch = builder.finish()
    expect(batch).toHaveLength(builder.size)
    const decoded = decodeAll(batch, [{ timestamp: 1n, delayedCountAfter: 0n, transactions: [] }], 0n)
    expect(decoded.prelude?.fees).toHaveLength(255)
  })

  it('throws, unchanged, for a transaction no batch can hold, and for blocks that go backwards', () => {
    const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 3n, maxBatchBytes: 10_000 })
    expect(builder.tryAdd({ timestamp: 10n, delayedCountAfter: 4n, transactions: [transfer()] })).toBe(true)
    const before = builder.finish()
    const bad = { timestamp: 11n, delayedCountAfter: 4n, transactions: [transfer(), transfer({ chainId: 1n })] }
    expect(() => builder.tryAdd(bad)).toThrow(BatchEncodeError)
    expect(() => builder.tryAdd({ timestamp: 9n, delayedCountAfter: 4n, transactions: [] })).toThrow(/before/)
    expect(() => builder.tryAdd({ timestamp: 10n, delayedCountAfter: 3n, transactions: [] })).toThrow(/below/)
    expect(builder.finish()).toEqual(before)
    expect(builder.delayedCountAfter).toBe(4n)
  })

  it('throws when one block alone exceeds maxBatchBytes', () => {
    const builder = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n, maxBatchBytes: 200 })
    const block = { timestamp: 1n, delayedCountAfter: 0n, transactions: [transfer(), transfer(), transfer()] }
    expect(() => builder.tryAdd(block)).toThrow(/over maxBatchBytes 200/)
    expect(() => encodeBatch({ blocks: [block], prevDelayedCount: 0n, chainId: CHAIN_ID, maxBatchBytes: 200 })).toThrow(
      BatchEncodeError,
    )
  })

  it('an empty batch is the header and an empty prelude', () => {
    const batch = new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 9n }).finish()
    expect(batch).toHaveLength(24)
    expect(Array.from(batch.subarray(0, 13))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0])
  })
})
