import { bigintToBytes, concatBytes } from '../bytes/index.ts'
import { encodeRlp } from '../rlp/index.ts'
import type { Log } from '../stf/withdrawal.ts'
import type { TransactionType } from '../tx/types.ts'

/** A receipt of an applied transaction. Applied transactions always succeed (protocol.md §6.4). */
export type Receipt = {
  type: TransactionType
  cumulativeGasUsed: bigint
  logsBloom: Uint8Array
  logs: Log[]
}

/** EIP-2718 receipt encoding: `rlp([status, cumulativeGasUsed, bloom, logs])`, type-prefixed when typed. */
export function encodeReceipt(receipt: Receipt): Uint8Array {
  const body = encodeRlp([
    new Uint8Array([1]),
    bigintToBytes(receipt.cumulativeGasUsed),
    receipt.logsBloom,
    receipt.logs.map((log) => [log.address, log.topics, log.data]),
  ])
  return receipt.type === 0 ? body : concatBytes(new Uint8Array([receipt.type]), body)
}
