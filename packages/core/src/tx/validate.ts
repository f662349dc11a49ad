import { TransactionInvalidError, type TransactionInvalidReason } from './errors.ts'
import { intrinsicGas } from './intrinsicGas.ts'
import { type CheckSignatureOptions, checkSignature } from './signature.ts'
import { MAX_INITCODE_SIZE, MAX_UINT64, MAX_UINT256, type SignedTransaction } from './types.ts'

export type ValidateTransactionStaticOptions = CheckSignatureOptions & {
  /** Compare the gas limit with the EIP-7623 floor too (Prague); Sluice's protocol does not. */
  eip7623Floor?: boolean | undefined
}

/**
 * The first rule, among those that need no state, that a decoded transaction breaks: nonce below
 * 2^64−1 (EIP-2681), gasLimit × maxFeePerGas within 256 bits, maxPriorityFeePerGas ≤ maxFeePerGas,
 * initcode ≤ 49,152 bytes (EIP-3860), gasLimit ≥ intrinsic gas, then the signature rules. Returns
 * the recovered sender when every rule holds.
 */
export function checkTransactionStatic(
  tx: SignedTransaction,
  options: ValidateTransactionStaticOptions = {},
):
  | { sender: Uint8Array; reason: undefined; detail: undefined }
  | {
      sender: undefined
      reason: TransactionInvalidReason
      detail: string | undefined
    } {
  const fail = (reason: TransactionInvalidReason, detail?: string) => ({ sender: undefined, reason, detail })
  if (tx.nonce >= MAX_UINT64) return fail('nonceMax')
  if (tx.gasLimit * tx.maxFeePerGas > MAX_UINT256) return fail('gasLimitPriceProductOverflow')
  if (tx.maxPriorityFeePerGas > tx.maxFeePerGas) {
    return fail('priorityFeeAboveMaxFee', `${tx.maxPriorityFeePerGas} > ${tx.maxFeePerGas}`)
  }
  if (tx.to === undefined && tx.data.length > MAX_INITCODE_SIZE)
    return fail('initcodeTooLarge', `${tx.data.length} bytes`)
  const gas = intrinsicGas(tx, { eip7623Floor: options.eip7623Floor })
  if (tx.gasLimit < gas) return fail('intrinsicGasTooLow', `gas limit ${tx.gasLimit}, intrinsic gas ${gas}`)
  const signature = checkSignature(tx, options)
  if (signature.problem !== undefined) return fail(signature.problem)
  return { sender: signature.sender, reason: undefined, detail: undefined }
}

/**
 * Checks a decoded transaction against the rules that need no state (see `checkTransactionStatic`)
 * and returns its 20-byte sender; throws `TransactionInvalidError` naming the broken rule.
 */
export function validateTransactionStatic(
  tx: SignedTransaction,
  options: ValidateTransactionStaticOptions = {},
): Uint8Array {
  const result = checkTransactionStatic(tx, options)
  if (result.sender === undefined) throw new TransactionInvalidError(result.reason, result.detail)
  return result.sender
}
