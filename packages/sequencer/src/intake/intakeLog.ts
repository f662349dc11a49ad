import { type FileHandle, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { IntakeLogError } from './errors.ts'
import {
  encodeRecord,
  type IntakeRecord,
  MAX_RECORD_PAYLOAD,
  parseSegment,
  payloadLength,
  RECORD_HEADER_BYTES,
  RECORD_KIND_TRANSACTION,
  type RecordPayload,
} from './record.ts'

/** `<first sequence, 20 digits>.seg`: names sort in sequence order, and name where numbering resumes. */
const SEGMENT_NAME = /^(\d{20})\.seg$/

export type IntakeLogOptions = {
  /** The segment directory, `<dataDir>/intake`; created when missing. */
  directory: string
  /** A segment is closed and a new one started once it would grow past this (default 8 MiB). */
  segmentBytes?: number | undefined
  /**
   * How long the first append of a group waits for others before the write (default 0: until the
   * end of the current event-loop turn). Appends that arrive while a write and fdatasync are in
   * progress join the next group whatever this is, so under load groups grow by themselves.
   */
  groupCommitDelayMs?: number | undefined
  logger?: Pick<Logger, 'warn' | 'info'> | undefined
}

export type IntakeLogStats = {
  /** Records appended since open. */
  appends: number
  /** fdatasync calls since open: one per group commit. */
  flushes: number
  bytesWritten: number
  segments: number
  /** The sequence the next append gets. */
  nextSequence: bigint
  /** Bytes of a torn tail cut off at open (0 after a clean stop). */
  truncatedBytes: number
}

type Segment = {
  readonly path: string
  /** Sequence of its first record (its name). */
  readonly first: bigint
  /** Sequence after its last record (`first` when empty). */
  next: bigint
  /** Bytes of whole, durable-or-being-written records. */
  bytes: number
}

/**
 * Records waiting for the next group commit, encoded one after the other into one buffer: the
 * group is written and synced as a whole, so its records become durable (or fail) together and
 * share one promise. (A buffer and a promise with its two functions per record were most of what
 * an append allocated.)
 */
type Group = {
  /** The first record's sequence. */
  readonly first: bigint
  /** Records in `bytes`. */
  count: number
  /** The records are `bytes[0, length)`. */
  bytes: Uint8Array
  length: number
  readonly durable: Promise<void>
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/** A group's first buffer: ~100 admissions; it doubles as needed. */
const GROUP_INITIAL_BYTES = 16 * 1024

function newGroup(first: bigint): Group {
  const { promise, resolve, reject } = Promise.withResolvers<void>()
  return { first, count: 0, bytes: new Uint8Array(GROUP_INITIAL_BYTES), length: 0, durable: promise, resolve, reject }
}

/**
 * The durable intake log: every transaction the sequencer acknowledges is appended here, and its
 * append resolves only after the bytes are on disk (`fdatasync`). Appends are group-committed: all
 * the records that arrive while the previous group is being written go out in one write and one
 * fdatasync. Records are length-prefixed and checksummed (record.ts) in segment files; after a crash
 * a torn tail is detected and cut at `open`, and `replay` yields the surviving records in arrival
 * order. `checkpoint(s)` deletes the segments whose records are all at or below `s`.
 *
 * Drops are not logged here: the mempool reports each acknowledged transaction it drops through its
 * `onDropped` callback, the sequencer persists that in its chain store, and only then treats the
 * record as resolved (checkpointable). A crash between the two simply replays the record, and the
 * mempool refuses (and reports) it again.
 *
 * @example
 * const log = await IntakeLog.open({ directory: join(dataDir, 'intake') })
 * for await (const record of log.replay()) await readmit(record.payload)
 * const sequence = await log.append(raw) // durable now
 */
export class IntakeLog {
  readonly #directory: string
  readonly #segmentBytes: number
  readonly #delayMs: number
  readonly #segments: Segment[]
  /** The segments and their valid lengths at open: what `replay` reads. */
  readonly #replayable: readonly { path: string; first: bigint; bytes: number }[]
  #active: Segment
  #handle: FileHandle
  #nextSequence: bigint
  /** The records appended since the last group was taken for writing. */
  #queue: Group | undefined
  #scheduled = false
  #flushing = false
  #closed = false
  #failure: IntakeLogError | undefined
  #lastDurable: Promise<void> = Promise.resolve()
  /** Serializes file operations: group writes, rotations and checkpoints. */
  #lock: Promise<void> = Promise.resolve()
  readonly #stats: IntakeLogStats

  private constructor(options: IntakeLogOptions, segments: Segment[], handle: FileHandle, truncatedBytes: number) {
    this.#directory = options.directory
    this.#segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024
    this.#delayMs = options.groupCommitDelayMs ?? 0
    this.#segments = segments
    this.#replayable = segments.map((s) => ({ path: s.path, first: s.first, bytes: s.bytes }))
    this.#active = segments[segments.length - 1] as Segment
    this.#handle = handle
    this.#nextSequence = this.#active.next
    this.#stats = {
      appends: 0,
      flushes: 0,
      bytesWritten: 0,
      segments: segments.length,
      nextSequence: this.#nextSequence,
      truncatedBytes,
    }
  }

  /**
   * Opens (or creates) the log in `options.directory`: checks every segment, cuts a torn tail off
   * the last one, and opens it for appending. Throws `IntakeLogError` when an earlier segment is
   * damaged or segments are missing between others (that is not what a crash leaves).
   */
  static async open(options: IntakeLogOptions): Promise<IntakeLog> {
    const { directory } = options
    const segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < RECORD_HEADER_BYTES) {
      throw new IntakeLogError(
        `segmentBytes must be an integer of at least ${RECORD_HEADER_BYTES}, not ${segmentBytes}`,
      )
    }
    await mkdir(directory, { recursive: true })
    const names = (await readdir(directory))
      .map((name) => SEGMENT_NAME.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ name: match[0], first: BigInt(match[1] as string) }))
      .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))

    const segments: Segment[] = []
    let truncatedBytes = 0
    for (let i = 0; i < names.length; i++) {
      const { name, first } = names[i] as { name: string; first: bigint }
      const path = join(directory, name)
      const previous = segments[segments.length - 1]
      if (previous !== undefined && previous.next !== first) {
        throw new IntakeLogError(
          `intake segment ${name} starts at ${first}, but the one before ends before ${previous.next}`,
          {
            details: `Segments between them are missing from ${directory}. Restore them, or move the directory away to start without replaying.`,
          },
        )
      }
      const bytes = new Uint8Array(await readFile(path))
      const parsed = parseSegment(bytes, first)
      const isLast = i === names.length - 1
      if (parsed.stop !== undefined) {
        if (!isLast) {
          throw new IntakeLogError(`intake segment ${name} is damaged at byte ${parsed.validBytes}: ${parsed.stop}`, {
            details: `Only the last segment can have a torn tail after a crash. Inspect ${path}.`,
          })
        }
        // A crash mid-write leaves a prefix of the last group (never acknowledged): cut it off.
        const handle = await open(path, 'r+')
        try {
          await handle.truncate(parsed.validBytes)
          await handle.datasync()
        } finally {
          await handle.close()
        }
        truncatedBytes = bytes.length - parsed.validBytes
        options.logger?.warn(
          { segment: name, keptBytes: parsed.validBytes, cutBytes: truncatedBytes, why: parsed.stop },
          'intake log: cut a torn tail left by a crash',
        )
      }
      segments.push({ path, first, next: first + BigInt(parsed.records.length), bytes: parsed.validBytes })
    }
    if (segments.length === 0) {
      const path = join(directory, segmentName(0n))
      await (await open(path, 'wx')).close()
      await syncDirectory(directory)
      segments.push({ path, first: 0n, next: 0n, bytes: 0 })
    }
    const active = segments[segments.length - 1] as Segment
    const handle = await open(active.path, 'r+')
    return new IntakeLog(options, segments, handle, truncatedBytes)
  }

  /** The sequence the next append gets. */
  get nextSequence(): bigint {
    return this.#nextSequence
  }

  /**
   * Appends a raw transaction; resolves with its sequence once it is on disk. Sequences follow the
   * order of the calls.
   */
  append(payload: Uint8Array): Promise<bigint> {
    const { sequence, durable } = this.enqueue(payload)
    return durable.then(() => sequence)
  }

  /** `append`, with the sequence known at once (before the record is durable), of a record of `kind`. */
  enqueue(
    payload: RecordPayload,
    kind: number = RECORD_KIND_TRANSACTION,
  ): { sequence: bigint; durable: Promise<void> } {
    const sequence = this.#nextSequence
    if (this.#failure !== undefined) return { sequence, durable: Promise.reject(this.#failure) }
    if (this.#closed) return { sequence, durable: Promise.reject(new IntakeLogError('the intake log is closed')) }
    const length = payloadLength(payload)
    if (length > MAX_RECORD_PAYLOAD) {
      return {
        sequence,
        durable: Promise.reject(new IntakeLogError(`a ${length}-byte record is above ${MAX_RECORD_PAYLOAD}`)),
      }
    }
    this.#nextSequence++
    let group = this.#queue
    if (group === undefined) {
      group = newGroup(sequence)
      this.#queue = group
      this.#lastDurable = group.durable.catch(() => undefined)
    }
    const end = group.length + RECORD_HEADER_BYTES + length
    if (end > group.bytes.length) {
      const grown = new Uint8Array(Math.max(end, 2 * group.bytes.length))
      grown.set(group.bytes.subarray(0, group.length))
      group.bytes = grown
    }
    group.length = encodeRecord(group.bytes, group.length, kind, sequence, payload)
    group.count++
    this.#stats.appends++
    this.#schedule()
    return { sequence, durable: group.durable }
  }

  /** Resolves once everything appended so far is durable (or has failed). */
  flush(): Promise<void> {
    return this.#lastDurable
  }

  /**
   * The records that were in the log when it was opened, in sequence (arrival) order. Records
   * appended since are not included. A segment deleted by a checkpoint meanwhile is skipped.
   */
  async *replay(): AsyncGenerator<IntakeRecord> {
    for (const segment of this.#replayable) {
      let bytes: Uint8Array
      try {
        bytes = new Uint8Array(await readFile(segment.path)).subarray(0, segment.bytes)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw new IntakeLogError(`cannot read intake segment ${segment.path}`, { cause: error })
      }
      yield* parseSegment(bytes, segment.first).records
    }
  }

  /**
   * Deletes every segment whose records all have a sequence ≤ `sequence`: the caller guarantees
   * that each of them is durably resolved (in a block committed to the chain store, or persisted as
   * dropped). The segment being written to is first closed when it is entirely covered. Returns how
   * many segments were deleted.
   */
  checkpoint(sequence: bigint): Promise<number> {
    if (this.#closed) return Promise.reject(new IntakeLogError('the intake log is closed'))
    return this.#exclusive(async () => {
      const active = this.#active
      if (active.next > active.first && active.next - 1n <= sequence) await this.#rotate(active.next)
      let deleted = 0
      while (this.#segments.length > 1) {
        const oldest = this.#segments[0] as Segment
        if (oldest === this.#active || oldest.next - 1n > sequence) break
        await unlink(oldest.path)
        // One directory sync per deletion: a crash must never leave an older segment without a newer
        // deleted one (a gap that `open` refuses as lost data).
        await syncDirectory(this.#directory)
        this.#segments.shift()
        deleted++
      }
      this.#stats.segments = this.#segments.length
      return deleted
    })
  }

  stats(): IntakeLogStats {
    return { ...this.#stats, nextSequence: this.#nextSequence }
  }

  /** Makes everything appended durable, then closes the file. Later appends reject. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#lastDurable
    await this.#exclusive(() => this.#handle.close())
  }

  // ------------------------------------------------------------------------------ group commit

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return
    this.#scheduled = true
    const run = (): void => {
      this.#scheduled = false
      void this.#flushLoop()
    }
    if (this.#delayMs > 0) setTimeout(run, this.#delayMs)
    else setImmediate(run)
  }

  /** Writes groups until the queue is empty: one write and one fdatasync per group. */
  async #flushLoop(): Promise<void> {
    this.#flushing = true
    try {
      while (this.#queue !== undefined && this.#failure === undefined) {
        const group = this.#queue
        this.#queue = undefined
        try {
          await this.#exclusive(() => this.#writeGroup(group))
        } catch (error) {
          this.#fail(error, group)
          return
        }
        group.resolve()
      }
    } finally {
      this.#flushing = false
    }
  }

  async #writeGroup(group: Group): Promise<void> {
    const buffer = group.bytes.subarray(0, group.length)
    const first = group.first
    if (this.#active.bytes > 0 && this.#active.bytes + buffer.length > this.#segmentBytes) await this.#rotate(first)
    const active = this.#active
    let written = 0
    while (written < buffer.length) {
      const { bytesWritten } = await this.#handle.write(
        buffer,
        written,
        buffer.length - written,
        active.bytes + written,
      )
      written += bytesWritten
    }
    await this.#handle.datasync()
    active.bytes += buffer.length
    active.next = first + BigInt(group.count)
    this.#stats.flushes++
    this.#stats.bytesWritten += buffer.length
  }

  /** Closes the active segment (already durable) and starts a new one whose first record is `first`. */
  async #rotate(first: bigint): Promise<void> {
    await this.#handle.close()
    const path = join(this.#directory, segmentName(first))
    this.#handle = await open(path, 'wx+')
    await syncDirectory(this.#directory)
    this.#active = { path, first, next: first, bytes: 0 }
    this.#segments.push(this.#active)
    this.#stats.segments = this.#segments.length
  }

  #fail(error: unknown, group: Group): void {
    const failure =
      error instanceof IntakeLogError
        ? error
        : new IntakeLogError('cannot write the intake log; submissions can no longer be made durable', {
            details: `Check the disk behind ${this.#directory}; restart the sequencer once it is writable.`,
            cause: error,
          })
    this.#failure = failure
    group.reject(failure)
    this.#queue?.reject(failure)
    this.#queue = undefined
  }

  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#lock.then(operation)
    this.#lock = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}

function segmentName(first: bigint): string {
  return `${first.toString().padStart(20, '0')}.seg`
}

/** fsync of the directory, so that created and deleted segment names survive a crash. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
