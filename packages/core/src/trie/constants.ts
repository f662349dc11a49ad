import { hexToBytes } from '../bytes/index.ts'

/** Root of the empty trie: keccak256(rlp('')) = keccak256(0x80). */
export const EMPTY_TRIE_ROOT: Uint8Array = hexToBytes(
  '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
)

/** Code hash of an account without code: keccak256(''). */
export const EMPTY_CODE_HASH: Uint8Array = hexToBytes(
  '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
)
