/**
 * The rules of protocol.md §2 on the TypeScript side (`parseRollupConfig`, `rollupConfigProblems`).
 * The Solidity side (`RollupConfig.validate`, every constructor) is tested by
 * test/L1/ConfigValidation.t.sol with the same cases, field by field.
 */
import {
  InvalidRollupConfigError,
  MAX_BATCH_BYTES_LIMIT,
  parseRollupConfig,
  type RollupConfig,
  rollupConfigProblems,
  rollupConfigToJson,
} from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../test/support/config.ts'

const invalid: [string, Partial<RollupConfig>, RegExp][] = [
  ['chainId 0', { chainId: 0n }, /chainId/],
  ['the fee vault is the message passer', { feeVault: '0x5100000000000000000000000000000000000000' }, /feeVault/],
  ['maxBatchBytes below the header', { maxBatchBytes: 12n }, /maxBatchBytes/],
  ['maxBatchBytes above the one-step-proof bound', { maxBatchBytes: MAX_BATCH_BYTES_LIMIT + 1n }, /maxBatchBytes/],
  ['a zero proposer bond', { proposerBond: 0n }, /proposerBond/],
  ['a zero challenger bond', { challengerBond: 0n }, /challengerBond/],
  ['a zero challenge period', { challengePeriod: 0n }, /challengePeriod/],
  ['a zero game clock', { gameClock: 0n }, /gameClock/],
  ['a burn share above the whole bond', { bondBurnBps: 10_001n }, /bondBurnBps/],
]

describe('rollup config rules (protocol.md §2)', () => {
  it('accepts the test config and the edges of every range', () => {
    expect(rollupConfigProblems(testConfig())).toEqual([])
    const edges = testConfig({ maxBatchBytes: MAX_BATCH_BYTES_LIMIT, bondBurnBps: 10_000n })
    expect(parseRollupConfig(rollupConfigToJson(edges))).toEqual(edges)
    expect(rollupConfigProblems(testConfig({ maxBatchBytes: 13n }))).toEqual([])
  })

  it.each(invalid)('refuses %s', (_name, override, field) => {
    const config = testConfig(override)
    const problems = rollupConfigProblems(config)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(field)
    expect(() => parseRollupConfig(rollupConfigToJson(config))).toThrow(InvalidRollupConfigError)
  })
})
