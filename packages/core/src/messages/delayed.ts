import { bigintToBytes32, bytesToBigint, concatBytes, padLeft } from '../bytes/index.ts'
import type { DELAYED_KIND_DEPOSIT, DELAYED_KIND_FORCED_TX } from '../config/constants.ts'
import { keccak256 } from '../crypto/index.ts'

/** A delayed message as the Portal recorded it (protocol.md §4.1). */
export type DelayedMessage = {
  kind: typeof DELAYED_KIND_DEPOSIT | typeof DELAYED_KIND_FORCED_TX
  /** Position in the Portal's delayed-message list. */
  index: bigint
  l1Sender: Uint8Array
  l1Timestamp: bigint
  /** Deposit: `abi.encodePacked(address l2Recipient, uint256 amount)`; forced tx: the signed transaction. */
  payload: Uint8Array
}

export const DEPOSIT_PAYLOAD_BYTES = 52

/** `keccak256(abi.encode(uint8 kind, uint256 index, address l1Sender, uint64 l1Timestamp, bytes32 keccak256(payload)))`. */
export function delayedMessageHash(message: DelayedMessage): Uint8Array {
  return keccak256(
    concatBytes(
      bigintToBytes32(BigInt(message.kind)),
      bigintToBytes32(message.index),
      padLeft(message.l1Sender, 32),
      bigintToBytes32(message.l1Timestamp),
      keccak256(message.payload),
    ),
  )
}

export function encodeDepositPayload(l2Recipient: Uint8Array, amount: bigint): Uint8Array {
  return concatBytes(l2Recipient, bigintToBytes32(amount))
}

/**
 * The recipient and amount of a deposit payload, or undefined when the payload is not 52 bytes
 * (the Portal never records such a deposit; derivation treats it as a no-op rather than failing).
 */
export function decodeDepositPayload(payload: Uint8Array): { recipient: Uint8Array; amount: bigint } | undefined {
  if (payload.length !== DEPOSIT_PAYLOAD_BYTES) return undefined
  return { recipient: payload.slice(0, 20), amount: bytesToBigint(payload.subarray(20)) }
}

/** The delayed accumulator before any delayed message (protocol.md §6.3). */
export const EMPTY_DELAYED_ACCUMULATOR = new Uint8Array(32)

/** `keccak256(accumulator ‖ delayedMessageHash)`: the accumulator after taking one more delayed message. */
export function accumulateDelayed(accumulator: Uint8Array, messageHash: Uint8Array): Uint8Array {
  return keccak256(concatBytes(accumulator, messageHash))
}
