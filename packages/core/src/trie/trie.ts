import { Buffer } from 'node:buffer'
import { bytesToHex, equalBytes } from '../bytes/index.ts'
import { keccak256 } from '../crypto/keccak.ts'
import type { BatchOp, KeyValueStore } from '../db/store.ts'
import { CommitGate } from './commitGate.ts'
import { EMPTY_TRIE_ROOT } from './constants.ts'
import { CorruptTrieNodeError, MissingTrieNodeError } from './errors.ts'
import { bytesToNibbles, commonPrefix, concatNibbles, hashedKeyNibbles, prependNibble } from './nibbles.ts'
import {
  alloc,
  BRANCH,
  decodeNode,
  detachChild,
  EXTENSION,
  encodeNode,
  HASH,
  hasChild,
  hashNode,
  hashRef,
  LEAF,
  NodeDecodeError,
  newBranch,
  newExtension,
  newLeaf,
  slotHash,
  slotHolds,
  type TrieNode,
  touch,
} from './node.ts'
import { NodeCache } from './nodeCache.ts'

export type TrieOptions = {
  /** Root to open at; defaults to the empty trie. It must have been committed to `store`. */
  root?: Uint8Array | undefined
  /** Secure trie: every key is replaced by keccak256(key) (Ethereum's state and storage tries). */
  secure?: boolean | undefined
  /**
   * Inner nodes whose path from the root is at most this many nibbles stay decoded in memory after
   * a commit; deeper nodes and all leaves go back to hash references and are re-read (`getSync`)
   * when needed. Default 4: at most 1+16+256+4,096+65,536 branches (~100 MB) whatever the state size.
   */
  residentDepth?: number | undefined
  /**
   * At most this many nodes read by `get`/`prefetch` below the resident depth stay attached, across
   * commits; past it the older half goes back to hash references. Default `MAX_LOADED` (~30 MB).
   */
  maxLoaded?: number | undefined
  /**
   * Encodings of the nodes below the resident depth that were read or written, so that the next key
   * through them does not read the store again (inner nodes are kept longer than leaves). Default:
   * the store's (`storeNodeCache`), shared by every trie over it; null: none.
   */
  nodeCache?: NodeCache | null | undefined
  /**
   * A commit keeps the leaves and the nodes below the resident depth it wrote attached (clean, counted
   * in `maxLoaded` like nodes read by `get`/`prefetch`) instead of turning them back into hash
   * references. For a caller whose next blocks change the same keys again: a verifier's batches
   * rewrite nearly every sender of the batch before, and without it each block re-read (and decoded)
   * the leaves the block before it had just written. Default false.
   */
  keepWritten?: boolean | undefined
}

/** See `MerklePatriciaTrie.keysChanged`. */
const CACHE_WRITES_PER_READ = 8

/** The node cache shared by the tries over a store that did not get their own (null: none). */
const storeCaches = new WeakMap<KeyValueStore, NodeCache | null>()

/**
 * The node cache the tries over `store` share when they are not given one: the one set by
 * `setStoreNodeCache`, else one of `DEFAULT_NODE_CACHE_BYTES` made on first use; null when disabled.
 */
export function storeNodeCache(store: KeyValueStore): NodeCache | null {
  let cache = storeCaches.get(store)
  if (cache === undefined) {
    cache = new NodeCache()
    storeCaches.set(store, cache)
  }
  return cache
}

/** Sets the node cache of the tries opened over `store` from now on without one of their own (null: none). */
export function setStoreNodeCache(store: KeyValueStore, cache: NodeCache | null): void {
  storeCaches.set(store, cache)
}

/** Default `residentDepth`. */
export const DEFAULT_RESIDENT_DEPTH = 4

/** Default `maxLoaded`: at most this many nodes read by `get`/`prefetch` stay attached (~30 MB). */
export const MAX_LOADED = 100_000

type LoadedNode = { parent: TrieNode; index: number; node: TrieNode }
/** A node `prefetch` reads: the hash reference at `parent`'s child `index` (-1: an extension's child), at depth `pos`. */
type Wanted = { parent: TrieNode; index: number; hash: Uint8Array; pos: number }
/** Where a prefetched path has got to: `node` (in memory) at nibble depth `pos`. */
type Cursor = { path: Uint8Array; node: TrieNode; pos: number }

/**
 * Ethereum's hexary Merkle-Patricia trie over a {@link KeyValueStore}.
 *
 * - Nodes are stored content-addressed (key = keccak256(node RLP), value = the RLP) and never
 *   deleted, so every committed root stays readable and provable (an archive). Tries of any
 *   number of accounts share one store.
 * - Reads, writes and `root()` are synchronous. Inner nodes near the root (`residentDepth`) stay
 *   decoded in memory, with their children's hashes cached contiguously so a re-hash touches only
 *   changed nodes; committed leaves and deeper nodes drop back to hash references (bounded memory)
 *   and are re-read with the store's `getSync` (~6 µs) when needed.
 * - Changes stay in memory until `commit()` (or `collectCommitOps()` plus the caller's own batch)
 *   writes every new node in one atomic batch. `root()` hashes only what changed and does no I/O.
 * - Keys and values are bytes; an empty value deletes (Ethereum's rule). Values are copied on `put`.
 *
 * A trie object is a mutable working copy; `at(root)` gives an independent view at another root.
 */
export class MerklePatriciaTrie {
  readonly store: KeyValueStore
  readonly secure: boolean
  readonly residentDepth: number
  readonly nodeCache: NodeCache | null
  private rootNode: TrieNode | null
  /** keccak256 of the root's encoding when it is shorter than 32 bytes (then `hash` is null). */
  private smallRootHash: Uint8Array | null = null
  private changed = false
  /**
   * Leaves and deep inner nodes that `get` or `prefetch` attached to the tree (parent, child index
   * or -1 for an extension's child, node), oldest first. A commit keeps the ones still clean and in
   * place: a batch's read-ahead serves all its blocks, not only the first (the verifier commits
   * every block). Past `maxLoaded` the older half goes back to hash references, so memory stays bounded.
   */
  private loaded: LoadedNode[] = []
  readonly maxLoaded: number
  readonly keepWritten: boolean
  /** `prefetch` reads the paths of at most this many keys: `maxLoaded / 4`. */
  readonly prefetchLimit: number
  /** The batch of the last `startCommit` until it is written. */
  private readonly gate = new CommitGate()
  /**
   * Since the last commit: keys put or deleted, and nodes loaded synchronously (from the cache or
   * the store, at any depth: a growing trie's inserts load the leaves at the resident depth that they
   * split, and the leaves they write below it are what its next inserts load). A commit puts what it
   * writes below the resident depth into the node cache only when at least one key in
   * `CACHE_WRITES_PER_READ` loaded one: a cache entry costs ~1-2 µs of main thread (random accesses
   * to a large buffer), and a trie whose paths are read ahead (`prefetch`, off the main thread: the
   * STF, the builder) would pay it for nothing.
   */
  private keysChanged = 0
  private syncLoads = 0
  /** Secure trie: the paths (keccak256 of the key, as nibbles) of the keys read or prefetched since the last commit. Never written to. */
  private readonly paths = new Map<string, Uint8Array>()

  constructor(store: KeyValueStore, options: TrieOptions = {}) {
    this.store = store
    this.secure = options.secure ?? false
    this.residentDepth = options.residentDepth ?? DEFAULT_RESIDENT_DEPTH
    this.maxLoaded = options.maxLoaded ?? MAX_LOADED
    this.prefetchLimit = this.maxLoaded >> 2
    this.keepWritten = options.keepWritten ?? false
    this.nodeCache = options.nodeCache === undefined ? storeNodeCache(store) : options.nodeCache
    const root = options.root
    if (root === undefined || equalBytes(root, EMPTY_TRIE_ROOT)) {
      this.rootNode = null
    } else {
      if (root.length !== 32) throw new RangeError(`a trie root is 32 bytes, not ${root.length}`)
      this.rootNode = this.load(root.slice(), 0)
    }
  }

  /** Opens a trie at `options.root` (default: empty). Kept async for callers that prefer `await`. */
  static async open(store: KeyValueStore, options: TrieOptions = {}): Promise<MerklePatriciaTrie> {
    return new MerklePatriciaTrie(store, options)
  }

  /** An independent trie at another committed root, over the same store and with the same key mode. */
  at(root: Uint8Array): MerklePatriciaTrie {
    return new MerklePatriciaTrie(this.store, {
      root,
      secure: this.secure,
      residentDepth: this.residentDepth,
      maxLoaded: this.maxLoaded,
      nodeCache: this.nodeCache,
      keepWritten: this.keepWritten,
    })
  }

  /**
   * The path in the trie for a user key: its nibbles, of keccak256(key) in a secure trie. For callers
   * that use a key many times (`getAtPath`, `putAtPath`, `prefetchPaths`). With `keepWritten` the
   * paths of 20-byte keys are kept (`securePath`), as such a state names the same accounts block
   * after block. The path may be shared: modify it never.
   */
  keyPath(key: Uint8Array): Uint8Array {
    if (!this.secure) return bytesToNibbles(key)
    return this.keepWritten ? securePath(key) : hashedKeyNibbles(key)
  }

  /**
   * The path in the trie for a user key (hashed first in a secure trie). A key is usually read, then
   * written (and prefetched before): reads (`remember`) keep its path until the commit, and a write
   * looks there. A write with nothing read since the commit skips the lookup: the key's string and
   * the map cost ~0.8 µs, most of a hash of the key itself.
   */
  private path(key: Uint8Array, remember: boolean): Uint8Array {
    if (!this.secure) return bytesToNibbles(key)
    if (!remember && this.paths.size === 0) return hashedKeyNibbles(key)
    const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
    let path = this.paths.get(id)
    if (path === undefined) {
      path = hashedKeyNibbles(key)
      if (remember) {
        if (this.paths.size >= MAX_LOADED) this.paths.clear()
        this.paths.set(id, path)
      }
    }
    return path
  }

  /**
   * Reads the stored node `hash` at nibble depth `depth`: below the resident depth from the node
   * cache when it holds it, else from the store (and then into the cache). A node read on the way to
   * a write (`write`: a put's or delete's path) is about to change: it leaves the cache, or does not
   * enter it, and the commit caches its new version. Kept, such stale versions took room the live
   * nodes needed (an inner node's even a second round): at 1M accounts a third of the updates' leaves
   * missed the cache.
   */
  private load(hash: Uint8Array, depth: number, write = false): TrieNode {
    this.syncLoads++
    const cache = depth > this.residentDepth ? this.nodeCache : null
    if (cache === null) return decodeStored(this.read(hash), hash)
    const cached = write ? cache.take(hash, alloc) : cache.get(hash, alloc)
    if (cached !== undefined) return decodeStored(cached, hash)
    const data = this.read(hash)
    const node = decodeStored(data, hash)
    if (!write) cache.put(hash, data, node.kind !== LEAF)
    return node
  }

  private read(hash: Uint8Array): Uint8Array {
    const data = this.store.getSync(hash)
    if (data === undefined) throw new MissingTrieNodeError(bytesToHex(hash))
    return data
  }

  /** The value under `key`, or `undefined`. The bytes are shared with the trie: do not modify them. */
  get(key: Uint8Array): Uint8Array | undefined {
    return this.getAtPath(this.path(key, true))
  }

  /** `get` by the key's path (`keyPath(key)`). */
  getAtPath(path: Uint8Array): Uint8Array | undefined {
    let n = this.rootNode
    if (n !== null && n.kind === HASH) n = this.rootNode = this.load(n.hash as Uint8Array, 0)
    let pos = 0
    while (n !== null) {
      if (n.kind === BRANCH) {
        if (pos === path.length) return n.value ?? undefined
        const children = n.children as (TrieNode | null)[]
        const i = path[pos++] as number
        let c = children[i] as TrieNode | null
        if (c === null) {
          if ((n.refs & (1 << i)) === 0) return undefined
          // attached, so a `put` of the same key does not read it again; see `keepLoaded`
          c = this.load(slotHash(n, i), pos)
          children[i] = c
          n.refs &= ~(1 << i)
          if (c.kind === LEAF || pos > this.residentDepth) this.keepLoaded(n, i, c)
        } else if (c.kind === HASH) {
          c = this.load(c.hash as Uint8Array, pos)
          children[i] = c
          if (c.kind === LEAF || pos > this.residentDepth) this.keepLoaded(n, i, c)
        }
        n = c
      } else if (n.kind === LEAF) {
        const p = n.path
        if (p.length !== path.length - pos) return undefined
        for (let j = 0; j < p.length; j++) if (p[j] !== path[pos + j]) return undefined
        return n.value as Uint8Array
      } else {
        const p = n.path
        if (p.length > path.length - pos) return undefined
        for (let j = 0; j < p.length; j++) if (p[j] !== path[pos + j]) return undefined
        pos += p.length
        let c = n.child as TrieNode
        if (c.kind === HASH) {
          c = this.load(c.hash as Uint8Array, pos)
          n.child = c
          if (c.kind === LEAF || pos > this.residentDepth) this.keepLoaded(n, -1, c)
        }
        n = c
      }
    }
    return undefined
  }

  /** Records a node attached below the resident depth, releasing the older half past `maxLoaded`. */
  private keepLoaded(parent: TrieNode, index: number, node: TrieNode): void {
    if (this.loaded.push({ parent, index, node }) > this.maxLoaded) this.trimLoaded()
  }

  /** Past `maxLoaded`: the older half goes back to hash references (`keepWritten`: of what is left once deduplicated). */
  private trimLoaded(): void {
    if (this.keepWritten) {
      this.dedupeLoaded()
      // at most half full afterwards, so that the next pass is as many entries away as this one cost
      if (this.loaded.length <= this.maxLoaded >> 1) return
    }
    this.releaseOlder()
  }

  /**
   * `keepWritten`: keeps one entry per node (its newest, so the order stays that of last use) and
   * only those of nodes still clean and in place. A commit records what it wrote without looking
   * for an older entry of the same node (a leaf rewritten in place keeps its entry): checking the
   * whole list at every commit cost ~7 µs per transfer in a verifier's state (~14,000 entries, ~0.6 µs
   * each in scattered memory), duplicates left until the list is full cost one pass per ~`maxLoaded` writes.
   */
  private dedupeLoaded(): void {
    const loaded = this.loaded
    const seen = new Set<TrieNode>()
    let kept = loaded.length
    for (let k = loaded.length - 1; k >= 0; k--) {
      const entry = loaded[k] as LoadedNode
      const { parent, index, node } = entry
      if (node.dirty || node.hash === null || seen.has(node)) continue
      const current = index < 0 ? parent.child : (parent.children as (TrieNode | null)[])[index]
      if (current !== node) continue
      seen.add(node)
      loaded[--kept] = entry
    }
    this.loaded = loaded.slice(kept)
  }

  /** Turns the older half of the loaded nodes back into hash references (see `keepLoaded`). */
  private releaseOlder(): void {
    const loaded = this.loaded
    const older = loaded.length >> 1
    const kept: LoadedNode[] = []
    // newest first, so a node's loaded children go before it does
    for (let k = older - 1; k >= 0; k--) {
      const entry = loaded[k] as LoadedNode
      const { parent, index, node } = entry
      // changed ones are written and dropped by the next commit; moved or removed ones are no longer there
      if (node.dirty || node.hash === null) continue
      // a parent of newer loaded nodes stays with them (they would be cut off with it)
      if (holdsStoredChild(node)) {
        kept.push(entry)
        continue
      }
      if (index < 0) {
        if (parent.child === node) parent.child = hashRef(node.hash)
      } else if ((parent.children as (TrieNode | null)[])[index] === node) {
        detachChild(parent, index, node.hash)
      }
    }
    kept.reverse()
    for (let k = older; k < loaded.length; k++) kept.push(loaded[k] as LoadedNode)
    this.loaded = kept
  }

  /**
   * After a commit: forgets the loaded nodes that were changed (the commit wrote them and put the
   * leaves and deep ones back to references) or moved, and keeps those still clean where they were.
   */
  private pruneLoaded(): void {
    const loaded = this.loaded
    let kept = 0
    for (let k = 0; k < loaded.length; k++) {
      const entry = loaded[k] as LoadedNode
      const { parent, index, node } = entry
      if (node.dirty || node.hash === null) continue
      const current = index < 0 ? parent.child : (parent.children as (TrieNode | null)[])[index]
      if (current !== node) continue
      loaded[kept++] = entry
    }
    loaded.length = kept
  }

  /**
   * Reads from the store, with `getMany` (off the main thread for LevelDB), every stored node on
   * the paths to `keys` that is not in memory yet, level by level, and attaches it, so the `get`s
   * and `put`s of those keys that follow do no I/O. It changes no value or root, only what is
   * resident: the nodes stay, across commits, until they change or until more than `maxLoaded`
   * are attached (a batch's blocks can be prefetched at once).
   * Writes may run while it waits (each read node is attached only where the same hash still is).
   */
  prefetch(keys: readonly Uint8Array[]): Promise<void> {
    const count = Math.min(keys.length, this.prefetchLimit)
    const paths: Uint8Array[] = new Array(count)
    for (let k = 0; k < count; k++) paths[k] = this.path(keys[k] as Uint8Array, true)
    return this.prefetchPaths(paths)
  }

  /**
   * `prefetch` by the keys' paths (`keyPath(key)`), of the first `prefetchLimit` of them (a few
   * nodes each, so that what it reads stays attached; the rest are read on demand).
   */
  async prefetchPaths(paths: readonly Uint8Array[]): Promise<void> {
    if (this.rootNode === null) return
    if (this.rootNode.kind === HASH) this.rootNode = this.load(this.rootNode.hash as Uint8Array, 0)
    const count = Math.min(paths.length, this.prefetchLimit)
    let cursors: Cursor[] = new Array(count)
    for (let k = 0; k < count; k++) cursors[k] = { path: paths[k] as Uint8Array, node: this.rootNode, pos: 0 }
    // each round reads one more level; the bound only guards against rounds undone by a release
    for (let round = 0; round < 130 && cursors.length > 0; round++) {
      const wanted: Wanted[] = []
      // parent → bits of the child slots already asked for this round (bit 16: an extension's child)
      const asked = new Map<TrieNode, number>()
      const waiting: Cursor[] = []
      for (const cursor of cursors) {
        const w = firstUnloaded(cursor)
        if (w === null) continue
        waiting.push(cursor)
        const bit = 1 << (w.index < 0 ? 16 : w.index)
        const mask = asked.get(w.parent) ?? 0
        if ((mask & bit) !== 0) continue
        asked.set(w.parent, mask | bit)
        wanted.push(w)
      }
      if (wanted.length === 0) return
      const values = await this.store.getMany(wanted.map((w) => w.hash))
      for (let k = 0; k < wanted.length; k++) {
        const { parent, index, hash, pos } = wanted[k] as Wanted
        const data = values[k]
        if (data === undefined) throw new MissingTrieNodeError(bytesToHex(hash))
        // the tree may have changed during the read: attach only where that very reference still is
        const current = index < 0 ? parent.child : (parent.children as (TrieNode | null)[])[index]
        if (current === null || current === undefined) {
          if (index < 0 || (parent.refs & (1 << index)) === 0 || !slotHolds(parent, index, hash)) continue
        } else if (current.kind !== HASH || !equalBytes(current.hash as Uint8Array, hash)) {
          continue
        }
        const node = decodeStored(data, hash)
        if (index < 0) {
          parent.child = node
        } else {
          ;(parent.children as (TrieNode | null)[])[index] = node
          parent.refs &= ~(1 << index)
        }
        if (node.kind === LEAF || pos > this.residentDepth) this.keepLoaded(parent, index, node)
      }
      cursors = waiting
    }
  }

  /** Sets `key` to `value`. An empty value deletes the key (Ethereum's rule). */
  put(key: Uint8Array, value: Uint8Array): void {
    this.putAtPath(this.path(key, false), value.slice())
  }

  /**
   * `put` by the key's path (`keyPath(key)`). Unlike `put`, it keeps `value` itself, not a copy:
   * modify neither `value` nor `path` afterwards.
   */
  putAtPath(path: Uint8Array, value: Uint8Array): void {
    if (value.length === 0) {
      this.delAtPath(path)
      return
    }
    this.rootNode = this.insert(this.rootNode, path, 0, value)
    this.smallRootHash = null
    this.keysChanged++
  }

  /** Deletes `key`; does nothing when it is absent. */
  del(key: Uint8Array): void {
    this.delAtPath(this.path(key, false))
  }

  /** `del` by the key's path (`keyPath(key)`). */
  delAtPath(path: Uint8Array): void {
    this.keysChanged++
    this.changed = false
    const root = this.remove(this.rootNode, path, 0)
    if (this.changed) {
      this.rootNode = root
      this.smallRootHash = null
    }
  }

  private resolve(n: TrieNode, depth: number): TrieNode {
    return n.kind === HASH ? this.load(n.hash as Uint8Array, depth) : n
  }

  private insert(node: TrieNode | null, key: Uint8Array, pos: number, value: Uint8Array): TrieNode {
    if (node === null) return newLeaf(key.subarray(pos), value)
    const n = node.kind === HASH ? this.load(node.hash as Uint8Array, pos, true) : node
    if (n.kind === BRANCH) {
      if (pos === key.length) {
        n.value = value
      } else {
        const children = n.children as (TrieNode | null)[]
        const i = key[pos] as number
        const bit = 1 << i
        let c = children[i] as TrieNode | null
        if (c === null && (n.refs & bit) !== 0) c = this.load(slotHash(n, i), pos + 1, true)
        children[i] = this.insert(c, key, pos + 1, value)
        n.refs &= ~bit
        n.valid &= ~bit
        n.dirtyMask |= bit
      }
      touch(n)
      return n
    }
    const p = n.path
    const m = commonPrefix(p, key, pos)
    if (n.kind === LEAF) {
      if (m === p.length && m === key.length - pos) {
        if (!equalBytes(n.value as Uint8Array, value)) {
          n.value = value
          touch(n)
        }
        return n
      }
      const b = newBranch()
      const children = b.children as (TrieNode | null)[]
      if (m === p.length) {
        b.value = n.value
      } else {
        children[p[m] as number] = n
        n.path = p.subarray(m + 1)
        touch(n)
      }
      if (m === key.length - pos) b.value = value
      else children[key[pos + m] as number] = newLeaf(key.subarray(pos + m + 1), value)
      return m > 0 ? newExtension(key.slice(pos, pos + m), b) : b
    }
    // extension
    if (m === p.length) {
      n.child = this.insert(n.child, key, pos + m, value)
      touch(n)
      return n
    }
    const b = newBranch()
    const children = b.children as (TrieNode | null)[]
    const rest = p.length - m - 1
    children[p[m] as number] = rest === 0 ? (n.child as TrieNode) : newExtension(p.subarray(m + 1), n.child as TrieNode)
    if (m === key.length - pos) b.value = value
    else children[key[pos + m] as number] = newLeaf(key.subarray(pos + m + 1), value)
    if (m === 0) return b
    n.path = p.subarray(0, m)
    n.child = b
    touch(n)
    return n
  }

  /** Removes `key` below `node`; sets `this.changed` when something was removed. */
  private remove(node: TrieNode | null, key: Uint8Array, pos: number): TrieNode | null {
    if (node === null) return null
    const n = node.kind === HASH ? this.load(node.hash as Uint8Array, pos, true) : node
    if (n.kind === LEAF) {
      const p = n.path
      if (p.length !== key.length - pos || commonPrefix(p, key, pos) !== p.length) return node
      this.changed = true
      return null
    }
    if (n.kind === EXTENSION) {
      const p = n.path
      if (p.length > key.length - pos || commonPrefix(p, key, pos) !== p.length) return node
      const c = this.remove(n.child, key, pos + p.length)
      if (!this.changed) return node
      if (c === null) throw new CorruptTrieNodeError('an extension led to a single key')
      if (c.kind === LEAF) {
        c.path = concatNibbles(p, c.path)
        touch(c)
        return c
      }
      if (c.kind === EXTENSION) {
        n.path = concatNibbles(p, c.path)
        n.child = c.child
      } else {
        n.child = c
      }
      touch(n)
      return n
    }
    // branch
    const children = n.children as (TrieNode | null)[]
    if (pos === key.length) {
      if (n.value === null) return node
      n.value = null
      this.changed = true
    } else {
      const i = key[pos] as number
      const bit = 1 << i
      let child = children[i] as TrieNode | null
      if (child === null && (n.refs & bit) !== 0) child = this.load(slotHash(n, i), pos + 1, true)
      const c = this.remove(child, key, pos + 1)
      if (!this.changed) return node
      children[i] = c
      n.refs &= ~bit
      n.valid &= ~bit
      n.dirtyMask |= bit
    }
    touch(n)
    let count = 0
    let only = -1
    for (let i = 0; i < 16; i++) {
      if (hasChild(n, i)) {
        count++
        only = i
      }
    }
    if (count + (n.value === null ? 0 : 1) >= 2) return n
    if (count === 0) return n.value === null ? null : newLeaf(new Uint8Array(0), n.value)
    const onlyChild = children[only] as TrieNode | null
    const c = onlyChild === null ? this.load(slotHash(n, only), pos + 1) : this.resolve(onlyChild, pos + 1)
    if (c.kind === BRANCH) return newExtension(Uint8Array.of(only), c)
    // leaf or extension: absorb the branch's nibble into its path
    c.path = prependNibble(only, c.path)
    touch(c)
    return c
  }

  /** The root hash. Hashes the changed nodes only; no I/O. */
  root(): Uint8Array {
    const n = this.rootNode
    if (n === null) return EMPTY_TRIE_ROOT
    if (n.kind === HASH) return n.hash as Uint8Array
    hashNode(n)
    if (n.hash !== null) return n.hash
    if (this.smallRootHash === null) this.smallRootHash = keccak256(n.enc as Uint8Array)
    return this.smallRootHash
  }

  /**
   * The store writes that persist every node changed since the last commit, and marks them written.
   * Put them in one batch with writes from other tries and the caller's metadata; if that batch
   * fails, drop this trie object and reopen at the last committed root.
   */
  collectCommitOps(ops: BatchOp[] = []): BatchOp[] {
    this.paths.clear()
    const cacheWrites = this.syncLoads * CACHE_WRITES_PER_READ >= this.keysChanged ? this.nodeCache : null
    this.keysChanged = 0
    this.syncLoads = 0
    const n = this.rootNode
    if (n === null || n.kind === HASH || !n.dirty) return ops
    const root = this.root()
    if (this.keepWritten) {
      collect(n, ops, 0, this.residentDepth, this.loaded, cacheWrites, true)
      if (this.loaded.length > this.maxLoaded) this.trimLoaded()
    } else {
      collect(n, ops, 0, this.residentDepth, this.loaded, cacheWrites, false)
      this.pruneLoaded()
    }
    if (n.hash === null) ops.push({ type: 'put', key: root, value: n.enc as Uint8Array })
    return ops
  }

  /**
   * Writes every changed node, plus `extraOps` (the caller's metadata, e.g. "head = root"), in one
   * atomic batch, and returns the committed root.
   */
  async commit(extraOps: readonly BatchOp[] = []): Promise<Uint8Array> {
    const { root, written } = this.startCommit(extraOps)
    await written
    return root
  }

  /**
   * Pipelined commit: submits every changed node and `extraOps` as one atomic batch and returns at
   * once with the root and `written`, which resolves when the batch is durable. Reads and writes
   * may go on meanwhile (the store answers reads from a batch in flight, see `LevelStore.batch`), so
   * the next block's work overlaps this block's LevelDB write. A root is durable only once its
   * `written` resolved: await it before the next `startCommit` (which throws `CommitInFlightError`
   * otherwise). When `written` rejects, nothing of the batch was written: drop this trie object and
   * reopen at the last durable root.
   */
  startCommit(extraOps: readonly BatchOp[] = []): { root: Uint8Array; written: Promise<void> } {
    this.gate.check()
    const root = this.root()
    const ops = this.collectCommitOps()
    for (const op of extraOps) ops.push(op)
    return { root, written: this.gate.submit(this.store, ops) }
  }

  /**
   * An EIP-1186 proof for `key`: the RLP of every node stored by hash on the path from the root, in
   * order (nodes under 32 bytes stay embedded in their parent). Proves presence or absence.
   */
  createProof(key: Uint8Array): Uint8Array[] {
    const proof: Uint8Array[] = []
    if (this.rootNode === null) return proof
    this.root()
    const path = this.path(key, true)
    let n: TrieNode | null = this.resolve(this.rootNode, 0)
    if (n !== this.rootNode && n.kind !== LEAF) this.rootNode = n
    proof.push(n.enc ?? encodeNode(n))
    let pos = 0
    while (n !== null) {
      let c: TrieNode | null
      if (n.kind === BRANCH) {
        if (pos === path.length) break
        const i = path[pos++] as number
        c = (n.children as (TrieNode | null)[])[i] as TrieNode | null
        if (c === null && (n.refs & (1 << i)) !== 0) c = hashRef(slotHash(n, i))
      } else if (n.kind === EXTENSION) {
        const p = n.path
        if (p.length > path.length - pos || commonPrefix(p, path, pos) !== p.length) break
        pos += p.length
        c = n.child
      } else {
        break
      }
      if (c === null) break
      if (c.kind === HASH) {
        c = this.load(c.hash as Uint8Array, pos)
        proof.push(c.enc as Uint8Array)
      } else if (c.hash !== null) {
        proof.push(c.enc ?? encodeNode(c))
      }
      n = c
    }
    return proof
  }
}

/** Slots of the kept secure paths of 20-byte keys (see `securePath`): ~5 MB when all are filled. */
const SECURE_PATH_SLOTS = 1 << 16
const SECURE_PATH_KEY = 20
/** Slot i's key is `securePathKeys[20i, 20i + 20)` when `securePaths[i]` is set. */
const securePathKeys = new Uint8Array(SECURE_PATH_SLOTS * SECURE_PATH_KEY)
const securePaths: (Uint8Array | undefined)[] = new Array(SECURE_PATH_SLOTS).fill(undefined)

/**
 * `hashedKeyNibbles(key)` (the nibbles of keccak256(key)), kept for the next call with the same 20-byte key (an address) in
 * a direct-mapped table by the key's last 16 bits: a hit ~0.37 µs against ~1.0 for the hash and two
 * arrays; a miss ~0.1 µs more than no table, and the paths it drops add old-generation garbage. So only
 * the tries whose keys recur use it (`keepWritten`: a verifier's state enters the same senders and
 * recipients again every block and names them again in every batch's read-ahead; the builder's).
 */
function securePath(key: Uint8Array): Uint8Array {
  if (key.length !== SECURE_PATH_KEY) return hashedKeyNibbles(key)
  const slot = ((key[18] as number) | ((key[19] as number) << 8)) & (SECURE_PATH_SLOTS - 1)
  const kept = securePaths[slot]
  const at = slot * SECURE_PATH_KEY
  if (kept !== undefined) {
    let j = 0
    while (j < SECURE_PATH_KEY && securePathKeys[at + j] === key[j]) j++
    if (j === SECURE_PATH_KEY) return kept
  }
  const path = hashedKeyNibbles(key)
  securePathKeys.set(key, at)
  securePaths[slot] = path
  return path
}

/** Decodes a stored node's encoding, naming the node when it is malformed. */
function decodeStored(data: Uint8Array, hash: Uint8Array): TrieNode {
  try {
    return decodeNode(data, hash)
  } catch (error) {
    if (error instanceof NodeDecodeError) throw new CorruptTrieNodeError(`${bytesToHex(hash)}: ${error.message}`)
    throw error
  }
}

/**
 * True when an inner node has a child in memory that is stored by hash: after a commit's `collect`,
 * one that `get`/`prefetch` loaded and nothing changed since.
 */
function holdsStoredChild(n: TrieNode): boolean {
  if (n.kind === BRANCH) {
    const children = n.children as (TrieNode | null)[]
    for (let i = 0; i < 16; i++) {
      const c = children[i] as TrieNode | null
      if (c !== null && c.kind !== HASH && c.hash !== null) return true
    }
    return false
  }
  if (n.kind === EXTENSION) {
    const c = n.child as TrieNode
    return c.kind !== HASH && c.hash !== null
  }
  return false
}

/**
 * Walks the dirty part below `n` (at nibble depth `pos`), appending a put per stored node, and turns
 * committed leaves and inner nodes deeper than `resident` back into hash references, except inner
 * nodes that still hold nodes read ahead and not used yet, and all of them when `keep`
 * (`keepWritten`): those stay, counted in `loaded`.
 */
function collect(
  n: TrieNode,
  ops: BatchOp[],
  pos: number,
  resident: number,
  loaded: LoadedNode[],
  cache: NodeCache | null,
  keep: boolean,
): void {
  if (!n.dirty) return
  if (n.kind === BRANCH) {
    const children = n.children as (TrieNode | null)[]
    const mask = n.dirtyMask
    n.dirtyMask = 0
    const childPos = pos + 1
    for (let i = 0; i < 16; i++) {
      if ((mask & (1 << i)) === 0) continue
      const c = children[i] as TrieNode | null
      if (c === null || c.kind === HASH) continue
      // a clean one (a put of the value it had) may be in `loaded` already, or read by `put` and not
      const written = keep && c.dirty
      collect(c, ops, childPos, resident, loaded, cache, keep)
      if (c.hash === null || (c.kind !== LEAF && childPos <= resident)) continue
      if (written || holdsStoredChild(c)) loaded.push({ parent: n, index: i, node: c })
      else detachChild(n, i, c.hash)
    }
  } else if (n.kind === EXTENSION) {
    const c = n.child as TrieNode
    const childPos = pos + n.path.length
    if (c.kind !== HASH) {
      const written = keep && c.dirty
      collect(c, ops, childPos, resident, loaded, cache, keep)
      if (c.hash !== null && (c.kind === LEAF || childPos > resident)) {
        if (written || holdsStoredChild(c)) loaded.push({ parent: n, index: -1, node: c })
        else n.child = hashRef(c.hash)
      }
    }
  }
  if (n.hash !== null) {
    ops.push({ type: 'put', key: n.hash, value: n.enc as Uint8Array })
    // the next key through this node finds it there instead of in the store
    if (cache !== null && pos > resident) cache.put(n.hash, n.enc as Uint8Array, n.kind !== LEAF)
    // the store has it now; keep the hash only (re-encoded on demand for proofs)
    n.enc = null
  }
  n.dirty = false
}

/**
 * The first hash reference on a prefetch cursor's path below its node, or null when the path ends
 * in memory; leaves the cursor at that reference's parent (where the next round goes on).
 */
function firstUnloaded(cursor: Cursor): Wanted | null {
  const path = cursor.path
  let n: TrieNode | null = cursor.node
  let pos = cursor.pos
  while (n !== null) {
    if (n.kind === BRANCH) {
      if (pos === path.length) return null
      const children = n.children as (TrieNode | null)[]
      const i = path[pos] as number
      const c = children[i] as TrieNode | null
      if (c === null ? (n.refs & (1 << i)) !== 0 : c.kind === HASH) {
        cursor.node = n
        cursor.pos = pos
        const hash = c === null ? slotHash(n, i) : (c.hash as Uint8Array)
        return { parent: n, index: i, hash, pos: pos + 1 }
      }
      pos++
      n = c
    } else if (n.kind === EXTENSION) {
      const p = n.path
      if (p.length > path.length - pos || commonPrefix(p, path, pos) !== p.length) return null
      const c = n.child as TrieNode
      if (c.kind === HASH) {
        cursor.node = n
        cursor.pos = pos
        return { parent: n, index: -1, hash: c.hash as Uint8Array, pos: pos + p.length }
      }
      pos += p.length
      n = c
    } else {
      return null
    }
  }
  return null
}
