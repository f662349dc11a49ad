import { bytesToBigint } from '../bytes/index.ts'
import { decodeRlp, type RlpDecoded, RlpDecodeError } from '../rlp/index.ts'
import { TransactionDecodeError, UnsupportedTransactionTypeError } from './errors.ts'
import type { AccessListItem, SignedTransaction } from './types.ts'

/** Integer widths: nonce and gas limit per EIP-2681, everything else 256 bits. */
const U64 = 8
const U256 = 32

/**
 * Decodes a signed transaction from its network ("raw") form: an RLP list (legacy) or a type byte
 * followed by an RLP list (EIP-2718). Strict: canonical RLP with nothing after it, exact field
 * counts, integers without leading zeros and within their widths (nonce, gasLimit ≤ 2^64−1; all
 * others ≤ 2^256−1), `to` empty or 20 bytes, access-list addresses of 20 bytes and keys of 32.
 * Signature rules are not checked here (see `signatureProblem`); a pre-EIP-155 legacy transaction
 * decodes with `chainId` undefined. Throws `TransactionDecodeError`, or its subclass
 * `UnsupportedTransactionTypeError` for type 3, 4 and unknown types.
 *
 * @example decodeTransaction(hexToBytes('0x02f8...'))
 */
export function decodeTransaction(bytes: Uint8Array): SignedTransaction {
  const first = bytes[0]
  if (first === undefined) throw new TransactionDecodeError({ field: 'envelope', problem: 'is empty' })
  if (first >= 0xc0) return decodeLegacy(fieldsOf(bytes, 9, 'legacy'))
  if (first === 0x02) return decodeEip1559(fieldsOf(bytes.subarray(1), 12, 'EIP-1559'))
  if (first === 0x01) return decodeEip2930(fieldsOf(bytes.subarray(1), 11, 'EIP-2930'))
  if (first >= 0x80) {
    throw new TransactionDecodeError({
      field: 'envelope',
      problem: `starts with 0x${first.toString(16)}, an RLP string; a transaction is an RLP list (legacy) or a type byte 0x01/0x02 followed by one`,
    })
  }
  throw new UnsupportedTransactionTypeError(first)
}

function fieldsOf(payload: Uint8Array, count: number, kind: string): RlpDecoded[] {
  let decoded: RlpDecoded
  try {
    decoded = decodeRlp(payload)
  } catch (error) {
    const reason = error instanceof RlpDecodeError ? error.shortMessage : String(error)
    throw new TransactionDecodeError({ field: 'rlp', problem: `is refused: ${reason}`, cause: error })
  }
  if (!Array.isArray(decoded)) {
    throw new TransactionDecodeError({ field: 'payload', problem: `is an RLP string; a ${kind} transaction is a list` })
  }
  if (decoded.length !== count) {
    throw new TransactionDecodeError({
      field: 'fields',
      problem: `count is ${decoded.length}; a signed ${kind} transaction has exactly ${count}`,
    })
  }
  return decoded
}

function integer(item: RlpDecoded | undefined, field: string, maxBytes: number): bigint {
  if (!(item instanceof Uint8Array)) {
    throw new TransactionDecodeError({ field, problem: 'is a list; expected an integer' })
  }
  if (item.length > 0 && item[0] === 0) {
    throw new TransactionDecodeError({
      field,
      problem: 'has a leading zero byte; integers must be minimal (0 is empty)',
    })
  }
  if (item.length > maxBytes) {
    throw new TransactionDecodeError({
      field,
      problem: `is ${item.length} bytes; it must fit in ${maxBytes} (at most 2^${maxBytes * 8}−1)`,
    })
  }
  return bytesToBigint(item)
}

function byteString(item: RlpDecoded | undefined, field: string): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new TransactionDecodeError({ field, problem: 'is a list; expected bytes' })
  return item
}

function recipient(item: RlpDecoded | undefined): Uint8Array | undefined {
  const to = byteString(item, 'to')
  if (to.length === 0) return undefined
  if (to.length !== 20) {
    throw new TransactionDecodeError({
      field: 'to',
      problem: `is ${to.length} bytes; it must be empty (contract creation) or a 20-byte address`,
    })
  }
  return to
}

function accessList(item: RlpDecoded | undefined): AccessListItem[] {
  if (!Array.isArray(item))
    throw new TransactionDecodeError({ field: 'accessList', problem: 'is bytes; expected a list' })
  const out: AccessListItem[] = new Array(item.length)
  for (let i = 0; i < item.length; i++) {
    const entry = item[i] as RlpDecoded
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw new TransactionDecodeError({
        field: `accessList[${i}]`,
        problem: 'is not a list of exactly two items [address, storageKeys]',
      })
    }
    const address = entry[0] as RlpDecoded
    if (!(address instanceof Uint8Array) || address.length !== 20) {
      throw new TransactionDecodeError({ field: `accessList[${i}].address`, problem: 'is not 20 bytes' })
    }
    const keys = entry[1] as RlpDecoded
    if (!Array.isArray(keys)) {
      throw new TransactionDecodeError({ field: `accessList[${i}].storageKeys`, problem: 'is bytes; expected a list' })
    }
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as RlpDecoded
      if (!(key instanceof Uint8Array) || key.length !== 32) {
        throw new TransactionDecodeError({ field: `accessList[${i}].storageKeys[${k}]`, problem: 'is not 32 bytes' })
      }
    }
    out[i] = { address, storageKeys: keys as Uint8Array[] }
  }
  return out
}

function decodeLegacy(f: RlpDecoded[]): SignedTransaction {
  const nonce = integer(f[0], 'nonce', U64)
  const gasPrice = integer(f[1], 'gasPrice', U256)
  const gasLimit = integer(f[2], 'gasLimit', U64)
  const to = recipient(f[3])
  const value = integer(f[4], 'value', U256)
  const data = byteString(f[5], 'data')
  const v = integer(f[6], 'v', U256)
  const r = integer(f[7], 'r', U256)
  const s = integer(f[8], 's', U256)
  // EIP-155: v = chainId·2 + 35 + yParity. v 27/28 is pre-EIP-155; any other v below 35 names no chain.
  const chainId = v >= 35n ? (v - 35n) >> 1n : undefined
  return {
    type: 0,
    chainId,
    nonce,
    maxPriorityFeePerGas: gasPrice,
    maxFeePerGas: gasPrice,
    gasLimit,
    to,
    value,
    data,
    accessList: [],
    v,
    r,
    s,
  }
}

function decodeEip2930(f: RlpDecoded[]): SignedTransaction {
  const chainId = integer(f[0], 'chainId', U256)
  const nonce = integer(f[1], 'nonce', U64)
  const gasPrice = integer(f[2], 'gasPrice', U256)
  return {
    type: 1,
    chainId,
    nonce,
    maxPriorityFeePerGas: gasPrice,
    maxFeePerGas: gasPrice,
    gasLimit: integer(f[3], 'gasLimit', U64),
    to: recipient(f[4]),
    value: integer(f[5], 'value', U256),
    data: byteString(f[6], 'data'),
    accessList: accessList(f[7]),
    v: integer(f[8], 'yParity', U256),
    r: integer(f[9], 'r', U256),
    s: integer(f[10], 's', U256),
  }
}

function decodeEip1559(f: RlpDecoded[]): SignedTransaction {
  return {
    type: 2,
    chainId: integer(f[0], 'chainId', U256),
    nonce: integer(f[1], 'nonce', U64),
    maxPriorityFeePerGas: integer(f[2], 'maxPriorityFeePerGas', U256),
    maxFeePerGas: integer(f[3], 'maxFeePerGas', U256),
    gasLimit: integer(f[4], 'gasLimit', U64),
    to: recipient(f[5]),
    value: integer(f[6], 'value', U256),
    data: byteString(f[7], 'data'),
    accessList: accessList(f[8]),
    v: integer(f[9], 'yParity', U256),
    r: integer(f[10], 'r', U256),
    s: integer(f[11], 's', U256),
  }
}
