import { bytesToHex } from '../../packages/core/src/bytes/index.ts'
import type { RollupConfig } from '../../packages/core/src/config/rollupConfig.ts'
import { genesisStateRoot } from '../../packages/core/src/state/genesis.ts'

/** A rollup config for tests, with the real genesis root. Override what a test is about. */
export function testConfig(overrides: Partial<RollupConfig> = {}): RollupConfig {
  return {
    chainId: 1_337_901n,
    sequencer: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
    feeVault: '0x00000000000000000000000000000000000fee01',
    baseFeePerGas: 1_000_000_000n,
    l2BlockGasLimit: 30_000_000n,
    l2GenesisTimestamp: 1_700_000_000n,
    genesisStateRoot: bytesToHex(genesisStateRoot()),
    minDeposit: 1_000_000_000_000n,
    maxForcedTxBytes: 4_096n,
    maxBatchBytes: 90_000n,
    maxSequencerDrift: 600n,
    forceInclusionDelay: 86_400n,
    l1Confirmations: 2n,
    proposerBond: 1_000_000_000_000_000_000n,
    challengerBond: 1_000_000_000_000_000_000n,
    challengePeriod: 604_800n,
    gameClock: 302_400n,
    bondBurnBps: 1_000n,
    ...overrides,
  }
}
