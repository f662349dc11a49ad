import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { NODE_BIN, startProcess, stopAll, tempDir, waitFor } from '../../../../test/support/processes.ts'
import {
  admissionPayload,
  encodeRecord,
  IntakeLog,
  IntakeLogError,
  type IntakeRecord,
  RECORD_HEADER_BYTES,
  RECORD_KIND_ADMISSION,
  recordAdmission,
} from '../../src/intake/index.ts'
import { payloadFor } from './payload.ts'

afterAll(stopAll)

async function readAll(log: IntakeLog): Promise<IntakeRecord[]> {
  const records: IntakeRecord[] = []
  for await (const record of log.replay()) records.push(record)
  return records
}

function segmentFiles(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.seg'))
    .sort()
}

/** `FileHandle.prototype`, to observe the fdatasync calls the log really makes. */
async function fileHandlePrototype(directory: string): Promise<{ datasync: () => Promise<void> }> {
  const handle = await open(join(directory, 'probe'), 'w')
  await handle.close()
  return Object.getPrototypeOf(handle)
}

describe('IntakeLog', () => {
  it('group-commits concurrent appends: one write and fdatasync for many, each resolved after it', async () => {
    const directory = tempDir('sluice-intake-')
    const log = await IntakeLog.open({ directory })
    const events: string[] = []
    const prototype = await fileHandlePrototype(directory)
    const original = prototype.datasync
    const spy = vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
      events.push('datasync-start')
      await original.call(this)
      events.push('datasync-end')
    })
    try {
      const appends = 500
      const sequences = await Promise.all(
        Array.from({ length: appends }, (_, i) =>
          log.append(payloadFor(BigInt(i))).then((sequence) => {
            events.push('ack')
            return sequence
          }),
        ),
      )
      expect(sequences).toEqual(Array.from({ length: appends }, (_, i) => BigInt(i)))
      const syncs = spy.mock.calls.length
      expect(syncs).toBeGreaterThanOrEqual(1)
      expect(syncs).toBeLessThan(appends / 50)
      expect(log.stats().flushes).toBe(syncs)
      // No acknowledgement before the first fdatasync completed.
      expect(events.indexOf('ack')).toBeGreaterThan(events.indexOf('datasync-end'))

      // A second wave that arrives while a group is on its way joins the next group.
      const first = Promise.all(Array.from({ length: 100 }, (_, i) => log.append(payloadFor(BigInt(appends + i)))))
      await new Promise((resolve) => setImmediate(resolve))
      const second = Promise.all(
        Array.from({ length: 100 }, (_, i) => log.append(payloadFor(BigInt(appends + 100 + i)))),
      )
      await Promise.all([first, second])
      expect(spy.mock.calls.length - syncs).toBeLessThanOrEqual(2)
    } finally {
      spy.mockRestore()
      await log.close()
    }
  })

  it('rejects every append of a group whose fdatasync fails, and those queued behind it, and every later one', async () => {
    const directory = tempDir('sluice-intake-')
    const log = await IntakeLog.open({ directory })
    const prototype = await fileHandlePrototype(directory)
    const spy = vi.spyOn(prototype, 'datasync')
    try {
      const settle = (appends: Promise<bigint>[]) =>
        Promise.allSettled(appends).then((all) => all.map((a) => (a.status === 'fulfilled' ? 'durable' : a.reason)))
      const before = await settle(Array.from({ length: 50 }, (_, i) => log.append(payloadFor(BigInt(i)))))
      expect(before).toEqual(Array(50).fill('durable'))

      spy.mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
      const failing = Array.from({ length: 50 }, (_, i) => log.append(payloadFor(BigInt(50 + i))))
      await new Promise((resolve) => setImmediate(resolve))
      // Appended while the failing group is on its way: they wait for the next group, which never comes.
      const queued = Array.from({ length: 50 }, (_, i) => log.append(payloadFor(BigInt(100 + i))))
      const outcomes = [...(await settle(failing)), ...(await settle(queued))]
      expect(outcomes).toHaveLength(100)
      for (const outcome of outcomes) {
        expect(outcome).toBeInstanceOf(IntakeLogError)
        expect((outcome as IntakeLogError).severity).toBe('critical')
      }
      expect(new Set(outcomes).size).toBe(1)
      await expect(log.append(payloadFor(150n))).rejects.toBe(outcomes[0])
      await log.flush()
    } finally {
      spy.mockRestore()
      await log.close()
    }
  })

  it('writes a payload given as parts exactly as their concatenation, and admissions read back whole', async () => {
    const sender = new Uint8Array(20).fill(0xab)
    const raw = Uint8Array.from({ length: 117 }, (_, i) => i)
    const admittedAt = 2 ** 44 + 2 ** 31 + 12_345 // a date in ms past 2^32, with bit 31 set
    const parts = admissionPayload({ admittedAt, sender, raw })
    const joined = new Uint8Array(8 + 20 + raw.length)
    let at = 0
    for (const part of parts) {
      joined.set(part, at)
      at += part.length
    }
    const fromParts = new Uint8Array(RECORD_HEADER_BYTES + joined.length)
    const fromJoined = new Uint8Array(RECORD_HEADER_BYTES + joined.length)
    expect(encodeRecord(fromParts, 0, RECORD_KIND_ADMISSION, 7n, parts)).toBe(fromParts.length)
    encodeRecord(fromJoined, 0, RECORD_KIND_ADMISSION, 7n, joined)
    expect(fromParts).toEqual(fromJoined)

    const directory = tempDir('sluice-intake-')
    const log = await IntakeLog.open({ directory })
    await log.enqueue(parts, RECORD_KIND_ADMISSION).durable
    await log.close()
    const reopened = await IntakeLog.open({ directory })
    const [record] = await readAll(reopened)
    expect(recordAdmission(record as IntakeRecord)).toEqual({ admittedAt, sender, raw })
    await reopened.close()
  })

  it('replays every record in arrival order after close, across segments, and continues the numbering', async () => {
    const directory = tempDir('sluice-intake-')
    const log = await IntakeLog.open({ directory, segmentBytes: 1024 })
    const count = 120
    for (let i = 0; i < count; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => log.append(payloadFor(BigInt(i + j)))))
    }
    await log.close()
    expect(segmentFiles(directory).length).toBeGreaterThan(2)

    const reopened = await IntakeLog.open({ directory, segmentBytes: 1024 })
    const records = await readAll(reopened)
    expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: count }, (_, i) => BigInt(i)))
    for (const record of records) expect(record.payload).toEqual(payloadFor(record.sequence))
    expect(reopened.nextSequence).toBe(BigInt(count))
    expect(await reopened.append(payloadFor(BigInt(count)))).toBe(BigInt(count))
    expect(reopened.stats().truncatedBytes).toBe(0)
    await reopened.close()
  })

  it('cuts a torn tail (a partial record, a corrupt record) and never misreads it', async () => {
    const directory = tempDir('sluice-intake-')
    const log = await IntakeLog.open({ directory })
    for (let i = 0; i < 20; i++) await log.append(payloadFor(BigInt(i)))
    await log.close()
    const [segment] = segmentFiles(directory)
    const path = join(directory, segment as string)
    const intactBytes = statSync(path).size

    // A whole record for sequence 20 whose last byte was not written, as a crash mid-write leaves it.
    const payload = payloadFor(20n)
    const record = new Uint8Array(RECORD_HEADER_BYTES + payload.length)
    encodeRecord(record, 0, 1, 20n, payload)
    appendFileSync(path, record.subarray(0, record.length - 1))
    let reopened = await IntakeLog.open({ directory })
    expect(reopened.stats().truncatedBytes).toBe(record.length - 1)
    expect(statSync(path).size).toBe(intactBytes)
    expect((await readAll(reopened)).length).toBe(20)
    expect(reopened.nextSequence).toBe(20n)
    await reopened.close()

    // A complete record with one flipped payload byte: the checksum refuses it.
    record[record.length - 1] = (record[record.length - 1] as number) ^ 0xff
    appendFileSync(path, record)
    reopened = await IntakeLog.open({ directory })
    expect(reopened.stats().truncatedBytes).toBe(record.length)
    const records = await readAll(reopened)
    expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)))
    expect(await reopened.append(payloadFor(20n))).toBe(20n)
    await reopened.close()

    // Zeros after the last record (a file extended but not written) are cut too.
    appendFileSync(path, new Uint8Array(4096))
    reopened = await IntakeLog.open({ directory })
    expect((await readAll(reopened)).length).toBe(21)
    await reopened.close()
  })

  it('refuses to open when a segment other than the last is damaged', async () => {
    const directory = tempDir('sluice-intake-')
    const log = await IntakeLog.open({ directory, segmentBytes: 512 })
    for (let i = 0; i < 40; i++) await log.append(payloadFor(BigInt(i)))
    await log.close()
    const [first] = segmentFiles(directory)
    const path = join(directory, first as string)
    const bytes = readFileSync(path)
    bytes[RECORD_HEADER_BYTES] = (bytes[RECORD_HEADER_BYTES] as number) ^ 1
    writeFileSync(path, bytes)
    await expect(IntakeLog.open({ directory })).rejects.toBeInstanceOf(IntakeLogError)
  })

  it('checkpoint deletes only fully covered segments and keeps the numbering after a restart', async () => {
    const directory = tempDir('sluice-intake-')
    const log = await IntakeLog.open({ directory, segmentBytes: 512 })
    for (let i = 0; i < 60; i++) await log.append(payloadFor(BigInt(i)))
    const before = segmentFiles(directory)
    expect(before.length).toBeGreaterThan(3)

    expect(await log.checkpoint(29n)).toBeGreaterThan(0)
    const reopenedRecords = async () => {
      const reader = await IntakeLog.open({ directory, segmentBytes: 512 })
      const records = await readAll(reader)
      await reader.close()
      return records
    }
    await log.close()
    let records = await reopenedRecords()
    // Everything after 29 is kept; what is kept before it shares a segment with 30.
    expect(records.map((r) => r.sequence)).toContain(30n)
    expect(records[0]?.sequence).toBeLessThanOrEqual(30n)
    expect(records[records.length - 1]?.sequence).toBe(59n)

    const again = await IntakeLog.open({ directory, segmentBytes: 512 })
    expect(await again.checkpoint(59n)).toBeGreaterThan(0)
    await again.close()
    records = await reopenedRecords()
    expect(records).toEqual([])
    const last = await IntakeLog.open({ directory, segmentBytes: 512 })
    expect(last.nextSequence).toBe(60n)
    expect(await last.append(payloadFor(60n))).toBe(60n)
    await last.close()
  })

  it('keeps every acknowledged record through SIGKILLs of a writer under load', async () => {
    const directory = tempDir('sluice-intake-crash-')
    const acked = new Set<bigint>()
    let recordsAfterLastRound = 0n
    for (let round = 0; round < 3; round++) {
      const child = startProcess(
        `writer-${round}`,
        NODE_BIN,
        [join(import.meta.dirname, 'crashWriter.ts'), directory],
        {
          dir: directory,
        },
      )
      let opened: bigint | undefined
      let buffered = ''
      let ackedThisRound = 0
      child.child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8')
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) {
          const [word, value] = line.split(' ')
          if (word === 'open') opened = BigInt(value as string)
          if (word === 'ack') {
            acked.add(BigInt(value as string))
            ackedThisRound++
          }
        }
      })
      await waitFor(`writer ${round} acknowledging`, () => ackedThisRound >= 2_000, {
        timeoutMs: 60_000,
        intervalMs: 5,
      })
      await child.stop('SIGKILL')
      // The writer resumed the numbering where the previous one was cut (torn tail removed).
      expect(opened).toBe(recordsAfterLastRound)
      const log = await IntakeLog.open({ directory, segmentBytes: 64 * 1024 })
      const records = await readAll(log)
      await log.close()
      const stored = new Map(records.map((r) => [r.sequence, r.payload]))
      const missing = [...acked].filter((sequence) => !stored.has(sequence))
      expect(missing).toEqual([])
      for (const [sequence, payload] of stored) expect(payload).toEqual(payloadFor(sequence))
      // Records are consecutive from 0: nothing was lost between acknowledged ones either.
      expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: records.length }, (_, i) => BigInt(i)))
      recordsAfterLastRound = BigInt(records.length)
    }
  })
})
