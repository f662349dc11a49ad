import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBatch, encodeBatch, walkBatch } from '../../src/batch/index.ts'
import { encodeTransaction, recoverSender } from '../../src/tx/index.ts'
import { blocksArb, CHAIN_ID, materialize, nobleSign, transfer } from './support.ts'

const FAR_FUTURE = 2n ** 62n

describe('encodeBatch → decodeBatch', () => {
  it('rebuilds every block and every wallet-signed transaction exactly (types 0/1/2, transfers and withdrawals)', async () => {
    await fc.assert(
      fc.asyncProperty(blocksArb, async (params) => {
        const { blocks, wallet } = await materialize(params)
        const batch = encodeBatch({ blocks, prevDelayedCount: params.prevDelayed, chainId: CHAIN_ID })
        const last = blocks.at(-1)
        const decoded = decodeBatch(batch, {
          delayedBefore: params.prevDelayed,
          delayedCountAfter: last?.delayedCountAfter ?? params.prevDelayed,
          chainId: CHAIN_ID,
          l1Timestamp: FAR_FUTURE,
          prevTimestamp: params.base,
          maxSequencerDrift: 0n,
        })
        expect(decoded.header?.version).toBe(1)
        expect(decoded.blocks).toHaveLength(blocks.length)
        let delayed = params.prevDelayed
        decoded.blocks.forEach((block, b) => {
          const input = blocks[b]!
          expect(block.implicit).toBe(false)
          expect(block.timestamp).toBe(input.timestamp)
          expect(block.delayedFrom).toBe(delayed)
          expect(block.delayedTo).toBe(input.delayedCountAfter)
          delayed = input.delayedCountAfter
          expect(block.slots).toHaveLength(input.transactions.length)
          block.slots.forEach((slot, i) => {
            const sent = wallet[b]![i]!
            if (!slot.ok) throw new Error(`slot ${i} of block ${b} failed: ${slot.detail}`)
            expect(slot.tx).toEqual(sent.tx)
            expect(encodeTransaction(slot.tx)).toEqual(sent.raw)
            expect(recoverSender(slot.tx, { expectedChainId: CHAIN_ID })).toEqual(sent.sender)
          })
        })
      }),
      { numRuns: 120 },
    )
  })

  it('rebuilds transactions with nonces up to 2^64−1 (beyond what viem carries)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom<0 | 1 | 2>(0, 1, 2)), {
          minLength: 1,
          maxLength: 8,
        }),
        (specs) => {
          const txs = specs.map(([nonce, type]) =>
            nobleSign(transfer({ type, nonce, maxPriorityFeePerGas: type === 2 ? 1n : 2_000_000_000n })),
          )
          const batch = encodeBatch({
            blocks: [{ timestamp: 10n, delayedCountAfter: 0n, transactions: txs }],
            prevDelayedCount: 0n,
            chainId: CHAIN_ID,
          })
          const [block] = decodeBatch(batch, {
            delayedBefore: 0n,
            delayedCountAfter: 0n,
            chainId: CHAIN_ID,
            l1Timestamp: 10n,
            prevTimestamp: 0n,
            maxSequencerDrift: 0n,
          }).blocks
          expect(block?.slots.map((slot) => (slot.ok ? encodeTransaction(slot.tx) : slot.detail))).toEqual(
            txs.map(encodeTransaction),
          )
        },
      ),
      { numRuns: 50 },
    )
  })

  it('costs one length byte per slot: each slot is its length byte and exactly that many bytes', async () => {
    await fc.assert(
      fc.asyncProperty(blocksArb, async (params) => {
        const { blocks } = await materialize(params)
        const batch = encodeBatch({ blocks, prevDelayedCount: params.prevDelayed, chainId: CHAIN_ID })
        const total = blocks.reduce((n, block) => n + block.transactions.length, 0)
        const last = blocks.at(-1)?.delayedCountAfter ?? params.prevDelayed
        const walk = walkBatch(batch, last - params.prevDelayed, total)
        expect(walk.stop).toBe('end')
        expect(walk.slotStart).toHaveLength(total)
        walk.slotStart.forEach((start, k) => {
          expect(batch[start - 1]).toBe(walk.slotEnd[k]! - start)
        })
      }),
      { numRuns: 30 },
    )
  })
})
