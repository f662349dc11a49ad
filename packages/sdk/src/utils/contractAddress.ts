import type { Address, Chain } from 'viem'
import type { SluiceChain, SluiceContractName } from '../chain.ts'
import { ContractAddressNotFoundError } from '../errors.ts'

/** Parameters that locate the L1 contracts: the L2 chain (`targetChain`) or explicit addresses. */
export type TargetChainParameter = {
  /** The Sluice L2 (from `defineSluiceChain`); its `contracts` give the L1 addresses. */
  targetChain?: SluiceChain | undefined
}

/**
 * The address of `contract`: `explicit` when given, else the target chain's entry for the L1 the
 * client is on (or its only entry when the client has no chain).
 */
export function resolveContractAddress(
  contract: SluiceContractName,
  explicit: Address | undefined,
  targetChain: SluiceChain | undefined,
  l1Chain: Chain | undefined,
): Address {
  if (explicit !== undefined) return explicit
  const entries = targetChain?.contracts[contract]
  if (entries !== undefined) {
    const entry = l1Chain === undefined ? Object.values(entries)[0] : entries[l1Chain.id]
    if (entry !== undefined) return entry.address
  }
  throw new ContractAddressNotFoundError({ contract, chainId: l1Chain?.id })
}

/** The L1 block to start log searches at: the target chain's `blockCreated` for the Portal, or 0. */
export function resolveFromBlock(
  explicit: bigint | undefined,
  targetChain: SluiceChain | undefined,
  l1Chain: Chain | undefined,
): bigint {
  if (explicit !== undefined) return explicit
  const entries = targetChain?.contracts.portal
  const entry =
    entries === undefined ? undefined : l1Chain === undefined ? Object.values(entries)[0] : entries[l1Chain.id]
  return BigInt(entry?.blockCreated ?? 0)
}
