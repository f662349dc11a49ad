import { DELAYED_KIND_DEPOSIT } from '../config/constants.ts'
import { SluiceError } from '../errors/index.ts'
import { type DelayedMessage, decodeDepositPayload } from '../messages/delayed.ts'
import type { StfMessage } from '../stf/message.ts'
import { decodeTransaction } from '../tx/index.ts'

/** A delayed message as a state-transition message (§7.2, §7.3): never throws. */
export function delayedToStfMessage(message: DelayedMessage): StfMessage {
  if (message.kind === DELAYED_KIND_DEPOSIT) {
    const deposit = decodeDepositPayload(message.payload)
    if (deposit === undefined) {
      return {
        kind: 'undecodable',
        reason: 'depositMalformed',
        detail: `deposit payload is ${message.payload.length} bytes, not 52`,
      }
    }
    return { kind: 'deposit', recipient: deposit.recipient, amount: deposit.amount }
  }
  try {
    return { kind: 'transaction', tx: decodeTransaction(message.payload), raw: message.payload }
  } catch (error) {
    const detail = error instanceof SluiceError ? error.shortMessage : String(error)
    return { kind: 'undecodable', reason: 'forcedDecode', detail }
  }
}
