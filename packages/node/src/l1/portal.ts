/** Delayed messages from the Portal's `DelayedMessage` events (protocol.md §4.1). */

import { portalAbi } from '@sluice/contracts'
import {
  bytesToHex,
  DELAYED_KIND_DEPOSIT,
  DELAYED_KIND_FORCED_TX,
  delayedMessageHash,
  type Hex,
  hexToBytes,
} from '@sluice/core'
import { type Address, decodeEventLog, isAddressEqual } from 'viem'
import { L1InconsistencyError } from './errors.ts'
import type { L1Log } from './source.ts'
import type { PortalMessage } from './types.ts'

/** Decodes the Portal's `DelayedMessage` logs among `logs`, in log order, with their hashes. */
export function decodePortalLogs(logs: readonly L1Log[], portal: Address): PortalMessage[] {
  const out: PortalMessage[] = []
  for (const log of logs) {
    if (!isAddressEqual(log.address, portal)) continue
    let decoded: ReturnType<typeof decodeEventLog<typeof portalAbi>>
    try {
      decoded = decodeEventLog({ abi: portalAbi, topics: log.topics as [Hex, ...Hex[]], data: log.data })
    } catch {
      continue
    }
    if (decoded.eventName !== 'DelayedMessage') continue
    const { index, kind, l1Sender, l1Timestamp, payload } = decoded.args
    if (kind !== DELAYED_KIND_DEPOSIT && kind !== DELAYED_KIND_FORCED_TX) {
      throw new L1InconsistencyError(
        `the Portal's delayed message ${index} has kind ${kind}, which protocol version 1 does not know`,
        'The deployment names a Portal of another protocol version; check the deployment file.',
      )
    }
    const message = {
      kind,
      index,
      l1Sender: hexToBytes(l1Sender),
      l1Timestamp,
      payload: hexToBytes(payload),
    } as const
    out.push({
      ...message,
      hash: bytesToHex(delayedMessageHash(message)),
      l1BlockNumber: log.blockNumber,
      l1BlockHash: log.blockHash,
      l1TransactionHash: log.transactionHash,
    })
  }
  return out
}
