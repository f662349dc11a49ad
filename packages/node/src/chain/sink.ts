import { type BatchOp, bytesToHex, equalBytes, hexToBytes, type L2Block, SluiceError } from '@sluice/core'
import type { Logger } from 'pino'
import type { DerivationSink, DerivedBatch, SafeTip } from '../derive/types.ts'
import { type ChainStore, hashKey, toStoredBlock } from './store.ts'
import type { BatchRecord, HeadName, StoredBlock } from './types.ts'

/** An L2 block derived from L1 differs from the unsafe block this node had at its number. */
export type UnsafeReorg = {
  /** The first block number that differs. */
  from: bigint
  /** The unsafe head before the reorg. */
  oldUnsafe: bigint
  /** The hashes that L1 replaced, by number. */
  replaced: { number: bigint; oldHash: string; newHash: string }[]
  /**
   * The batch transactions of every unsafe block the reorg removed (from `from` to `oldUnsafe`), in
   * order: a sequencer takes them in again so that no acknowledged transaction is lost.
   */
  removedTransactions: Uint8Array[]
}

/**
 * The sequencer's unsafe chain disagrees with what its own batches derive to on L1. Continuing would
 * publish blocks that never become safe.
 */
export class UnsafeChainDivergedError extends SluiceError {
  override name = 'UnsafeChainDivergedError'
  constructor(reorg: UnsafeReorg) {
    const first = reorg.replaced[0]
    super(`L1 derives block ${reorg.from} differently from this sequencer's unsafe block`, {
      details: first
        ? `Unsafe ${first.oldHash}, derived ${first.newHash}. The batches on L1 are authoritative; the unsafe chain from block ${reorg.from} is replaced by L1's.`
        : undefined,
      severity: 'reset',
    })
  }
}

export type ChainSinkOptions = {
  chain: ChainStore
  logger: Logger
  /**
   * Called after a derived batch replaced unsafe blocks (the verifier reports it; the sequencer
   * rebuilds its builder on the new head).
   */
  onUnsafeReorg?: (reorg: UnsafeReorg) => void | Promise<void>
  /** Test-only (fault injection): never replace unsafe blocks, even where L1 derives others. */
  keepUnsafe?: boolean
}

/** Converts a derived block into a stored one, marking the transactions that came from L1 as forced. */
function storedFromDerived(derived: DerivedBatch, i: number): StoredBlock {
  const block = derived.blocks[i] as L2Block
  const delayed = derived.delayedPerBlock[i] as number
  const forcedHashes = new Set<string>()
  let included = 0
  block.outcomes.forEach((outcome, messageIndex) => {
    if (!outcome.applied || outcome.kind !== 'transaction') return
    const tx = block.transactions[included++]
    if (tx !== undefined && messageIndex < delayed) forcedHashes.add(hashKey(tx.hash))
  })
  return toStoredBlock(block, {
    messageCountAfter: derived.messageCountAfterPerBlock[i] as bigint,
    slotCount: derived.slotsPerBlock[i] as number,
    forcedHashes,
  })
}

/**
 * The derivation driver's sink for a node: records each derived batch in the chain store — the
 * safe head moves to its last block, the batch record is written — in the same atomic write as the
 * derived state. Where L1 derives a block that differs from the unsafe block at its number (or the
 * node had none), the derived blocks replace the unsafe chain from there: L1 is authoritative.
 */
export class ChainSink implements DerivationSink {
  private readonly options: ChainSinkOptions
  private readonly planned = new Map<
    bigint,
    { blocks: StoredBlock[]; replaceFrom: number; reorg: UnsafeReorg | undefined; safe: bigint | undefined }
  >()

  constructor(options: ChainSinkOptions) {
    this.options = options
  }

  batchOps(derived: DerivedBatch): readonly BatchOp[] {
    const { chain } = this.options
    if (derived.adopted !== undefined) {
      // The sequencer's own blocks, already stored as built (what derivation gives, block for block):
      // only the safe head and the batch record move.
      const safe = derived.tip.l2.number
      const ops = [chain.headOp('safe', safe)]
      chain.batchOps(this.record(derived), ops)
      this.planned.set(derived.batch.index, { blocks: [], replaceFrom: 0, reorg: undefined, safe })
      return ops
    }
    const blocks = derived.blocks.map((_, i) => storedFromDerived(derived, i))
    const unsafe = chain.head('unsafe').header.number
    let replaceFrom = blocks.length
    let reorg: UnsafeReorg | undefined
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i] as StoredBlock
      const existing = block.header.number <= unsafe ? chain.blockByNumber(block.header.number) : undefined
      if (existing !== undefined && equalBytes(existing.hash, block.hash)) continue
      if (existing !== undefined && this.options.keepUnsafe) continue
      replaceFrom = i
      if (existing !== undefined) {
        const removedTransactions: Uint8Array[] = []
        for (let n = block.header.number; n <= unsafe; n++) {
          for (const tx of chain.blockByNumber(n)?.transactions ?? []) if (!tx.forced) removedTransactions.push(tx.raw)
        }
        reorg = {
          from: block.header.number,
          oldUnsafe: unsafe,
          removedTransactions,
          replaced: blocks.slice(i).flatMap((b) => {
            const old = chain.blockByNumber(b.header.number)
            return old === undefined
              ? []
              : [{ number: b.header.number, oldHash: bytesToHex(old.hash), newHash: bytesToHex(b.hash) }]
          }),
        }
      }
      break
    }
    const ops: BatchOp[] = []
    const heads: HeadName[] = ['safe']
    if (replaceFrom < blocks.length) ops.push(...chain.appendOps(blocks.slice(replaceFrom), ['unsafe']))
    const last = blocks[blocks.length - 1]
    if (last !== undefined) for (const head of heads) ops.push(chain.headOp(head, last.header.number))
    chain.batchOps(this.record(derived), ops)
    this.planned.set(derived.batch.index, { blocks, replaceFrom, reorg, safe: last?.header.number })
    return ops
  }

  async batchCommitted(derived: DerivedBatch): Promise<void> {
    const { chain, logger } = this.options
    const plan = this.planned.get(derived.batch.index)
    this.planned.delete(derived.batch.index)
    if (plan === undefined) return
    if (plan.replaceFrom < plan.blocks.length) chain.applied(plan.blocks.slice(plan.replaceFrom), ['unsafe'])
    if (plan.safe !== undefined) chain.headsApplied({ safe: plan.safe })
    chain.batchApplied(this.record(derived))
    if (plan.reorg !== undefined) {
      logger.warn(
        {
          from: Number(plan.reorg.from),
          oldUnsafe: Number(plan.reorg.oldUnsafe),
          replaced: plan.reorg.replaced.length,
        },
        'unsafe chain reorged to what L1 derives',
      )
      await this.options.onUnsafeReorg?.(plan.reorg)
    }
  }

  rewindOps(to: SafeTip, _from: SafeTip): readonly BatchOp[] {
    const { chain } = this.options
    const ops: BatchOp[] = [chain.headOp('safe', to.l2.number)]
    if (chain.head('finalized').header.number > to.l2.number) ops.push(chain.headOp('finalized', to.l2.number))
    chain.truncateBatchOps(to.batchIndex + 1n, ops)
    return ops
  }

  rewound(to: SafeTip, from: SafeTip): void {
    const { chain, logger } = this.options
    const moves: Partial<Record<HeadName, bigint>> = { safe: to.l2.number }
    if (chain.head('finalized').header.number > to.l2.number) moves.finalized = to.l2.number
    chain.headsApplied(moves)
    chain.batchesTruncated(to.batchIndex + 1n)
    logger.warn(
      { toBatch: Number(to.batchIndex), fromBatch: Number(from.batchIndex), safe: Number(to.l2.number) },
      'L1 reorg: safe head rewound; derivation continues from there',
    )
  }

  private record(derived: DerivedBatch): BatchRecord {
    const { batch, previous, tip } = derived
    return {
      index: batch.index,
      l1BlockNumber: batch.l1BlockNumber,
      l1BlockHash: hexToBytes(batch.l1BlockHash),
      l1TransactionHash: batch.forced ? undefined : hexToBytes(batch.l1TransactionHash),
      forced: batch.forced,
      firstBlock: previous.l2.number + 1n,
      lastBlock: tip.l2.number,
      messageCountAfter: batch.messageCountAfter,
      delayedCountAfter: batch.delayedCountAfter,
      stateRoot: derived.stateRoot,
      accumulator: hexToBytes(batch.accumulator),
      dataAvailability: batch.dataAvailability,
    }
  }
}
