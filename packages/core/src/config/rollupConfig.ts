import { bigintToBytes32, bytesToHex, concatBytes, type Hex, hexToBytes, padLeft } from '../bytes/index.ts'
import { keccak256 } from '../crypto/index.ts'
import { SluiceError } from '../errors/index.ts'
import {
  BPS,
  GENESIS_STATE_ROOT,
  MAX_BATCH_BYTES_LIMIT,
  MAX_BOND,
  MAX_DURATION,
  MAX_FORCED_TX_BYTES_LIMIT,
  MESSAGE_PASSER_ADDRESS,
  MIN_BOND_BURN_BPS,
  MIN_FORCED_TX_BYTES,
} from './constants.ts'

/**
 * Every value that nodes and L1 must agree on (protocol.md §2). The L1 deployment stores
 * `configHash(config)`; a node refuses to run with a config whose hash differs.
 * Durations are seconds of L1 time.
 */
export type RollupConfig = {
  /** L2 chain id (EIP-155). */
  chainId: bigint
  /** The only address that may append batches. */
  sequencer: Hex
  /** Receives every L2 fee. */
  feeVault: Hex
  /** Fixed L2 base fee, wei per gas. */
  baseFeePerGas: bigint
  /** Gas the sequencer fills a block to; reported in block headers. */
  l2BlockGasLimit: bigint
  /** Timestamp of L2 block 0. */
  l2GenesisTimestamp: bigint
  /** root_0: the state root of the genesis state. */
  genesisStateRoot: Hex
  /** Smallest deposit, wei. */
  minDeposit: bigint
  /** Largest forced transaction, bytes. */
  maxForcedTxBytes: bigint
  /** Largest batch, bytes (derived from the one-step-proof bound, protocol.md §8.4). */
  maxBatchBytes: bigint
  /** Seconds an L2 timestamp may run ahead of its batch's L1 block. */
  maxSequencerDrift: bigint
  /** Seconds after which anyone may force delayed messages in. */
  forceInclusionDelay: bigint
  /** L1 blocks of depth before a batch counts as safe. */
  l1Confirmations: bigint
  /** Wei locked per claim by a proposer or staker. */
  proposerBond: bigint
  /** Wei locked per game by a challenger. */
  challengerBond: bigint
  /** Seconds a claim stays open to challenge. */
  challengePeriod: bigint
  /** Seconds on each side's chess clock. */
  gameClock: bigint
  /** Share of a lost bond that is burned, basis points. */
  bondBurnBps: bigint
}

type FieldKind = 'uint' | 'address' | 'bytes32'
type FieldSpec = { name: keyof RollupConfig; kind: FieldKind; bits?: number }

/** The fields in hash order, with their ABI types. The order is part of the protocol. */
export const ROLLUP_CONFIG_FIELDS: readonly FieldSpec[] = [
  { name: 'chainId', kind: 'uint', bits: 64 },
  { name: 'sequencer', kind: 'address' },
  { name: 'feeVault', kind: 'address' },
  { name: 'baseFeePerGas', kind: 'uint', bits: 256 },
  { name: 'l2BlockGasLimit', kind: 'uint', bits: 64 },
  { name: 'l2GenesisTimestamp', kind: 'uint', bits: 64 },
  { name: 'genesisStateRoot', kind: 'bytes32' },
  { name: 'minDeposit', kind: 'uint', bits: 256 },
  { name: 'maxForcedTxBytes', kind: 'uint', bits: 32 },
  { name: 'maxBatchBytes', kind: 'uint', bits: 32 },
  { name: 'maxSequencerDrift', kind: 'uint', bits: 64 },
  { name: 'forceInclusionDelay', kind: 'uint', bits: 64 },
  { name: 'l1Confirmations', kind: 'uint', bits: 64 },
  { name: 'proposerBond', kind: 'uint', bits: 256 },
  { name: 'challengerBond', kind: 'uint', bits: 256 },
  { name: 'challengePeriod', kind: 'uint', bits: 64 },
  { name: 'gameClock', kind: 'uint', bits: 64 },
  { name: 'bondBurnBps', kind: 'uint', bits: 16 },
]

export class InvalidRollupConfigError extends SluiceError {
  override name = 'InvalidRollupConfigError'
  constructor(problems: readonly string[]) {
    super('The rollup config is invalid; fix the fields named below.', {
      details: problems.join('; '),
      severity: 'invalidInput',
      code: 'INVALID_ROLLUP_CONFIG',
    })
  }
}

/** The ABI encoding of the config, `abi.encode(field1, …, field18)`. */
export function encodeRollupConfig(config: RollupConfig): Uint8Array {
  return concatBytes(
    ...ROLLUP_CONFIG_FIELDS.map((field) => {
      const value = config[field.name]
      if (field.kind === 'uint') return bigintToBytes32(value as bigint)
      return padLeft(hexToBytes(value as string), 32)
    }),
  )
}

/** keccak256 of the ABI-encoded config; the value every L1 contract stores. */
export function configHash(config: RollupConfig): Hex {
  return bytesToHex(keccak256(encodeRollupConfig(config)))
}

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/
const HEX_BYTES32 = /^0x[0-9a-fA-F]{64}$/

/**
 * Checks a config parsed from JSON (numbers may be decimal strings, numbers or bigints) and returns
 * a typed config, or throws `InvalidRollupConfigError` naming every bad field.
 */
export function parseRollupConfig(input: unknown): RollupConfig {
  const problems: string[] = []
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRollupConfigError(['expected a JSON object with the rollup config fields'])
  }
  const record = input as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const field of ROLLUP_CONFIG_FIELDS) {
    const raw = record[field.name]
    if (raw === undefined) {
      problems.push(`${field.name} is missing`)
      continue
    }
    if (field.kind === 'address' || field.kind === 'bytes32') {
      const pattern = field.kind === 'address' ? HEX_ADDRESS : HEX_BYTES32
      if (typeof raw !== 'string' || !pattern.test(raw)) {
        problems.push(`${field.name} must be a 0x-prefixed ${field.kind === 'address' ? '20' : '32'}-byte hex string`)
        continue
      }
      out[field.name] = raw.toLowerCase()
      continue
    }
    let value: bigint | undefined
    if (typeof raw === 'bigint') value = raw
    else if (typeof raw === 'number' && Number.isSafeInteger(raw)) value = BigInt(raw)
    else if (typeof raw === 'string' && /^(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(raw)) value = BigInt(raw)
    if (value === undefined || value < 0n || value >= 2n ** BigInt(field.bits ?? 256)) {
      problems.push(
        `${field.name} must be an integer in [0, 2^${field.bits ?? 256}) (got ${JSON.stringify(String(raw))})`,
      )
      continue
    }
    out[field.name] = value
  }
  for (const key of Object.keys(record)) {
    if (!ROLLUP_CONFIG_FIELDS.some((field) => field.name === key)) problems.push(`unknown field ${key}`)
  }
  if (problems.length === 0) problems.push(...rollupConfigProblems(out as RollupConfig))
  if (problems.length > 0) throw new InvalidRollupConfigError(problems)
  return out as RollupConfig
}

/**
 * The rules of protocol.md §2 beyond the field types, one message per broken rule in field order (empty
 * when the config is valid). Every L1 constructor applies the same rules (`RollupConfig.validate`) and
 * reverts with `InvalidRollupConfig(field)` naming the lowest-numbered broken field, which is
 * `firstInvalidRollupConfigField`; so no deployment holds a config a node refuses.
 */
export function rollupConfigProblems(config: RollupConfig): string[] {
  return rollupConfigRuleBreaks(config).map(([, problem]) => problem)
}

/** The number (protocol.md §2) of the lowest-numbered field that breaks a rule, or undefined: what L1 reverts with. */
export function firstInvalidRollupConfigField(config: RollupConfig): number | undefined {
  return rollupConfigRuleBreaks(config)[0]?.[0]
}

function rollupConfigRuleBreaks(config: RollupConfig): [number, string][] {
  const breaks: [number, string][] = []
  const durationRule = (field: number, name: keyof RollupConfig, allowZero: boolean): void => {
    const value = config[name] as bigint
    if ((!allowZero && value === 0n) || value > MAX_DURATION) {
      breaks.push([field, `${name} must be in [${allowZero ? 0 : 1}, ${MAX_DURATION}] seconds (90 days)`])
    }
  }
  const bondRule = (field: number, name: 'proposerBond' | 'challengerBond'): void => {
    if (config[name] === 0n || config[name] > MAX_BOND) breaks.push([field, `${name} must be in [1, 2^128] wei`])
  }
  if (config.chainId === 0n) breaks.push([1, 'chainId must not be 0'])
  if (config.feeVault.toLowerCase() === MESSAGE_PASSER_ADDRESS)
    breaks.push([3, 'feeVault must not be the message passer'])
  if (config.genesisStateRoot.toLowerCase() !== GENESIS_STATE_ROOT) {
    breaks.push([7, `genesisStateRoot must be root_0 = ${GENESIS_STATE_ROOT} (protocol.md §3.3)`])
  }
  if (config.maxForcedTxBytes < MIN_FORCED_TX_BYTES || config.maxForcedTxBytes > MAX_FORCED_TX_BYTES_LIMIT) {
    breaks.push([
      9,
      `maxForcedTxBytes must be in [${MIN_FORCED_TX_BYTES}, ${MAX_FORCED_TX_BYTES_LIMIT}] (forced inclusion stays on; the one-step-proof bound, protocol.md §8.4)`,
    ])
  }
  if (config.maxBatchBytes < 13n) breaks.push([10, 'maxBatchBytes must be at least the 13-byte header'])
  if (config.maxBatchBytes > MAX_BATCH_BYTES_LIMIT) {
    breaks.push([
      10,
      `maxBatchBytes must be at most ${MAX_BATCH_BYTES_LIMIT} (the one-step-proof bound, protocol.md §8.4)`,
    ])
  }
  durationRule(11, 'maxSequencerDrift', true)
  durationRule(12, 'forceInclusionDelay', true)
  bondRule(14, 'proposerBond')
  bondRule(15, 'challengerBond')
  durationRule(16, 'challengePeriod', false)
  durationRule(17, 'gameClock', false)
  if (config.bondBurnBps < MIN_BOND_BURN_BPS || config.bondBurnBps > BPS) {
    breaks.push([18, `bondBurnBps must be in [${MIN_BOND_BURN_BPS}, ${BPS}]`])
  }
  return breaks
}

/** Wei `ClaimManager.propose` takes (protocol.md §8.1): the proposer's stake and the claim's deposit. */
export function proposalValue(config: Pick<RollupConfig, 'proposerBond'>): bigint {
  return 2n * config.proposerBond
}

/** The config as JSON-safe values (bigints as decimal strings). */
export function rollupConfigToJson(config: RollupConfig): Record<string, string> {
  const out: Record<string, string> = {}
  for (const field of ROLLUP_CONFIG_FIELDS) out[field.name] = String(config[field.name])
  return out
}
