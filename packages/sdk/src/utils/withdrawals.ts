/** Reading withdrawals from L2 receipts and deposits from L1 receipts. */
import { MESSAGE_PASSER_ADDRESS } from '@sluice/core'
import {
  type Address,
  getAddress,
  type Hash,
  type Hex,
  hexToBigInt,
  type Log,
  parseAbiItem,
  parseEventLogs,
  sliceHex,
} from 'viem'
import { portalAbi, type Withdrawal } from '../contracts.ts'

/**
 * The L2 message passer's event (protocol.md §6.4). The passer is a predeploy with no Solidity
 * source, so this is its whole interface.
 */
export const messagePassedEvent = parseAbiItem(
  'event MessagePassed(uint256 indexed nonce, address indexed sender, address indexed l1Recipient, uint256 value, bytes32 withdrawalHash)',
)

/** The message passer's address on every Sluice L2. */
export const MESSAGE_PASSER: Address = MESSAGE_PASSER_ADDRESS

/** The withdrawals an L2 receipt records (one per withdrawal transaction; none for a transfer). */
export function getWithdrawalsFromLogs(logs: readonly Log[]): Withdrawal[] {
  const passerLogs = logs.filter((log) => log.address.toLowerCase() === MESSAGE_PASSER)
  return parseEventLogs({ abi: [messagePassedEvent], logs: passerLogs, eventName: 'MessagePassed' }).map((log) => ({
    nonce: log.args.nonce,
    sender: log.args.sender,
    l1Recipient: log.args.l1Recipient,
    value: log.args.value,
    withdrawalHash: log.args.withdrawalHash,
  }))
}

/** A deposit as the Portal recorded it (a kind-0 delayed message). */
export type Deposit = {
  /** The delayed message's number: the L2 includes it once a block's `delayedCountAfterBlock` passes it. */
  index: bigint
  l1Sender: Address
  l2Recipient: Address
  value: bigint
  l1Timestamp: bigint
  l1TransactionHash: Hash
}

/** The deposits an L1 receipt records (from the Portal's `DelayedMessage` logs of kind 0). */
export function getDepositsFromLogs(logs: readonly Log[]): Deposit[] {
  return parseEventLogs({ abi: portalAbi, logs: [...logs], eventName: 'DelayedMessage' })
    .filter((log) => log.args.kind === 0)
    .map((log) => {
      const payload = log.args.payload as Hex
      return {
        index: log.args.index,
        l1Sender: log.args.l1Sender,
        l2Recipient: getAddress(sliceHex(payload, 0, 20)),
        value: hexToBigInt(sliceHex(payload, 20, 52)),
        l1Timestamp: BigInt(log.args.l1Timestamp),
        l1TransactionHash: log.transactionHash as Hash,
      }
    })
}
