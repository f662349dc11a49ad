/**
 * What the batcher's encoder worker (encoderWorker.ts) does with each request: fills batches with the
 * core `BatchBuilder` block by block, and finishes each with the self-check (the bytes decode, with
 * the core, to exactly the blocks and raw transactions they were built from).
 */
import {
  BatchBuilder,
  BatchEncodeError,
  type DecodedBatch,
  decodeBatch,
  decodeBlobBatch,
  decodeTransaction,
  encodeTransaction,
  equalBytes,
} from '@sluice/core'
import type {
  EncoderBlock,
  EncoderFailure,
  EncoderRequest,
  EncoderResponse,
  EncoderState,
  SelfCheckOptions,
} from './encoderProtocol.ts'

type AddedBlock = Omit<EncoderBlock, 'count'> & { raws: Uint8Array[] }
type Batch = { builder: BatchBuilder; blocks: AddedBlock[]; prevDelayedCount: bigint }

class SelfCheckFailure extends Error {}

/** The batches being filled, by the encoder's id for them. */
export class EncoderSessions {
  private readonly batches = new Map<number, Batch>()

  handle(request: EncoderRequest): EncoderResponse {
    const { id } = request
    let added = 0
    try {
      switch (request.kind) {
        case 'open': {
          const builder = new BatchBuilder({
            chainId: request.chainId,
            prevDelayedCount: request.prevDelayedCount,
            da: request.da,
            maxBlobs: request.maxBlobs,
            maxBatchBytes: request.maxBatchBytes,
          })
          this.batches.set(request.batch, { builder, blocks: [], prevDelayedCount: request.prevDelayedCount })
          return { id, ok: true, state: stateOf(builder) }
        }
        case 'add': {
          const batch = this.batch(request.batch)
          const bytes = new Uint8Array(request.bytes)
          const offsets = new Uint32Array(request.offsets)
          let t = 0
          let full = false
          for (const block of request.blocks) {
            const raws: Uint8Array[] = new Array(block.count)
            for (let i = 0; i < block.count; i++, t++) {
              raws[i] = bytes.subarray(offsets[t] as number, offsets[t + 1] as number)
            }
            const fits = batch.builder.tryAdd({
              timestamp: block.timestamp,
              delayedCountAfter: block.delayedCountAfter,
              transactions: raws.map((raw) => decodeTransaction(raw)),
            })
            if (!fits) {
              full = true
              break
            }
            batch.blocks.push({
              number: block.number,
              timestamp: block.timestamp,
              delayedCountAfter: block.delayedCountAfter,
              raws,
            })
            added++
          }
          return { id, ok: true, state: stateOf(batch.builder), added, full }
        }
        case 'finish': {
          const batch = this.batch(request.batch)
          this.batches.delete(request.batch)
          const bytes = batch.builder.finish()
          selfCheck(batch, bytes, request.check)
          return { id, ok: true, state: stateOf(batch.builder), bytes: bytes.buffer as ArrayBuffer }
        }
        case 'drop':
          this.batches.delete(request.batch)
          return { id, ok: true, state: { size: 0, blobCount: 0, slotCount: 0, delayedCountAfter: 0n } }
      }
    } catch (error) {
      const batch = this.batches.get(request.batch)
      return { id, ok: false, failure: failureOf(error), added, state: batch && stateOf(batch.builder) }
    }
  }

  private batch(id: number): Batch {
    const batch = this.batches.get(id)
    if (batch === undefined) throw new Error(`no batch ${id} is being filled`)
    return batch
  }
}

function stateOf(builder: BatchBuilder): EncoderState {
  return {
    size: builder.size,
    blobCount: builder.blobCount,
    slotCount: builder.slotCount,
    delayedCountAfter: builder.delayedCountAfter,
  }
}

function failureOf(error: unknown): EncoderFailure {
  if (error instanceof BatchEncodeError) {
    return { kind: 'encode', problem: error.problem, what: error.what }
  }
  if (error instanceof SelfCheckFailure) return { kind: 'selfCheck', details: error.message }
  return { kind: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }
}

/** The batch decodes, with the core, to exactly the blocks and raw transactions it was built from. */
function selfCheck(batch: Batch, bytes: Uint8Array, check: SelfCheckOptions): void {
  const { builder, blocks } = batch
  const last = blocks[blocks.length - 1]
  const options = {
    ...check,
    delayedCountAfter: last?.delayedCountAfter ?? batch.prevDelayedCount,
    l1Timestamp: last?.timestamp ?? check.prevTimestamp,
  }
  const decoded: DecodedBatch =
    builder.da === 'blobs'
      ? decodeBlobBatch(bytes, { ...options, slotCount: builder.slotCount })
      : decodeBatch(bytes, options)
  if (decoded.blocks.length !== blocks.length) {
    throw new SelfCheckFailure(`${blocks.length} blocks encoded, ${decoded.blocks.length} decoded`)
  }
  decoded.blocks.forEach((d, i) => {
    const block = blocks[i] as AddedBlock
    if (d.delayedTo !== block.delayedCountAfter || d.slots.length !== block.raws.length) {
      throw new SelfCheckFailure(`block ${block.number}: delayed or slot count differs after decoding`)
    }
    // derivation adopts a posted batch as the blocks it encodes (PostedBatchAdoption): all of them
    if (d.timestamp !== block.timestamp) {
      throw new SelfCheckFailure(`block ${block.number}: timestamp differs after decoding`)
    }
    d.slots.forEach((slot, j) => {
      const raw = block.raws[j]
      // Its encoding equals the raw transaction the block holds (what its hash commits to): as strict
      // as comparing hashes, without a keccak per transaction.
      if (!slot.ok || raw === undefined || !equalBytes(encodeTransaction(slot.tx), raw)) {
        throw new SelfCheckFailure(`block ${block.number} slot ${j} does not decode to the transaction it encodes`)
      }
    })
  })
}
