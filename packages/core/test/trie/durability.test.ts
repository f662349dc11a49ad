import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { repoRoot } from '../../../../test/support/vectors.ts'
import { bytesToHex } from '../../src/bytes/index.ts'
import { LevelStore, MemoryStore } from '../../src/db/index.ts'
import { CommitInFlightError } from '../../src/state/index.ts'
import { MerklePatriciaTrie, MissingTrieNodeError, verifyProof } from '../../src/trie/index.ts'
import { ACCOUNTS, address, applyBatch, COUNT_KEY, HEAD_KEY, readCount } from './fixtures/workload.ts'
import { Prng, randomAccount } from './support.ts'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-trie-test-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('trie on LevelDB', () => {
  it('reads the same root and values after close and reopen, and keeps older roots readable and provable', async () => {
    const dir = tempDir()
    const prng = new Prng(3)
    const addresses = Array.from({ length: 3000 }, () => prng.bytes(20))
    let store = await LevelStore.open(dir)
    const trie = new MerklePatriciaTrie(store, { secure: true })
    const first = new Map<string, Uint8Array>()
    for (const a of addresses) {
      const v = randomAccount(prng)
      trie.put(a, v)
      first.set(bytesToHex(a), v)
    }
    const root1 = await trie.commit()
    const second = new Map(first)
    for (let i = 0; i < 1500; i++) {
      const a = addresses[prng.int(addresses.length)] as Uint8Array
      const v = randomAccount(prng)
      trie.put(a, v)
      second.set(bytesToHex(a), v)
      if (i % 500 === 499) await trie.commit()
    }
    const root2 = await trie.commit()
    expect(bytesToHex(root2)).not.toBe(bytesToHex(root1))
    await store.close()

    store = await LevelStore.open(dir)
    const latest = new MerklePatriciaTrie(store, { root: root2, secure: true })
    const old = latest.at(root1)
    expect(latest.root()).toEqual(root2)
    for (const a of addresses) {
      const key = bytesToHex(a)
      expect(latest.get(a)).toEqual(second.get(key))
      expect(old.get(a)).toEqual(first.get(key))
    }
    for (const a of addresses.slice(0, 200)) {
      expect(verifyProof(root1, a, old.createProof(a), { secure: true })).toEqual(first.get(bytesToHex(a)))
      expect(verifyProof(root2, a, latest.createProof(a), { secure: true })).toEqual(second.get(bytesToHex(a)))
    }
    // both views recompute their root from the values they hold
    const rebuilt = new MerklePatriciaTrie(new MemoryStore(), { secure: true })
    for (const [hex, v] of first) rebuilt.put(Uint8Array.from(Buffer.from(hex.slice(2), 'hex')), v)
    expect(rebuilt.root()).toEqual(root1)
    await store.close()
  })

  it('reads on while a commit is still being written', async () => {
    const store = await LevelStore.open(tempDir())
    const trie = new MerklePatriciaTrie(store, { secure: true })
    const prng = new Prng(8)
    const entries = Array.from({ length: 2000 }, () => [prng.bytes(20), randomAccount(prng)] as const)
    for (const [a, v] of entries) trie.put(a, v)
    const committing = trie.commit() // not awaited: committed leaves are already out of memory
    for (const [a, v] of entries) expect(trie.get(a)).toEqual(v)
    trie.put(entries[0]?.[0] as Uint8Array, randomAccount(prng))
    const root = await committing
    await trie.commit()
    expect(trie.at(root).get(entries[1]?.[0] as Uint8Array)).toEqual(entries[1]?.[1])
    await store.close()
  })

  it('pipelines commits: the next block is built while the previous batch is written, and every root stays readable', async () => {
    const dir = tempDir()
    let store = await LevelStore.open(dir)
    const pipelined = new MerklePatriciaTrie(store, { secure: true })
    const sequential = new MerklePatriciaTrie(new MemoryStore(), { secure: true })
    const prng = new Prng(9)
    const addresses = Array.from({ length: 500 }, () => prng.bytes(20))
    const roots: Uint8Array[] = []
    let written: Promise<void> = Promise.resolve()
    for (let block = 0; block < 6; block++) {
      for (let i = 0; i < 300; i++) {
        const a = addresses[prng.int(addresses.length)] as Uint8Array
        const v = randomAccount(prng)
        pipelined.put(a, v)
        sequential.put(a, v)
      }
      await written
      const started = pipelined.startCommit()
      expect(() => pipelined.startCommit()).toThrow(CommitInFlightError)
      written = started.written
      expect(bytesToHex(started.root)).toBe(bytesToHex(await sequential.commit()))
      roots.push(started.root)
    }
    await written
    await store.close()
    store = await LevelStore.open(dir)
    for (const root of roots) {
      const reopened = new MerklePatriciaTrie(store, { secure: true, root })
      expect(bytesToHex(reopened.root())).toBe(bytesToHex(root))
      expect(reopened.get(addresses[0] as Uint8Array)).toEqual(sequential.at(root).get(addresses[0] as Uint8Array))
    }
    await store.close()
  })

  it('refuses to open at a root that was never committed', async () => {
    const store = await LevelStore.open(tempDir())
    expect(() => new MerklePatriciaTrie(store, { root: new Uint8Array(32).fill(7) })).toThrow(MissingTrieNodeError)
    await store.close()
  })

  it('writes nothing before commit, and several tries share one store and one batch', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    const accounts = new MerklePatriciaTrie(store, { secure: true })
    const storageA = new MerklePatriciaTrie(store, { secure: true })
    const storageB = new MerklePatriciaTrie(store, { secure: true })
    const prng = new Prng(5)
    const slot = prng.bytes(32)
    const word = prng.bytes(32)
    storageA.put(slot, word)
    storageB.put(slot, word) // same content: same nodes, stored once
    accounts.put(prng.bytes(20), randomAccount(prng))
    const roots = [accounts.root(), storageA.root(), storageB.root()]
    expect(() => new MerklePatriciaTrie(store, { root: roots[0] })).toThrow(MissingTrieNodeError)
    const ops = [...accounts.collectCommitOps(), ...storageA.collectCommitOps(), ...storageB.collectCommitOps()]
    await store.batch(ops)
    await store.close()
    const reopened = await LevelStore.open(dir)
    expect(new MerklePatriciaTrie(reopened, { root: roots[1], secure: true }).get(slot)).toEqual(word)
    expect(new MerklePatriciaTrie(reopened, { root: roots[0], secure: true }).root()).toEqual(roots[0])
    await reopened.close()
  })
})

const node = resolve(repoRoot, 'node_modules', '.bin', 'node')
const child = resolve(import.meta.dirname, 'fixtures', 'commit-loop.ts')

/** Starts the commit loop, waits until it is running, lets it work `ms`, then SIGKILLs it. */
async function runAndKill(dir: string, ms: number): Promise<void> {
  const proc = spawn(node, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolvePromise) => proc.on('exit', () => resolvePromise()))
  await new Promise<void>((resolvePromise, reject) => {
    proc.stdout.once('data', () => resolvePromise())
    proc.once('exit', (code) => reject(new Error(`commit loop exited early with ${code}`)))
  })
  await new Promise((r) => setTimeout(r, ms))
  proc.kill('SIGKILL')
  await exited
}

describe('trie on LevelDB, killed mid-commit', () => {
  it('is complete and consistent at the last committed marker after each SIGKILL', async () => {
    const dir = tempDir()
    const prng = new Prng(99)
    let lastCount = 0
    for (let round = 0; round < 4; round++) {
      await runAndKill(dir, 300 + prng.int(1200))
      const store = await LevelStore.open(dir)
      const count = readCount(store.getSync(COUNT_KEY))
      const head = store.getSync(HEAD_KEY)
      expect(count).toBeGreaterThan(lastCount) // it made progress in this round
      lastCount = count
      // replay the deterministic workload in memory up to the marker
      const expected = new MerklePatriciaTrie(new MemoryStore(), { secure: true })
      for (let n = 0; n < count; n++) applyBatch(expected, n)
      expect(head && bytesToHex(head)).toBe(bytesToHex(expected.root()))
      const trie = new MerklePatriciaTrie(store, { root: head, secure: true })
      for (let i = 0; i < ACCOUNTS; i++) expect(trie.get(address(i))).toEqual(expected.get(address(i)))
      // every node is there: re-putting each value into a copy rebuilds the same root from disk
      const copy = new MerklePatriciaTrie(new MemoryStore(), { secure: true })
      for (let i = 0; i < ACCOUNTS; i++) {
        const v = trie.get(address(i))
        if (v !== undefined) copy.put(address(i), v)
      }
      expect(copy.root()).toEqual(head)
      await store.close()
    }
  }, 120_000)
})
