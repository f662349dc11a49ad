import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { type BatchBlock, encodeBatch, encodeBlobBatchBody, readBlobBodyLayout } from '../../src/batch/index.ts'
import { decodeBlobs, encodeBlobs } from '../../src/blob/index.ts'
import { genesisBlock, type L2Block, prepareBlockConfig } from '../../src/block/index.ts'
import { bytesToHex } from '../../src/bytes/index.ts'
import { MESSAGE_PASSER } from '../../src/config/constants.ts'
import { MemoryStore } from '../../src/db/store.ts'
import { deriveBatch, type L1Batch, planBatch, tipOf } from '../../src/derive/index.ts'
import { type DelayedMessage, encodeDepositPayload } from '../../src/messages/delayed.ts'
import { StateDb, writeGenesisState } from '../../src/state/index.ts'

const config = testConfig()
const blockConfig = { ...prepareBlockConfig(config), maxSequencerDrift: config.maxSequencerDrift }
const ETH = 10n ** 18n
const HASH = new Uint8Array(32).fill(1)

function derive(batches: readonly L1Batch[], delayed: readonly DelayedMessage[]): { blocks: L2Block[]; root: string } {
  const state = new StateDb(new MemoryStore())
  writeGenesisState(state)
  let tip = tipOf({ ...genesisBlock(config), transactions: [], outcomes: [] })
  const blocks: L2Block[] = []
  const source = (index: bigint) => delayed.find((m) => m.index === index)
  for (const batch of batches) {
    const derived = deriveBatch(state, batch, source, tip, blockConfig)
    blocks.push(...derived)
    if (derived.length > 0) tip = tipOf(derived.at(-1) as L2Block)
  }
  return { blocks, root: bytesToHex(state.stateRoot()) }
}

/** Deposits, transfers, a withdrawal and a forced transaction, as L2 blocks; delayed messages lead each part. */
function history() {
  const users = Array.from({ length: 4 }, (_, i) => testAccount(700 + i))
  const [a, b, c, d] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0], (typeof users)[0]]
  const l1Sender = testAccount(900).address
  const t0 = config.l2GenesisTimestamp
  const chainId = config.chainId
  const delayed: DelayedMessage[] = users.map((user, i) => ({
    kind: 0,
    index: BigInt(i),
    l1Sender,
    l1Timestamp: t0 + 1n,
    payload: encodeDepositPayload(user.address, 3n * ETH),
  }))
  delayed.push({
    kind: 1,
    index: 4n,
    l1Sender,
    l1Timestamp: t0 + 3n,
    payload: transfer(d, a.address, { chainId, nonce: 0n, value: 7n * 10n ** 15n, type: 1 }).raw,
  })
  const part1: BatchBlock[] = [
    { timestamp: t0 + 2n, delayedCountAfter: 2n, transactions: [] },
    {
      timestamp: t0 + 3n,
      delayedCountAfter: 4n,
      transactions: [transfer(a, b.address, { chainId, nonce: 0n, value: ETH / 10n }).tx],
    },
    {
      timestamp: t0 + 5n,
      delayedCountAfter: 4n,
      transactions: [
        transfer(b, c.address, { chainId, nonce: 0n, value: 12_345n * 10n ** 12n }).tx,
        transfer(c, MESSAGE_PASSER, { chainId, nonce: 0n, value: ETH / 2n }).tx,
      ],
    },
  ]
  const part2: BatchBlock[] = [
    {
      timestamp: t0 + 6n,
      delayedCountAfter: 5n,
      transactions: [transfer(a, a.address, { chainId, nonce: 1n, value: 1n, type: 0 }).tx],
    },
    { timestamp: t0 + 9n, delayedCountAfter: 5n, transactions: [] },
  ]
  return { delayed, part1, part2 }
}

const t0 = config.l2GenesisTimestamp

function calldataBatch(index: bigint, blocks: BatchBlock[], delayedBefore: bigint): L1Batch {
  return {
    index,
    bytes: encodeBatch({ blocks, prevDelayedCount: delayedBefore, chainId: config.chainId }),
    l1Timestamp: t0 + 50n,
    delayedBefore,
    delayedCountAfter: blocks.at(-1)?.delayedCountAfter ?? delayedBefore,
  }
}

function blobBatch(index: bigint, blocks: BatchBlock[], delayedBefore: bigint): L1Batch {
  const encoded = encodeBlobBatchBody({ blocks, prevDelayedCount: delayedBefore, chainId: config.chainId })
  const blobs = encodeBlobs(encoded.body)
  return {
    index,
    bytes: decodeBlobs(blobs),
    l1Timestamp: t0 + 50n,
    delayedBefore,
    delayedCountAfter: encoded.delayedCountAfter,
    blobs: { slotCount: encoded.slotCount, versionedHashes: blobs.map(() => HASH) },
  }
}

describe('derivation of blob batches (protocol.md §5.7, §6.1)', () => {
  const { delayed, part1, part2 } = history()

  it('derives exactly the blocks and root the same blocks give as calldata batches, and mixes with them', () => {
    const reference = derive([calldataBatch(0n, part1, 0n), calldataBatch(1n, part2, 4n)], delayed)
    expect(reference.blocks.map((b) => b.transactions.length)).toEqual([0, 1, 2, 2, 0])
    expect(reference.blocks.every((b) => b.outcomes.every((o) => o.applied))).toBe(true)
    const fingerprint = (r: { blocks: L2Block[]; root: string }) => [r.blocks.map((b) => bytesToHex(b.hash)), r.root]
    expect(fingerprint(derive([blobBatch(0n, part1, 0n), blobBatch(1n, part2, 4n)], delayed))).toEqual(
      fingerprint(reference),
    )
    expect(fingerprint(derive([blobBatch(0n, part1, 0n), calldataBatch(1n, part2, 4n)], delayed))).toEqual(
      fingerprint(reference),
    )
    expect(fingerprint(derive([calldataBatch(0n, part1, 0n), blobBatch(1n, part2, 4n)], delayed))).toEqual(
      fingerprint(reference),
    )
  })

  it('a blob batch the inbox would refuse (too many slots for its blobs, no blobs, 7 blobs) has no body and no slots', () => {
    const batch = blobBatch(0n, part1, 0n)
    const tip = tipOf({ ...genesisBlock(config), transactions: [], outcomes: [] })
    const source = (index: bigint) => delayed.find((m) => m.index === index)
    for (const blobs of [
      { slotCount: 1985, versionedHashes: [HASH] },
      { slotCount: 3, versionedHashes: [] },
      { slotCount: 3, versionedHashes: Array.from({ length: 7 }, () => HASH) },
    ]) {
      const plans = planBatch({ ...batch, blobs }, source, tip, config)
      expect(plans.map((p) => [p.timestamp, p.messages.length])).toEqual([[batch.l1Timestamp, 4]])
    }
  })

  /** Every message of part 1 in the implicit block at T_b: the four deposits apply, the three slots are absent. */
  function expectAllSlotsAbsent(bytes: Uint8Array) {
    const batch = blobBatch(0n, part1, 0n)
    const result = derive([{ ...batch, bytes }], delayed)
    expect(result.blocks).toHaveLength(1)
    expect(result.blocks[0]?.header.timestamp).toBe(batch.l1Timestamp)
    expect(result.blocks[0]?.outcomes.map((o) => (o.applied ? 'applied' : o.reason))).toEqual([
      ...Array(4).fill('applied'),
      ...Array(3).fill('slotDecode'),
    ])
  }

  it('blobs whose body is empty (a zero length prefix) still give every message: deposits apply, slots are no-ops', () => {
    expectAllSlotsAbsent(decodeBlobs([new Uint8Array(131_072)]))
  })

  it('absent slots (a group offset past the body) are slotDecode no-ops; the batch keeps its message count', () => {
    const { bytes } = blobBatch(0n, part1, 0n)
    const layout = readBlobBodyLayout(bytes, 3)
    if (!layout) throw new Error('no layout')
    const broken = bytes.slice()
    // groups[0] far past the body: every slot of group 0 is absent, and so are the block entries
    new DataView(broken.buffer).setUint32(layout.groupsStart, 1_000_000)
    expectAllSlotsAbsent(broken)
  })
})
