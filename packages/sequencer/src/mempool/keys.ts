import { Buffer } from 'node:buffer'
import type { Hex } from '@sluice/core'

/**
 * Lower-case hex without `0x`: the pool's map keys. Node's native encoder gives a flat string;
 * `bytesToHex` builds a rope (a concatenation per byte), and a Map keyed by ropes costs about 2 µs
 * per lookup-and-delete instead of 0.5 (measured), which the builder pays for every included hash.
 */
export function plainHex(bytes: Uint8Array): string {
  if (bytes.length > HEX_SCRATCH.length)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
  // Copying into one reused Buffer is cheaper than wrapping each array in a new Buffer view.
  HEX_SCRATCH.set(bytes)
  return HEX_SCRATCH.toString('hex', 0, bytes.length)
}

/** Hashes and addresses are at most 32 bytes. */
const HEX_SCRATCH = Buffer.allocUnsafe(32)

/** The map key of a hash or address given as bytes or as `0x` hex (any case). */
export function keyOf(value: Uint8Array | Hex): string {
  return typeof value === 'string' ? value.slice(2).toLowerCase() : plainHex(value)
}

/** A sealed block's transactions as far as their keys go (`StoredBlock.transactions`). */
type BlockTransactions = { readonly transactions: readonly { hash: Uint8Array; sender: Uint8Array }[] }

/** A transaction the pool handed to the builder, with the keys it was pooled under. */
type KeyedTransaction = { readonly hashKey: string; readonly senderKey: string }

/**
 * The pool keys of a sealed block's transaction hashes, in block order. `taken` are the block's
 * transactions that the pool gave the builder: its last ones, after the forced ones
 * (`TransactionSource.sealed`). Their keys exist already; only forced ones are encoded here, so that
 * an included transaction costs no hex encoding in `markIncludedByKey` and `resolveByKey`.
 */
export function blockHashKeys(block: BlockTransactions, taken: readonly KeyedTransaction[]): string[] {
  return blockKeys(block, taken, 'hash', 'hashKey')
}

/** `blockHashKeys` for the transactions' senders (`onNewHeadByKey`). */
export function blockSenderKeys(block: BlockTransactions, taken: readonly KeyedTransaction[]): string[] {
  return blockKeys(block, taken, 'sender', 'senderKey')
}

function blockKeys(
  block: BlockTransactions,
  taken: readonly KeyedTransaction[],
  bytes: 'hash' | 'sender',
  key: 'hashKey' | 'senderKey',
): string[] {
  const transactions = block.transactions
  const forced = transactions.length - taken.length
  const keys: string[] = []
  for (let i = 0; i < forced; i++)
    keys.push(plainHex((transactions[i] as BlockTransactions['transactions'][number])[bytes]))
  for (const t of taken) keys.push(t[key])
  return keys
}
