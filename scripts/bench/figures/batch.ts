/**
 * batch.bytesPerTx: L1 bytes per transfer of the batch codec (docs/protocol.md §5.4–5.5) on the
 * standard workload (workload.ts: senders uniform, recipients Zipf 1.1 with one in ten brand-new,
 * EIP-1559 transfers with wallet-style values and fees), batches filled to maxBatchBytes = 100,000
 * by the sequencer's `BatchBuilder`. The peer is the same transactions as raw RLP. Every batch is
 * decoded again and must give back the raw bytes, so the figure is of a working codec.
 *
 * batch.bytesPerTx.blobs: the same for blob batches (body version 2, §5.7.3), filled by the
 * `BatchBuilder` in blob mode up to six blobs (`BLOB_BODY_LIMIT` = 761,852 body bytes): body bytes
 * per transfer, and the blob-fill ratio (body bytes ÷ 6 × 131,072, the blob bytes L1 charges for).
 * Every body goes through `encodeBlobs`/`decodeBlobs` and must decode to the raw bytes.
 */
import {
  type BatchBlock,
  BatchBuilder,
  type DataAvailability,
  type DecodedBatch,
  decodeBatch,
  decodeBlobBatch,
  MAX_BLOBS_PER_BATCH,
  walkBatch,
} from '../../../packages/core/src/batch/index.ts'
import { BYTES_PER_BLOB, decodeBlobs, encodeBlobs } from '../../../packages/core/src/blob/index.ts'
import { equalBytes } from '../../../packages/core/src/bytes/index.ts'
import { decodeTransaction, encodeTransaction, type SignedTransaction } from '../../../packages/core/src/tx/index.ts'
import { type FigureGroup, type FigureResult, log, median, type RunOptions } from '../harness.ts'
import { GWEI, standardWorkload } from '../workload.ts'

const MAX_BATCH_BYTES = 100_000
const CHAIN_ID = 901n
/** Transfers per L2 block (a block header costs 3 bytes). */
const BLOCK_TXS = 50

export type BytesPerTxOptions = { accounts: number; txs: number; da?: DataAvailability }

export type BytesPerTxResult = {
  /** bytes per transfer of each full batch */
  perBatch: number[]
  /** raw RLP bytes per transfer of the same transactions, per batch */
  rawPerBatch: number[]
  /** transfers per full batch */
  txsPerBatch: number[]
  /** bytes per transfer spent on slot length prefixes (1 by construction) */
  walkabilityCostBytes: number
  /** share of slots whose recipient is in the address dictionary */
  dictionaryShare: number
  /** blobs: body bytes ÷ (blobs × 131,072) of each full batch */
  fillPerBatch: number[]
  /** blobs: blobs per full batch */
  blobsPerBatch: number[]
}

/** Encodes the standard workload into full batches and measures them (the last, partial batch is left out). */
export function measureBytesPerTx(options: BytesPerTxOptions): BytesPerTxResult {
  const workload = standardWorkload({
    accounts: options.accounts,
    txs: options.txs,
    chainId: CHAIN_ID,
    baseFeePerGas: GWEI,
  })
  const txs: SignedTransaction[] = workload.raws.map(decodeTransaction)
  const blocks: { block: BatchBlock; raws: Uint8Array[] }[] = []
  for (let i = 0; i < txs.length; i += BLOCK_TXS) {
    blocks.push({
      block: {
        timestamp: 1_700_000_000n + BigInt(blocks.length),
        delayedCountAfter: 0n,
        transactions: txs.slice(i, i + BLOCK_TXS),
      },
      raws: workload.raws.slice(i, i + BLOCK_TXS),
    })
  }
  const result: BytesPerTxResult = {
    perBatch: [],
    rawPerBatch: [],
    txsPerBatch: [],
    walkabilityCostBytes: 0,
    dictionaryShare: 0,
    fillPerBatch: [],
    blobsPerBatch: [],
  }
  const da = options.da ?? 'calldata'
  let lengthBytes = 0
  let slots = 0
  let dictionarySlots = 0
  let next = 0
  while (next < blocks.length) {
    const builder =
      da === 'blobs'
        ? new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n, da, maxBlobs: MAX_BLOBS_PER_BATCH })
        : new BatchBuilder({ chainId: CHAIN_ID, prevDelayedCount: 0n, maxBatchBytes: MAX_BATCH_BYTES })
    const first = next
    while (next < blocks.length && builder.tryAdd((blocks[next] as { block: BatchBlock }).block)) next++
    if (next === blocks.length) break // the last batch is not full
    const batch = builder.finish()
    const raws = blocks.slice(first, next).flatMap((b) => b.raws)
    if (da === 'blobs') {
      const blobs = encodeBlobs(batch)
      check(decodeBlobBatch(decodeBlobs(blobs), { ...CHECK_OPTIONS, slotCount: raws.length }), raws)
      result.fillPerBatch.push(batch.length / (blobs.length * BYTES_PER_BLOB))
      result.blobsPerBatch.push(blobs.length)
      lengthBytes += raws.length // one byte in `lengths` per slot
    } else {
      check(decodeBatch(batch, CHECK_OPTIONS), raws)
      const walk = walkBatch(batch, 0n, raws.length)
      lengthBytes += walk.slotStart.length // one length byte before each slot
      for (let k = 0; k < walk.slotStart.length; k++) {
        if (((batch[walk.slotStart[k] as number] as number) & 0x08) === 0) dictionarySlots++
      }
    }
    slots += raws.length
    let rawBytes = 0
    for (const raw of raws) rawBytes += raw.length
    result.perBatch.push(batch.length / raws.length)
    result.rawPerBatch.push(rawBytes / raws.length)
    result.txsPerBatch.push(raws.length)
  }
  result.walkabilityCostBytes = slots === 0 ? Number.NaN : lengthBytes / slots
  result.dictionaryShare = slots === 0 ? Number.NaN : dictionarySlots / slots
  return result
}

const CHECK_OPTIONS = {
  delayedBefore: 0n,
  delayedCountAfter: 0n,
  chainId: CHAIN_ID,
  l1Timestamp: 1_800_000_000n,
  prevTimestamp: 0n,
  maxSequencerDrift: 0n,
}

/** The batch must decode to exactly the wallets' raw bytes. */
function check(decoded: DecodedBatch, raws: Uint8Array[]): void {
  let k = 0
  for (const block of decoded.blocks) {
    for (const slot of block.slots) {
      const raw = raws[k++] as Uint8Array
      if (!slot.ok || !equalBytes(encodeTransaction(slot.tx), raw)) {
        throw new Error(`batch figure: slot ${k - 1} does not decode to its raw transaction`)
      }
    }
  }
  if (k !== raws.length) throw new Error(`batch figure: ${k} slots decoded, ${raws.length} expected`)
}

export const batchFigures: FigureGroup = {
  names: ['batch.bytesPerTx', 'batch.bytesPerTx.blobs'],
  async run({ quick }: RunOptions): Promise<FigureResult[]> {
    const accounts = quick ? 100_000 : 1_000_000
    const txs = quick ? 40_000 : 200_000
    const round = (x: number) => Number(x.toFixed(2))
    log(`batch: ${accounts} accounts, ${txs} transfers, batches of at most ${MAX_BATCH_BYTES} bytes`)
    const r = measureBytesPerTx({ accounts, txs })
    const value = median(r.perBatch)
    const peerValue = median(r.rawPerBatch)
    const figure: FigureResult & { walkabilityCostBytes: number } = {
      name: 'batch.bytesPerTx',
      unit: 'bytes/tx',
      value: round(value),
      peer: 'raw RLP',
      peerValue: round(peerValue),
      ratio: round(value / peerValue),
      size: accounts,
      samples: r.perBatch.map(round),
      peerSamples: r.rawPerBatch.map(round),
      target: 80,
      walkabilityCostBytes: r.walkabilityCostBytes,
      note:
        `calldata batches: median over ${r.perBatch.length} full batches (maxBatchBytes ${MAX_BATCH_BYTES}, median ${median(r.txsPerBatch)} transfers each, ` +
        `blocks of ${BLOCK_TXS}); standard workload, EIP-1559 transfers; ${(r.dictionaryShare * 100).toFixed(1)}% of recipients ` +
        'by dictionary index; walkabilityCostBytes: the per-slot length prefix, 1 byte per transfer; every batch decoded back to the raw bytes',
    }
    log(`batch: the same transfers in blob batches of up to ${MAX_BLOBS_PER_BATCH} blobs`)
    const b = measureBytesPerTx({ accounts, txs, da: 'blobs' })
    const blobValue = median(b.perBatch)
    const fill = median(b.fillPerBatch)
    const blobFigure: FigureResult & { blobFillRatio: number; blobBytesPerTx: number; walkabilityCostBytes: number } = {
      name: 'batch.bytesPerTx.blobs',
      unit: 'bytes/tx',
      value: round(blobValue),
      peer: 'calldata batches (batch.bytesPerTx)',
      peerValue: round(value),
      ratio: round(blobValue / value),
      size: accounts,
      samples: b.perBatch.map(round),
      peerSamples: r.perBatch.map(round),
      target: 80,
      blobFillRatio: Number(fill.toFixed(4)),
      blobBytesPerTx: round(blobValue / fill),
      walkabilityCostBytes: b.walkabilityCostBytes,
      note:
        `blob batches (body v2): median over ${b.perBatch.length} full batches of ${median(b.blobsPerBatch)} blobs ` +
        `(median ${median(b.txsPerBatch)} transfers each, blocks of ${BLOCK_TXS}); body bytes per transfer; ` +
        'blobFillRatio: body bytes ÷ (blobs × 131,072); blobBytesPerTx: the blob bytes L1 charges for per transfer ' +
        '(value ÷ fill); walkabilityCostBytes: the lengths byte per slot (the groups add 4 bytes per 32 slots); ' +
        `raw RLP median ${round(median(b.rawPerBatch))}; every body packed into blobs and decoded back to the raw bytes`,
    }
    return [figure, blobFigure]
  },
}

export const figures: FigureGroup[] = [batchFigures]
