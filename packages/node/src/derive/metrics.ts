import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** What the derivation driver exports on `/metrics`. */
export type DerivationMetrics = {
  /** The safe L2 block (last derived) and its batch. */
  safeBlock: Gauge
  batchIndex: Gauge
  /** Blocks, transactions and messages derived since start. */
  blocks: Counter
  /** Batches derived, by how: `executed`, or `adopted` (a sequencer's own, not executed again; `OwnBatches`). */
  batches: Counter<'mode'>
  transactions: Counter
  messages: Counter
  rewinds: Counter
  /** Time to plan, execute and commit one batch. */
  batchSeconds: Histogram
  /** Re-execution rate over the progress window. */
  transactionsPerSecond: Gauge
  /** Since when derivation waits for a batch's blobs (read by the `sluice_derive_blob_wait_seconds` gauge). */
  blobWait: { since: number | undefined }
  blobFailures: Counter<'code'>
  blobsRead: Counter<'source'>
  /** Blobs read from the provider, by how each was checked (`BlobCheck`: by a proof, else by its computed commitment). */
  blobChecks: Counter<'by'>
}

/** Registers the derivation metrics on `registry` (once per registry). */
export function createDerivationMetrics(registry: Registry): DerivationMetrics {
  const registers = [registry]
  const blobWait: { since: number | undefined } = { since: undefined }
  new Gauge({
    name: 'sluice_derive_blob_wait_seconds',
    help: 'Seconds derivation has been waiting for the blobs of the next batch (0: not waiting)',
    registers,
    collect() {
      this.set(blobWait.since === undefined ? 0 : (Date.now() - blobWait.since) / 1000)
    },
  })
  return {
    safeBlock: new Gauge({ name: 'sluice_derive_safe_block', help: 'Last L2 block derived from L1', registers }),
    batchIndex: new Gauge({ name: 'sluice_derive_batch_index', help: 'Last inbox batch derived', registers }),
    blocks: new Counter({ name: 'sluice_derive_blocks_total', help: 'L2 blocks derived from L1', registers }),
    batches: new Counter({
      name: 'sluice_derive_batches_total',
      help: "Batches derived, by mode: executed, or adopted (a sequencer's own batch whose blocks it already holds, not executed again)",
      labelNames: ['mode'],
      registers,
    }),
    transactions: new Counter({
      name: 'sluice_derive_transactions_total',
      help: 'Transactions re-executed by derivation',
      registers,
    }),
    messages: new Counter({
      name: 'sluice_derive_messages_total',
      help: 'Messages derived (delayed and slots)',
      registers,
    }),
    rewinds: new Counter({ name: 'sluice_derive_rewinds_total', help: 'Derivation rewinds (L1 reorgs)', registers }),
    batchSeconds: new Histogram({
      name: 'sluice_derive_batch_seconds',
      help: 'Time to derive and commit one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    transactionsPerSecond: new Gauge({
      name: 'sluice_derive_transactions_per_second',
      help: 'Transactions re-executed per second over the recent window',
      registers,
    }),
    blobWait,
    blobFailures: new Counter({
      name: 'sluice_derive_blob_failures_total',
      help: 'Failed attempts to get the blobs of a batch, by error code (BLOB_UNAVAILABLE, BLOB_MISMATCH, BEACON_NOT_CONFIGURED)',
      labelNames: ['code'],
      registers,
    }),
    blobsRead: new Counter({
      name: 'sluice_derive_blobs_total',
      help: 'Blobs derivation read, by source (store: kept by this node; provider: the beacon API)',
      labelNames: ['source'],
      registers,
    }),
    blobChecks: new Counter({
      name: 'sluice_derive_blob_checks_total',
      help: "Blobs from the beacon API checked against their versioned hashes, by how: sidecarProof or hintProof (a blob proof, ~3 ms), commitmentNoHint or commitmentHintFailed (the commitment computed, ~50 ms: the batch's KZG hints were missing, malformed or wrong)",
      labelNames: ['by'],
      registers,
    }),
  }
}
