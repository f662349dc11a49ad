/**
 * Profile experiments for stf.transfer (`--experiment keepLeaves`), never used by the figure: they
 * patch the trie at run time to measure what a proposed change to packages/core/src/trie would
 * save, without editing it.
 *
 * keepLeaves: `MerklePatriciaTrie.get` keeps a leaf it loaded attached to its parent (as it does
 * for inner nodes) instead of dropping it, so the `put` that follows in the same block (every
 * account the STF reads, it writes) finds it in memory instead of reading and decoding it again
 * from LevelDB. `collect` already turns clean leaves under a committed parent back into hash
 * references, so memory stays bounded by the accounts touched since the last commit.
 */
import { MerklePatriciaTrie } from '../../../packages/core/src/trie/trie.ts'
import { BRANCH, HASH, LEAF, type TrieNode } from '../../../packages/core/src/trie/node.ts'

type Internals = {
  rootNode: TrieNode | null
  path(key: Uint8Array): Uint8Array
  load(hash: Uint8Array): TrieNode
}

export function applyKeepLeaves(): void {
  MerklePatriciaTrie.prototype.get = function get(this: MerklePatriciaTrie, key: Uint8Array): Uint8Array | undefined {
    const self = this as unknown as Internals
    const path = self.path(key)
    let n = self.rootNode
    if (n !== null && n.kind === HASH) n = self.rootNode = self.load(n.hash as Uint8Array)
    let pos = 0
    while (n !== null) {
      if (n.kind === BRANCH) {
        if (pos === path.length) return n.value ?? undefined
        const children = n.children as (TrieNode | null)[]
        const i = path[pos++] as number
        let c = children[i] as TrieNode | null
        if (c !== null && c.kind === HASH) {
          c = self.load(c.hash as Uint8Array)
          children[i] = c
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
          c = self.load(c.hash as Uint8Array)
          n.child = c
        }
        n = c
      }
    }
    return undefined
  }
}
