import {
  accumulateDelayed,
  applyBlock,
  bytesToHex,
  type DelayedMessage,
  decodeTransaction,
  delayedMessageHash,
  delayedToStfMessage,
  equalBytes,
  type PreparedBlockConfig,
  type SenderPool,
  SluiceError,
  StateDb,
  type StfMessage,
} from '@sluice/core'
import { type ChainStore, type GossipBlock, hashKey, type Logger, type StoredBlock, toStoredBlock } from '@sluice/node'
import { Counter, type Registry } from 'prom-client'

/** A gossiped block that re-executes to another hash than the sequencer signed. */
export class UnsafeBlockMismatchError extends SluiceError {
  override name = 'UnsafeBlockMismatchError'
  constructor(number: bigint, signed: Uint8Array, executed: Uint8Array) {
    super(
      `gossiped block ${number} re-executes to ${bytesToHex(executed)}, the sequencer signed ${bytesToHex(signed)}`,
      {
        details: 'The block is not applied. L1 decides: derivation will show which chain is right.',
        severity: 'invalidInput',
      },
    )
  }
}

export type UnsafeFollowerOptions = {
  chain: ChainStore
  prepared: PreparedBlockConfig
  /** Delayed messages this node has read from L1 (a gossiped block may only take these). */
  delayed: (index: bigint) => DelayedMessage | undefined
  senders: SenderPool
  chainId: bigint
  logger: Logger
  registry: Registry
  /** Runs `fn` while nothing else writes the chain (derivation shares the lock). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>
  /** Asks peers for blocks `from … from+count−1` when a gap opens. */
  requestRange?: (from: bigint, count: number) => Promise<GossipBlock[]>
}

/**
 * Applies the sequencer's gossiped blocks as the verifier's unsafe head, ahead of L1: every block is
 * **re-executed** from its transactions and the delayed messages this node read from L1 itself; a
 * block is applied only when the result has the hash the sequencer signed. Blocks that arrive out of
 * order wait; a gap is filled by request/response. Derivation from L1 replaces the unsafe chain
 * wherever it disagrees (the chain sink reports that reorg).
 */
export class UnsafeFollower {
  private readonly options: UnsafeFollowerOptions
  private readonly waiting = new Map<bigint, GossipBlock>()
  private readonly applied: Counter
  private readonly rejected: Counter<'reason'>
  private running: Promise<void> = Promise.resolve()
  private filling = false

  constructor(options: UnsafeFollowerOptions) {
    this.options = options
    this.applied = new Counter({
      name: 'sluice_unsafe_blocks_applied_total',
      help: 'Gossiped blocks re-executed and applied',
      registers: [options.registry],
    })
    this.rejected = new Counter({
      name: 'sluice_unsafe_blocks_rejected_total',
      help: 'Gossiped blocks not applied, by reason',
      labelNames: ['reason'],
      registers: [options.registry],
    })
  }

  /** Takes one accepted gossip block; blocks are applied one at a time, in order. */
  receive(block: GossipBlock): Promise<void> {
    const unsafe = this.options.chain.head('unsafe').header.number
    if (block.number <= unsafe) return this.running
    if (this.waiting.size > 4_096) this.waiting.clear()
    this.waiting.set(block.number, block)
    this.running = this.running
      .then(() => this.drain())
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'unsafe block not applied')
      })
    return this.running
  }

  private async drain(): Promise<void> {
    const { chain } = this.options
    for (;;) {
      const next = chain.head('unsafe').header.number + 1n
      for (const number of this.waiting.keys()) if (number < next) this.waiting.delete(number)
      const block = this.waiting.get(next)
      if (block === undefined) {
        if (this.waiting.size > 0) void this.fillGap(next)
        return
      }
      this.waiting.delete(next)
      const outcome = await this.options.exclusive(() => this.apply(block))
      if (outcome === 'wait') {
        // Its delayed messages are not read from L1 yet: `retry` runs again after the next L1 step.
        this.waiting.set(block.number, block)
        return
      }
    }
  }

  /** Tries the waiting blocks again (after the L1 reader read more delayed messages). */
  retry(): Promise<void> {
    if (this.waiting.size === 0) return this.running
    this.running = this.running
      .then(() => this.drain())
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'unsafe block not applied')
      })
    return this.running
  }

  private async fillGap(from: bigint): Promise<void> {
    const { requestRange, logger } = this.options
    if (requestRange === undefined || this.filling) return
    const lowestWaiting = [...this.waiting.keys()].reduce((a, b) => (a < b ? a : b))
    const count = Number(lowestWaiting - from > 256n ? 256n : lowestWaiting - from)
    if (count <= 0) return
    this.filling = true
    try {
      const blocks = await requestRange(from, count)
      for (const block of blocks) void this.receive(block)
    } catch (error) {
      logger.debug({ err: error, from: Number(from), count }, 'gap fill failed; waiting for L1 or more gossip')
    } finally {
      this.filling = false
    }
  }

  private async apply(block: GossipBlock): Promise<'applied' | 'rejected' | 'wait'> {
    const { chain, prepared, delayed, senders, chainId } = this.options
    const parent = chain.head('unsafe')
    if (!equalBytes(block.parentHash, parent.hash)) {
      this.rejected.inc({ reason: 'parent' })
      return 'rejected'
    }
    const messages: StfMessage[] = []
    let accumulator = parent.header.delayedAccumulator
    for (let index = parent.header.delayedCountAfter; index < block.delayedCountAfter; index++) {
      const message = delayed(index)
      if (message === undefined) return 'wait'
      accumulator = accumulateDelayed(accumulator, delayedMessageHash(message))
      messages.push(delayedToStfMessage(message))
    }
    const delayedCount = messages.length
    const recovered = await senders.recover(block.transactions, chainId)
    block.transactions.forEach((raw, i) => {
      try {
        messages.push({ kind: 'transaction', tx: decodeTransaction(raw), raw, sender: recovered[i] })
      } catch (error) {
        messages.push({ kind: 'undecodable', reason: 'slotDecode', detail: String(error) })
      }
    })
    const state = new StateDb(chain.store, parent.header.stateRoot)
    const executed = applyBlock(
      state,
      {
        parentHash: parent.hash,
        number: block.number,
        timestamp: block.timestamp,
        delayedCountAfter: block.delayedCountAfter,
        delayedAccumulator: accumulator,
        messages,
      },
      prepared,
    )
    if (!equalBytes(executed.hash, block.blockHash)) {
      this.rejected.inc({ reason: 'mismatch' })
      this.options.logger.error(
        { err: new UnsafeBlockMismatchError(block.number, block.blockHash, executed.hash) },
        'gossiped block rejected',
      )
      return 'rejected'
    }
    const forcedHashes = new Set<string>()
    let included = 0
    executed.outcomes.forEach((outcome, i) => {
      if (!outcome.applied || outcome.kind !== 'transaction') return
      const tx = executed.transactions[included++]
      if (tx !== undefined && i < delayedCount) forcedHashes.add(hashKey(tx.hash))
    })
    const stored: StoredBlock = toStoredBlock(executed, {
      messageCountAfter: parent.messageCountAfter + BigInt(messages.length),
      slotCount: block.transactions.length,
      forcedHashes,
    })
    // Derivation may have moved the unsafe head while this block executed.
    if (!equalBytes(chain.head('unsafe').hash, parent.hash)) return 'rejected'
    await state.commit(chain.appendOps([stored]))
    chain.applied([stored])
    this.applied.inc()
    return 'applied'
  }
}
