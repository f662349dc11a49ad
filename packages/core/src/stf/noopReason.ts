/**
 * Why a message did not apply (protocol.md §7.3). The first failing rule names it. Reasons are
 * reported by nodes (`sluice_…` RPC, logs) and named by the vectors; they are not part of any hash.
 */
export const NOOP_REASONS = [
  'slotDecode',
  'forcedDecode',
  'depositMalformed',
  'unsupportedType',
  'preEip155',
  'wrongChainId',
  'invalidYParity',
  'rOutOfRange',
  'sOutOfRange',
  'highS',
  'recoveryFailed',
  'contractCreation',
  'invalidData',
  'accessListNotEmpty',
  'nonceMax',
  'priorityFeeAboveMaxFee',
  'maxFeeBelowBaseFee',
  'intrinsicGasTooLow',
  'nonceMismatch',
  'insufficientBalance',
] as const

export type NoopReason = (typeof NOOP_REASONS)[number]

/** Reasons decided without reading state: a one-step proof of them carries no account proof (§7.4). */
export const STATELESS_NOOP_REASONS: ReadonlySet<NoopReason> = new Set(
  NOOP_REASONS.filter((reason) => reason !== 'nonceMismatch' && reason !== 'insufficientBalance'),
)
