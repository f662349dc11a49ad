import { keccak256 } from '../crypto/index.ts'
import { encodeTransaction, signingPayload } from './encode.ts'
import type { SignedTransaction } from './types.ts'

/** The transaction hash: keccak256 of the network ("raw") form, as `eth_sendRawTransaction` receives it. */
export function transactionHash(raw: Uint8Array): Uint8Array {
  return keccak256(raw)
}

/** The transaction hash of a transaction object (re-encodes it; prefer `transactionHash(raw)` when you have the bytes). */
export function hashTransaction(tx: SignedTransaction): Uint8Array {
  return keccak256(encodeTransaction(tx))
}

/** The hash the sender signed (see `signingPayload`). */
export function signingHash(tx: SignedTransaction): Uint8Array {
  return keccak256(signingPayload(tx))
}
