import { bytesToHex, type DelayedMessage, decodeBatchHeader, type Hex, keccak256, type L1Batch } from '@sluice/core'
import { encodeAbiParameters, keccak256 as viemKeccak } from 'viem'
import type { BatchSource } from '../../src/derive/types.ts'
import type { InboxBatch } from '../../src/l1/types.ts'

/** The inbox's own bookkeeping (§5.1), computed with viem's ABI encoder, independent of the node code. */
export function inboxBatches(
  batches: readonly L1Batch[],
  l1BlockOf: (index: bigint) => bigint = (i) => 100n + i,
): InboxBatch[] {
  let messageCount = 0n
  let accumulator: Hex = `0x${'00'.repeat(32)}`
  return batches.map((batch) => {
    const header = decodeBatchHeader(batch.bytes)
    if (header === undefined) throw new Error('test batch without header')
    const before = messageCount
    messageCount += batch.delayedCountAfter - batch.delayedBefore + BigInt(header.slotCount)
    const batchHash = bytesToHex(keccak256(batch.bytes))
    accumulator = viemKeccak(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'uint256' }],
        [accumulator, batchHash, batch.delayedCountAfter, messageCount],
      ),
    )
    const l1BlockNumber = l1BlockOf(batch.index)
    return {
      ...batch,
      batchHash,
      accumulator,
      messageCountBefore: before,
      messageCountAfter: messageCount,
      forced: header.version === 0,
      l1BlockNumber,
      l1BlockHash: bytesToHex(keccak256(new TextEncoder().encode(`block ${l1BlockNumber}`))),
      l1TransactionHash: bytesToHex(keccak256(new TextEncoder().encode(`tx ${batch.index}`))),
      dataAvailability: { kind: 'calldata' },
    }
  })
}

/** A `BatchSource` over arrays a test controls (it may append, drop or replace batches). */
export class MemoryBatchSource implements BatchSource {
  batches: InboxBatch[]
  delayed: DelayedMessage[]
  readonly delayedSource = (index: bigint) => this.delayed[Number(index)]

  constructor(batches: InboxBatch[], delayed: DelayedMessage[]) {
    this.batches = batches
    this.delayed = delayed
  }

  get batchCount(): bigint {
    return BigInt(this.batches.length)
  }

  batch(index: bigint): InboxBatch | undefined {
    return index < 0n ? undefined : this.batches[Number(index)]
  }
}
