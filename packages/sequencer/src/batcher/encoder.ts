import { Worker } from 'node:worker_threads'
import { BatchEncodeError, type BatchEncodeProblem, MAX_BLOCKS_PER_BATCH, SluiceError } from '@sluice/core'
import type { StoredBlock } from '@sluice/node'
import type { DataAvailabilityKind } from './dataAvailability.ts'
import {
  CLOSE_ENCODER,
  type EncoderBlock,
  type EncoderRequest,
  type EncoderResponse,
  type EncoderState,
  type SelfCheckOptions,
} from './encoderProtocol.ts'

/** A finished batch does not decode back to the blocks it was built from. */
export class BatchSelfCheckError extends SluiceError {
  override name = 'BatchSelfCheckError'
  constructor(details: string) {
    super('a batch built by this sequencer does not decode back to its blocks', { details, severity: 'critical' })
  }
}

/** The batch encoder's worker died or failed unexpectedly; the batch being filled is lost and refilled. */
export class BatchEncoderError extends SluiceError {
  override name = 'BatchEncoderError'
}

/** How long a closing worker may take to answer what it was sent before it is terminated. */
const STOP_TIMEOUT_MS = 10_000
/** Raw transaction bytes per `add` message at most: a blob batch holds ~0.8 MB of body. */
const ADD_BYTES = 4 << 20

export type BatchOpenOptions = {
  da: DataAvailabilityKind
  chainId: bigint
  prevDelayedCount: bigint
  maxBlobs?: number | undefined
  maxBatchBytes?: number | undefined
}

/** A batch being filled in the encoder's worker: what its `BatchBuilder` reports after the last request. */
export type EncodingBatch = EncoderState & {
  readonly id: number
  readonly da: DataAvailabilityKind
  /** The blocks added, in order. */
  readonly blocks: StoredBlock[]
  /** A block did not fit: the batch is to be posted. */
  full: boolean
}

/**
 * The batcher's batch encoding and self-check on a worker thread: the core `BatchBuilder` and
 * `decodeBatch`/`decodeBlobBatch` of ~10,000 transactions per blob batch, which took ~12 µs per
 * transaction of the main thread in stretches of ~100 ms per batch. The main thread only packs each
 * block's raw transactions into one transferred buffer. A worker that dies is replaced at the next
 * request; the batches it held fail with `BatchEncoderError`.
 */
export class BatchEncoder {
  private worker: Worker | undefined
  private readonly pending = new Map<number, { resolve: (r: EncoderResponse) => void; reject: (e: Error) => void }>()
  private nextId = 0
  private nextBatch = 0
  /** Batches open in the current worker (one that died took them with it). */
  private readonly open = new Set<number>()
  /** Blocks the worker's builders were offered (one that did not fit is offered again to the next batch). */
  blocksEncoded = 0
  private closed = false
  private readonly workerUrl: URL

  constructor(workerUrl: URL = new URL('./encoderWorker.ts', import.meta.url)) {
    this.workerUrl = workerUrl
  }

  /** Starts filling a new batch. */
  async start(options: BatchOpenOptions): Promise<EncodingBatch> {
    const batch = this.nextBatch++
    this.open.add(batch)
    const response = await this.request({
      kind: 'open',
      id: 0,
      batch,
      da: options.da,
      chainId: options.chainId,
      prevDelayedCount: options.prevDelayedCount,
      maxBlobs: options.maxBlobs,
      maxBatchBytes: options.maxBatchBytes,
    })
    return { id: batch, da: options.da, blocks: [], full: false, ...response.state }
  }

  /** Whether `batch` is still held by the worker (not finished, dropped, or lost with a dead worker). */
  holds(batch: EncodingBatch): boolean {
    return this.open.has(batch.id)
  }

  /**
   * Adds `blocks` in order until one does not fit (`batch.full`), and returns how many were added.
   * Rejects with the `BatchEncodeError` of a block that no batch can hold (the blocks before it stay added).
   */
  async add(batch: EncodingBatch, blocks: readonly StoredBlock[]): Promise<number> {
    let taken = 0
    while (taken < blocks.length && !batch.full) {
      // Never more blocks than a batch can hold, nor more bytes than a message should carry.
      const room = MAX_BLOCKS_PER_BATCH + 1 - batch.blocks.length
      const chunk: EncoderBlock[] = []
      const raws: Uint8Array[] = []
      let total = 0
      for (let i = taken; i < blocks.length && chunk.length < room && (total < ADD_BYTES || chunk.length === 0); i++) {
        const block = blocks[i] as StoredBlock
        let count = 0
        for (const t of block.transactions) {
          if (t.forced) continue
          raws.push(t.raw)
          total += t.raw.length
          count++
        }
        const { number, timestamp, delayedCountAfter } = block.header
        chunk.push({ number, timestamp, delayedCountAfter, count })
      }
      const bytes = new Uint8Array(total)
      const offsets = new Uint32Array(raws.length + 1)
      let at = 0
      raws.forEach((raw, i) => {
        bytes.set(raw, at)
        at += raw.length
        offsets[i + 1] = at
      })
      const response = await this.request(
        { kind: 'add', id: 0, batch: batch.id, blocks: chunk, bytes: bytes.buffer, offsets: offsets.buffer },
        [bytes.buffer, offsets.buffer],
        (failed) => {
          // The blocks before the refused one were added.
          this.blocksEncoded += failed.added + 1
          if (failed.state !== undefined) Object.assign(batch, failed.state)
          batch.blocks.push(...blocks.slice(taken, taken + failed.added))
        },
      )
      if (!('added' in response)) throw new BatchEncoderError('the batch encoder answered an add without a count')
      this.blocksEncoded += response.added + (response.full ? 1 : 0)
      Object.assign(batch, response.state)
      batch.blocks.push(...blocks.slice(taken, taken + response.added))
      taken += response.added
      if (response.full) batch.full = true
    }
    return taken
  }

  /** The batch's bytes, self-checked in the worker against the blocks added; the worker forgets the batch. */
  async finish(batch: EncodingBatch, check: SelfCheckOptions): Promise<Uint8Array> {
    this.open.delete(batch.id)
    const response = await this.request({ kind: 'finish', id: 0, batch: batch.id, check })
    if (!('bytes' in response)) throw new BatchEncoderError('the batch encoder finished a batch without its bytes')
    Object.assign(batch, response.state)
    return new Uint8Array(response.bytes)
  }

  /** Forgets a batch that will not be posted. */
  drop(batch: EncodingBatch): void {
    if (!this.open.delete(batch.id) || this.worker === undefined) return
    this.request({ kind: 'drop', id: 0, batch: batch.id }).catch(() => undefined)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const worker = this.worker
    this.worker = undefined
    this.failAll(new BatchEncoderError('the batch encoder was closed', { severity: 'critical' }))
    if (worker === undefined) return
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    try {
      worker.postMessage(CLOSE_ENCODER)
    } catch {
      // already gone
    }
    worker.ref()
    const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
  }

  private request(
    request: EncoderRequest,
    transfer: ArrayBuffer[] = [],
    onFailure?: (failed: Extract<EncoderResponse, { ok: false }>) => void,
  ): Promise<Extract<EncoderResponse, { ok: true }>> {
    if (this.closed)
      return Promise.reject(new BatchEncoderError('the batch encoder is closed', { severity: 'critical' }))
    const worker = this.workerOrStart()
    const id = this.nextId++
    request.id = id
    return new Promise<EncoderResponse>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref()
      this.pending.set(id, { resolve, reject })
      worker.postMessage(request, transfer)
    }).then((response) => {
      if (response.ok) return response
      onFailure?.(response)
      const { failure } = response
      if (failure.kind === 'encode') throw new BatchEncodeError(failure.problem as BatchEncodeProblem, failure.what)
      if (failure.kind === 'selfCheck') throw new BatchSelfCheckError(failure.details)
      throw new BatchEncoderError(`the batch encoder failed: ${failure.message}`, { severity: 'critical' })
    })
  }

  private workerOrStart(): Worker {
    if (this.worker !== undefined) return this.worker
    const worker = new Worker(this.workerUrl)
    worker.unref()
    worker.on('message', (response: EncoderResponse) => {
      const p = this.pending.get(response.id)
      if (p === undefined) return
      this.pending.delete(response.id)
      if (this.pending.size === 0) worker.unref()
      p.resolve(response)
    })
    const lost = (why: string, cause?: unknown) => {
      if (this.worker !== worker) return
      this.worker = undefined
      this.open.clear()
      this.failAll(
        new BatchEncoderError(`the batch encoder's worker ${why}`, {
          details: 'The batches it was filling are filled again by a new worker at the next round.',
          cause,
          severity: 'temporary',
        }),
      )
    }
    worker.on('error', (error) => lost(`crashed: ${error.message}`, error))
    worker.on('messageerror', (error) => lost('sent an unreadable message', error))
    worker.on('exit', (code) => lost(`exited with code ${code}`))
    this.worker = worker
    return worker
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error)
    this.pending.clear()
  }
}
