/**
 * viem chain definitions for a Sluice L2. Like viem's OP Stack chains, a Sluice chain names its L1
 * (`sourceId`) and keeps the addresses of its L1 contracts under `contracts.<name>[l1ChainId]`, so
 * L1 actions find the Portal or the ClaimManager from the L2 chain alone (`targetChain`).
 */
import { type Address, type Chain, defineChain, getContractAddress } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'

/** The L1 contracts of one Sluice deployment. */
export type SluiceContractAddresses = {
  portal: Address
  sequencerInbox: Address
  claimManager: Address
  disputeGame: Address
  oneStepProver: Address
}

/** The names under `chain.contracts` that hold Sluice's L1 contracts. */
export type SluiceContractName = keyof SluiceContractAddresses

/** A chain contract keyed by the L1 chain id it lives on. */
type L1ChainContract = { [sourceId: number]: { address: Address; blockCreated?: number | undefined } }

/** A viem chain for a Sluice L2: `sourceId` is the L1 chain id, `contracts` hold the L1 addresses. */
export type SluiceChain = Chain & {
  sourceId: number
  contracts: { [name in SluiceContractName]: L1ChainContract }
}

/** Parameters of `defineSluiceChain`. */
export type DefineSluiceChainParameters = {
  /** The L2 chain id (the rollup config's `chainId`). */
  id: number
  /** HTTP JSON-RPC URL of a Sluice node (sequencer or verifier). */
  rpcUrl: string
  /** WebSocket URL of the node; by default the HTTP URL with `ws://`. */
  webSocketUrl?: string | undefined
  /** The L1 chain id. */
  l1ChainId: number
  /** The L1 contracts of the deployment. */
  contracts: SluiceContractAddresses
  /** The L1 block holding the first contract (where log searches start). */
  deployBlock?: bigint | number | undefined
  /** A display name; defaults to `Sluice <id>`. */
  name?: string | undefined
  /** L2 block time in milliseconds (used by viem as the default polling interval). */
  blockTime?: number | undefined
}

/**
 * A viem chain for a Sluice L2. The base fee is fixed by the rollup config and nothing is paid
 * above it by default (`baseFeeMultiplier: 1`, no priority fee), so a wallet needs only
 * `eth_getBlockByNumber` to price a transaction.
 *
 * @example
 * const sluice = defineSluiceChain({ id: 1337901, rpcUrl: 'http://127.0.0.1:9545', l1ChainId: 31337, contracts })
 * const l2 = createPublicClient({ chain: sluice, transport: http() })
 */
export function defineSluiceChain(parameters: DefineSluiceChainParameters): SluiceChain {
  const { id, rpcUrl, l1ChainId, contracts, deployBlock, blockTime } = parameters
  const webSocketUrl = parameters.webSocketUrl ?? rpcUrl.replace(/^http/, 'ws')
  const blockCreated = deployBlock === undefined ? undefined : Number(deployBlock)
  const onL1 = (address: Address): L1ChainContract => ({
    [l1ChainId]: blockCreated === undefined ? { address } : { address, blockCreated },
  })
  const chain = defineChain({
    id,
    name: parameters.name ?? `Sluice ${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl], webSocket: [webSocketUrl] } },
    sourceId: l1ChainId,
    testnet: true,
    ...(blockTime === undefined ? {} : { blockTime }),
    contracts: {
      portal: onL1(contracts.portal),
      sequencerInbox: onL1(contracts.sequencerInbox),
      claimManager: onL1(contracts.claimManager),
      disputeGame: onL1(contracts.disputeGame),
      oneStepProver: onL1(contracts.oneStepProver),
    },
    fees: { baseFeeMultiplier: 1, defaultPriorityFee: 0n },
  })
  return chain as SluiceChain
}

/** The devnet's L2 chain id. */
export const DEVNET_L2_CHAIN_ID = 1_337_901
/** anvil's chain id. */
export const DEVNET_L1_CHAIN_ID = 31_337
/** anvil's development mnemonic; the devnet's accounts are its first ten. */
export const DEVNET_MNEMONIC = 'test test test test test test test test test test test junk'

/** The devnet deploys from anvil's account 0, first thing on a fresh chain: nonces 0 to 4. */
const devnetDeployer = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: 0 }).address
const devnetAddress = (nonce: bigint) => getContractAddress({ from: devnetDeployer, nonce })

/**
 * The addresses `npm run devnet` deploys to on a fresh anvil, in `deploySluice`'s order (Portal,
 * SequencerInbox, OneStepProver, ClaimManager, DisputeGame). The devnet checks that they match.
 */
export const devnetContracts: SluiceContractAddresses = {
  portal: devnetAddress(0n),
  sequencerInbox: devnetAddress(1n),
  oneStepProver: devnetAddress(2n),
  claimManager: devnetAddress(3n),
  disputeGame: devnetAddress(4n),
}

/** The L2 of `npm run devnet` with its default ports (sequencer RPC on 9545). */
export const sluiceDevnet: SluiceChain = defineSluiceChain({
  id: DEVNET_L2_CHAIN_ID,
  name: 'Sluice Devnet',
  rpcUrl: 'http://127.0.0.1:9545',
  l1ChainId: DEVNET_L1_CHAIN_ID,
  contracts: devnetContracts,
  deployBlock: 0n,
})

/** A viem chain for an L1 reached at `rpcUrl` (anvil for the devnet). */
export function defineL1Chain({ id, rpcUrl, name }: { id: number; rpcUrl: string; name?: string }): Chain {
  return defineChain({
    id,
    name: name ?? `L1 ${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

/** The devnet's L1 (anvil on 8545). */
export const devnetL1: Chain = defineL1Chain({
  id: DEVNET_L1_CHAIN_ID,
  rpcUrl: 'http://127.0.0.1:8545',
  name: 'Devnet L1',
})
