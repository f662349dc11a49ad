import { bytesToBigint, EMPTY_BYTES } from '../bytes/index.ts'
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
  return decodeCommon(bytes) ?? decodeTransactionGeneral(bytes)
}

/**
 * `decodeTransaction` by the general path alone (RLP decoded into items, then each field checked):
 * the reference `decodeCommon` is tested against, and the one that reports why bytes are refused.
 */
export function decodeTransactionGeneral(bytes: Uint8Array): SignedTransaction {
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

// ---------------------------------------------------------------- the common shape, read directly

/** Field spans of the transaction `decodeCommon` is reading: item i is `bytes[starts[i], ends[i])`. */
const starts = new Int32Array(12)
const ends = new Int32Array(12)

/**
 * The transactions almost every block holds — legacy, or typed with an empty access list — read
 * straight from their bytes: no intermediate RLP arrays, integers converted in place. Returns null
 * for anything it does not accept in full (any other shape, any doubt about canonical form, a
 * field out of range); `decodeTransaction` then takes the general path, which decides and reports.
 * So it accepts a subset of what the general path accepts, with the same result (tested against
 * it in test/tx/decode.test.ts). Byte fields are copies, as the general path's are.
 */
export function decodeCommon(bytes: Uint8Array): SignedTransaction | null {
  const first = bytes[0]
  if (first === undefined) return null
  if (first < 0xc0 && first !== 0x02 && first !== 0x01) return null
  const type = first >= 0xc0 ? 0 : first
  const count = type === 0 ? 9 : type === 2 ? 12 : 11
  const listAt = type === 0 ? 0 : 1
  if (!readListItems(bytes, listAt, count)) return null
  // typed: the access list (item 8 or 7) must be the empty list, read by readListItems as start = -1
  const accessListItem = type === 2 ? 8 : type === 1 ? 7 : -1
  for (let i = 0; i < count; i++) {
    if ((starts[i] as number) < 0 && i !== accessListItem) return null
  }
  if (accessListItem >= 0 && (starts[accessListItem] as number) >= 0) return null
  const layout = LAYOUTS[type] as Layout
  const nonce = uintAt(bytes, layout.nonce, U64)
  const tip = uintAt(bytes, layout.tip, U256)
  const maxFee = layout.maxFee === layout.tip ? tip : uintAt(bytes, layout.maxFee, U256)
  const gasLimit = uintAt(bytes, layout.gasLimit, U64)
  const value = uintAt(bytes, layout.value, U256)
  const v = uintAt(bytes, layout.v, U256)
  const r = uintAt(bytes, layout.v + 1, U256)
  const s = uintAt(bytes, layout.v + 2, U256)
  const toStart = starts[layout.to] as number
  const toLength = (ends[layout.to] as number) - toStart
  if (
    nonce === null ||
    tip === null ||
    maxFee === null ||
    gasLimit === null ||
    value === null ||
    v === null ||
    r === null ||
    s === null ||
    (toLength !== 0 && toLength !== 20)
  )
    return null
  let chainId: bigint | null | undefined
  // legacy (EIP-155): v = chainId·2 + 35 + yParity; any other v names no chain
  if (type === 0) chainId = v >= 35n ? (v - 35n) >> 1n : undefined
  else chainId = uintAt(bytes, 0, U256)
  if (chainId === null) return null
  return {
    type: type === 0 ? 0 : type === 2 ? 2 : 1,
    chainId,
    nonce,
    maxPriorityFeePerGas: tip,
    maxFeePerGas: maxFee,
    gasLimit,
    to: toLength === 0 ? undefined : bytes.slice(toStart, toStart + toLength),
    value,
    // a transfer's empty data: the shared empty array (it has no bytes to modify), as slot decoding does
    data:
      starts[layout.data] === ends[layout.data]
        ? EMPTY_BYTES
        : bytes.slice(starts[layout.data] as number, ends[layout.data] as number),
    accessList: [],
    v,
    r,
    s,
  }
}

/** Where each field is among a type's items (`r` and `s` follow `v`; legacy and EIP-2930 have one gas price). */
type Layout = {
  nonce: number
  tip: number
  maxFee: number
  gasLimit: number
  to: number
  value: number
  data: number
  v: number
}
const LAYOUTS: readonly (Layout | undefined)[] = [
  { nonce: 0, tip: 1, maxFee: 1, gasLimit: 2, to: 3, value: 4, data: 5, v: 6 },
  { nonce: 1, tip: 2, maxFee: 2, gasLimit: 3, to: 4, value: 5, data: 6, v: 8 },
  { nonce: 1, tip: 2, maxFee: 3, gasLimit: 4, to: 5, value: 6, data: 7, v: 9 },
]

/**
 * Reads the canonical RLP list at `at` that must end exactly at the end of `bytes` and hold exactly
 * `count` items, each a byte string or the empty list (start = -1), into `starts`/`ends`. False on
 * anything else, including every non-canonical form.
 */
function readListItems(bytes: Uint8Array, at: number, count: number): boolean {
  const total = bytes.length
  const h = bytes[at]
  if (h === undefined || h < 0xc0) return false
  let pos: number
  let payload: number
  if (h <= 0xf7) {
    pos = at + 1
    payload = h - 0xc0
  } else {
    const lol = h - 0xf7
    if (lol > 3 || at + 1 + lol > total || bytes[at + 1] === 0) return false
    payload = 0
    for (let i = 0; i < lol; i++) payload = payload * 256 + (bytes[at + 1 + i] as number)
    if (payload <= 55) return false
    pos = at + 1 + lol
  }
  if (pos + payload !== total) return false
  for (let i = 0; i < count; i++) {
    if (pos >= total) return false
    const b = bytes[pos] as number
    if (b < 0x80) {
      starts[i] = pos
      ends[i] = pos + 1
      pos += 1
    } else if (b <= 0xb7) {
      const len = b - 0x80
      if (pos + 1 + len > total) return false
      if (len === 1 && (bytes[pos + 1] as number) < 0x80) return false
      starts[i] = pos + 1
      ends[i] = pos + 1 + len
      pos += 1 + len
    } else if (b < 0xc0) {
      const lol = b - 0xb7
      if (lol > 3 || pos + 1 + lol > total || bytes[pos + 1] === 0) return false
      let len = 0
      for (let j = 0; j < lol; j++) len = len * 256 + (bytes[pos + 1 + j] as number)
      if (len <= 55 || pos + 1 + lol + len > total) return false
      starts[i] = pos + 1 + lol
      ends[i] = pos + 1 + lol + len
      pos += 1 + lol + len
    } else if (b === 0xc0) {
      starts[i] = -1
      ends[i] = -1
      pos += 1
    } else {
      return false
    }
  }
  return pos === total
}

/** Item `i` as a minimal unsigned integer of at most `maxBytes` bytes; null when it is not one. */
function uintAt(bytes: Uint8Array, i: number, maxBytes: number): bigint | null {
  const start = starts[i] as number
  const end = ends[i] as number
  if (start < 0) return null
  const len = end - start
  if (len === 0) return 0n
  if (len > maxBytes || bytes[start] === 0) return null
  if (len <= 6) {
    let n = 0
    for (let k = start; k < end; k++) n = n * 256 + (bytes[k] as number)
    return BigInt(n)
  }
  // 6 bytes (48 bits) at a time: exact in a double, and few bigint steps for a 32-byte word
  let k = start
  let head = (len % 6) + start
  if (head === start) head += 6
  let n = 0
  for (; k < head; k++) n = n * 256 + (bytes[k] as number)
  let out = BigInt(n)
  while (k < end) {
    n = 0
    for (let stop = k + 6; k < stop; k++) n = n * 256 + (bytes[k] as number)
    out = (out << 48n) | BigInt(n)
  }
  return out
}
