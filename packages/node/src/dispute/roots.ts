import {
  applyMessage,
  bytesToHex,
  type DelayedMessage,
  equalBytes,
  type Hex,
  type PreparedStfConfig,
  planBatch,
  prepareStfConfig,
  type RollupConfig,
  recordMessageProof,
  StateDb,
  type StfMessage,
} from '@sluice/core'
import { BlobStore } from '../chain/blobStore.ts'
import type { ChainStore } from '../chain/store.ts'
import type { BatchRecord, StoredBlock } from '../chain/types.ts'
import type { BatchBlobs } from '../derive/blobs.ts'
import { derivationInput } from '../derive/input.ts'
import type { BatchSource } from '../derive/types.ts'
import type { InboxBatch } from '../l1/types.ts'
import { BlobsNotRetainedError, MessageNotDerivedError, RootMismatchError } from './errors.ts'
import { blobOpenings, encodeOneStepProof } from './proof.ts'

/** Where message `i` (0-based) of the canonical list lies in this node's derived chain. */
export type MessageLocation = {
  /** The message's index in the canonical list. */
  index: bigint
  /** The derived batch holding it. */
  batch: BatchRecord
  /** `root` at the batch's start (the previous batch's root, or `root_0`): the re-execution's start. */
  startRoot: Uint8Array
  /** The batch's messages as the core lays them out (per block: delayed first, then slots; no-op slots included). */
  messages: StfMessage[]
  /** The message's position in `messages`. */
  offset: number
  /** Its delayed-message index when it is a delayed message. */
  delayedIndex: bigint | undefined
}

/** A one-step proof ready for `proveStep`, with the roots it was recorded between. */
export type StepProof = {
  messageIndex: bigint
  batchIndex: bigint
  preRoot: Hex
  postRoot: Hex
  /** `abi.encode(OneStepProof)` (see `encodeOneStepProof`). */
  proof: Hex
  /** Why the message was a no-op, or `applied`. */
  outcome: string
}

export type MessageRootsOptions = {
  chain: ChainStore
  /** Batches and delayed messages from L1 (the `L1Reader`). */
  source: BatchSource
  config: RollupConfig
  /** Roots kept in memory (default 4,096). */
  cacheSize?: number
}

/**
 * `root_n` for any message count `n` this node has derived (protocol.md §8.2 bisection roots), and the
 * one-step proof of any derived message. Roots at batch ends come from the chain store; any other
 * root is rebuilt by re-deriving the batch's message list with the core (`planBatch` on the batch
 * from L1, on the tip before the batch) and re-executing the messages before `n` on the archive
 * state at the previous batch's root. The derivation commits state once per batch, so that root is
 * the nearest one the store holds: a call re-executes at most one batch (≤ `maxBatchBytes`).
 */
export class MessageRoots {
  private readonly chain: ChainStore
  private readonly source: BatchSource
  private readonly config: RollupConfig
  private readonly stf: PreparedStfConfig
  private readonly cache = new Map<bigint, Hex>()
  private readonly cacheSize: number
  private readonly blobs: BlobStore
  private planned:
    | { index: bigint; stateRoot: Uint8Array; messages: StfMessage[]; delayed: (bigint | undefined)[] }
    | undefined

  constructor(options: MessageRootsOptions) {
    this.chain = options.chain
    this.source = options.source
    this.config = options.config
    this.stf = prepareStfConfig(options.config)
    this.cacheSize = options.cacheSize ?? 4_096
    this.blobs = new BlobStore(options.chain.store)
  }

  /** Messages this node has derived from L1 (`messageCount` of its last derived batch). */
  get derivedMessageCount(): bigint {
    const count = this.chain.batchCount
    if (count === 0) return 0n
    return (this.chain.batch(BigInt(count - 1)) as BatchRecord).messageCountAfter
  }

  /** `root_n`, or undefined when `n` is beyond what this node has derived. */
  rootAt(n: bigint): Hex | undefined {
    if (n < 0n || n > this.derivedMessageCount) return undefined
    if (n === 0n) return bytesToHex((this.chain.blockByNumber(0n) as StoredBlock).header.stateRoot)
    const cached = this.cache.get(n)
    if (cached !== undefined) return cached
    const location = this.locate(n - 1n)
    let root: Hex
    if (location.offset === location.messages.length - 1) {
      root = bytesToHex(location.batch.stateRoot)
    } else {
      const state = new StateDb(this.chain.store, location.startRoot)
      for (const message of location.messages.slice(0, location.offset + 1)) applyMessage(state, message, this.stf)
      root = bytesToHex(state.stateRoot())
    }
    if (this.cache.size >= this.cacheSize) this.cache.clear()
    this.cache.set(n, root)
    return root
  }

  /**
   * The one-step proof of message `index`: applies it to `root_index` and records the proofs of §7.4.
   * Throws `RootMismatchError` when re-execution does not reproduce this node's stored roots (a bug
   * or a corrupt store: never send such a proof).
   */
  async stepProof(index: bigint): Promise<StepProof> {
    const location = this.locate(index)
    const state = new StateDb(this.chain.store, location.startRoot)
    for (const message of location.messages.slice(0, location.offset)) applyMessage(state, message, this.stf)
    const message = location.messages[location.offset] as StfMessage
    const recorded = recordMessageProof(state, message, this.stf)
    const preRoot = bytesToHex(recorded.preRoot)
    const postRoot = bytesToHex(recorded.postRoot)
    const expectedPre = this.rootAt(index)
    const expectedPost = this.rootAt(index + 1n)
    if (preRoot !== expectedPre || postRoot !== expectedPost) {
      throw new RootMismatchError(index, `${expectedPre} → ${expectedPost}`, `${preRoot} → ${postRoot}`)
    }
    const batch = this.source.batch(location.batch.index)
    if (batch === undefined) throw new MessageNotDerivedError(index, this.derivedMessageCount)
    // a blob batch: no bytes, but the openings of the elements message j's proof reads (§8.3)
    const blobs = this.retainedBlobs(batch)
    const openings =
      blobs === undefined
        ? []
        : await blobOpenings(
            blobs.blobs,
            batch.delayedCountAfter - batch.delayedBefore,
            Number(
              batch.messageCountAfter - batch.messageCountBefore - (batch.delayedCountAfter - batch.delayedBefore),
            ),
            BigInt(location.offset),
            { hints: batch.dataAvailability.kind === 'blobs' ? batch.dataAvailability : undefined },
          )
    let delayed: DelayedMessage | undefined
    if (location.delayedIndex !== undefined) {
      delayed = this.source.delayedSource(location.delayedIndex)
      if (delayed === undefined) throw new MessageNotDerivedError(index, this.derivedMessageCount)
    }
    return {
      messageIndex: index,
      batchIndex: location.batch.index,
      preRoot,
      postRoot,
      proof: encodeOneStepProof({
        batchIndex: location.batch.index,
        batch: blobs === undefined ? batch.bytes : new Uint8Array(0),
        openings,
        delayed,
        accountProofs: recorded.accountProofs,
        storageProof: recorded.storageProof,
      }),
      outcome: recorded.outcome.applied ? 'applied' : recorded.outcome.reason,
    }
  }

  /** Where message `index` lies: the first derived batch whose message count passes it. */
  locate(index: bigint): MessageLocation {
    const derived = this.derivedMessageCount
    if (index < 0n || index >= derived) throw new MessageNotDerivedError(index, derived)
    const batchIndex = firstAbove(
      0n,
      BigInt(this.chain.batchCount - 1),
      index,
      (b) => this.batchRecord(b).messageCountAfter,
    )
    const batch = this.batchRecord(batchIndex)
    const previous = batchIndex === 0n ? undefined : this.batchRecord(batchIndex - 1n)
    const countBefore = previous?.messageCountAfter ?? 0n
    const { messages, delayed } = this.batchMessages(batch, countBefore)
    const offset = Number(index - countBefore)
    return {
      index,
      batch,
      startRoot: previous?.stateRoot ?? this.block(0n).header.stateRoot,
      messages,
      offset,
      delayedIndex: delayed[offset],
    }
  }

  /**
   * The batch's messages, re-derived from the batch on L1 on the tip before it, with the delayed
   * index of each delayed message. The last batch's list is cached: a game's moves walk inside one
   * batch. (State is committed per batch, so re-execution starts at the batch's start.)
   */
  private batchMessages(
    batch: BatchRecord,
    countBefore: bigint,
  ): { messages: StfMessage[]; delayed: (bigint | undefined)[] } {
    const cached = this.planned
    if (cached !== undefined && cached.index === batch.index && equalBytes(cached.stateRoot, batch.stateRoot)) {
      return cached
    }
    const inboxBatch = this.source.batch(batch.index)
    if (inboxBatch === undefined) throw new MessageNotDerivedError(countBefore, this.derivedMessageCount)
    const l1Batch = derivationInput(inboxBatch, this.retainedBlobs(inboxBatch))
    const tip = this.block(batch.firstBlock - 1n)
    const plans = planBatch(
      l1Batch,
      this.source.delayedSource,
      {
        hash: tip.hash,
        number: tip.header.number,
        timestamp: tip.header.timestamp,
        delayedAccumulator: tip.header.delayedAccumulator,
      },
      this.config,
    )
    const messages: StfMessage[] = []
    const delayed: (bigint | undefined)[] = []
    let delayedCount = l1Batch.delayedBefore
    for (const plan of plans) {
      plan.messages.forEach((message, position) => {
        messages.push(message)
        // a block takes its delayed messages first, then its slots (protocol.md §5.6)
        const isDelayed = BigInt(position) < plan.delayedCountAfter - delayedCount
        delayed.push(isDelayed ? delayedCount + BigInt(position) : undefined)
      })
      delayedCount = plan.delayedCountAfter
    }
    const expected = batch.messageCountAfter - countBefore
    if (BigInt(messages.length) !== expected) {
      throw new RootMismatchError(
        countBefore,
        `${expected} messages in batch ${batch.index}`,
        `${messages.length} messages re-derived`,
      )
    }
    this.planned = { index: batch.index, stateRoot: batch.stateRoot, messages, delayed }
    return this.planned
  }

  /** A blob batch's blobs, as derivation kept them (in the same write as the batch's blocks). */
  private retainedBlobs(batch: InboxBatch): BatchBlobs | undefined {
    if (batch.dataAvailability.kind !== 'blobs') return undefined
    const { versionedHashes } = batch.dataAvailability
    const blobs = this.blobs.getAll(versionedHashes)
    if (blobs === undefined) throw new BlobsNotRetainedError(batch.index, versionedHashes)
    return { versionedHashes, blobs, fetched: false }
  }

  private batchRecord(index: bigint): BatchRecord {
    const record = this.chain.batch(index)
    if (record === undefined) throw new MessageNotDerivedError(index, this.derivedMessageCount)
    return record
  }

  private block(number: bigint): StoredBlock {
    const block = this.chain.blockByNumber(number)
    if (block === undefined) throw new MessageNotDerivedError(number, this.derivedMessageCount)
    return block
  }
}

/** The smallest `k` in `[lo, hi]` with `countAfter(k) > index` (counts are non-decreasing in `k`). */
function firstAbove(lo: bigint, hi: bigint, index: bigint, countAfter: (k: bigint) => bigint): bigint {
  let low = lo
  let high = hi
  while (low < high) {
    const mid = low + (high - low) / 2n
    if (countAfter(mid) > index) high = mid
    else low = mid + 1n
  }
  return low
}
