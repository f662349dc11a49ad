import type { Account, Address, Chain, Client, Hash, Transport, WriteContractErrorType } from 'viem'
import { estimateContractGas, writeContract } from 'viem/actions'
import { portalAbi } from '../contracts.ts'
import { AccountRequiredError, type ContractAddressNotFoundError } from '../errors.ts'
import { resolveContractAddress, type TargetChainParameter } from '../utils/contractAddress.ts'

export type DepositETHParameters = TargetChainParameter & {
  /** Wei to deposit (at least the rollup config's `minDeposit`). */
  value: bigint
  /** The L2 account credited; the sender when absent. */
  to?: Address | undefined
  /** The Portal; from `targetChain` when absent. */
  portalAddress?: Address | undefined
  /** The L1 account; the client's when absent. */
  account?: Account | Address | undefined
  /** The L1 chain; the client's when absent. */
  chain?: Chain | undefined
  /** L1 gas limit; by default the estimate plus `DEPOSIT_GAS_MARGIN`. */
  gas?: bigint | undefined
}

/**
 * Gas added to a deposit's estimate. The Portal stores each deposit's timestamp packed four to a
 * slot, so a deposit that lands after others in the same block may open a fresh slot the estimate
 * did not see: one zero-to-non-zero `SSTORE` (22,100 gas) more.
 */
export const DEPOSIT_GAS_MARGIN = 25_000n
export type DepositETHReturnType = Hash
export type DepositETHErrorType = WriteContractErrorType | ContractAddressNotFoundError

/**
 * Deposits ETH to L2 through `Portal.depositETH` on L1. Returns the L1 transaction hash; the L2
 * credits the deposit once the sequencer takes it (see `waitForDeposit`).
 *
 * @example
 * const hash = await l1Wallet.depositETH({ value: parseEther('1'), targetChain: sluiceDevnet })
 */
export async function depositETH(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  parameters: DepositETHParameters,
): Promise<DepositETHReturnType> {
  const account = parameters.account ?? client.account
  const chain = parameters.chain ?? client.chain
  const portal = resolveContractAddress('portal', parameters.portalAddress, parameters.targetChain, chain)
  const sender = typeof account === 'string' ? account : account?.address
  const to = parameters.to ?? sender
  if (to === undefined) throw new AccountRequiredError({ action: 'depositETH' })
  const call = {
    abi: portalAbi,
    address: portal,
    functionName: 'depositETH',
    args: [to],
    value: parameters.value,
    account,
  }
  const gas =
    parameters.gas ??
    (await estimateContractGas(client, call as unknown as Parameters<typeof estimateContractGas>[1])) +
      DEPOSIT_GAS_MARGIN
  return writeContract(client, { ...call, chain, gas } as unknown as Parameters<typeof writeContract>[1])
}
