import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { sampleL1History } from '../../../../test/support/l1Inputs.ts'
import { walkBatch } from '../../src/batch/index.ts'
import { applyBlock, genesisBlock, type L2Block, prepareBlockConfig } from '../../src/block/index.ts'
import { bytesToHex } from '../../src/bytes/index.ts'
import { MemoryStore } from '../../src/db/store.ts'
import { deriveBatch, type L1Batch, planBatch, tipOf } from '../../src/derive/index.ts'
import type { DelayedMessage } from '../../src/messages/delayed.ts'
import { StateDb, writeGenesisState } from '../../src/state/index.ts'
import { applyMessage } from '../../src/stf/index.ts'

const config = testConfig()
const blockConfig = { ...prepareBlockConfig(config), maxSequencerDrift: config.maxSequencerDrift }

function derive(batches: readonly L1Batch[], delayed: readonly DelayedMessage[]): { blocks: L2Block[]; root: string } {
  const state = new StateDb(new MemoryStore())
  writeGenesisState(state)
  let tip = { ...tipOf({ ...genesisBlock(config), transactions: [], outcomes: [] }) }
  const blocks: L2Block[] = []
  const source = (index: bigint) => delayed.find((m) => m.index === index)
  for (const batch of batches) {
    const derived = deriveBatch(state, batch, source, tip, blockConfig)
    blocks.push(...derived)
    const last = derived.at(-1)
    if (last) tip = tipOf(last)
  }
  return { blocks, root: bytesToHex(state.stateRoot()) }
}

const fingerprint = (blocks: L2Block[]) => blocks.map((b) => `${b.header.number}:${bytesToHex(b.hash)}`).join(',')

describe('derivation (protocol.md §6)', () => {
  const { batches, delayed } = sampleL1History(config)

  it('builds the expected blocks: delayed messages first, no-ops left out, a forced batch as one block at T_b', () => {
    const { blocks } = derive(batches, delayed)
    expect(blocks.map((b) => b.transactions.length)).toEqual([1, 3, 2, 1, 0])
    expect(blocks.map((b) => b.header.delayedCountAfter)).toEqual([4n, 6n, 7n, 7n, 8n])
    // The forced-inclusion batch lands at its L1 timestamp.
    expect(blocks.at(-1)?.header.timestamp).toBe(batches[2]?.l1Timestamp)
    expect(blocks.every((b) => b.outcomes.every((o) => o.applied))).toBe(true)
    // Parent hashes chain.
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]?.header.parentHash).toEqual(blocks[i - 1]?.hash)
  })

  it('is deterministic: two independent runs give identical block hashes and state roots', () => {
    const first = derive(batches, delayed)
    const second = derive(sampleL1History(config).batches, sampleL1History(config).delayed)
    expect(fingerprint(second.blocks)).toBe(fingerprint(first.blocks))
    expect(second.root).toBe(first.root)
  })

  it('changes when any input is dropped or reordered', () => {
    const reference = derive(batches, delayed)
    const variants: Array<[string, L1Batch[], DelayedMessage[]]> = []
    // Drop one delayed message's effect by changing its payload (the inbox fixes the count).
    for (let i = 0; i < delayed.length; i++) {
      const changed = delayed.map((m, j) => (j === i ? { ...m, payload: m.payload.slice(0, -1) } : m))
      variants.push([`delayed ${i} altered`, batches, changed])
    }
    // Swap two deposits.
    variants.push([
      'deposits 0 and 1 swapped',
      batches,
      delayed.map((m, j) =>
        j === 0
          ? { ...(delayed[1] as DelayedMessage), index: 0n }
          : j === 1
            ? { ...(delayed[0] as DelayedMessage), index: 1n }
            : m,
      ),
    ])
    // Drop the last batch.
    variants.push(['last batch dropped', batches.slice(0, -1), delayed])
    // Flip one byte in a slot of batch 0 (the signature of its last slot).
    const flipped = (batches[0] as L1Batch).bytes.slice()
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] as number) ^ 1
    variants.push([
      'a slot byte flipped',
      [{ ...(batches[0] as L1Batch), bytes: flipped }, ...batches.slice(1)],
      delayed,
    ])
    // A later L1 timestamp moves the forced block.
    variants.push([
      'forced batch later on L1',
      [...batches.slice(0, 2), { ...(batches[2] as L1Batch), l1Timestamp: (batches[2] as L1Batch).l1Timestamp + 1n }],
      delayed,
    ])
    for (const [name, b, d] of variants) {
      const result = derive(b, d)
      const same = fingerprint(result.blocks) === fingerprint(reference.blocks) && result.root === reference.root
      expect(same, name).toBe(false)
    }
  })

  it('applying the messages one by one gives the same roots as applying the blocks', () => {
    const state = new StateDb(new MemoryStore())
    writeGenesisState(state)
    const blocks = derive(batches, delayed).blocks
    let tip = tipOf({ ...genesisBlock(config), transactions: [], outcomes: [] })
    const source = (index: bigint) => delayed.find((m) => m.index === index)
    let i = 0
    for (const batch of batches) {
      for (const plan of planBatch(batch, source, tip, config)) {
        for (const message of plan.messages) applyMessage(state, message, blockConfig)
        expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(blocks[i]?.header.stateRoot as Uint8Array))
        const block = blocks[i] as L2Block
        tip = tipOf(block)
        i++
      }
    }
    expect(i).toBe(blocks.length)
    // And sealing a block from the same messages on a fresh state gives the same hash.
    const fresh = new StateDb(new MemoryStore())
    writeGenesisState(fresh)
    const genesis = genesisBlock(config)
    const plan = planBatch(
      batches[0] as L1Batch,
      source,
      tipOf({ ...genesis, transactions: [], outcomes: [] }),
      config,
    )[0]
    if (!plan) throw new Error('no plan')
    const sealed = applyBlock(fresh, { ...plan, parentHash: genesis.hash }, blockConfig)
    expect(bytesToHex(sealed.hash)).toBe(bytesToHex(blocks[0]?.hash as Uint8Array))
  })

  it('a garbage slot is a no-op for itself only; the blocks around it stand', () => {
    const batch = batches[0] as L1Batch
    const walk = walkBatch(batch.bytes, batch.delayedCountAfter - batch.delayedBefore, 4)
    const flagsOffset = walk.slotStart[2] // slot 2 is block 1's second slot
    if (flagsOffset === undefined) throw new Error('slot 2 not found')
    const garbage = batch.bytes.slice()
    garbage[flagsOffset] = 0x06 // type 3: a decode failure
    const reference = derive(batches, delayed).blocks
    const result = derive([{ ...batch, bytes: garbage }, ...batches.slice(1)], delayed).blocks
    expect(result[1]?.outcomes.map((o) => (o.applied ? 'applied' : o.reason))).toEqual([
      'applied',
      'applied',
      'applied',
      'slotDecode',
      'applied',
    ])
    expect(result[1]?.transactions).toHaveLength(2)
    expect(result[0]?.hash).toEqual(reference[0]?.hash)
  })
})
