import { bytesToHex, equalBytes } from '../bytes/index.ts'
import { keccak256 } from '../crypto/keccak.ts'
import { EMPTY_TRIE_ROOT } from './constants.ts'
import { InvalidProofError } from './errors.ts'
import { bytesToNibbles, commonPrefix, hashedKeyNibbles } from './nibbles.ts'
import { BRANCH, decodeNode, EXTENSION, HASH, NodeDecodeError, slotHash, type TrieNode } from './node.ts'

export type VerifyProofOptions = {
  /** The proof is from a secure trie: the path is keccak256(key). Default false. */
  secure?: boolean | undefined
}

/**
 * Checks an EIP-1186 proof (the RLP nodes from the root down) for `key` against `root`. Returns the
 * value, or `undefined` when the proof shows the key is absent. Throws {@link InvalidProofError}
 * when a node the path needs is missing from the proof, a node does not decode, or the nodes do not
 * hash up to `root`. Nodes the path does not use are ignored.
 */
export function verifyProof(
  root: Uint8Array,
  key: Uint8Array,
  proof: readonly Uint8Array[],
  options: VerifyProofOptions = {},
): Uint8Array | undefined {
  if (root.length !== 32) throw new InvalidProofError(`the root is ${root.length} bytes, not 32`)
  const path = options.secure ? hashedKeyNibbles(key) : bytesToNibbles(key)
  if (equalBytes(root, EMPTY_TRIE_ROOT) && proof.length === 0) return undefined
  const byHash = new Map<string, Uint8Array>()
  for (const node of proof) byHash.set(bytesToHex(keccak256(node)), node)

  const fetch = (hash: Uint8Array): TrieNode => {
    const data = byHash.get(bytesToHex(hash))
    if (data === undefined)
      throw new InvalidProofError(`node ${bytesToHex(hash)} on the key's path is not in the proof`)
    try {
      return decodeNode(data, hash)
    } catch (error) {
      if (error instanceof NodeDecodeError)
        throw new InvalidProofError(`a proof node does not decode: ${error.message}`)
      throw error
    }
  }

  if (equalBytes(root, EMPTY_TRIE_ROOT) && !byHash.has(bytesToHex(root))) return undefined
  let n: TrieNode | null = fetch(root)
  let pos = 0
  while (n !== null) {
    if (n.kind === HASH) n = fetch(n.hash as Uint8Array)
    if (n.kind === BRANCH) {
      if (pos === path.length) return n.value ?? undefined
      const i = path[pos++] as number
      const c = (n.children as (TrieNode | null)[])[i] as TrieNode | null
      n = c === null && (n.refs & (1 << i)) !== 0 ? fetch(slotHash(n, i)) : c
    } else if (n.kind === EXTENSION) {
      const p = n.path
      if (p.length > path.length - pos || commonPrefix(p, path, pos) !== p.length) return undefined
      pos += p.length
      n = n.child
    } else {
      const p = n.path
      if (p.length !== path.length - pos || commonPrefix(p, path, pos) !== p.length) return undefined
      return n.value as Uint8Array
    }
  }
  return undefined
}
