import type { Account, Chain, Client, Transport } from 'viem'
import { type DepositETHParameters, type DepositETHReturnType, depositETH } from '../actions/depositETH.ts'
import {
  type FinalizeWithdrawalParameters,
  type FinalizeWithdrawalReturnType,
  finalizeWithdrawal,
} from '../actions/finalizeWithdrawal.ts'

export type WalletActionsL1 = {
  depositETH: (parameters: DepositETHParameters) => Promise<DepositETHReturnType>
  finalizeWithdrawal: (parameters: FinalizeWithdrawalParameters) => Promise<FinalizeWithdrawalReturnType>
}

/**
 * Sluice's write actions for an L1 wallet client: deposit, finalize a withdrawal.
 *
 * @example
 * const l1Wallet = createWalletClient({ account, chain: devnetL1, transport: http() }).extend(walletActionsL1())
 * const hash = await l1Wallet.depositETH({ value: parseEther('1'), targetChain: sluiceDevnet })
 */
export function walletActionsL1() {
  return <transport extends Transport, chain extends Chain | undefined, account extends Account | undefined>(
    client: Client<transport, chain, account>,
  ): WalletActionsL1 => ({
    depositETH: (parameters) => depositETH(client, parameters),
    finalizeWithdrawal: (parameters) => finalizeWithdrawal(client, parameters),
  })
}
