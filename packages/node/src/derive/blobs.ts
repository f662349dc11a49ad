import { BYTES_PER_BLOB, type Hex, SluiceError } from '@sluice/core'
import type { Logger } from 'pino'
import type { BlobStore } from '../chain/blobStore.ts'
import type { BlobCheck, BlobProvider, BlobRequest } from '../l1/beacon.ts'
import type { InboxBatch } from '../l1/types.ts'
import type { HealthReport, RpcJson } from '../rpc/types.ts'
import type { DerivationMetrics } from './metrics.ts'

/** No `--l1-beacon` was given, and a blob batch is next: nothing can be derived past it. */
export class BeaconNotConfiguredError extends SluiceError {
  override name = 'BeaconNotConfiguredError'
  constructor(batchIndex: bigint) {
    super(`batch ${batchIndex} carries its data in blobs and this node has no beacon API to read them from`, {
      details:
        'Derivation waits at this batch. Restart the node with --l1-beacon <URL> (env SLUICE_L1_BEACON): a beacon API of the L1, or anvil’s RPC URL on a devnet.',
      severity: 'temporary',
      code: 'BEACON_NOT_CONFIGURED',
    })
  }
}

/** Why derivation is waiting at a blob batch: reported in logs, `/health`, `sluice_syncStatus` and metrics. */
export type BlobWait = {
  batchIndex: bigint
  l1BlockNumber: bigint
  l1BlockHash: Hex
  versionedHashes: Hex[]
  /** When the wait began (ms since the epoch). */
  since: number
  /** Failed attempts so far. */
  attempts: number
  /** `BLOB_UNAVAILABLE`, `BLOB_MISMATCH` or `BEACON_NOT_CONFIGURED`. */
  code: string
  /** The last error's message. */
  message: string
  /** No new attempt before this time (ms since the epoch). */
  nextAttemptAt: number
}

/** The blobs of a blob batch, in the inbox's order, checked against their versioned hashes. */
export type BatchBlobs = {
  versionedHashes: Hex[]
  blobs: Uint8Array[]
  /** True when they came from the provider now (then the batch's commit stores them). */
  fetched: boolean
}

export type BlobRetrievalOptions = {
  /** Where this node keeps the blobs of the batches it derived (read first). */
  store: BlobStore
  /** Where missing blobs come from (the beacon API); undefined: none, derivation waits at a blob batch. */
  provider?: BlobProvider | undefined
  logger?: Logger | undefined
  metrics?: Pick<DerivationMetrics, 'blobWait' | 'blobFailures' | 'blobsRead' | 'blobChecks'> | undefined
  /** First retry delay after a failure (default 1,000 ms), doubled per failure up to `maxBackoffMs`. */
  initialBackoffMs?: number | undefined
  /** Default 30,000 ms. */
  maxBackoffMs?: number | undefined
  now?: (() => number) | undefined
}

/**
 * The data-availability stage of derivation: the blobs of a blob batch, from the node's own store
 * first, else from the provider (the beacon API), which checks each against its versioned hash before
 * returning it. When they cannot be had it never skips the batch and never derives it from anything
 * else: it answers `undefined` (derivation stops before the batch), records why in `wait`, logs it,
 * and lets the provider be asked again only after a backoff that doubles per failure.
 */
export class BlobRetrieval {
  private readonly store: BlobStore
  private readonly provider: BlobProvider | undefined
  private readonly logger: Logger | undefined
  private readonly metrics: BlobRetrievalOptions['metrics']
  private readonly initialBackoffMs: number
  private readonly maxBackoffMs: number
  private readonly now: () => number
  private current: BlobWait | undefined

  constructor(options: BlobRetrievalOptions) {
    this.store = options.store
    this.provider = options.provider
    this.logger = options.logger
    this.metrics = options.metrics
    this.initialBackoffMs = options.initialBackoffMs ?? 1_000
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000
    this.now = options.now ?? Date.now
  }

  /** Why derivation waits at a blob batch, or undefined when it does not. */
  get wait(): BlobWait | undefined {
    return this.current
  }

  /**
   * The blobs of `batch` (a blob batch), or undefined while they cannot be had (see `wait`). Only
   * the provider's transport and check errors are waited on; anything else is thrown. `ahead` is the
   * provider's answer for this very batch, asked for earlier (`readAhead`): it stands for this
   * attempt, and its failure counts as this attempt's.
   */
  async blobs(batch: InboxBatch, ahead?: BlobReadAhead): Promise<BatchBlobs | undefined> {
    if (batch.dataAvailability.kind !== 'blobs') return undefined
    const versionedHashes = batch.dataAvailability.versionedHashes
    const stored = this.store.getAll(versionedHashes)
    if (stored !== undefined) {
      this.metrics?.blobsRead.inc({ source: 'store' }, stored.length)
      this.resolved(batch)
      return { versionedHashes, blobs: stored, fetched: false }
    }
    const early = ahead !== undefined && isReadFor(ahead, batch) ? ahead.blobs : undefined
    const wait = this.current
    if (early === undefined && wait !== undefined && isWaitFor(wait, batch) && this.now() < wait.nextAttemptAt)
      return undefined
    try {
      if (this.provider === undefined) throw new BeaconNotConfiguredError(batch.index)
      const blobs = await (early ??
        this.provider.blobs(
          { number: batch.l1BlockNumber, timestamp: batch.l1Timestamp },
          versionedHashes,
          this.request(batch),
        ))
      this.metrics?.blobsRead.inc({ source: 'provider' }, blobs.length)
      this.resolved(batch)
      return { versionedHashes, blobs, fetched: true }
    } catch (error) {
      if (!(error instanceof SluiceError) || !WAITED_ON.has(error.code ?? '')) throw error
      this.failed(batch, versionedHashes, error)
      return undefined
    }
  }

  /**
   * Starts reading the blobs of `batch` from the provider now, for `blobs(batch, read)` to take
   * later: derivation reads the next batches' blobs (and the provider checks them) while it executes
   * the current one. Undefined when there is nothing to read early: not a blob batch, blobs this
   * node keeps, no provider, or a batch derivation is already waiting for (its backoff stands). A
   * failure is only seen when `blobs` takes the read; one not taken is simply dropped.
   */
  readAhead(batch: InboxBatch): BlobReadAhead | undefined {
    if (batch.dataAvailability.kind !== 'blobs' || this.provider === undefined) return undefined
    if (this.current !== undefined && isWaitFor(this.current, batch)) return undefined
    const versionedHashes = batch.dataAvailability.versionedHashes
    if (this.store.getAll(versionedHashes) !== undefined) return undefined
    const blobs = this.provider.blobs(
      { number: batch.l1BlockNumber, timestamp: batch.l1Timestamp },
      versionedHashes,
      this.request(batch),
    )
    blobs.catch(() => {}) // seen by `blobs` when taken; a read never taken must not count as unhandled
    return {
      batchIndex: batch.index,
      l1BlockHash: batch.l1BlockHash,
      batchHash: batch.batchHash,
      bytes: versionedHashes.length * BYTES_PER_BLOB,
      blobs,
    }
  }

  /** The batch's KZG hints for the provider, and where it reports how it checked the blobs. */
  private request(batch: InboxBatch): BlobRequest {
    const kzgHints = batch.dataAvailability.kind === 'blobs' ? batch.dataAvailability.kzgHints : undefined
    return { kzgHints, onChecked: (checks) => this.checked(batch, checks) }
  }

  /**
   * Counts how the provider checked a batch's blobs; a blob it had to compute the commitment of
   * (~50 ms of CPU against ~3 ms by proof) is worth a debug line: a batcher that posts no hints, or
   * wrong ones, shows up here.
   */
  private checked(batch: InboxBatch, checks: readonly BlobCheck[]): void {
    for (const check of checks) this.metrics?.blobChecks.inc({ by: check })
    if (checks.some((check) => check === 'commitmentNoHint' || check === 'commitmentHintFailed')) {
      this.logger?.debug(
        { batch: Number(batch.index), l1Block: Number(batch.l1BlockNumber), checks },
        'blobs checked by computing their KZG commitments: the batch has no usable KZG hint or proof for them',
      )
    }
  }

  private failed(batch: InboxBatch, versionedHashes: Hex[], error: SluiceError): void {
    const now = this.now()
    const previous = this.current !== undefined && isWaitFor(this.current, batch) ? this.current : undefined
    const attempts = (previous?.attempts ?? 0) + 1
    const delay = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(attempts - 1, 16))
    const code = error.code as string
    this.current = {
      batchIndex: batch.index,
      l1BlockNumber: batch.l1BlockNumber,
      l1BlockHash: batch.l1BlockHash,
      versionedHashes,
      since: previous?.since ?? now,
      attempts,
      code,
      message: error.message,
      nextAttemptAt: now + delay,
    }
    this.metrics?.blobFailures.inc({ code })
    if (this.metrics !== undefined) this.metrics.blobWait.since = this.current.since
    const fields = {
      err: error,
      batch: Number(batch.index),
      l1Block: Number(batch.l1BlockNumber),
      versionedHashes,
      attempts,
      waitingSeconds: Math.round((now - (previous?.since ?? now)) / 1000),
      retryInMs: delay,
      source: this.provider?.description ?? null,
    }
    // a mismatch or a missing beacon API needs an operator; an outage is worth a warning per attempt
    if (code === 'BLOB_UNAVAILABLE') this.logger?.warn(fields, 'derivation waits for the blobs of a batch')
    else this.logger?.error(fields, 'derivation cannot read the blobs of a batch; waiting')
  }

  private resolved(batch: InboxBatch): void {
    const wait = this.current
    if (wait === undefined) return
    this.current = undefined
    if (this.metrics !== undefined) this.metrics.blobWait.since = undefined
    if (!isWaitFor(wait, batch)) return
    this.logger?.info(
      {
        batch: Number(batch.index),
        attempts: wait.attempts,
        waitedSeconds: Math.round((this.now() - wait.since) / 1000),
      },
      'blobs available again; derivation continues',
    )
  }
}

/** A blob read started ahead of derivation (`BlobRetrieval.readAhead`), for the batch it names. */
export type BlobReadAhead = {
  batchIndex: bigint
  l1BlockHash: Hex
  batchHash: Hex
  /** The blobs' size: what holding this read costs in memory once it is answered. */
  bytes: number
  blobs: Promise<Uint8Array[]>
}

/** The read is for this batch as L1 now holds it (after a reorg the same index may name another batch). */
const isReadFor = (read: BlobReadAhead, batch: InboxBatch): boolean =>
  read.batchIndex === batch.index && read.l1BlockHash === batch.l1BlockHash && read.batchHash === batch.batchHash

/** The provider errors derivation waits on (everything else is a bug and is thrown). */
const WAITED_ON = new Set(['BLOB_UNAVAILABLE', 'BLOB_MISMATCH', 'BEACON_NOT_CONFIGURED'])

/** The wait is for this batch as L1 now holds it (a batch re-posted after a reorg is another one). */
const isWaitFor = (wait: BlobWait, batch: InboxBatch): boolean =>
  wait.batchIndex === batch.index &&
  wait.l1BlockNumber === batch.l1BlockNumber &&
  wait.l1BlockHash === batch.l1BlockHash

/** The wait as JSON (for `/health` details and `sluice_syncStatus`). */
export function describeBlobWait(wait: BlobWait, now: number = Date.now()): Record<string, RpcJson> {
  return {
    batchIndex: Number(wait.batchIndex),
    l1Block: Number(wait.l1BlockNumber),
    versionedHashes: wait.versionedHashes,
    code: wait.code,
    message: wait.message,
    attempts: wait.attempts,
    waitingSeconds: Math.round((now - wait.since) / 1000),
  }
}

/**
 * `/health` with derivation's blob wait folded in: a node whose derivation is stuck on blobs is not
 * healthy (its safe head and the claims it checks stop), whatever its loops say.
 */
export function withBlobWait(report: HealthReport, wait: BlobWait | undefined, now: number = Date.now()): HealthReport {
  if (wait === undefined) return report
  const details = { ...report.details, waitingForBlobs: describeBlobWait(wait, now) }
  const reason =
    wait.code === 'BEACON_NOT_CONFIGURED'
      ? `derivation waits at blob batch ${wait.batchIndex}: no --l1-beacon to read blobs from`
      : `derivation waits for the blobs of batch ${wait.batchIndex} (${wait.code}, ${wait.attempts} attempts)`
  return { healthy: false, reason: report.healthy ? reason : `${report.reason}; ${reason}`, details }
}
