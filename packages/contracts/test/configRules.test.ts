/**
 * The rules of protocol.md §2 on the TypeScript side (`parseRollupConfig`, `rollupConfigProblems`,
 * `firstInvalidRollupConfigField`). The Solidity side (`RollupConfig.validate`, every constructor) is tested
 * by test/L1/ConfigValidation.t.sol with the same bounds, each at the bound and one past it, and the same
 * several-broken cases.
 */
import {
  bytesToHex,
  firstInvalidRollupConfigField,
  GENESIS_STATE_ROOT,
  genesisStateRoot,
  InvalidRollupConfigError,
  MAX_BATCH_BYTES_LIMIT,
  MAX_BOND,
  MAX_DURATION,
  MAX_FORCED_TX_BYTES_LIMIT,
  MIN_BOND_BURN_BPS,
  MIN_FORCED_TX_BYTES,
  parseRollupConfig,
  type RollupConfig,
  rollupConfigProblems,
  rollupConfigToJson,
} from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../test/support/config.ts'

const MAX_U64 = 2n ** 64n - 1n

/** [name, override, the field number L1 reverts with, what the message names]. */
const invalid: [string, Partial<RollupConfig>, number, RegExp][] = [
  ['chainId 0', { chainId: 0n }, 1, /chainId/],
  ['the fee vault is the message passer', { feeVault: '0x5100000000000000000000000000000000000000' }, 3, /feeVault/],
  ['a genesis root other than root_0', { genesisStateRoot: `0x${'00'.repeat(32)}` }, 7, /genesisStateRoot/],
  ['maxForcedTxBytes 0 (forced inclusion off)', { maxForcedTxBytes: 0n }, 9, /maxForcedTxBytes/],
  ['maxForcedTxBytes one below its minimum', { maxForcedTxBytes: MIN_FORCED_TX_BYTES - 1n }, 9, /maxForcedTxBytes/],
  ['maxForcedTxBytes one above its limit', { maxForcedTxBytes: MAX_FORCED_TX_BYTES_LIMIT + 1n }, 9, /maxForcedTxBytes/],
  ['maxBatchBytes below the header', { maxBatchBytes: 12n }, 10, /maxBatchBytes/],
  ['maxBatchBytes above the one-step-proof bound', { maxBatchBytes: MAX_BATCH_BYTES_LIMIT + 1n }, 10, /maxBatchBytes/],
  ['maxSequencerDrift one above 90 days', { maxSequencerDrift: MAX_DURATION + 1n }, 11, /maxSequencerDrift/],
  ['forceInclusionDelay one above 90 days', { forceInclusionDelay: MAX_DURATION + 1n }, 12, /forceInclusionDelay/],
  ['forceInclusionDelay 2^64 − 1', { forceInclusionDelay: MAX_U64 }, 12, /forceInclusionDelay/],
  ['a zero proposer bond', { proposerBond: 0n }, 14, /proposerBond/],
  ['a proposer bond one above 2^128', { proposerBond: MAX_BOND + 1n }, 14, /proposerBond/],
  ['a zero challenger bond', { challengerBond: 0n }, 15, /challengerBond/],
  ['a challenger bond one above 2^128', { challengerBond: MAX_BOND + 1n }, 15, /challengerBond/],
  ['a zero challenge period', { challengePeriod: 0n }, 16, /challengePeriod/],
  ['a challenge period one above 90 days', { challengePeriod: MAX_DURATION + 1n }, 16, /challengePeriod/],
  ['a challenge period of 2^64 − 1 (wrapped the deadline)', { challengePeriod: MAX_U64 }, 16, /challengePeriod/],
  ['a zero game clock', { gameClock: 0n }, 17, /gameClock/],
  ['a game clock one above 90 days', { gameClock: MAX_DURATION + 1n }, 17, /gameClock/],
  ['no burn', { bondBurnBps: 0n }, 18, /bondBurnBps/],
  ['a burn one below its minimum', { bondBurnBps: MIN_BOND_BURN_BPS - 1n }, 18, /bondBurnBps/],
  ['a burn share above the whole bond', { bondBurnBps: 10_001n }, 18, /bondBurnBps/],
]

/** Configs at every bound, all valid. */
const edges: [string, Partial<RollupConfig>][] = [
  ['chainId 1', { chainId: 1n }],
  ['maxForcedTxBytes at its minimum', { maxForcedTxBytes: MIN_FORCED_TX_BYTES }],
  ['maxForcedTxBytes at its limit', { maxForcedTxBytes: MAX_FORCED_TX_BYTES_LIMIT }],
  ['maxBatchBytes 13', { maxBatchBytes: 13n }],
  ['maxBatchBytes at its limit', { maxBatchBytes: MAX_BATCH_BYTES_LIMIT }],
  [
    'durations at 90 days',
    {
      maxSequencerDrift: MAX_DURATION,
      forceInclusionDelay: MAX_DURATION,
      challengePeriod: MAX_DURATION,
      gameClock: MAX_DURATION,
    },
  ],
  [
    'durations at their minimum',
    { maxSequencerDrift: 0n, forceInclusionDelay: 0n, challengePeriod: 1n, gameClock: 1n },
  ],
  ['bonds at 1 wei', { proposerBond: 1n, challengerBond: 1n }],
  ['bonds at 2^128', { proposerBond: MAX_BOND, challengerBond: MAX_BOND }],
  ['the minimum burn', { bondBurnBps: MIN_BOND_BURN_BPS }],
  ['the whole bond burned', { bondBurnBps: 10_000n }],
]

describe('rollup config rules (protocol.md §2)', () => {
  it('GENESIS_STATE_ROOT is root_0 of the genesis state (§3.3)', () => {
    expect(GENESIS_STATE_ROOT).toBe(bytesToHex(genesisStateRoot()))
    expect(MAX_DURATION).toBe(90n * 24n * 3600n)
  })

  it.each(edges)('accepts %s', (_name, override) => {
    const config = testConfig(override)
    expect(rollupConfigProblems(config)).toEqual([])
    expect(firstInvalidRollupConfigField(config)).toBeUndefined()
    expect(parseRollupConfig(rollupConfigToJson(config))).toEqual(config)
  })

  it.each(invalid)('refuses %s', (_name, override, field, message) => {
    const config = testConfig(override)
    const problems = rollupConfigProblems(config)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(message)
    expect(firstInvalidRollupConfigField(config)).toBe(field)
    expect(() => parseRollupConfig(rollupConfigToJson(config))).toThrow(InvalidRollupConfigError)
  })

  it('names the lowest-numbered broken field first, as L1 reverts with it', () => {
    const config = testConfig({ bondBurnBps: 0n, gameClock: 0n })
    expect(firstInvalidRollupConfigField(config)).toBe(17)
    expect(firstInvalidRollupConfigField({ ...config, maxForcedTxBytes: 0n })).toBe(9)
    expect(
      firstInvalidRollupConfigField({ ...config, maxForcedTxBytes: 0n, genesisStateRoot: `0x${'00'.repeat(32)}` }),
    ).toBe(7)
    const all = {
      ...config,
      maxForcedTxBytes: 0n,
      genesisStateRoot: `0x${'00'.repeat(32)}`,
      chainId: 0n,
    } as RollupConfig
    expect(firstInvalidRollupConfigField(all)).toBe(1)
    const problems = rollupConfigProblems(all)
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'chainId',
      'genesisStateRoot',
      'maxForcedTxBytes',
      'gameClock',
      'bondBurnBps',
    ])
  })
})
