import { equalBytes } from '../bytes/index.ts'
import { MAX_NONCE, MESSAGE_PASSER, TX_BASE_GAS, TX_DATA_NONZERO_GAS, TX_DATA_ZERO_GAS } from '../config/constants.ts'
import type { RollupConfig } from '../config/rollupConfig.ts'
import { checkSignature, signatureRuleProblem } from '../tx/index.ts'
import type { SignatureProblem, SignedTransaction } from '../tx/types.ts'
import type { NoopReason } from './noopReason.ts'

/** Protocol intrinsic gas: 21000 + EIP-2028 calldata (no EIP-7623 floor; §7.3). */
export function protocolIntrinsicGas(data: Uint8Array): bigint {
  // a transfer: no calldata, no BigInt arithmetic
  if (data.length === 0) return TX_BASE_GAS
  let zero = 0
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zero++
  return TX_BASE_GAS + BigInt(zero) * TX_DATA_ZERO_GAS + BigInt(data.length - zero) * TX_DATA_NONZERO_GAS
}

/** Signature problems as no-op reasons: a legacy `v` naming another chain is rule 3, `wrongChainId`. */
const SIGNATURE_NOOP_REASON: Record<SignatureProblem, NoopReason> = {
  preEip155: 'preEip155',
  wrongChainId: 'wrongChainId',
  invalidV: 'wrongChainId',
  invalidYParity: 'invalidYParity',
  rOutOfRange: 'rOutOfRange',
  sOutOfRange: 'sOutOfRange',
  highS: 'highS',
  recoveryFailed: 'recoveryFailed',
}

export type StatelessCheck =
  | { ok: true; sender: Uint8Array; intrinsicGas: bigint; isWithdrawal: boolean }
  | { ok: false; reason: NoopReason }

/**
 * Rules 1–15 of protocol.md §7.3, in order: everything that needs no state. `knownSender` lets a
 * caller pass a sender it already recovered with this same code (the sequencer recovers at intake,
 * the block pipeline in worker threads); recovery is then skipped but every range rule still runs.
 */
export function checkStatelessRules(
  tx: SignedTransaction,
  config: Pick<RollupConfig, 'chainId' | 'baseFeePerGas'>,
  knownSender?: Uint8Array,
): StatelessCheck {
  if (tx.type !== 0 && tx.type !== 1 && tx.type !== 2) return { ok: false, reason: 'unsupportedType' }
  let sender = knownSender
  let problem: SignatureProblem | undefined
  if (sender === undefined) {
    const check = checkSignature(tx, { expectedChainId: config.chainId })
    sender = check.sender
    problem = check.problem
  } else {
    problem = signatureRuleProblem(tx, config.chainId)
  }
  if (problem !== undefined) return { ok: false, reason: SIGNATURE_NOOP_REASON[problem] }
  if (sender === undefined) return { ok: false, reason: 'recoveryFailed' }
  if (tx.to === undefined) return { ok: false, reason: 'contractCreation' }
  const isWithdrawal = equalBytes(tx.to, MESSAGE_PASSER)
  if (isWithdrawal) {
    if (tx.data.length !== 0 && !(tx.data.length === 32 && tx.data.subarray(0, 12).every((b) => b === 0))) {
      return { ok: false, reason: 'invalidData' }
    }
  } else if (tx.data.length !== 0) {
    return { ok: false, reason: 'invalidData' }
  }
  if (tx.accessList.length !== 0) return { ok: false, reason: 'accessListNotEmpty' }
  if (tx.nonce >= MAX_NONCE) return { ok: false, reason: 'nonceMax' }
  if (tx.maxPriorityFeePerGas > tx.maxFeePerGas) return { ok: false, reason: 'priorityFeeAboveMaxFee' }
  if (tx.maxFeePerGas < config.baseFeePerGas) return { ok: false, reason: 'maxFeeBelowBaseFee' }
  const intrinsicGas = protocolIntrinsicGas(tx.data)
  if (tx.gasLimit < intrinsicGas) return { ok: false, reason: 'intrinsicGasTooLow' }
  return { ok: true, sender, intrinsicGas, isWithdrawal }
}

/** `min(maxFeePerGas, baseFee + maxPriorityFeePerGas)`; for legacy and EIP-2930 this is gasPrice. */
export function effectiveGasPrice(tx: SignedTransaction, baseFeePerGas: bigint): bigint {
  const capped = baseFeePerGas + tx.maxPriorityFeePerGas
  return capped < tx.maxFeePerGas ? capped : tx.maxFeePerGas
}
