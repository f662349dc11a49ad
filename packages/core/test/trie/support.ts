import { Prng } from '../../../../test/support/prng.ts'
import { bigintToBytes } from '../../src/bytes/index.ts'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, encodeAccount } from '../../src/trie/index.ts'

/** An account-shaped trie value with a random nonce and balance. */
export function randomAccount(prng: Prng): Uint8Array {
  return encodeAccount({
    nonce: BigInt(prng.int(1_000_000)),
    balance: BigInt(prng.nextU32()) * BigInt(prng.nextU32()) * BigInt(1 + prng.int(1000)),
    storageRoot: EMPTY_TRIE_ROOT,
    codeHash: EMPTY_CODE_HASH,
  })
}

export { bigintToBytes, Prng }
