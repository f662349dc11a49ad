import { EMPTY_BYTES } from '../bytes/index.ts'
import { encodeRlp, encodeRlpAfter, type RlpInput } from '../rlp/index.ts'
import { TransactionEncodeError } from './errors.ts'
import type { AccessListItem, SignedTransaction } from './types.ts'

/**
 * The network ("raw") form of a signed transaction: `rlp([...])` for legacy, `type ‖ rlp([...])`
 * for typed ones. `encodeTransaction(decodeTransaction(raw))` is `raw`, byte for byte. Throws
 * `TransactionEncodeError` for an object no decoder could have produced (a typed transaction
 * without chain id, a legacy or EIP-2930 one whose two fee fields differ, wrong-sized addresses).
 */
export function encodeTransaction(tx: SignedTransaction): Uint8Array {
  const signature = [tx.v, tx.r, tx.s]
  if (tx.type === 0) return encodeRlp([...legacyFields(tx), ...signature])
  return typed(tx.type, [...typedFields(tx), ...signature])
}

/**
 * The bytes whose keccak256 was signed: legacy EIP-155 `rlp([nonce, gasPrice, gasLimit, to, value,
 * data, chainId, 0, 0])`, pre-EIP-155 (chainId undefined) the six-field form, typed
 * `type ‖ rlp([...fields without the signature])` (an empty access list included as `[]`).
 */
export function signingPayload(tx: SignedTransaction): Uint8Array {
  if (tx.type === 0) {
    const fields = legacyFields(tx)
    return encodeRlp(tx.chainId === undefined ? fields : [...fields, tx.chainId, 0n, 0n])
  }
  return typed(tx.type, typedFields(tx))
}

function typed(type: 1 | 2, fields: RlpInput[]): Uint8Array {
  const out = encodeRlpAfter(1, fields)
  out[0] = type
  return out
}

function recipient(tx: SignedTransaction): Uint8Array {
  if (tx.to === undefined) return EMPTY_BYTES
  if (tx.to.length !== 20) throw new TransactionEncodeError(`to is ${tx.to.length} bytes; it must be 20 or undefined`)
  return tx.to
}

function gasPrice(tx: SignedTransaction): bigint {
  if (tx.maxPriorityFeePerGas !== tx.maxFeePerGas) {
    throw new TransactionEncodeError(
      `a type-${tx.type} transaction has one gasPrice, but maxPriorityFeePerGas (${tx.maxPriorityFeePerGas}) ≠ maxFeePerGas (${tx.maxFeePerGas})`,
    )
  }
  return tx.maxFeePerGas
}

function legacyFields(tx: SignedTransaction): RlpInput[] {
  if (tx.accessList.length > 0) throw new TransactionEncodeError('a legacy transaction has no access list')
  return [tx.nonce, gasPrice(tx), tx.gasLimit, recipient(tx), tx.value, tx.data]
}

function accessList(list: readonly AccessListItem[]): RlpInput[] {
  return list.map((item) => {
    if (item.address.length !== 20) throw new TransactionEncodeError('an access-list address is not 20 bytes')
    for (const key of item.storageKeys) {
      if (key.length !== 32) throw new TransactionEncodeError('an access-list storage key is not 32 bytes')
    }
    return [item.address, item.storageKeys]
  })
}

function typedFields(tx: SignedTransaction): RlpInput[] {
  if (tx.chainId === undefined) throw new TransactionEncodeError(`a type-${tx.type} transaction needs a chain id`)
  if (tx.type === 1) {
    return [
      tx.chainId,
      tx.nonce,
      gasPrice(tx),
      tx.gasLimit,
      recipient(tx),
      tx.value,
      tx.data,
      accessList(tx.accessList),
    ]
  }
  return [
    tx.chainId,
    tx.nonce,
    tx.maxPriorityFeePerGas,
    tx.maxFeePerGas,
    tx.gasLimit,
    recipient(tx),
    tx.value,
    tx.data,
    accessList(tx.accessList),
  ]
}
