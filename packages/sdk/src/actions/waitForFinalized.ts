import type { Client, Transport } from 'viem'
import {
  type WaitForHeadErrorType,
  type WaitForHeadParameters,
  type WaitForHeadReturnType,
  waitForHead,
} from './waitForSafe.ts'

export type WaitForFinalizedParameters = WaitForHeadParameters
export type WaitForFinalizedReturnType = WaitForHeadReturnType
export type WaitForFinalizedErrorType = WaitForHeadErrorType

/**
 * Waits until an L2 transaction is **finalized**: covered by a finalized claim on L1 (after the
 * challenge period), so nothing can undo it.
 *
 * @example
 * await waitForFinalized(l2Client, { hash, timeout: 15 * 60_000 })
 */
export async function waitForFinalized(
  client: Client<Transport>,
  parameters: WaitForFinalizedParameters,
): Promise<WaitForFinalizedReturnType> {
  return waitForHead(client, 'finalized', parameters)
}
