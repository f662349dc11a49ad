import {
  type CommonNodeOptions,
  commonNodeOptionSpecs,
  commonNodeOptions,
  NodeConfigError,
  type OptionSpec,
  parseFaults,
  parseOptions,
} from '@sluice/node'

export const VERIFIER_FAULTS = ['challenge-honest'] as const
export type VerifierFault = (typeof VERIFIER_FAULTS)[number]

/** Every option of `sluice-verifier` (flag, environment, config file). */
export const VERIFIER_OPTIONS: readonly OptionSpec[] = [
  ...commonNodeOptionSpecs({
    rpcPort: 9546,
    p2pPort: 9646,
    l1PollInterval: 1000,
    faults: ['challenge-honest (with --challenger-key: challenge correct claims)'],
  }),
  {
    name: 'sequencerRpc',
    flag: 'sequencer-rpc',
    env: 'SLUICE_SEQUENCER_RPC',
    kind: 'url',
    help: 'sequencer RPC that eth_sendRawTransaction is forwarded to (optional)',
  },
  {
    name: 'challengerKey',
    flag: 'challenger-key',
    env: 'SLUICE_CHALLENGER_KEY',
    kind: 'privateKey',
    secret: true,
    help: 'key that challenges wrong claims and pays the challenger bonds (optional)',
  },
  {
    name: 'stakeClaims',
    flag: 'stake-claims',
    env: 'SLUICE_STAKE_CLAIMS',
    kind: 'boolean',
    default: false,
    help: 'with --challenger-key: also stake a bond on every claim this node finds correct, and defend it',
  },
]

export type VerifierOptions = CommonNodeOptions & {
  sequencerRpc: string | undefined
  challengerKey: `0x${string}` | undefined
  stakeClaims: boolean
  faults: VerifierFault[]
}

export function parseVerifierOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): VerifierOptions {
  const o = parseOptions(VERIFIER_OPTIONS, argv, env)
  const faults = parseFaults(o, VERIFIER_FAULTS)
  if (o.stakeClaims === true && o.challengerKey === undefined) {
    throw new NodeConfigError('--stake-claims', 'staking needs a key that pays the bonds', 'Add --challenger-key.')
  }
  if (faults.includes('challenge-honest') && o.challengerKey === undefined) {
    throw new NodeConfigError('--fault', 'challenge-honest needs a challenger', 'Add --challenger-key.')
  }
  return {
    ...commonNodeOptions(o),
    sequencerRpc: o.sequencerRpc as string | undefined,
    challengerKey: o.challengerKey as `0x${string}` | undefined,
    stakeClaims: o.stakeClaims === true,
    faults,
  }
}
