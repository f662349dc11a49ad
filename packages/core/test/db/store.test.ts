import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type BatchOp, type KeyValueStore, LevelStore, MemoryStore, StoreError } from '../../src/db/index.ts'
import {
  DEFAULT_LEVEL_OPTIONS,
  fileDescriptorLimit,
  NON_TABLE_FILE_DESCRIPTORS,
  sortedOrder,
  tableFilesAllowed,
} from '../../src/db/store.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-db-test-'))
  dirs.push(dir)
  return dir
}

const k = (s: string) => new TextEncoder().encode(s)

async function exercise(store: KeyValueStore): Promise<void> {
  expect(store.getSync(k('a'))).toBeUndefined()
  await store.batch([
    { type: 'put', key: k('a'), value: Uint8Array.of(1, 2) },
    { type: 'put', key: k('b'), value: Uint8Array.of(3) },
  ])
  const a = store.getSync(k('a'))
  expect(a).toEqual(Uint8Array.of(1, 2))
  expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype) // never a Buffer
  await store.batch([
    { type: 'del', key: k('a') },
    { type: 'put', key: k('b'), value: Uint8Array.of(4) },
  ])
  expect(store.getSync(k('a'))).toBeUndefined()
  expect(store.getSync(k('b'))).toEqual(Uint8Array.of(4))
  await store.batch([])
}

describe('MemoryStore', () => {
  it('reads what a batch wrote and copies values', async () => {
    const store = new MemoryStore()
    await exercise(store)
    const value = Uint8Array.of(9)
    await store.batch([{ type: 'put', key: k('c'), value }])
    value[0] = 0
    expect(store.getSync(k('c'))).toEqual(Uint8Array.of(9))
  })
})

async function exerciseGetMany(store: KeyValueStore): Promise<void> {
  expect(await store.getMany([])).toEqual([])
  await store.batch([
    { type: 'put', key: k('m1'), value: Uint8Array.of(1) },
    { type: 'put', key: k('m2'), value: Uint8Array.of(2) },
  ])
  const values = await store.getMany([k('m2'), k('absent'), k('m1'), k('m2')])
  expect(values).toEqual([Uint8Array.of(2), undefined, Uint8Array.of(1), Uint8Array.of(2)])
  for (const v of values) if (v !== undefined) expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype)
}

describe('MemoryStore.getMany', () => {
  it('reads many keys in order, undefined where absent', async () => {
    await exerciseGetMany(new MemoryStore())
  })
})

describe('LevelStore', () => {
  it('getMany reads many keys in order, undefined where absent', async () => {
    const store = await LevelStore.open(tempDir())
    await exerciseGetMany(store)
    await store.close()
  })

  it('getMany answers a large read (LevelDB is asked in key order) in the order asked, absent and in-flight keys included', async () => {
    const store = await LevelStore.open(tempDir())
    const key = (i: number) => Uint8Array.of((i * 151) & 0xff, (i * 29) & 0xff, i & 0xff, 5)
    const stored: BatchOp[] = []
    for (let i = 0; i < 150; i++) stored.push({ type: 'put', key: key(i), value: Uint8Array.of(i, 1) })
    await store.batch(stored)
    const inFlight: BatchOp[] = [{ type: 'put', key: key(200), value: Uint8Array.of(200, 2) }]
    const pending = store.batch(inFlight)
    // stored, absent and in-flight keys, in an order that is not the keys' order
    const asked = [200, ...Array.from({ length: 180 }, (_, j) => (j * 37) % 180), 250]
    const expected = asked.map((i) => (i < 150 ? Uint8Array.of(i, 1) : i === 200 ? Uint8Array.of(200, 2) : undefined))
    expect(await store.getMany(asked.map(key))).toEqual(expected)
    await pending
    expect(await store.getMany(asked.map(key))).toEqual(expected)
    await store.close()
  })

  it('getMany sees a batch that is still being written', async () => {
    const store = await LevelStore.open(tempDir())
    await store.batch([{ type: 'put', key: k('x'), value: Uint8Array.of(1) }])
    const pending = store.batch([
      { type: 'put', key: k('y'), value: Uint8Array.of(2) },
      { type: 'del', key: k('x') },
    ])
    const [y, z] = await store.getMany([k('y'), k('z')])
    expect(y).toEqual(Uint8Array.of(2))
    expect(z).toBeUndefined()
    await pending
    expect(await store.getMany([k('y'), k('x')])).toEqual([Uint8Array.of(2), undefined])
    await store.close()
  })

  it('reads what a batch wrote, and keeps it across close and reopen', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await exercise(store)
    await store.close()
    const reopened = await LevelStore.open(dir)
    expect(reopened.getSync(k('b'))).toEqual(Uint8Array.of(4))
    expect(reopened.getSync(k('a'))).toBeUndefined()
    await reopened.close()
  })

  it('answers reads from a batch that is still being written', async () => {
    const store = await LevelStore.open(tempDir())
    await store.batch([{ type: 'put', key: k('x'), value: Uint8Array.of(1) }])
    const pending = store.batch([
      { type: 'put', key: k('y'), value: Uint8Array.of(2) },
      { type: 'del', key: k('x') },
    ])
    expect(store.getSync(k('y'))).toEqual(Uint8Array.of(2))
    await pending
    expect(store.getSync(k('y'))).toEqual(Uint8Array.of(2))
    expect(store.getSync(k('x'))).toBeUndefined()
    await store.close()
  })

  it('finds every key of a large batch in flight, the last write of a key written twice, and no absent key', async () => {
    const store = await LevelStore.open(tempDir())
    // keys sharing a prefix, as the chain's records do, and values that tell them apart
    const key = (i: number) => Uint8Array.of(0x6e, i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff)
    const value = (i: number) => Uint8Array.of(i & 0xff, (i >>> 8) & 0xff, 7)
    const ops: BatchOp[] = []
    for (let i = 0; i < 5000; i++) ops.push({ type: 'put', key: key(i), value: value(i) })
    ops.push({ type: 'put', key: k('twice'), value: Uint8Array.of(1) })
    ops.push({ type: 'del', key: k('gone') })
    ops.push({ type: 'put', key: k('twice'), value: Uint8Array.of(2) })
    const pending = store.batch(ops)
    // first, while LevelDB is most likely still writing (once it is done it gives the same answers)
    expect(store.getSync(k('twice'))).toEqual(Uint8Array.of(2))
    expect(store.getSync(k('gone'))).toBeUndefined()
    for (let i = 0; i < 5000; i++) expect(store.getSync(key(i))).toEqual(value(i))
    for (let i = 5000; i < 5200; i++) expect(store.getSync(key(i))).toBeUndefined()
    expect(await store.getMany([key(4999), key(5000), k('twice')])).toEqual([value(4999), undefined, Uint8Array.of(2)])
    await pending
    expect(store.getSync(key(1234))).toEqual(value(1234))
    await store.close()
  })

  it('applies a large batch in key order for LevelDB, yet the last write of each key still wins', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    // keys that share their first bytes with others, written several times each, among hash-like keys
    const shared = (i: number) => Uint8Array.of(0xab, 0xcd, 0xef, 0x01, i)
    const hashLike = (i: number) => Uint8Array.of((i * 97) & 0xff, (i * 31) & 0xff, i & 0xff, 9, 9, 9)
    const ops: BatchOp[] = []
    for (let i = 0; i < 200; i++) {
      ops.push({ type: 'put', key: hashLike(i), value: Uint8Array.of(i & 0xff) })
      ops.push({ type: 'put', key: shared(i % 4), value: Uint8Array.of(i & 0xff, 1) })
    }
    ops.push({ type: 'del', key: shared(0) }) // deleted last
    ops.push({ type: 'del', key: shared(1) })
    ops.push({ type: 'put', key: shared(1), value: Uint8Array.of(0xee) }) // deleted, then written again
    await store.batch(ops)
    const check = (s: KeyValueStore) => {
      expect(s.getSync(shared(0))).toBeUndefined()
      expect(s.getSync(shared(1))).toEqual(Uint8Array.of(0xee))
      expect(s.getSync(shared(2))).toEqual(Uint8Array.of(198, 1))
      expect(s.getSync(shared(3))).toEqual(Uint8Array.of(199, 1))
      for (let i = 0; i < 200; i++) expect(s.getSync(hashLike(i))).toEqual(Uint8Array.of(i & 0xff))
    }
    check(store)
    await store.close()
    const reopened = await LevelStore.open(dir)
    check(reopened)
    await reopened.close()
  })

  it('orders keys as a stable sort by their first eight bytes does (short keys, shared prefixes, repeats)', () => {
    let seed = 5
    const next = (below: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
      return (seed >>> 8) % below
    }
    for (let round = 0; round < 50; round++) {
      const count = 64 + next(600)
      const keys = Array.from({ length: count }, () => {
        const key = Uint8Array.from({ length: next(12) }, () => next(4) * 60)
        if (next(3) === 0) key.set(Uint8Array.of(0x63, 0x2f, 0x74, 0x2f).subarray(0, key.length))
        return key
      })
      const order = sortedOrder(count, (i) => keys[i] as Uint8Array) as Int32Array
      const first8 = (i: number) => {
        const padded = new Uint8Array(8)
        padded.set((keys[i] as Uint8Array).subarray(0, 8))
        return Buffer.from(padded)
      }
      const expected = keys.map((_, i) => i).sort((a, b) => Buffer.compare(first8(a), first8(b)) || a - b)
      expect([...order]).toEqual(expected)
    }
    expect(sortedOrder(63, () => new Uint8Array(32))).toBeNull()
  })

  it('hands LevelDB the keys that share their first four bytes (a chain block records) by their next four', async () => {
    const store = await LevelStore.open(tempDir())
    const handed: Uint8Array[] = []
    const open = store.db.batch.bind(store.db)
    const db = store.db as unknown as { batch: () => unknown }
    db.batch = () => {
      // the first op goes through put(), which hands it on to _put() as well
      const batch = open() as unknown as { _put(key: Uint8Array, value: Uint8Array): void }
      const raw = batch._put.bind(batch)
      batch._put = (key, value) => {
        handed.push(key.slice())
        raw(key, value)
      }
      return batch
    }
    let seed = 11
    const next = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
      return seed >>> 24
    }
    const hash = () => Uint8Array.from({ length: 32 }, next)
    const withPrefix = (prefix: string, rest: Uint8Array) =>
      new Uint8Array([...new TextEncoder().encode(prefix), ...rest])
    const ops: BatchOp[] = []
    for (let i = 0; i < 300; i++) {
      ops.push({ type: 'put', key: withPrefix('c/t/', hash()), value: Uint8Array.of(1) })
      ops.push({ type: 'put', key: withPrefix('c/ae/', hash().subarray(0, 28)), value: Uint8Array.of(2) })
      ops.push({ type: 'put', key: hash(), value: Uint8Array.of(3) })
    }
    await store.batch(ops)
    expect(handed).toHaveLength(ops.length)
    const first8 = (key: Uint8Array) => Buffer.from(key.subarray(0, 8)).toString('hex')
    for (let k = 1; k < handed.length; k++) {
      expect(first8(handed[k - 1] as Uint8Array) <= first8(handed[k] as Uint8Array)).toBe(true)
    }
    for (const op of ops) expect(store.getSync(op.key)).toEqual((op as { value: Uint8Array }).value)
    await store.close()
  })

  it('hands LevelDB its small keys and values copied into one buffer, and the ops past the first below abstract-level', async () => {
    const store = await LevelStore.open(tempDir())
    type Spied = { put(key: Uint8Array, value: Uint8Array): unknown; _put(key: Uint8Array, value: Uint8Array): void }
    const calls = { put: 0, raw: [] as Uint8Array[] }
    const open = store.db.batch.bind(store.db)
    const db = store.db as unknown as { batch: () => unknown }
    db.batch = () => {
      const batch = open() as unknown as Spied
      const put = batch.put.bind(batch)
      const raw = batch._put.bind(batch)
      batch.put = (key, value) => {
        calls.put++
        return put(key, value)
      }
      batch._put = (key, value) => {
        calls.raw.push(key)
        raw(key, value)
      }
      return batch
    }
    // 32-byte keys (trie nodes' hashes, kept by V8 inside their objects) and values of both sizes
    const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = []
    for (let i = 0; i < 100; i++) {
      ops.push({ type: 'put', key: new Uint8Array(32).fill(i), value: new Uint8Array(i < 50 ? 40 : 300).fill(i + 1) })
    }
    await store.batch(ops)
    expect(calls.put).toBe(1)
    expect(calls.raw.length).toBe(100)
    const shared = calls.raw[0]?.buffer
    for (const key of calls.raw) expect(key.buffer).toBe(shared)
    for (const op of ops) expect(op.key.buffer).not.toBe(shared)
    for (let i = 0; i < 100; i++) expect(store.getSync(new Uint8Array(32).fill(i))).toEqual(ops[i]?.value)

    // a 'write' listener sees every op, so each goes through put() then
    const written: unknown[][] = []
    store.db.on('write', (operations: unknown[]) => written.push(operations))
    calls.put = 0
    calls.raw = []
    await store.batch(ops.slice(0, 10))
    expect(calls.put).toBe(10)
    expect(written[0]?.length).toBe(10)
    await store.close()
  })

  it('reads a database written with other table-file, table-cache, buffer and block sizes (none is on disk)', async () => {
    const dir = tempDir()
    const keys = Array.from({ length: 2_000 }, (_, i) => k(`key-${i}`))
    const valueAt = (i: number) => new Uint8Array(300).fill(i & 0xff)
    const old = await LevelStore.open(dir, {
      maxFileSize: 64 * 1024 * 1024,
      maxOpenFiles: 1_000,
      writeBufferSize: 64 * 1024,
      blockSize: 16 * 1024,
    })
    await old.batch(keys.map((key, i) => ({ type: 'put', key, value: valueAt(i) })))
    await old.close()
    const reopened = await LevelStore.open(dir, {
      maxFileSize: 64 * 1024,
      maxOpenFiles: 100,
      writeBufferSize: 64 * 1024,
    })
    await reopened.batch(keys.slice(0, 500).map((key) => ({ type: 'del', key })))
    await reopened.db.compactRange(k('key-'), k('key-~'))
    for (let i = 0; i < keys.length; i++) {
      expect(reopened.getSync(keys[i] as Uint8Array)).toEqual(i < 500 ? undefined : valueAt(i))
    }
    await reopened.close()
  })

  it('keeps as many table files open as asked where the open-file limit leaves the node its reserve', async () => {
    const limit = fileDescriptorLimit()
    const store = await LevelStore.open(tempDir(), { maxOpenFiles: 200 })
    expect(store.maxOpenFiles).toBe(limit === undefined || limit >= 200 + NON_TABLE_FILE_DESCRIPTORS ? 200 : 74)
    await store.close()
    expect(tableFilesAllowed(10_000, undefined)).toEqual({ maxOpenFiles: 10_000 })
    expect(tableFilesAllowed(10_000, 20_000)).toEqual({ maxOpenFiles: 10_000 })
    expect(tableFilesAllowed(10_000, 10_000 + NON_TABLE_FILE_DESCRIPTORS)).toEqual({ maxOpenFiles: 10_000 })
  })

  it('keeps fewer table files open under a low open-file limit, and says which limit would do', async () => {
    expect(tableFilesAllowed(10_000, 10_000)).toEqual({
      maxOpenFiles: 10_000 - NON_TABLE_FILE_DESCRIPTORS,
      neededLimit: 10_000 + NON_TABLE_FILE_DESCRIPTORS,
    })
    // never under LevelDB's own least table cache
    expect(tableFilesAllowed(1_000, 1_024)).toEqual({
      maxOpenFiles: 74,
      neededLimit: 1_000 + NON_TABLE_FILE_DESCRIPTORS,
    })
    const limit = fileDescriptorLimit()
    if (limit === undefined) return
    const warnings: Error[] = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    try {
      const store = await LevelStore.open(tempDir(), { maxOpenFiles: limit })
      expect(store.maxOpenFiles).toBe(Math.max(74, limit - NON_TABLE_FILE_DESCRIPTORS))
      await store.close()
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual(['SLUICE_LEVELDB_OPEN_FILES'])
    expect(warnings[0]?.message).toContain(
      `Raise the open-file limit to at least ${limit + NON_TABLE_FILE_DESCRIPTORS}`,
    )
  })

  it("reads the process's open-file limit from /proc/self/limits (none where unlimited)", () => {
    const line = (limit: string) => `Max open files            ${limit}                ${limit}                files\n`
    expect([line('4096'), line('unlimited'), 'nothing of the kind'].map(fileDescriptorLimit)).toEqual([
      4_096,
      undefined,
      undefined,
    ])
    expect(DEFAULT_LEVEL_OPTIONS.maxOpenFiles).toBeGreaterThanOrEqual(1_000)
  })

  it('refuses a database another handle holds open, with a StoreError', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await expect(LevelStore.open(dir)).rejects.toThrow(StoreError)
    await store.close()
  })
})
