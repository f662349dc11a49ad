import { bigintToBytes, concatBytes } from '../bytes/index.ts'
import { encodeRlp } from '../rlp/index.ts'
import type { Log } from '../stf/withdrawal.ts'
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

/** EIP-2718 receipt encoding: `rlp([status, cumulativeGasUsed, bloom, logs])`, type-prefixed when typed. */
export function encodeReceipt(receipt: Receipt): Uint8Array {
  const gas = receipt.cumulativeGasUsed
  if (receipt.logs.length === 0 && gas >= 0n && gas < MAX_DIRECT_GAS && receipt.logsBloom.length === BLOOM_BYTES) {
    return encodeReceiptWithoutLogs(receipt.type, Number(gas), receipt.logsBloom)
  }
  const body = encodeRlp([
    new Uint8Array([1]),
    bigintToBytes(gas),
    receipt.logsBloom,
    receipt.logs.map((log) => [log.address, log.topics, log.data]),
  ])
  return receipt.type === 0 ? body : concatBytes(new Uint8Array([receipt.type]), body)
}

/**
 * The receipt of a transaction without logs (every transfer), written straight into one array:
 * the generic encoder builds item arrays and concatenates, which is most of sealing's allocation.
 */
function encodeReceiptWithoutLogs(type: number, gas: number, bloom: Uint8Array): Uint8Array {
  let gasBytes = 0
  for (let v = gas; v > 0; v = Math.floor(v / 256)) gasBytes++
  // rlp(gas): a single byte below 0x80 is itself; otherwise 0x80 + length, then big-endian bytes
  const gasItem = gas > 0 && gas < 0x80 ? 1 : 1 + gasBytes
  // status 0x01, gas, bloom (0xb9 0x01 0x00 + 256 bytes), empty log list 0xc0: always 256–65,535 bytes
  const payload = 1 + gasItem + 3 + BLOOM_BYTES + 1
  const prefix = type === 0 ? 0 : 1
  const out = new Uint8Array(prefix + 3 + payload)
  if (prefix === 1) out[0] = type
  let o = prefix
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
  return out
}
