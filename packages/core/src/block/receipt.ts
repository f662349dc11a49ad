import { bigintToBytes, concatBytes } from '../bytes/index.ts'
import { encodeRlp } from '../rlp/index.ts'
import type { Log } from '../stf/withdrawal.ts'
import { stringLength, writeString } from '../trie/node.ts'
import type { OrderedItems } from '../trie/ordered.ts'
import type { TransactionType } from '../tx/types.ts'
import { BLOOM_BYTES } from './bloom.ts'

/** A receipt of an applied transaction. Applied transactions always succeed (protocol.md §6.4). */
export type Receipt = {
  type: TransactionType
  cumulativeGasUsed: bigint
  logsBloom: Uint8Array
  logs: Log[]
}

const MAX_DIRECT_GAS = 2n ** 48n

/** A receipt the direct writer below encodes: no logs, a 256-byte bloom, gas below 2^48. */
function isDirect(receipt: Receipt): boolean {
  const gas = receipt.cumulativeGasUsed
  return receipt.logs.length === 0 && gas >= 0n && gas < MAX_DIRECT_GAS && receipt.logsBloom.length === BLOOM_BYTES
}

/** EIP-2718 receipt encoding: `rlp([status, cumulativeGasUsed, bloom, logs])`, type-prefixed when typed. */
export function encodeReceipt(receipt: Receipt): Uint8Array {
  const gas = receipt.cumulativeGasUsed
  if (isDirect(receipt)) {
    const g = Number(gas)
    const out = new Uint8Array(withoutLogsLength(receipt.type, g))
    writeWithoutLogs(out, 0, receipt.type, g, receipt.logsBloom)
    return out
  }
  const body = encodeRlp([
    new Uint8Array([1]),
    bigintToBytes(gas),
    receipt.logsBloom,
    receipt.logs.map((log) => [log.address, log.topics, log.data]),
  ])
  return receipt.type === 0 ? body : concatBytes(new Uint8Array([receipt.type]), body)
}

/** Bytes of `gas` (below 2^48) as a minimal big-endian integer. */
function gasBytesOf(gas: number): number {
  let gasBytes = 0
  for (let v = gas; v > 0; v = Math.floor(v / 256)) gasBytes++
  return gasBytes
}

/** The encoded length of a receipt without logs: always 265–65,535 bytes. */
function withoutLogsLength(type: number, gas: number): number {
  const gasBytes = gasBytesOf(gas)
  // rlp(gas): a single byte below 0x80 is itself; otherwise 0x80 + length, then big-endian bytes
  const gasItem = gas > 0 && gas < 0x80 ? 1 : 1 + gasBytes
  // status 0x01, gas, bloom (0xb9 0x01 0x00 + 256 bytes), empty log list 0xc0
  const payload = 1 + gasItem + 3 + BLOOM_BYTES + 1
  return (type === 0 ? 0 : 1) + 3 + payload
}

/**
 * The receipt of a transaction without logs (every transfer), written straight into `out` at `at`
 * (`withoutLogsLength` bytes): the generic encoder builds item arrays and concatenates, which is
 * most of sealing's allocation. Returns the position after it.
 */
function writeWithoutLogs(out: Uint8Array, at: number, type: number, gas: number, bloom: Uint8Array): number {
  const gasBytes = gasBytesOf(gas)
  const gasItem = gas > 0 && gas < 0x80 ? 1 : 1 + gasBytes
  const payload = 1 + gasItem + 3 + BLOOM_BYTES + 1
  let o = at
  if (type !== 0) out[o++] = type
  out[o++] = 0xf9
  out[o++] = payload >> 8
  out[o++] = payload & 0xff
  out[o++] = 0x01
  if (gasItem === 1 && gasBytes === 1) {
    out[o++] = gas
  } else {
    out[o++] = 0x80 + gasBytes
    for (let i = gasBytes - 1; i >= 0; i--) out[o++] = Math.floor(gas / 256 ** i) & 0xff
  }
  out[o++] = 0xb9
  out[o++] = BLOOM_BYTES >> 8
  out[o++] = BLOOM_BYTES & 0xff
  out.set(bloom, o)
  out[o + BLOOM_BYTES] = 0xc0
  return o + BLOOM_BYTES + 1
}

/**
 * A block's receipts as the items of its receipts trie, each written straight into its leaf
 * (`orderedTrieRootOf`): no encoded array per receipt, which a block used only to hash. Receipts
 * with logs are encoded by `encodeReceipt` as before, once.
 */
export class ReceiptItems implements OrderedItems {
  readonly count: number
  private readonly receipts: readonly Receipt[]
  /** Cumulative gas of each direct receipt (NaN: encoded in `encoded`). */
  private readonly gas: Float64Array
  private readonly encoded: (Uint8Array | undefined)[] | undefined

  constructor(receipts: readonly Receipt[]) {
    const count = receipts.length
    this.receipts = receipts
    this.count = count
    this.gas = new Float64Array(count)
    let encoded: (Uint8Array | undefined)[] | undefined
    for (let i = 0; i < count; i++) {
      const receipt = receipts[i] as Receipt
      if (isDirect(receipt)) {
        this.gas[i] = Number(receipt.cumulativeGasUsed)
      } else {
        this.gas[i] = Number.NaN
        encoded ??= new Array(count)
        encoded[i] = encodeReceipt(receipt)
      }
    }
    this.encoded = encoded
  }

  itemLength(i: number): number {
    const gas = this.gas[i] as number
    if (Number.isNaN(gas)) return stringLength((this.encoded as Uint8Array[])[i] as Uint8Array)
    // a string item of 265–65,535 bytes: 0xb9 and a two-byte length
    return 3 + withoutLogsLength((this.receipts[i] as Receipt).type, gas)
  }

  writeItem(i: number, out: Uint8Array, at: number): number {
    const gas = this.gas[i] as number
    if (Number.isNaN(gas)) return writeString(out, at, (this.encoded as Uint8Array[])[i] as Uint8Array)
    const receipt = this.receipts[i] as Receipt
    const length = withoutLogsLength(receipt.type, gas)
    out[at] = 0xb9
    out[at + 1] = length >> 8
    out[at + 2] = length & 0xff
    return writeWithoutLogs(out, at + 3, receipt.type, gas, receipt.logsBloom)
  }
}
