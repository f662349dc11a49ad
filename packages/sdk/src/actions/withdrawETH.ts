import { MESSAGE_PASSER_ADDRESS, TX_BASE_GAS, TX_DATA_NONZERO_GAS, TX_DATA_ZERO_GAS } from '@sluice/core'
import {
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hash,
  type Hex,
  hexToBytes,
  pad,
  type SendTransactionErrorType,
  type Transport,
} from 'viem'
import { sendTransaction } from 'viem/actions'

export type WithdrawETHParameters = {
  /** Wei to withdraw (burned on L2, paid on L1 after finalization). */
  value: bigint
  /** Who is paid on L1; the sender when absent. */
  to?: Address | undefined
  /** The L2 account; the client's when absent. */
  account?: Account | Address | undefined
  /** The L2 chain; the client's when absent. */
  chain?: Chain | undefined
  /** The L2 nonce; from the node when absent. */
  nonce?: number | undefined
}
export type WithdrawETHReturnType = Hash
export type WithdrawETHErrorType = SendTransactionErrorType

/**
 * The data of a withdrawal transaction: one 32-byte word holding the L1 recipient, or nothing (then
 * the sender is paid).
 */
export function withdrawalData(to: Address | undefined): Hex {
  return to === undefined ? '0x' : pad(to, { size: 32 })
}

/** The gas a withdrawal uses: 21000 plus EIP-2028 calldata gas (protocol.md §7.3), nothing more. */
export function withdrawalGas(data: Hex): bigint {
  let gas = TX_BASE_GAS
  for (const byte of hexToBytes(data)) gas += byte === 0 ? TX_DATA_ZERO_GAS : TX_DATA_NONZERO_GAS
  return gas
}

/**
 * Starts a withdrawal on L2: a transaction of `value` to the message passer
 * (`0x5100…0000`) whose data names the L1 recipient. Returns the L2 transaction hash; follow it with
 * `getWithdrawalStatus` and `finalizeWithdrawal` on L1.
 *
 * @example
 * const hash = await l2Wallet.withdrawETH({ value: parseEther('0.5') })
 */
export async function withdrawETH(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  { value, to, account, chain, nonce }: WithdrawETHParameters,
): Promise<WithdrawETHReturnType> {
  const data = withdrawalData(to)
  return sendTransaction(client, {
    account: account ?? client.account,
    chain: chain ?? client.chain,
    to: MESSAGE_PASSER_ADDRESS,
    value,
    data,
    gas: withdrawalGas(data),
    ...(nonce === undefined ? {} : { nonce }),
  } as Parameters<typeof sendTransaction>[1])
}
