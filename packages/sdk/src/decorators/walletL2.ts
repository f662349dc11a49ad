import type { Account, Chain, Client, Transport } from 'viem'
import { type WithdrawETHParameters, type WithdrawETHReturnType, withdrawETH } from '../actions/withdrawETH.ts'

export type WalletActionsL2 = {
  withdrawETH: (parameters: WithdrawETHParameters) => Promise<WithdrawETHReturnType>
}

/**
 * Sluice's write actions for an L2 wallet client: start a withdrawal. (Transfers are ordinary
 * `sendTransaction` calls.)
 *
 * @example
 * const l2Wallet = createWalletClient({ account, chain: sluiceDevnet, transport: http() }).extend(walletActionsL2())
 * const hash = await l2Wallet.withdrawETH({ value: parseEther('0.1') })
 */
export function walletActionsL2() {
  return <transport extends Transport, chain extends Chain | undefined, account extends Account | undefined>(
    client: Client<transport, chain, account>,
  ): WalletActionsL2 => ({
    withdrawETH: (parameters) => withdrawETH(client, parameters),
  })
}
