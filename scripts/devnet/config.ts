/**
 * The devnet's rollup config and accounts. Windows and clocks are short so that a withdrawal
 * finalizes in a few minutes; bonds are realistic (1 ETH) so that staking and challenging cost
 * something, as on a real deployment.
 */
import { bytesToHex, genesisStateRoot, MAX_BATCH_BYTES_LIMIT, type RollupConfig } from '@sluice/core'
import { DEVNET_L2_CHAIN_ID, DEVNET_MNEMONIC } from '@sluice/sdk'
import { type Address, type Hex, parseEther, toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'

/** anvil's mnemonic account `index`, with its private key. */
export function devAccount(index: number): { address: Address; privateKey: Hex } {
  const account = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index })
  return { address: account.address, privateKey: toHex(account.getHdKey().privateKey as Uint8Array) }
}

/** Deploys the contracts (nonces 0–4 on a fresh anvil, so the addresses are always the same). */
export const DEPLOYER_INDEX = 0
/** The sequencer: posts batches. */
export const SEQUENCER_INDEX = 1
/**
 * The sequencer's proposer (claims, bonds, games), apart from the batcher's key: geth keeps an
 * account's pending transactions in one pool only (blob pool or the other), so a proposer sharing
 * the key of a batcher with a blob transaction pending would be refused on a real L1.
 */
export const PROPOSER_INDEX = 19
/** The accounts handed to users, funded on L1 by anvil and on L2 by real deposits. The deployer is
 *  one of them (it is idle after deploying); the sequencer is not (its L1 nonce is busy). */
export const USER_INDICES = [0, 2, 3, 4, 5, 6, 7, 8, 9] as const
/** Verifier `i` challenges with anvil account `CHALLENGER_BASE_INDEX + i` (anvil funds 20 accounts; 19 proposes). */
export const CHALLENGER_BASE_INDEX = 10
/** How many accounts anvil funds. */
export const ANVIL_ACCOUNTS = 20
/** What each user account deposits to itself on L2 at the first start. */
export const L2_FUNDING = parseEther('1000')

/** The fee vault: an address nobody holds a key for. */
const FEE_VAULT: Address = '0x00000000000000000000000000000000000fee01'

/** The devnet rollup config; `l2GenesisTimestamp` is the L1 time at deployment. */
export function devnetRollupConfig(l2GenesisTimestamp: bigint): RollupConfig {
  return {
    chainId: BigInt(DEVNET_L2_CHAIN_ID),
    sequencer: devAccount(SEQUENCER_INDEX).address.toLowerCase() as Hex,
    feeVault: FEE_VAULT,
    baseFeePerGas: 1_000_000_000n,
    l2BlockGasLimit: 30_000_000n,
    l2GenesisTimestamp,
    genesisStateRoot: bytesToHex(genesisStateRoot()),
    minDeposit: 1_000_000_000_000n,
    maxForcedTxBytes: 4_096n,
    maxBatchBytes: MAX_BATCH_BYTES_LIMIT,
    maxSequencerDrift: 600n,
    // Short windows: a forced transaction lands after a minute, a claim finalizes after 90 s.
    forceInclusionDelay: 60n,
    l1Confirmations: 2n,
    proposerBond: parseEther('1'),
    challengerBond: parseEther('1'),
    challengePeriod: 90n,
    gameClock: 40n,
    bondBurnBps: 1_000n,
  }
}
