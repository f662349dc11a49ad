import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import { type BatchOp, type KeyValueStore, LevelStore, MemoryStore, StoreError } from '../../src/db/index.ts'
import { CommitInFlightError, StateDb } from '../../src/state/index.ts'
import { Prng } from '../trie/support.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-state-test-'))
  dirs.push(dir)
  return dir
}

const HEAD = new TextEncoder().encode('head')

/** One block of 100 transfer-like updates between random `addresses`. */
function applyBlock(state: StateDb, prng: Prng, addresses: Uint8Array[]): void {
  for (let i = 0; i < 100; i++) {
    const from = addresses[prng.int(addresses.length)] as Uint8Array
    const to = addresses[prng.int(addresses.length)] as Uint8Array
    const a = state.getAccount(from)
    state.putAccount(from, { ...a, nonce: a.nonce + 1n, balance: a.balance + 7n })
    const b = state.getAccount(to)
    state.putAccount(to, { ...b, balance: b.balance + BigInt(prng.int(1000)) })
  }
}

function addressesOf(prng: Prng, count: number): Uint8Array[] {
  return Array.from({ length: count }, () => prng.bytes(20))
}

describe('StateDb.startCommit (pipelined commit)', () => {
  it('gives the roots of sequential commits, with the next block executing while a batch is written', async () => {
    const addresses = addressesOf(new Prng(7), 500)
    const sequential = new StateDb(new MemoryStore())
    const store = await LevelStore.open(tempDir())
    const pipelined = new StateDb(store)
    const prngA = new Prng(1)
    const prngB = new Prng(1)
    let written: Promise<void> = Promise.resolve()
    const roots: string[] = []
    for (let block = 0; block < 8; block++) {
      applyBlock(sequential, prngA, addresses)
      const expected = bytesToHex(await sequential.commit())
      // the previous block's batch may still be in flight: reads see it
      await pipelined.prefetch(addresses.slice(0, 50))
      applyBlock(pipelined, prngB, addresses)
      await written
      const commit = pipelined.startCommit([{ type: 'put', key: HEAD, value: new Uint8Array(0) }])
      expect(bytesToHex(commit.root)).toBe(expected)
      written = commit.written
      roots.push(expected)
    }
    await written
    await pipelined.flushed()
    // durable: a new handle on the same database reads the last state
    await store.close()
    const reopened = await LevelStore.open(dirs[0] as string)
    const state = new StateDb(reopened, hexToBytes(roots.at(-1) as string))
    for (const address of addresses.slice(0, 20)) {
      expect(state.getAccount(address)).toEqual(sequential.getAccount(address))
    }
    await reopened.close()
  })

  it('refuses a commit while the previous batch is still being written', async () => {
    const state = new StateDb(await LevelStore.open(tempDir()))
    const prng = new Prng(2)
    const addresses = addressesOf(prng, 50)
    applyBlock(state, prng, addresses)
    const first = state.startCommit()
    applyBlock(state, prng, addresses)
    expect(() => state.startCommit()).toThrow(CommitInFlightError)
    await first.written
    const second = state.startCommit()
    await second.written
    await state.flushed()
    await state.store.close()
  })

  it('reports a failed batch through `written`, and refuses further commits', async () => {
    class FailingStore implements KeyValueStore {
      readonly inner = new MemoryStore()
      getSync(key: Uint8Array): Uint8Array | undefined {
        return this.inner.getSync(key)
      }
      getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
        return this.inner.getMany(keys)
      }
      async batch(_ops: readonly BatchOp[]): Promise<void> {
        throw new StoreError('disk full')
      }
      close(): Promise<void> {
        return this.inner.close()
      }
    }
    const state = new StateDb(new FailingStore())
    const prng = new Prng(3)
    applyBlock(state, prng, addressesOf(prng, 10))
    const { written } = state.startCommit()
    await expect(written).rejects.toThrow(StoreError)
    await state.flushed()
    expect(() => state.startCommit()).toThrow(CommitInFlightError)
  })
})

describe('StateDb account cache', () => {
  /** The account trie alone, written directly: the roots StateDb must give. */
  function referenceRoot(accounts: Map<string, { nonce: bigint; balance: bigint }>): string {
    const reference = new StateDb(new MemoryStore())
    for (const [hex, { nonce, balance }] of accounts) {
      const account = reference.getAccount(hexToBytes(hex))
      reference.putAccount(hexToBytes(hex), { ...account, nonce, balance })
    }
    return bytesToHex(reference.stateRoot())
  }

  it('keeps addresses apart that share their last bytes, a reused address buffer, and hasAccount', async () => {
    const prng = new Prng(11)
    // 40 addresses that differ only in their first 16 bytes, 40 that differ only in bit 7 of byte 16
    const tail = prng.bytes(4)
    const addresses: Uint8Array[] = []
    for (let i = 0; i < 40; i++) addresses.push(Uint8Array.of(...prng.bytes(16), ...tail))
    for (let i = 0; i < 40; i++)
      addresses.push(Uint8Array.of(...prng.bytes(16), (tail[0] as number) ^ 0xc0, ...tail.slice(1)))
    const state = new StateDb(new MemoryStore())
    const expected = new Map<string, { nonce: bigint; balance: bigint }>()
    const buffer = new Uint8Array(20)
    for (let round = 0; round < 3; round++) {
      for (const [i, address] of addresses.entries()) {
        // the caller reuses one buffer for every address
        buffer.set(address)
        expect(state.hasAccount(buffer)).toBe(round > 0 || expected.has(bytesToHex(address)))
        const account = state.getAccount(buffer)
        const next = { nonce: account.nonce + 1n, balance: account.balance + BigInt(i) }
        state.putAccount(buffer, { ...account, ...next })
        expected.set(bytesToHex(address), next)
        expect(state.hasAccount(address)).toBe(true)
      }
      expect(bytesToHex(await state.commit())).toBe(referenceRoot(expected))
    }
    expect(state.hasAccount(prng.bytes(20))).toBe(false)
    for (const [hex, { nonce, balance }] of expected) {
      expect(state.getAccount(hexToBytes(hex))).toMatchObject({ nonce, balance })
    }
  })

  it('serves the blocks after a commit from one prefetch, and gives the roots of a fresh state', async () => {
    const prng = new Prng(12)
    const addresses = addressesOf(prng, 400)
    const store = new MemoryStore()
    const state = new StateDb(store)
    applyBlock(state, prng, addresses)
    let root = await state.commit()
    // the accounts of three blocks prefetched at once, each block committed in turn
    await state.prefetch(addresses)
    for (let block = 0; block < 3; block++) {
      const replay = new Prng(100 + block)
      applyBlock(state, replay, addresses)
      const fresh = new StateDb(store, root)
      applyBlock(fresh, new Prng(100 + block), addresses)
      const expected = bytesToHex(await fresh.commit())
      root = await state.commit()
      expect(bytesToHex(root)).toBe(expected)
    }
  })
})
