import { bigintToBytes32, concatBytes, padLeft } from '../bytes/index.ts'
import { MESSAGE_PASSER } from '../config/constants.ts'
import { keccak256 } from '../crypto/index.ts'

/** A withdrawal as the message passer records it and the Portal pays it (protocol.md §7.3, §9). */
export type Withdrawal = {
  /** The message passer's nonce before the bump. */
  nonce: bigint
  sender: Uint8Array
  l1Recipient: Uint8Array
  value: bigint
}

/** `keccak256(abi.encode(uint256 nonce, address sender, address l1Recipient, uint256 value))`. */
export function withdrawalHash(withdrawal: Withdrawal): Uint8Array {
  return keccak256(
    concatBytes(
      bigintToBytes32(withdrawal.nonce),
      padLeft(withdrawal.sender, 32),
      padLeft(withdrawal.l1Recipient, 32),
      bigintToBytes32(withdrawal.value),
    ),
  )
}

/** The L1 recipient named by a withdrawal's data: the low 20 bytes of the word, or the sender. */
export function withdrawalRecipient(data: Uint8Array, sender: Uint8Array): Uint8Array {
  return data.length === 32 ? data.slice(12) : sender
}

/** `keccak256("MessagePassed(uint256,address,address,uint256,bytes32)")`, topic 0 of a withdrawal's log. */
export const MESSAGE_PASSED_TOPIC = keccak256(
  new TextEncoder().encode('MessagePassed(uint256,address,address,uint256,bytes32)'),
)

export type Log = { address: Uint8Array; topics: Uint8Array[]; data: Uint8Array }

/** The log a withdrawal's receipt carries (protocol.md §6.4). */
export function messagePassedLog(withdrawal: Withdrawal, hash: Uint8Array): Log {
  return {
    address: MESSAGE_PASSER,
    topics: [
      MESSAGE_PASSED_TOPIC,
      bigintToBytes32(withdrawal.nonce),
      padLeft(withdrawal.sender, 32),
      padLeft(withdrawal.l1Recipient, 32),
    ],
    data: concatBytes(bigintToBytes32(withdrawal.value), hash),
  }
}
