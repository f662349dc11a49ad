import { type Hex, transactionHash } from '@sluice/core'
import { MempoolError } from '../mempool/errors.ts'
import { HashIndex } from '../mempool/hashIndex.ts'
import { keyOf, plainHex } from '../mempool/keys.ts'
import type { Mempool } from '../mempool/mempool.ts'
import type { PoolTransaction, RecoveredTransaction } from '../mempool/types.ts'
import type { IntakeLog } from './intakeLog.ts'
import { admissionPayload, type IntakeRecord, RECORD_KIND_ADMISSION, recordAdmission } from './record.ts'
import { SequenceSet } from './sequenceSet.ts'

/** A logged transaction that the mempool refuses at replay: acknowledged once, now invalid. */
export type ReplayRefusal = {
  readonly record: IntakeRecord
  /** keccak256 of the record's raw transaction. */
  readonly hash: Uint8Array
  readonly error: MempoolError
}

export type ReplayOptions = {
  /** True when the transaction is durably in a block (the chain store has it) or recorded as dropped. */
  isResolved(hash: Uint8Array): boolean | Promise<boolean>
  /** Persist the drop (reason: `error.refusal`, text: `error.shortMessage`); the record resolves after. */
  onRefused(refusal: ReplayRefusal): void | Promise<void>
  /** Records handed to the mempool together (default 1,024): one sender-recovery round trip each. */
  chunk?: number | undefined
}

export type ReplaySummary = {
  /** Records read from the log. */
  records: number
  /** Already in a block or recorded as dropped. */
  resolved: number
  /** Back in the mempool. */
  readmitted: number
  /** Refused by the mempool now, and reported through `onRefused`. */
  refused: number
  /** Copies of a transaction logged twice (resolved with the pooled copy). */
  duplicates: number
}

/**
 * The sequencer's `eth_sendRawTransaction` path: mempool admission, then the intake log; the
 * returned promise resolves only once the transaction is on disk. It also tracks which logged
 * records are still unresolved, so that the log can be compacted: the sequencer calls `resolve`
 * with the hashes of transactions once their block is durably written, `resolveDropped` with each
 * dropped admission once its drop is durably recorded, and `checkpoint` from time to time.
 *
 * @example
 * const intake = new TransactionIntake({ mempool, log })
 * await intake.replay({ isResolved: (h) => store.hasTransaction(h), onRefused: (r) => store.markDropped(r) })
 * const pooled = await intake.submit(raw) // durable: return pooled.hashHex to the wallet
 */
export class TransactionIntake {
  readonly #mempool: Mempool
  readonly #log: IntakeLog
  // Sequences are tracked as numbers (a log never reaches 2^53 records) and transactions by the
  // mempool's flat hex key: bigint Set entries and rope-string Map keys cost several µs per
  // transaction on the intake path.
  /**
   * Sequence(s) of each logged, unresolved transaction by `keyOf(hash)` (a transaction can be logged
   * twice). A table that keeps its capacity, as the pool's: it fills with a block's worth of
   * admissions and empties as each block is stored, which made a `Map` re-allocate its table.
   */
  readonly #sequencesByHash = new HashIndex<Sequences>()
  // The unresolved sequences of each pooled admission, what its drop resolves, are its `intakeRecords`.
  /** Admissions whose drop was persisted before their record was linked to them. */
  readonly #droppedBeforeLinked = new WeakSet<PoolTransaction>()
  readonly #unresolved = new SequenceSet()
  /** Every sequence below it is resolved. */
  #low = 0
  /** While replaying, no watermark may pass records not read yet. */
  #ceiling: number | undefined
  #checkpointed = -1n
  /** Every admission record's time field, reused: `enqueue` copies the record before it returns. */
  readonly #admittedAt = new Uint8Array(8)

  constructor(options: { mempool: Mempool; log: IntakeLog }) {
    this.#mempool = options.mempool
    this.#log = options.log
  }

  /**
   * Admits `raw` into the mempool (rejecting with its `MempoolError` when refused), appends it to
   * the intake log and resolves once it is durable. If the log fails, the transaction is removed
   * from the mempool and the `IntakeLogError` (critical) is thrown: it was never acknowledged.
   */
  async submit(raw: Uint8Array): Promise<PoolTransaction> {
    return this.#logged(raw, await this.#mempool.add(raw))
  }

  /**
   * `submit` for a transaction whose hash and sender (and possibly decoded form) were computed off
   * the main thread from these bytes (`Mempool.addRecovered`): admitted and enqueued to the log
   * synchronously, durable when the promise resolves.
   */
  submitRecovered(raw: Uint8Array, known: RecoveredTransaction): Promise<PoolTransaction> {
    let pooled: PoolTransaction
    try {
      pooled = this.#mempool.addRecovered(raw, known)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#logged(raw, pooled)
  }

  /**
   * Opens the admission of one prepared body's transactions (the sequencer's `eth_sendRawTransaction`
   * bodies, recovered off the main thread): each is admitted and logged synchronously by
   * `BodyAdmission.admit`, and `BodyAdmission.durable` settles them all with one promise per group
   * commit rather than one per transaction.
   */
  openBody(): BodyAdmission {
    return new BodyAdmission(this.#bodyLog)
  }

  /** What a `BodyAdmission` does through the intake; one object for every body. */
  readonly #bodyLog: BodyLog = {
    admit: (raw, known) => this.#mempool.addRecovered(raw, known),
    log: (raw, pooled) => this.#enqueue(raw, pooled),
    withdraw: (pooled, sequence) => this.#withdraw(pooled, sequence),
  }

  /**
   * Appends an admission to the intake log; resolves once it is durable (see `submit`). One `then` on
   * the log's promise rather than an async function: no suspended frame and second promise per
   * transaction (the group commit acknowledges hundreds at once).
   */
  #logged(raw: Uint8Array, pooled: PoolTransaction): Promise<PoolTransaction> {
    let logged: LoggedAdmission
    try {
      logged = this.#enqueue(raw, pooled)
    } catch (error) {
      return Promise.reject(error)
    }
    return logged.durable.then(
      () => pooled,
      (error: unknown) => {
        this.#withdraw(pooled, logged.sequence)
        throw error
      },
    )
  }

  /** Enqueues an admitted transaction's record and tracks it; durable when `durable` resolves. */
  #enqueue(raw: Uint8Array, pooled: PoolTransaction): LoggedAdmission {
    const enqueued = this.#log.enqueue(
      admissionPayload({ admittedAt: pooled.admittedAt, sender: pooled.sender, raw }, this.#admittedAt),
      RECORD_KIND_ADMISSION,
    )
    const sequence = Number(enqueued.sequence)
    this.#track(pooled.hashKey, sequence)
    this.#link(pooled, sequence)
    return { sequence, durable: enqueued.durable }
  }

  /** Takes back an admission whose record the log could not store: it was never acknowledged. */
  #withdraw(pooled: PoolTransaction, sequence: number): void {
    this.#mempool.remove(pooled.hash, 'removed', 'the intake log could not store it; it was never acknowledged')
    this.#resolveSequence(pooled.hashKey, sequence)
  }

  /**
   * Marks transactions as durably in a block (their block's write is committed): every record of
   * each hash is resolved. Hashes that were never logged (forced transactions) are ignored.
   */
  resolve(hashes: Iterable<Uint8Array | Hex>): void {
    for (const hash of hashes) this.#resolveKey(keyOf(hash))
  }

  /** `resolve` by the pool's keys of the hashes (`PoolTransaction.hashKey`, `keyOf`; see `blockHashKeys`). */
  resolveByKey(hashKeys: Iterable<string>): void {
    for (const key of hashKeys) this.#resolveKey(key)
  }

  /**
   * Marks a dropped admission (`DroppedTransaction.transaction` of the mempool's `onDropped`) as
   * resolved, once its drop is durably recorded. Only that admission's records are resolved: if the
   * wallet submits the same transaction again meanwhile, the new record stays unresolved.
   */
  resolveDropped(transaction: PoolTransaction): void {
    const sequences = transaction.intakeRecords
    if (sequences === undefined) {
      this.#droppedBeforeLinked.add(transaction)
      return
    }
    transaction.intakeRecords = undefined
    if (typeof sequences === 'number') this.#resolveSequence(transaction.hashKey, sequences)
    else for (const sequence of sequences) this.#resolveSequence(transaction.hashKey, sequence)
  }

  /** Every record with a sequence ≤ this is resolved (−1 when none is). */
  get watermark(): bigint {
    const end = this.#ceiling ?? Number(this.#log.nextSequence)
    if (this.#low < end) {
      // Up to the first unresolved sequence, or to the end when none is below it.
      const first = this.#unresolved.firstFrom(this.#low)
      this.#low = first === undefined || first > end ? end : first
    }
    return BigInt(this.#low - 1)
  }

  /** Records logged and not resolved yet. */
  get unresolved(): number {
    return this.#unresolved.size
  }

  /** Deletes the log segments every record of which is resolved; returns how many. */
  async checkpoint(): Promise<number> {
    const watermark = this.watermark
    if (watermark <= this.#checkpointed) return 0
    const deleted = await this.#log.checkpoint(watermark)
    this.#checkpointed = watermark
    return deleted
  }

  /**
   * Replays the log into the mempool, in arrival order; call once at startup, after the mempool's
   * view is the unsafe head and before `submit`. A record whose transaction `isResolved` is done; the
   * others are admitted again, and those the mempool now refuses go to `onRefused` with the reason
   * (acknowledged, then made invalid: never silent).
   */
  async replay(options: ReplayOptions): Promise<ReplaySummary> {
    const summary: ReplaySummary = { records: 0, resolved: 0, readmitted: 0, refused: 0, duplicates: 0 }
    const chunkSize = options.chunk ?? 1024
    let chunk: IntakeRecord[] = []
    try {
      for await (const record of this.#log.replay()) {
        chunk.push(record)
        if (chunk.length >= chunkSize) {
          await this.#replayChunk(chunk, options, summary)
          chunk = []
        }
      }
      if (chunk.length > 0) await this.#replayChunk(chunk, options, summary)
    } finally {
      this.#ceiling = undefined
    }
    return summary
  }

  async #replayChunk(records: IntakeRecord[], options: ReplayOptions, summary: ReplaySummary): Promise<void> {
    const last = records[records.length - 1] as IntakeRecord
    this.#ceiling = Number(last.sequence) + 1
    const entries = records.flatMap((record) => {
      const admission = recordAdmission(record)
      // A checksummed record this log never writes: nothing to re-admit (and nothing acknowledged).
      if (admission === undefined) return []
      const hash = transactionHash(admission.raw)
      const key = plainHex(hash)
      const sequence = Number(record.sequence)
      this.#track(key, sequence)
      return [{ record, admission, hash, key, sequence }]
    })
    const resolved = await Promise.all(entries.map((entry) => options.isResolved(entry.hash)))
    summary.records += records.length
    // Hand the rest to the mempool in one synchronous loop, so that their recoveries share a batch
    // and they are inserted in arrival order (a replacement after the transaction it replaces).
    const admissions: Promise<void>[] = []
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as (typeof entries)[number]
      if (resolved[i]) {
        this.#resolveKey(entry.key)
        summary.resolved++
        continue
      }
      const { sender, admittedAt, raw } = entry.admission
      admissions.push(
        (sender !== undefined && admittedAt !== undefined
          ? readmitted(() => this.#mempool.readmit(raw, { sender, admittedAt }))
          : this.#mempool.add(raw)
        ).then(
          (pooled) => {
            this.#link(pooled, entry.sequence)
            summary.readmitted++
          },
          async (error: unknown) => {
            if (!(error instanceof MempoolError)) throw error
            if (error.refusal === 'alreadyKnown') {
              // A second record of a pooled transaction: it resolves with that admission.
              const pooled = this.#mempool.get(entry.hash)
              if (pooled !== undefined) this.#link(pooled, entry.sequence)
              summary.duplicates++
              return
            }
            await options.onRefused({ record: entry.record, hash: entry.hash, error })
            this.#resolveSequence(entry.key, entry.sequence)
            summary.refused++
          },
        ),
      )
    }
    await Promise.all(admissions)
  }

  #track(key: string, sequence: number): void {
    const sequences = this.#sequencesByHash.get(key)
    if (sequences === undefined) this.#sequencesByHash.set(key, sequence)
    else if (typeof sequences === 'number') this.#sequencesByHash.set(key, [sequences, sequence])
    else sequences.push(sequence)
    this.#unresolved.add(sequence)
  }

  /** Ties a tracked record to the admission whose drop resolves it. */
  #link(pooled: PoolTransaction, sequence: number): void {
    if (this.#droppedBeforeLinked.has(pooled)) {
      this.#resolveSequence(pooled.hashKey, sequence)
      return
    }
    const sequences = pooled.intakeRecords
    if (sequences === undefined) pooled.intakeRecords = sequence
    else if (typeof sequences === 'number') pooled.intakeRecords = [sequences, sequence]
    else sequences.push(sequence)
  }

  #resolveKey(key: string): void {
    const sequences = this.#sequencesByHash.get(key)
    if (sequences === undefined) return
    this.#sequencesByHash.delete(key)
    if (typeof sequences === 'number') this.#unresolved.delete(sequences)
    else for (const sequence of sequences) this.#unresolved.delete(sequence)
  }

  #resolveSequence(key: string, sequence: number): void {
    this.#unresolved.delete(sequence)
    const sequences = this.#sequencesByHash.get(key)
    if (sequences === undefined) return
    if (typeof sequences === 'number') {
      if (sequences === sequence) this.#sequencesByHash.delete(key)
      return
    }
    const left = sequences.filter((s) => s !== sequence)
    if (left.length === 0) this.#sequencesByHash.delete(key)
    else this.#sequencesByHash.set(key, left.length === 1 ? (left[0] as number) : left)
  }
}

/** An admission's record in the log: its sequence, and the promise of its group commit. */
type LoggedAdmission = { sequence: number; durable: Promise<void> }

/** The intake's steps a `BodyAdmission` takes (private to `TransactionIntake`). */
type BodyLog = {
  admit(raw: Uint8Array, known: RecoveredTransaction): PoolTransaction
  log(raw: Uint8Array, pooled: PoolTransaction): LoggedAdmission
  withdraw(pooled: PoolTransaction, sequence: number): void
}

/** A transaction `BodyAdmission.admit` admitted whose record the log could not store, and the log's error. */
export type AdmissionFailure = {
  /** Its place among the body's admitted transactions (0 for the first `admit` that returned). */
  readonly admitted: number
  readonly error: unknown
}

const NO_FAILURES: readonly AdmissionFailure[] = Object.freeze([])

/**
 * The admissions of one body's transactions (`TransactionIntake.openBody`). `admit` admits a
 * transaction into the mempool and enqueues its record at once, returning the pooled transaction or
 * throwing its refusal; nothing is acknowledged until `durable` resolves. A body's records share one
 * group commit, or a few: `durable` waits on each group's promise once, instead of a promise and two
 * closures per transaction, and takes back all of a failed group's admissions together.
 */
export class BodyAdmission {
  readonly #log: BodyLog
  readonly #admitted: PoolTransaction[] = []
  readonly #sequences: number[] = []
  /** Each distinct group-commit promise the records went to, and the first admission it covers. */
  readonly #groups: Promise<void>[] = []
  readonly #groupStarts: number[] = []

  constructor(log: BodyLog) {
    this.#log = log
  }

  /**
   * Admits `raw`, whose hash and sender (and possibly decoded form) were computed off the main thread
   * (`Mempool.addRecovered`), and enqueues its record; throws the `MempoolError` of a refusal, or the
   * error of a log that cannot take a record. Not acknowledged until `durable` resolves.
   */
  admit(raw: Uint8Array, known: RecoveredTransaction): PoolTransaction {
    const pooled = this.#log.admit(raw, known)
    const { sequence, durable } = this.#log.log(raw, pooled)
    const admitted = this.#admitted.length
    this.#admitted.push(pooled)
    this.#sequences.push(sequence)
    if (this.#groups.at(-1) !== durable) {
      this.#groups.push(durable)
      this.#groupStarts.push(admitted)
    }
    return pooled
  }

  /**
   * Call once, after the last `admit`: resolves once every admitted transaction is durable or taken
   * back, with the ones taken back (in admission order): those whose group commit failed, removed from
   * the pool and their records resolved, each with the log's error. Never rejects.
   */
  durable(): Promise<readonly AdmissionFailure[]> {
    const groups = this.#groups
    if (groups.length === 0) return Promise.resolve(NO_FAILURES)
    if (groups.length === 1) {
      return (groups[0] as Promise<void>).then(
        () => NO_FAILURES,
        (error: unknown) => this.#withdrawGroup(0, error, []),
      )
    }
    return this.#settleGroups()
  }

  /** Several groups (a body admitted across a group's flush, or a failed log's rejections): every one handled at once. */
  async #settleGroups(): Promise<readonly AdmissionFailure[]> {
    const settled = await Promise.allSettled(this.#groups)
    const failures: AdmissionFailure[] = []
    for (let g = 0; g < settled.length; g++) {
      const outcome = settled[g] as PromiseSettledResult<void>
      if (outcome.status === 'rejected') this.#withdrawGroup(g, outcome.reason, failures)
    }
    return failures
  }

  #withdrawGroup(group: number, error: unknown, failures: AdmissionFailure[]): AdmissionFailure[] {
    const end = this.#groupStarts[group + 1] ?? this.#admitted.length
    for (let a = this.#groupStarts[group] as number; a < end; a++) {
      this.#log.withdraw(this.#admitted[a] as PoolTransaction, this.#sequences[a] as number)
      failures.push({ admitted: a, error })
    }
    return failures
  }
}

/** One record's sequence (the common case), or those of a transaction logged more than once. */
type Sequences = number | number[]

/** A synchronous re-admission as a promise, so that both replay paths settle alike. */
function readmitted(admit: () => PoolTransaction): Promise<PoolTransaction> {
  try {
    return Promise.resolve(admit())
  } catch (error) {
    return Promise.reject(error)
  }
}
