import { sequencerInboxAbi } from '@sluice/contracts'
import {
  BatchBuilder,
  bytesToBigint,
  bytesToHex,
  decodeBatch,
  decodeRlp,
  encodeRlp,
  encodeTransaction,
  equalBytes,
  keccak256,
  type RollupConfig,
  SluiceError,
} from '@sluice/core'
import {
  type ChainStore,
  type Deployment,
  L1SendError,
  type L1Wallet,
  type Logger,
  type StoredBlock,
} from '@sluice/node'
import { Counter, Gauge, type Registry } from 'prom-client'
import { encodeFunctionData, type Hex, type PublicClient } from 'viem'

/**
 * A batch the batcher decided to post, written to the database **before** it is sent: after a crash
 * it is re-sent with the same bytes and the same `expectedIndex`, so it lands at most once and no
 * block is ever posted twice.
 */
export type BatchIntent = {
  expectedIndex: bigint
  firstBlock: bigint
  lastBlock: bigint
  bytes: Uint8Array
  /** Hash of the last L1 transaction sent for it (replacements change it). */
  txHash: Hex | undefined
  sentAt: number
  /** Fee multiplier in percent of the last send (bumped when stuck). */
  feeBumpPercent: number
}

/** The inbox holds someone else's batch where ours was to land (a forced batch): the unsafe chain must be rebuilt. */
export class BatchConflictError extends SluiceError {
  override name = 'BatchConflictError'
  constructor(index: bigint) {
    super(`inbox batch ${index} is not the batch this sequencer posted there`, {
      details:
        'Another batch (a forced inclusion) took this index. The unsafe blocks from this batch on must be rebuilt on top of what L1 derived.',
      severity: 'reset',
    })
  }
}

/** A posted batch, decoded back with the core, does not give the blocks it was built from. */
export class BatchSelfCheckError extends SluiceError {
  override name = 'BatchSelfCheckError'
  constructor(details: string) {
    super('a batch built by this sequencer does not decode back to its blocks', { details, severity: 'critical' })
  }
}

export type BatcherOptions = {
  chain: ChainStore
  config: RollupConfig
  deployment: Deployment
  publicClient: PublicClient
  wallet: L1Wallet
  logger: Logger
  registry: Registry
  /** Post once the oldest unbatched block is this old, even if the batch is not full. */
  maxBatchAgeMs?: number
  /** Batches in flight (sent, not yet confirmed) at most. */
  maxInFlight?: number
  /** Re-send with higher fees when a transaction has not landed after this long. */
  stuckAfterMs?: number
  /** A batch of empty blocks only (no transaction, no delayed message) waits this long. */
  maxEmptyBatchAgeMs?: number
}

const META_NEXT = 'batcher/next'
const META_INTENT = 'batcher/intent/'
const META_RANGE = 'batcher/intents'

/**
 * Fills batches with the core `BatchBuilder` from sealed unsafe blocks and posts them with
 * `SequencerInbox.appendBatch(batch, expectedIndex)`; follows each to `l1Confirmations`, re-posts
 * after an L1 reorg or a dropped transaction, bumps fees when stuck, and resumes after a restart
 * from its intents and what the inbox holds.
 */
export class Batcher {
  private readonly options: BatcherOptions
  private readonly intents: BatchIntent[] = []
  private nextBlock = 1n
  private firstUnbatchedSeenAt: number | undefined
  private halted: SluiceError | undefined
  /** When each intent's transaction was first found missing from L1 (neither mined nor pending). */
  private readonly missingSince = new Map<bigint, number>()
  private readonly metrics: {
    batches: Counter<'outcome'>
    bytes: Counter
    transactions: Counter
    gas: Counter
    inFlight: Gauge
    bytesPerTx: Gauge
  }

  constructor(options: BatcherOptions) {
    this.options = options
    const registers = [options.registry]
    this.metrics = {
      batches: new Counter({
        name: 'sluice_batcher_batches_total',
        help: 'Batches by outcome',
        labelNames: ['outcome'],
        registers,
      }),
      bytes: new Counter({ name: 'sluice_batcher_bytes_total', help: 'Batch bytes posted', registers }),
      transactions: new Counter({ name: 'sluice_batcher_transactions_total', help: 'Batch slots posted', registers }),
      gas: new Counter({ name: 'sluice_batcher_l1_gas_total', help: 'L1 gas spent on batches', registers }),
      inFlight: new Gauge({ name: 'sluice_batcher_in_flight', help: 'Batches sent and not yet confirmed', registers }),
      bytesPerTx: new Gauge({
        name: 'sluice_batcher_bytes_per_tx',
        help: 'Bytes per slot of the last batch',
        registers,
      }),
    }
  }

  /** Set when the batcher stopped itself; the node reports it on /health. */
  get haltReason(): SluiceError | undefined {
    return this.halted
  }

  get pendingIntents(): readonly BatchIntent[] {
    return this.intents
  }

  /** The first unsafe block not yet in a batch. */
  get nextUnbatchedBlock(): bigint {
    return this.nextBlock
  }

  /** Loads intents and the next block from the database. */
  load(): void {
    const { chain } = this.options
    const next = chain.store.getSync(chain.metaKey(META_NEXT))
    this.nextBlock = next === undefined ? 1n : bytesToBigint(decodeRlp(next) as Uint8Array)
    const range = chain.store.getSync(chain.metaKey(META_RANGE))
    if (range === undefined) return
    const [from, to] = (decodeRlp(range) as Uint8Array[]).map((b) => bytesToBigint(b)) as [bigint, bigint]
    for (let index = from; index < to; index++) {
      const raw = chain.store.getSync(chain.metaKey(`${META_INTENT}${index}`))
      if (raw === undefined) throw new BatchSelfCheckError(`batch intent ${index} is missing from the database`)
      this.intents.push(decodeIntent(raw))
    }
  }

  /** The write that records which intents exist (contiguous by index). */
  private rangeOp(): { type: 'put'; key: Uint8Array; value: Uint8Array } {
    const first = this.intents[0]?.expectedIndex ?? 0n
    const end = first + BigInt(this.intents.length)
    return { type: 'put', key: this.options.chain.metaKey(META_RANGE), value: encodeRlp([first, end]) }
  }

  /**
   * After the unsafe chain was replaced from block `from` on (a forced-inclusion batch, or an L1
   * reorg that changed what the sequencer's blocks derive to): every intent that has not landed was
   * built on the old chain and is dropped, and batching resumes after the chain's new safe blocks.
   */
  async rebuildFrom(from: bigint): Promise<void> {
    const { chain, logger } = this.options
    const count = await this.inboxCount()
    const dropped = this.intents.filter((intent) => intent.expectedIndex >= count)
    this.intents.splice(this.intents.length - dropped.length, dropped.length)
    // Blocks up to the safe head are on L1 (the replaced ones came from L1 itself); the rest are new.
    this.nextBlock = chain.head('safe').header.number + 1n
    this.firstUnbatchedSeenAt = undefined
    this.halted = undefined
    await chain.store.batch([
      ...dropped.map((intent) => ({
        type: 'del' as const,
        key: chain.metaKey(`${META_INTENT}${intent.expectedIndex}`),
      })),
      { type: 'put', key: chain.metaKey(META_NEXT), value: encodeRlp(this.nextBlock) },
      this.rangeOp(),
    ])
    logger.warn(
      { from: Number(from), droppedIntents: dropped.length, nextBlock: Number(this.nextBlock) },
      'batcher follows the rebuilt chain',
    )
  }

  /** One round: reconcile what is in flight with L1, then post a new batch if one is due. */
  async tick(): Promise<void> {
    if (this.halted) return
    try {
      await this.reconcile()
      await this.maybePost()
    } catch (error) {
      if (error instanceof SluiceError && (error.severity === 'critical' || error.severity === 'reset')) {
        this.halted = error
        this.options.logger.error({ err: error }, 'batcher halted')
        return
      }
      // An L1 read or send that failed: the intents are durable, the next round retries.
      throw error instanceof SluiceError ? error : new L1SendError('batcher round', error)
    }
  }

  private async reconcile(): Promise<void> {
    const { publicClient, deployment, config, logger } = this.options
    if (this.intents.length === 0) return
    const count = await publicClient.readContract({
      address: deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'batchCount',
    })
    const l1Head = await publicClient.getBlockNumber()
    while (this.intents.length > 0) {
      const intent = this.intents[0] as BatchIntent
      if (count > intent.expectedIndex) {
        const onChain = await publicClient.readContract({
          address: deployment.sequencerInbox,
          abi: sequencerInboxAbi,
          functionName: 'batchHash',
          args: [intent.expectedIndex],
        })
        if (!equalBytes(hexBytes(onChain), keccak256(intent.bytes))) throw new BatchConflictError(intent.expectedIndex)
        const receipt = intent.txHash === undefined ? undefined : await this.receipt(intent.txHash)
        const landedAt = receipt?.blockNumber ?? (await this.findBatchBlock(intent.expectedIndex))
        if (landedAt === undefined || l1Head - landedAt + 1n < config.l1Confirmations) break
        if (receipt) this.metrics.gas.inc(Number(receipt.gasUsed))
        this.metrics.batches.inc({ outcome: 'confirmed' })
        logger.info({ batch: Number(intent.expectedIndex), l1Block: Number(landedAt) }, 'batch confirmed')
        this.intents.shift()
        await this.options.chain.store.batch([
          { type: 'del', key: this.options.chain.metaKey(`${META_INTENT}${intent.expectedIndex}`) },
          this.rangeOp(),
        ])
        continue
      }
      break
    }
    // Intents that have not landed: re-send if their transaction vanished (reorg, dropped) or is stuck.
    for (const intent of this.intents) {
      if (count > intent.expectedIndex) continue
      const receipt = intent.txHash === undefined ? undefined : await this.receipt(intent.txHash)
      if (receipt !== undefined && receipt.status === 'success') continue
      const pending = intent.txHash === undefined ? undefined : await this.pendingTransaction(intent.txHash)
      const stuck = Date.now() - intent.sentAt > (this.options.stuckAfterMs ?? 30_000)
      if (receipt === undefined && pending !== undefined && !stuck) {
        this.missingSince.delete(intent.expectedIndex)
        continue
      }
      if (receipt?.status === 'reverted') {
        // An earlier batch of ours was reorged out and this one ran first: send it again behind it.
        logger.warn(
          { batch: Number(intent.expectedIndex), tx: intent.txHash },
          'batch transaction reverted; re-sending',
        )
      } else if (pending === undefined && receipt === undefined && intent.txHash !== undefined) {
        // A node may briefly not know a transaction it just took: re-post only once it stays missing.
        const since = this.missingSince.get(intent.expectedIndex)
        if (since === undefined) {
          this.missingSince.set(intent.expectedIndex, Date.now())
          continue
        }
        if (Date.now() - since < 1_000) continue
        this.missingSince.delete(intent.expectedIndex)
        logger.warn(
          { batch: Number(intent.expectedIndex), tx: intent.txHash },
          'batch transaction vanished from L1 (reorg or dropped); re-posting',
        )
        this.metrics.batches.inc({ outcome: 'reposted' })
      } else if (stuck) {
        intent.feeBumpPercent = Math.ceil(intent.feeBumpPercent * 1.25)
        logger.warn(
          { batch: Number(intent.expectedIndex), feeBumpPercent: intent.feeBumpPercent },
          'batch transaction stuck; bumping fees',
        )
      }
      await this.send(intent)
    }
    this.metrics.inFlight.set(this.intents.length)
  }

  private async maybePost(): Promise<void> {
    const { chain, config, logger } = this.options
    const maxInFlight = this.options.maxInFlight ?? 6
    while (this.intents.length < maxInFlight) {
      const head = chain.head('unsafe').header.number
      if (this.nextBlock > head) {
        this.firstUnbatchedSeenAt = undefined
        return
      }
      this.firstUnbatchedSeenAt ??= Date.now()
      const previous = chain.blockByNumber(this.nextBlock - 1n) as StoredBlock
      const builder = new BatchBuilder({
        chainId: config.chainId,
        prevDelayedCount: previous.header.delayedCountAfter,
        maxBatchBytes: Number(config.maxBatchBytes),
      })
      let last = this.nextBlock - 1n
      let full = false
      const blocks: StoredBlock[] = []
      for (let n = this.nextBlock; n <= head; n++) {
        const block = chain.blockByNumber(n) as StoredBlock
        const added = builder.tryAdd({
          timestamp: block.header.timestamp,
          delayedCountAfter: block.header.delayedCountAfter,
          transactions: block.transactions.filter((t) => !t.forced).map((t) => t.tx),
        })
        if (!added) {
          full = true
          break
        }
        blocks.push(block)
        last = n
      }
      const age = Date.now() - this.firstUnbatchedSeenAt
      const empty = builder.slotCount === 0 && builder.delayedCountAfter === previous.header.delayedCountAfter
      const maxAge = empty ? (this.options.maxEmptyBatchAgeMs ?? 60_000) : (this.options.maxBatchAgeMs ?? 2_000)
      if (!full && age < maxAge) return
      const bytes = builder.finish()
      this.selfCheck(bytes, blocks, previous)
      const expectedIndex =
        this.intents.length > 0
          ? (this.intents[this.intents.length - 1] as BatchIntent).expectedIndex + 1n
          : await this.inboxCount()
      const intent: BatchIntent = {
        expectedIndex,
        firstBlock: this.nextBlock,
        lastBlock: last,
        bytes,
        txHash: undefined,
        sentAt: 0,
        feeBumpPercent: 100,
      }
      // Durable before sent: a crash after the send finds the intent and re-sends the same bytes.
      this.intents.push(intent)
      await chain.store.batch([
        { type: 'put', key: chain.metaKey(`${META_INTENT}${expectedIndex}`), value: encodeIntent(intent) },
        { type: 'put', key: chain.metaKey(META_NEXT), value: encodeRlp(last + 1n) },
        this.rangeOp(),
      ])
      this.nextBlock = last + 1n
      this.firstUnbatchedSeenAt = undefined
      const slots = builder.slotCount
      this.metrics.bytes.inc(bytes.length)
      this.metrics.transactions.inc(slots)
      if (slots > 0) this.metrics.bytesPerTx.set(bytes.length / slots)
      logger.info(
        { batch: Number(expectedIndex), blocks: [Number(intent.firstBlock), Number(last)], bytes: bytes.length, slots },
        'posting batch',
      )
      await this.send(intent)
    }
  }

  private async inboxCount(): Promise<bigint> {
    return this.options.publicClient.readContract({
      address: this.options.deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'batchCount',
    })
  }

  /** The batch decodes, with the core, to exactly the blocks and transactions it was built from. */
  private selfCheck(bytes: Uint8Array, blocks: readonly StoredBlock[], previous: StoredBlock): void {
    const { config } = this.options
    const last = blocks[blocks.length - 1] as StoredBlock
    const decoded = decodeBatch(bytes, {
      delayedBefore: previous.header.delayedCountAfter,
      delayedCountAfter: last.header.delayedCountAfter,
      chainId: config.chainId,
      l1Timestamp: last.header.timestamp,
      prevTimestamp: previous.header.timestamp,
      maxSequencerDrift: config.maxSequencerDrift,
    })
    if (decoded.blocks.length !== blocks.length) {
      throw new BatchSelfCheckError(`${blocks.length} blocks encoded, ${decoded.blocks.length} decoded`)
    }
    decoded.blocks.forEach((d, i) => {
      const block = blocks[i] as StoredBlock
      const slots = block.transactions.filter((t) => !t.forced)
      if (d.delayedTo !== block.header.delayedCountAfter || d.slots.length !== slots.length) {
        throw new BatchSelfCheckError(`block ${block.header.number}: delayed or slot count differs after decoding`)
      }
      d.slots.forEach((slot, j) => {
        const original = slots[j]
        if (!slot.ok || original === undefined || !equalBytes(keccak256(encodeTransaction(slot.tx)), original.hash)) {
          throw new BatchSelfCheckError(
            `block ${block.header.number} slot ${j} does not decode to the transaction it encodes`,
          )
        }
      })
    })
  }

  private async send(intent: BatchIntent): Promise<void> {
    const { wallet, deployment, chain, logger } = this.options
    const data = encodeFunctionData({
      abi: sequencerInboxAbi,
      functionName: 'appendBatch',
      args: [bytesToHex(intent.bytes), intent.expectedIndex],
    })
    const sent = await wallet.send(
      { to: deployment.sequencerInbox, data, gas: appendBatchGas(intent.bytes), feeBumpPercent: intent.feeBumpPercent },
      `appendBatch(${intent.expectedIndex})`,
    )
    intent.txHash = sent.hash
    intent.sentAt = Date.now()
    await chain.store.batch([
      { type: 'put', key: chain.metaKey(`${META_INTENT}${intent.expectedIndex}`), value: encodeIntent(intent) },
    ])
    logger.debug({ batch: Number(intent.expectedIndex), tx: sent.hash, nonce: sent.nonce }, 'batch transaction sent')
  }

  private async receipt(hash: Hex) {
    try {
      return await this.options.publicClient.getTransactionReceipt({ hash })
    } catch {
      return undefined
    }
  }

  private async pendingTransaction(hash: Hex) {
    try {
      return await this.options.publicClient.getTransaction({ hash })
    } catch {
      return undefined
    }
  }

  private async findBatchBlock(index: bigint): Promise<bigint | undefined> {
    const logs = await this.options.publicClient.getContractEvents({
      address: this.options.deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      eventName: 'BatchAppended',
      args: { index },
      fromBlock: this.options.deployment.deployBlock,
    })
    return logs[0]?.blockNumber ?? undefined
  }
}

/**
 * Gas for `appendBatch` without an estimate (a batch behind another in flight cannot be estimated):
 * EIP-7623's floor (10 gas per zero byte, 40 per non-zero) or standard pricing plus the inbox's work,
 * whichever is higher, with headroom.
 */
export function appendBatchGas(batch: Uint8Array): bigint {
  let zero = 0n
  for (const byte of batch) if (byte === 0) zero++
  const nonZero = BigInt(batch.length) + 4n + 64n - zero
  const floor = 21_000n + 10n * (zero + 4n * nonZero)
  const standard = 21_000n + 4n * zero + 16n * nonZero + 150_000n + BigInt(batch.length) * 2n
  const gas = floor > standard ? floor + 150_000n : standard
  return (gas * 125n) / 100n
}

function hexBytes(hex: Hex): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'))
}

function encodeIntent(intent: BatchIntent): Uint8Array {
  return encodeRlp([
    intent.expectedIndex,
    intent.firstBlock,
    intent.lastBlock,
    intent.bytes,
    intent.txHash === undefined ? new Uint8Array(0) : hexBytes(intent.txHash),
    BigInt(intent.sentAt),
    BigInt(intent.feeBumpPercent),
  ])
}

function decodeIntent(raw: Uint8Array): BatchIntent {
  const f = decodeRlp(raw) as Uint8Array[]
  const n = (i: number) => bytesToBigint(f[i] as Uint8Array)
  const txHash = f[4] as Uint8Array
  return {
    expectedIndex: n(0),
    firstBlock: n(1),
    lastBlock: n(2),
    bytes: f[3] as Uint8Array,
    txHash: txHash.length === 0 ? undefined : bytesToHex(txHash),
    sentAt: Number(n(5)),
    feeBumpPercent: Number(n(6)),
  }
}
