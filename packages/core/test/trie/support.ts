import { Prng } from '../../../../test/support/prng.ts'
import { bigintToBytes } from '../../src/bytes/index.ts'
import { type BatchOp, type KeyValueStore, MemoryStore } from '../../src/db/index.ts'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, encodeAccount, MerklePatriciaTrie } from '../../src/trie/index.ts'

/** An account-shaped trie value with a random nonce and balance. */
export function randomAccount(prng: Prng): Uint8Array {
  return encodeAccount({
    nonce: BigInt(prng.int(1_000_000)),
    balance: BigInt(prng.nextU32()) * BigInt(prng.nextU32()) * BigInt(1 + prng.int(1000)),
    storageRoot: EMPTY_TRIE_ROOT,
    codeHash: EMPTY_CODE_HASH,
  })
}

/** A store that counts synchronous reads. */
export class CountingStore implements KeyValueStore {
  readonly inner = new MemoryStore()
  syncReads = 0

  getSync(key: Uint8Array): Uint8Array | undefined {
    this.syncReads++
    return this.inner.getSync(key)
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.inner.getMany(keys)
  }

  batch(ops: readonly BatchOp[]): Promise<void> {
    return this.inner.batch(ops)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

/**
 * `count` random account-shaped keys committed into a secure trie over `store`, without a node
 * cache: the tests that use it count what the trie itself keeps in memory by the store reads it makes.
 */
export async function committedTrie<S extends KeyValueStore>(store: S, count: number, seed: number) {
  const prng = new Prng(seed)
  const keys: Uint8Array[] = []
  const build = new MerklePatriciaTrie(store, { secure: true, nodeCache: null })
  for (let i = 0; i < count; i++) {
    const key = prng.bytes(20)
    keys.push(key)
    build.put(key, randomAccount(prng))
  }
  const root = await build.commit()
  return { store, keys, root, prng }
}

export { bigintToBytes, Prng }
