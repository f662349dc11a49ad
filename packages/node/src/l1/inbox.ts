/**
 * Batch retrieval (protocol.md §5.1, §5.3): the bytes of an inbox batch are the `batch` argument of
 * the `appendBatch` call that is the calldata of the L1 transaction that emitted `BatchAppended`,
 * or, for a forced batch, the 13-byte header rebuilt from the event. Every batch is checked against
 * the event: its hash, the inbox accumulator chain and the message count its header implies.
 */

import { sequencerInboxAbi } from '@sluice/contracts'
import {
  bigintToBytes32,
  blobBatchHash,
  bytesToHex,
  concatBytes,
  decodeBatchHeader,
  encodeForcedBatch,
  type Hex,
  hexToBytes,
  keccak256,
  MAX_BLOBS_PER_BATCH,
} from '@sluice/core'
import { type Address, decodeEventLog, decodeFunctionData, isAddressEqual } from 'viem'
import { BatchDataError } from './errors.ts'
import { splitKzgHints } from './kzgHints.ts'
import type { L1Log, L1Transaction } from './source.ts'
import type { DataAvailability, InboxBatch } from './types.ts'

/** A `BatchAppended` event with its log position. */
export type BatchAppendedEvent = {
  index: bigint
  batchHash: Hex
  accumulator: Hex
  messageCountAfter: bigint
  delayedCountAfter: bigint
  log: L1Log
}

/**
 * The inbox events of a range of logs: appended batches in order, the indices that were forced, and
 * the versioned hashes of the blob batches (`BlobBatchAppended`).
 */
export type InboxEvents = { appended: BatchAppendedEvent[]; forced: Set<bigint>; blobs: Map<bigint, Hex[]> }

/** Decodes the SequencerInbox logs among `logs` (others are ignored). */
export function decodeInboxLogs(logs: readonly L1Log[], inbox: Address): InboxEvents {
  const appended: BatchAppendedEvent[] = []
  const forced = new Set<bigint>()
  const blobs = new Map<bigint, Hex[]>()
  for (const log of logs) {
    if (!isAddressEqual(log.address, inbox)) continue
    let decoded: ReturnType<typeof decodeEventLog<typeof sequencerInboxAbi>>
    try {
      decoded = decodeEventLog({ abi: sequencerInboxAbi, topics: log.topics as [Hex, ...Hex[]], data: log.data })
    } catch {
      continue // an event this ABI does not know: not ours to read
    }
    if (decoded.eventName === 'BatchAppended') {
      const a = decoded.args
      appended.push({
        index: a.index,
        batchHash: a.batchHash,
        accumulator: a.accumulator,
        messageCountAfter: a.messageCountAfter,
        delayedCountAfter: a.delayedCountAfter,
        log,
      })
    } else if (decoded.eventName === 'BatchForced') {
      forced.add(decoded.args.index)
    } else if (decoded.eventName === 'BlobBatchAppended') {
      blobs.set(
        decoded.args.index,
        decoded.args.blobHashes.map((h) => h.toLowerCase() as Hex),
      )
    }
  }
  return { appended, forced, blobs }
}

/**
 * The batch bytes carried by `tx`: the `_batch` argument of a top-level `appendBatch` call to the
 * inbox, ABI-decoded (viem follows the head offset wherever it points). Throws `BatchDataError`
 * when the transaction is not such a call.
 */
export function batchBytesFromTransaction(tx: L1Transaction, inbox: Address, event: BatchAppendedEvent): Uint8Array {
  if (tx.to === null || !isAddressEqual(tx.to, inbox)) {
    throw new BatchDataError(
      event.index,
      `its L1 transaction calls ${tx.to ?? 'nothing'}, not the inbox ${inbox}`,
      tx.hash,
    )
  }
  let call: ReturnType<typeof decodeFunctionData<typeof sequencerInboxAbi>>
  try {
    call = decodeFunctionData({ abi: sequencerInboxAbi, data: tx.input })
  } catch (error) {
    throw new BatchDataError(
      event.index,
      `its L1 transaction's calldata is not an inbox call (${(error as Error).message.split('\n')[0]})`,
      tx.hash,
    )
  }
  if (call.functionName !== 'appendBatch') {
    throw new BatchDataError(event.index, `its L1 transaction calls ${call.functionName}, not appendBatch`, tx.hash)
  }
  const [batch, expectedIndex] = call.args
  if (expectedIndex !== event.index) {
    throw new BatchDataError(event.index, `its appendBatch call names index ${expectedIndex}`, tx.hash)
  }
  return hexToBytes(batch)
}

/**
 * The KZG hints of a blob batch: the `_kzgHints` argument of the top-level `appendBlobBatch` call
 * that is `tx` (§5.7.1), when well-formed (`splitKzgHints`); else why there are none. Hints are
 * only a shortcut for checking blobs, so nothing about them can make a batch unreadable.
 */
export function kzgHintsFromTransaction(
  tx: L1Transaction,
  inbox: Address,
  event: BatchAppendedEvent,
): { hints: Uint8Array } | { problem: string } {
  if (tx.to === null || !isAddressEqual(tx.to, inbox)) return { problem: 'the transaction does not call the inbox' }
  let call: ReturnType<typeof decodeFunctionData<typeof sequencerInboxAbi>>
  try {
    call = decodeFunctionData({ abi: sequencerInboxAbi, data: tx.input })
  } catch {
    return { problem: 'the calldata is not an appendBlobBatch call of this ABI' }
  }
  if (call.functionName !== 'appendBlobBatch') return { problem: `the transaction calls ${call.functionName}` }
  const [expectedIndex, , , kzgHints] = call.args
  if (expectedIndex !== event.index) return { problem: `the call names batch ${expectedIndex}` }
  const hints = hexToBytes(kzgHints)
  if (splitKzgHints(hints) === undefined) {
    return {
      problem: `${hints.length} bytes of hints are not whole 96-byte hints for at most ${MAX_BLOBS_PER_BATCH} blobs`,
    }
  }
  return { hints }
}

/** What the previous batch left: the starting point of the next batch's checks. */
export type InboxPosition = { delayedCount: bigint; messageCount: bigint; accumulator: Hex }

export const INBOX_START: InboxPosition = {
  delayedCount: 0n,
  messageCount: 0n,
  accumulator: bytesToHex(new Uint8Array(32)),
}

/** `keccak256(abi.encode(prevAccumulator, batchHash, delayedCount, messageCount))` (§5.1). */
export function nextAccumulator(prev: Hex, batchHash: Hex, delayedCount: bigint, messageCount: bigint): Hex {
  return bytesToHex(
    keccak256(
      concatBytes(
        hexToBytes(prev),
        hexToBytes(batchHash),
        bigintToBytes32(delayedCount),
        bigintToBytes32(messageCount),
      ),
    ),
  )
}

/**
 * Builds the stored batch from its event and bytes, checking what L1 committed to: the bytes hash
 * to the event's batch hash, the accumulator follows from the previous one, and the message count
 * is the previous one plus the new delayed messages plus the header's slot count.
 */
export function assembleBatch(
  event: BatchAppendedEvent,
  bytes: Uint8Array,
  forced: boolean,
  prev: InboxPosition,
  l1Timestamp: bigint,
): InboxBatch {
  const tx = event.log.transactionHash
  const hash = bytesToHex(keccak256(bytes))
  if (hash !== event.batchHash.toLowerCase()) {
    throw new BatchDataError(
      event.index,
      `its bytes hash to ${hash}, the BatchAppended event says ${event.batchHash}`,
      tx,
    )
  }
  const header = decodeBatchHeader(bytes)
  if (header === undefined) throw new BatchDataError(event.index, 'its bytes have no valid 13-byte header', tx)
  if (header.delayedCountAfter !== event.delayedCountAfter) {
    throw new BatchDataError(
      event.index,
      `its header takes delayed messages up to ${header.delayedCountAfter}, the event says ${event.delayedCountAfter}`,
      tx,
    )
  }
  checkDelayedCount(event, prev)
  const expectedMessages = prev.messageCount + (event.delayedCountAfter - prev.delayedCount) + BigInt(header.slotCount)
  if (event.messageCountAfter !== expectedMessages) {
    throw new BatchDataError(
      event.index,
      `the event's message count ${event.messageCountAfter} is not ${expectedMessages} (previous count + delayed + slots)`,
      tx,
    )
  }
  return inboxBatch(event, bytes, forced, prev, l1Timestamp, { kind: 'calldata' })
}

/**
 * Builds a stored blob batch (§5.7) from its `BatchAppended` event and the versioned hashes of its
 * `BlobBatchAppended` event. Its slot count is what the event's message count implies, and the
 * batch hash commits to it, the delayed count and the hashes, so checking the hash checks all three
 * without reading the transaction. The body comes from the blobs at derivation; `kzgHints` (from the
 * transaction, `kzgHintsFromTransaction`) are kept unchecked, to make checking the blobs cheaper.
 */
export function assembleBlobBatch(
  event: BatchAppendedEvent,
  versionedHashes: readonly Hex[],
  prev: InboxPosition,
  l1Timestamp: bigint,
  kzgHints?: Uint8Array,
): InboxBatch {
  const tx = event.log.transactionHash
  checkDelayedCount(event, prev)
  const slotCount = event.messageCountAfter - prev.messageCount - (event.delayedCountAfter - prev.delayedCount)
  if (slotCount < 0n || slotCount >= 1n << 32n) {
    throw new BatchDataError(
      event.index,
      `the event's message count ${event.messageCountAfter} implies ${slotCount} slots`,
      tx,
    )
  }
  if (versionedHashes.length === 0)
    throw new BatchDataError(event.index, 'its BlobBatchAppended event names no blobs', tx)
  const hash = bytesToHex(
    blobBatchHash(
      event.delayedCountAfter,
      Number(slotCount),
      versionedHashes.map((h) => hexToBytes(h)),
    ),
  )
  if (hash !== event.batchHash.toLowerCase()) {
    throw new BatchDataError(
      event.index,
      `its blob commitment (delayed count, ${slotCount} slots, ${versionedHashes.length} versioned hashes) hashes to ${hash}, the BatchAppended event says ${event.batchHash}`,
      tx,
    )
  }
  return inboxBatch(event, new Uint8Array(0), false, prev, l1Timestamp, {
    kind: 'blobs',
    versionedHashes: [...versionedHashes],
    ...(kzgHints === undefined ? {} : { kzgHints }),
  })
}

function checkDelayedCount(event: BatchAppendedEvent, prev: InboxPosition): void {
  if (event.delayedCountAfter < prev.delayedCount) {
    throw new BatchDataError(
      event.index,
      `its delayed count ${event.delayedCountAfter} is below ${prev.delayedCount}`,
      event.log.transactionHash,
    )
  }
}

/** The stored batch once its data is checked; the accumulator must follow from the previous one. */
function inboxBatch(
  event: BatchAppendedEvent,
  bytes: Uint8Array,
  forced: boolean,
  prev: InboxPosition,
  l1Timestamp: bigint,
  dataAvailability: DataAvailability,
): InboxBatch {
  const tx = event.log.transactionHash
  const hash = event.batchHash.toLowerCase() as Hex
  const accumulator = nextAccumulator(prev.accumulator, hash, event.delayedCountAfter, event.messageCountAfter)
  if (accumulator !== event.accumulator.toLowerCase()) {
    throw new BatchDataError(
      event.index,
      `the accumulator does not follow from the previous batch's (${accumulator} computed, ${event.accumulator} on L1)`,
      tx,
    )
  }
  return {
    index: event.index,
    bytes,
    l1Timestamp,
    delayedBefore: prev.delayedCount,
    delayedCountAfter: event.delayedCountAfter,
    batchHash: hash,
    accumulator,
    messageCountBefore: prev.messageCount,
    messageCountAfter: event.messageCountAfter,
    forced,
    l1BlockNumber: event.log.blockNumber,
    l1BlockHash: event.log.blockHash,
    l1TransactionHash: tx,
    dataAvailability,
  }
}

/** The bytes of a forced batch: the header `(0, delayedCountAfter, 0)` (§5.3). */
export const forcedBatchBytes = (event: BatchAppendedEvent): Uint8Array => encodeForcedBatch(event.delayedCountAfter)
