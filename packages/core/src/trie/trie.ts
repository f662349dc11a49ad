import { bytesToHex, equalBytes } from '../bytes/index.ts'
import { keccak256 } from '../crypto/keccak.ts'
import type { BatchOp, KeyValueStore } from '../db/store.ts'
import { EMPTY_TRIE_ROOT } from './constants.ts'
import { CorruptTrieNodeError, MissingTrieNodeError } from './errors.ts'
import { bytesToNibbles, commonPrefix, concatNibbles, prependNibble } from './nibbles.ts'
import {
  BRANCH,
  decodeNode,
  EXTENSION,
  encodeNode,
  HASH,
  hashNode,
  hashRef,
  LEAF,
  NodeDecodeError,
  newBranch,
  newExtension,
  newLeaf,
  type TrieNode,
  touch,
} from './node.ts'

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
}

/** Default `residentDepth`. */
export const DEFAULT_RESIDENT_DEPTH = 4

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
  private rootNode: TrieNode | null
  /** keccak256 of the root's encoding when it is shorter than 32 bytes (then `hash` is null). */
  private smallRootHash: Uint8Array | null = null
  private changed = false

  constructor(store: KeyValueStore, options: TrieOptions = {}) {
    this.store = store
    this.secure = options.secure ?? false
    this.residentDepth = options.residentDepth ?? DEFAULT_RESIDENT_DEPTH
    const root = options.root
    if (root === undefined || equalBytes(root, EMPTY_TRIE_ROOT)) {
      this.rootNode = null
    } else {
      if (root.length !== 32) throw new RangeError(`a trie root is 32 bytes, not ${root.length}`)
      this.rootNode = this.load(root.slice())
    }
  }

  /** Opens a trie at `options.root` (default: empty). Kept async for callers that prefer `await`. */
  static async open(store: KeyValueStore, options: TrieOptions = {}): Promise<MerklePatriciaTrie> {
    return new MerklePatriciaTrie(store, options)
  }

  /** An independent trie at another committed root, over the same store and with the same key mode. */
  at(root: Uint8Array): MerklePatriciaTrie {
    return new MerklePatriciaTrie(this.store, { root, secure: this.secure, residentDepth: this.residentDepth })
  }

  /** The path in the trie for a user key (hashed first in a secure trie). */
  private path(key: Uint8Array): Uint8Array {
    return bytesToNibbles(this.secure ? keccak256(key) : key)
  }

  private load(hash: Uint8Array): TrieNode {
    const data = this.store.getSync(hash)
    if (data === undefined) throw new MissingTrieNodeError(bytesToHex(hash))
    try {
      return decodeNode(data, hash)
    } catch (error) {
      if (error instanceof NodeDecodeError) throw new CorruptTrieNodeError(`${bytesToHex(hash)}: ${error.message}`)
      throw error
    }
  }

  /** The value under `key`, or `undefined`. */
  get(key: Uint8Array): Uint8Array | undefined {
    const path = this.path(key)
    let n = this.rootNode
    if (n !== null && n.kind === HASH) n = this.rootNode = this.load(n.hash as Uint8Array)
    let pos = 0
    while (n !== null) {
      if (n.kind === BRANCH) {
        if (pos === path.length) return n.value ?? undefined
        const children = n.children as (TrieNode | null)[]
        const i = path[pos++] as number
        let c = children[i] as TrieNode | null
        if (c !== null && c.kind === HASH) {
          c = this.load(c.hash as Uint8Array)
          // keep inner nodes near the root loaded; leaves and deeper nodes are read and dropped
          if (c.kind !== LEAF && pos <= this.residentDepth) children[i] = c
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
          c = this.load(c.hash as Uint8Array)
          if (c.kind !== LEAF && pos <= this.residentDepth) n.child = c
        }
        n = c
      }
    }
    return undefined
  }

  /** Sets `key` to `value`. An empty value deletes the key (Ethereum's rule). */
  put(key: Uint8Array, value: Uint8Array): void {
    if (value.length === 0) {
      this.del(key)
      return
    }
    this.rootNode = this.insert(this.rootNode, this.path(key), 0, value.slice())
    this.smallRootHash = null
  }

  /** Deletes `key`; does nothing when it is absent. */
  del(key: Uint8Array): void {
    this.changed = false
    const root = this.remove(this.rootNode, this.path(key), 0)
    if (this.changed) {
      this.rootNode = root
      this.smallRootHash = null
    }
  }

  private resolve(n: TrieNode): TrieNode {
    return n.kind === HASH ? this.load(n.hash as Uint8Array) : n
  }

  private insert(node: TrieNode | null, key: Uint8Array, pos: number, value: Uint8Array): TrieNode {
    if (node === null) return newLeaf(key.subarray(pos), value)
    const n = node.kind === HASH ? this.load(node.hash as Uint8Array) : node
    if (n.kind === BRANCH) {
      if (pos === key.length) {
        n.value = value
      } else {
        const children = n.children as (TrieNode | null)[]
        const i = key[pos] as number
        children[i] = this.insert(children[i] as TrieNode | null, key, pos + 1, value)
        n.valid &= ~(1 << i)
        n.dirtyMask |= 1 << i
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
    const n = node.kind === HASH ? this.load(node.hash as Uint8Array) : node
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
      const c = this.remove(children[i] as TrieNode | null, key, pos + 1)
      if (!this.changed) return node
      children[i] = c
      n.valid &= ~(1 << i)
      n.dirtyMask |= 1 << i
    }
    touch(n)
    let count = 0
    let only = -1
    for (let i = 0; i < 16; i++) {
      if (children[i] !== null) {
        count++
        only = i
      }
    }
    if (count + (n.value === null ? 0 : 1) >= 2) return n
    if (count === 0) return n.value === null ? null : newLeaf(new Uint8Array(0), n.value)
    const c = this.resolve(children[only] as TrieNode)
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
    const n = this.rootNode
    if (n === null || n.kind === HASH || !n.dirty) return ops
    const root = this.root()
    collect(n, ops, 0, this.residentDepth)
    if (n.hash === null) ops.push({ type: 'put', key: root, value: n.enc as Uint8Array })
    return ops
  }

  /**
   * Writes every changed node, plus `extraOps` (the caller's metadata, e.g. "head = root"), in one
   * atomic batch, and returns the committed root.
   */
  async commit(extraOps: readonly BatchOp[] = []): Promise<Uint8Array> {
    const root = this.root()
    const ops = this.collectCommitOps()
    for (const op of extraOps) ops.push(op)
    await this.store.batch(ops)
    return root
  }

  /**
   * An EIP-1186 proof for `key`: the RLP of every node stored by hash on the path from the root, in
   * order (nodes under 32 bytes stay embedded in their parent). Proves presence or absence.
   */
  createProof(key: Uint8Array): Uint8Array[] {
    const proof: Uint8Array[] = []
    if (this.rootNode === null) return proof
    this.root()
    const path = this.path(key)
    let n: TrieNode | null = this.resolve(this.rootNode)
    if (n !== this.rootNode && n.kind !== LEAF) this.rootNode = n
    proof.push(n.enc ?? encodeNode(n))
    let pos = 0
    while (n !== null) {
      let c: TrieNode | null
      if (n.kind === BRANCH) {
        if (pos === path.length) break
        c = (n.children as (TrieNode | null)[])[path[pos++] as number] as TrieNode | null
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
        c = this.load(c.hash as Uint8Array)
        proof.push(c.enc as Uint8Array)
      } else if (c.hash !== null) {
        proof.push(c.enc ?? encodeNode(c))
      }
      n = c
    }
    return proof
  }
}

/**
 * Walks the dirty part below `n` (at nibble depth `pos`), appending a put per stored node, and turns
 * committed leaves and inner nodes deeper than `resident` back into hash references.
 */
function collect(n: TrieNode, ops: BatchOp[], pos: number, resident: number): void {
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
      collect(c, ops, childPos, resident)
      if (c.hash !== null && (c.kind === LEAF || childPos > resident)) children[i] = hashRef(c.hash)
    }
  } else if (n.kind === EXTENSION) {
    const c = n.child as TrieNode
    const childPos = pos + n.path.length
    if (c.kind !== HASH) {
      collect(c, ops, childPos, resident)
      if (c.hash !== null && (c.kind === LEAF || childPos > resident)) n.child = hashRef(c.hash)
    }
  }
  if (n.hash !== null) {
    ops.push({ type: 'put', key: n.hash, value: n.enc as Uint8Array })
    // the store has it now; keep the hash only (re-encoded on demand for proofs)
    n.enc = null
  }
  n.dirty = false
}
