import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type KeyValueStore, LevelStore, MemoryStore, StoreError } from '../../src/db/index.ts'

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

  it('refuses a database another handle holds open, with a StoreError', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await expect(LevelStore.open(dir)).rejects.toThrow(StoreError)
    await store.close()
  })
})
