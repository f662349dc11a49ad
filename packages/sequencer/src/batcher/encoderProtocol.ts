/** The messages between the batcher's `BatchEncoder` (encoder.ts) and its worker (encoderWorker.ts). */
import type { DataAvailabilityKind } from './dataAvailability.ts'

/** A block as the worker encodes it: its transactions are `count` consecutive raws of the request's `bytes`. */
export type EncoderBlock = { number: bigint; timestamp: bigint; delayedCountAfter: bigint; count: number }

/**
 * What the self-check decodes the finished batch with (`decodeBatch` / `decodeBlobBatch`'s options;
 * the delayed count after it and the L1 timestamp are its last block's).
 */
export type SelfCheckOptions = {
  delayedBefore: bigint
  chainId: bigint
  prevTimestamp: bigint
  maxSequencerDrift: bigint
}

export type EncoderRequest =
  | {
      kind: 'open'
      id: number
      batch: number
      da: DataAvailabilityKind
      chainId: bigint
      prevDelayedCount: bigint
      maxBlobs: number | undefined
      maxBatchBytes: number | undefined
    }
  /**
   * Blocks in order; raw transaction `i` (the blocks' batch transactions, forced ones left out) is
   * `bytes[offsets[i], offsets[i+1])`. The worker stops at the first block that does not fit.
   */
  | { kind: 'add'; id: number; batch: number; blocks: EncoderBlock[]; bytes: ArrayBuffer; offsets: ArrayBuffer }
  /** The batch's bytes, after they decode back to exactly the blocks added; the batch is then forgotten. */
  | { kind: 'finish'; id: number; batch: number; check: SelfCheckOptions }
  | { kind: 'drop'; id: number; batch: number }

/** Where a batch stands after a request: what `BatchBuilder`'s getters give. */
export type EncoderState = { size: number; blobCount: number; slotCount: number; delayedCountAfter: bigint }

export type EncoderFailure =
  /** `BatchBuilder.tryAdd` threw `BatchEncodeError` (`what` is its message's subject). */
  | { kind: 'encode'; problem: string; what: string }
  /** The finished batch does not decode back to its blocks. */
  | { kind: 'selfCheck'; details: string }
  | { kind: 'internal'; message: string }

export type EncoderResponse =
  | { id: number; ok: true; state: EncoderState }
  /** `added` blocks were taken; `full` when the next one did not fit. */
  | { id: number; ok: true; state: EncoderState; added: number; full: boolean }
  | { id: number; ok: true; state: EncoderState; bytes: ArrayBuffer }
  /** `added` blocks of an `add` were taken before the failure; `state` is the batch's after them. */
  | { id: number; ok: false; failure: EncoderFailure; added: number; state: EncoderState | undefined }

/** Sent when the encoder closes: the worker closes its port after the requests queued before it. */
export const CLOSE_ENCODER = 'close'
