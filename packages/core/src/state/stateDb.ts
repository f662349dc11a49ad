import { Buffer } from 'node:buffer'
import { bigintToBytes, bytesToBigint, equalBytes, padLeft } from '../bytes/index.ts'
import type { BatchOp, KeyValueStore } from '../db/store.ts'
import { decodeRlp, encodeRlp } from '../rlp/index.ts'
import { type Account, decodeAccount, emptyAccount, encodeAccount } from '../trie/account.ts'
import { CommitGate } from '../trie/commitGate.ts'
import { CommitInFlightError } from '../trie/errors.ts'
import { alloc } from '../trie/node.ts'
import { MerklePatriciaTrie } from '../trie/trie.ts'
import type { WorldState } from './types.ts'

/** Defined with the trie, whose `startCommit` throws it too. */
export { CommitInFlightError }

/** An account the current block read, wrote or prefetched, with its trie path computed once. */
type Entry = {
  /** A copy of the address (a caller may reuse its buffer). */
  address: Uint8Array
  /** `keyPath(address)` in the account trie. */
  path: Uint8Array
  /** Undefined until read or written (an entry made by `prefetch`). */
  account: Account | undefined
  /** The trie holds this account (it was read there, or a flush wrote it). */
  stored: boolean
  /** Written since the last flush. */
  dirty: boolean
  /** The next entry whose address has the same `addressSlot`. */
  next: Entry | undefined
}

/** Past this many entries the cache is flushed and emptied (views that are never committed). */
const MAX_ENTRIES = 100_000

const ZERO_WORD = new Uint8Array(32)

/** A small-integer key for an address in a Map: its last 30 bits (addresses are hashes; collisions chain). */
function addressSlot(address: Uint8Array): number {
  const n = address.length
  return (
    (((address[n - 4] ?? 0) & 0x3f) << 24) |
    ((address[n - 3] ?? 0) << 16) |
    ((address[n - 2] ?? 0) << 8) |
    (address[n - 1] ?? 0)
  )
}

/** A string key for a 20-byte address in Maps (latin1: one char per byte, no allocation of hex). */
function addressKey(address: Uint8Array): string {
  return Buffer.from(address.buffer, address.byteOffset, address.byteLength).toString('latin1')
}

/**
 * The L2 world state on a content-addressed node store: one secure account trie plus a secure
 * storage trie per account that has storage (only the message passer does).
 *
 * Account writes are kept as decoded objects and written to the trie when a root is asked for, so
 * an account updated many times in a block (the fee vault is touched by every transaction) is
 * hashed into the trie once. `commit` writes every new node of every trie, plus the caller's
 * metadata, in one atomic batch.
 */
export class StateDb implements WorldState {
  readonly store: KeyValueStore
  private readonly accounts: MerklePatriciaTrie
  /**
   * The accounts of the current block by `addressSlot`: decoded once, written to the trie once per
   * root (`flush`), and the address hashed into its trie path once. Emptied by a commit, except the
   * entries a `prefetch` made for blocks still to come.
   */
  private entries = new Map<number, Entry>()
  private entryCount = 0
  /** Entries written since the last flush. */
  private dirty: Entry[] = []
  private readonly storageTries = new Map<string, MerklePatriciaTrie>()
  /** The batch of the last `startCommit` until it is written (stays shut when it failed). */
  private readonly gate = new CommitGate()

  /**
   * `options.keepWritten`: the account trie keeps what each commit wrote attached (the trie's
   * `keepWritten`), for a caller whose next blocks rewrite the same accounts (a verifier deriving).
   */
  constructor(store: KeyValueStore, root?: Uint8Array, options: { keepWritten?: boolean } = {}) {
    this.store = store
    this.accounts = new MerklePatriciaTrie(store, { root, secure: true, keepWritten: options.keepWritten })
  }

  /** A read-only-by-convention view of the state at an older committed root. */
  at(root: Uint8Array): StateDb {
    return new StateDb(this.store, root)
  }

  /** The entry of `address`, made (path computed, nothing read) when there is none. */
  private entry(address: Uint8Array): Entry {
    const slot = addressSlot(address)
    const first = this.entries.get(slot)
    for (let e = first; e !== undefined; e = e.next) if (equalBytes(e.address, address)) return e
    if (this.entryCount >= MAX_ENTRIES) return this.evictAndEnter(address)
    const path = this.accounts.keyPath(address)
    const e: Entry = { address: address.slice(), path, account: undefined, stored: false, dirty: false, next: first }
    this.entries.set(slot, e)
    this.entryCount++
    return e
  }

  private evictAndEnter(address: Uint8Array): Entry {
    this.flush()
    this.entries = new Map()
    this.entryCount = 0
    return this.entry(address)
  }

  /** The entry of `address` with its account read. */
  private read(address: Uint8Array): Entry {
    const e = this.entry(address)
    if (e.account === undefined) {
      const encoded = this.accounts.getAtPath(e.path)
      e.stored = encoded !== undefined
      e.account = encoded === undefined ? emptyAccount() : decodeAccount(encoded)
    }
    return e
  }

  getAccount(address: Uint8Array): Account {
    return this.read(address).account as Account
  }

  /** True when the account exists in the trie or has been written. */
  hasAccount(address: Uint8Array): boolean {
    const e = this.read(address)
    return e.stored || e.dirty
  }

  putAccount(address: Uint8Array, account: Account): void {
    const e = this.entry(address)
    e.account = account
    if (!e.dirty) {
      e.dirty = true
      this.dirty.push(e)
    }
  }

  private storageTrie(address: Uint8Array): MerklePatriciaTrie {
    const key = addressKey(address)
    let trie = this.storageTries.get(key)
    if (trie === undefined) {
      trie = new MerklePatriciaTrie(this.store, { root: this.getAccount(address).storageRoot, secure: true })
      this.storageTries.set(key, trie)
    }
    return trie
  }

  getStorage(address: Uint8Array, slot: Uint8Array): Uint8Array {
    const encoded = this.storageTrie(address).get(slot)
    if (encoded === undefined) return ZERO_WORD
    return padLeft(decodeRlp(encoded) as Uint8Array, 32)
  }

  /** Ethereum storage semantics: the leaf is `rlp(value without leading zeros)`; zero deletes. */
  putStorage(address: Uint8Array, slot: Uint8Array, value: Uint8Array): Uint8Array {
    const trie = this.storageTrie(address)
    const minimal = bigintToBytes(bytesToBigint(value))
    if (minimal.length === 0) trie.del(slot)
    else trie.put(slot, encodeRlp(minimal))
    return trie.root()
  }

  private flush(): void {
    const dirty = this.dirty
    if (dirty.length === 0) return
    for (const e of dirty) {
      // the leaf keeps the encoding itself, cut from the trie's slabs (no copy, no backing store of its own)
      this.accounts.putAtPath(e.path, encodeAccount(e.account as Account, alloc))
      e.dirty = false
      e.stored = true
    }
    this.dirty = []
  }

  /** After a commit: keeps only the entries a `prefetch` made and nothing has used yet. */
  private forgetUsedEntries(): void {
    const kept = new Map<number, Entry>()
    let count = 0
    for (const first of this.entries.values()) {
      for (let e: Entry | undefined = first; e !== undefined; ) {
        const next: Entry | undefined = e.next
        if (e.account === undefined) {
          const slot = addressSlot(e.address)
          e.next = kept.get(slot)
          kept.set(slot, e)
          count++
        }
        e = next
      }
    }
    this.entries = kept
    this.entryCount = count
  }

  stateRoot(): Uint8Array {
    this.flush()
    return this.accounts.root()
  }

  /** EIP-1186 account proof against the current root. */
  accountProof(address: Uint8Array): Uint8Array[] {
    this.flush()
    return this.accounts.createProof(address)
  }

  /** EIP-1186 storage proof for `slot` of `address` against its current storage root. */
  storageProof(address: Uint8Array, slot: Uint8Array): Uint8Array[] {
    return this.storageTrie(address).createProof(slot)
  }

  /** Every node written since the last commit, for a batch the caller assembles. */
  collectCommitOps(ops: BatchOp[] = []): BatchOp[] {
    this.flush()
    this.forgetUsedEntries()
    for (const trie of this.storageTries.values()) trie.collectCommitOps(ops)
    this.accounts.collectCommitOps(ops)
    return ops
  }

  /**
   * Reads the trie nodes on the paths to `addresses` that are not in memory yet, off the main thread
   * (the store's `getMany`), so the `getAccount`/`putAccount` of those addresses that follow do no
   * synchronous I/O. Changes no value and no root, only what is resident: what it reads stays across
   * commits until it changes (bounded, see `MerklePatriciaTrie.prefetch`), so one call can cover the
   * accounts of several blocks committed one by one.
   */
  prefetch(addresses: readonly Uint8Array[]): Promise<void> {
    const count = Math.min(addresses.length, this.accounts.prefetchLimit)
    const paths: Uint8Array[] = new Array(count)
    for (let k = 0; k < count; k++) paths[k] = this.entry(addresses[k] as Uint8Array).path
    return this.accounts.prefetchPaths(paths)
  }

  /**
   * Pipelined commit: collects every new node and `extraOps`, submits them as one atomic batch and
   * returns at once with the state root and `written`, which resolves when the batch is durable.
   * The next block can execute meanwhile (the store answers reads from the batch in flight, see
   * `LevelStore.batch`). A block is durable only once its `written` resolved; await it before the
   * next `startCommit` (which throws `CommitInFlightError` otherwise). When `written` rejects
   * (a `StoreError`), nothing of the batch was written: drop this StateDb and reopen at the last
   * durable root.
   */
  startCommit(extraOps: readonly BatchOp[] = []): { root: Uint8Array; written: Promise<void> } {
    this.gate.check()
    const root = this.stateRoot()
    const ops = this.collectCommitOps()
    for (const op of extraOps) ops.push(op)
    return { root, written: this.gate.submit(this.store, ops) }
  }

  /** Resolves once the batch of the last `startCommit` has settled (at once when none is in flight). */
  flushed(): Promise<void> {
    return this.gate.flushed()
  }

  /** Writes every new node and `extraOps` in one atomic batch; returns the committed state root. */
  async commit(extraOps: readonly BatchOp[] = []): Promise<Uint8Array> {
    const { root, written } = this.startCommit(extraOps)
    await written
    return root
  }
}
