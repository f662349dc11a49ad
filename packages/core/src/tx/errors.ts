import { SluiceError } from '../errors/base.ts'
import type { SignatureProblem } from './types.ts'

const DECODE_DETAILS =
  'Sluice accepts a signed legacy (EIP-155), EIP-2930 (type 1) or EIP-1559 (type 2) transaction in canonical ' +
  'RLP, in its network form (typed: type byte, then the RLP list). Re-sign and re-encode it with a standard ' +
  'wallet library (viem, ethers).'

export type TransactionDecodeErrorParameters = {
  /** The field (or `envelope`, `rlp`, `fields`) that is wrong. */
  field: string
  /** What is wrong with it, as the end of a sentence: "is 19 bytes; …". */
  problem: string
  cause?: unknown
}

/** Bytes that are not a transaction Sluice can decode. Refused input: the node keeps serving. */
export class TransactionDecodeError extends SluiceError {
  override name = 'TransactionDecodeError'
  readonly field: string

  constructor({ field, problem, cause }: TransactionDecodeErrorParameters) {
    super(`Invalid transaction: ${field} ${problem}.`, {
      details: DECODE_DETAILS,
      severity: 'invalidInput',
      code: 'TransactionDecodeError',
      cause,
    })
    this.field = field
  }
}

const TYPE_NAMES: Record<number, string> = {
  0: 'legacy transactions have no typed envelope',
  3: 'EIP-4844 blob transaction',
  4: 'EIP-7702 set-code transaction',
}

/** A typed envelope (first byte below 0x80) of a type other than 1 or 2. */
export class UnsupportedTransactionTypeError extends TransactionDecodeError {
  override name = 'UnsupportedTransactionTypeError'
  readonly transactionType: number

  constructor(transactionType: number) {
    const label = TYPE_NAMES[transactionType] ?? 'unknown type'
    super({
      field: 'type',
      problem: `${transactionType} (${label}) is not supported; only types 1 (EIP-2930) and 2 (EIP-1559) and legacy are`,
    })
    this.transactionType = transactionType
  }
}

/** A transaction object that cannot be encoded as given (a caller's bug, or a hand-built object). */
export class TransactionEncodeError extends SluiceError {
  override name = 'TransactionEncodeError'

  constructor(problem: string) {
    super(`Cannot encode the transaction: ${problem}.`, {
      details: 'Build the SignedTransaction with decodeTransaction, or keep its fields within their types.',
      severity: 'invalidInput',
      code: 'TransactionEncodeError',
    })
  }
}

/** Why a decoded transaction fails the checks that need no state. */
export type TransactionInvalidReason =
  | SignatureProblem
  /** nonce is 2^64−1 (EIP-2681) */
  | 'nonceMax'
  /** gasLimit × maxFeePerGas does not fit in 256 bits */
  | 'gasLimitPriceProductOverflow'
  /** maxPriorityFeePerGas > maxFeePerGas */
  | 'priorityFeeAboveMaxFee'
  /** gasLimit is below the intrinsic gas */
  | 'intrinsicGasTooLow'
  /** contract creation with initcode over 49,152 bytes (EIP-3860) */
  | 'initcodeTooLarge'

const REASON_TEXT: Record<TransactionInvalidReason, string> = {
  preEip155: 'it is a pre-EIP-155 legacy transaction (v 27/28, no chain id) and could be replayed; sign with EIP-155',
  wrongChainId: 'its chain id is not this chain’s',
  invalidV: 'its legacy v is neither 27/28 nor 2·chainId+35/36',
  invalidYParity: 'its yParity is neither 0 nor 1',
  rOutOfRange: 'its signature r is 0 or not below the curve order',
  sOutOfRange: 'its signature s is 0 or not below the curve order',
  highS: 'its signature s is above n/2 (EIP-2); sign with a low-s signer',
  recoveryFailed: 'no sender can be recovered from its signature',
  nonceMax: 'its nonce is 2^64−1, which can never be used (EIP-2681)',
  gasLimitPriceProductOverflow: 'gasLimit × maxFeePerGas overflows 256 bits',
  priorityFeeAboveMaxFee: 'maxPriorityFeePerGas is above maxFeePerGas',
  intrinsicGasTooLow: 'its gas limit is below its intrinsic gas',
  initcodeTooLarge: 'its initcode is over 49,152 bytes (EIP-3860)',
}

/** A decodable transaction that breaks a rule checked without state (signature, gas, limits). */
export class TransactionInvalidError extends SluiceError {
  override name = 'TransactionInvalidError'
  readonly reason: TransactionInvalidReason

  constructor(reason: TransactionInvalidReason, detail?: string) {
    super(`Invalid transaction: ${REASON_TEXT[reason]}${detail ? ` (${detail})` : ''}.`, {
      severity: 'invalidInput',
      code: 'TransactionInvalidError',
    })
    this.reason = reason
  }
}
