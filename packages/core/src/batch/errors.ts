import { SluiceError } from '../errors/base.ts'

/** Why `encodeSlot`, `encodeBatch` or `BatchBuilder` refused its input. */
export type BatchEncodeProblem =
  /** a transaction type other than 0, 1 and 2 */
  | 'type'
  /** a legacy transaction signed without a chain id (v 27/28) */
  | 'preEip155'
  /** the transaction's chain id (or legacy v) names another chain */
  | 'wrongChainId'
  /** typed yParity is not 0 or 1 (a slot holds one bit for it) */
  | 'invalidYParity'
  /** r or s does not fit in 32 bytes */
  | 'signatureOutOfRange'
  /** a non-empty access list */
  | 'accessList'
  /** data neither empty nor one 32-byte word with 12 zero top bytes */
  | 'data'
  /** no recipient (contract creation), or one that is not 20 bytes */
  | 'recipient'
  /** nonce ≥ 2^64 */
  | 'nonce'
  /** a fee ≥ 2^128, or a legacy/EIP-2930 transaction whose two fee fields differ */
  | 'fee'
  /** gasLimit ≥ 2^64 */
  | 'gasLimit'
  /** value negative, ≥ 2^256, or with more significant digits than a 64-bit mantissa holds */
  | 'value'
  /** the recipient or fee entry is not in the dictionaries given to `encodeSlot` */
  | 'dictionary'
  /** blocks out of order: a timestamp or delayed count that goes down, or out of range */
  | 'blockOrder'
  /** one block alone is larger than `maxBatchBytes`, or the batch outgrew a format limit */
  | 'tooLarge'

/** Input the batch codec cannot express. The batcher must not put such a transaction in a batch. */
export class BatchEncodeError extends SluiceError {
  override name = 'BatchEncodeError'
  readonly problem: BatchEncodeProblem
  /** What cannot be put in a batch, as the message names it (a worker rebuilds the error from it). */
  readonly what: string

  constructor(problem: BatchEncodeProblem, what: string) {
    super(`Cannot put this in a batch: ${what}.`, {
      details:
        'The batch format (docs/protocol.md §5.4–5.5) holds only EIP-155 legacy, EIP-2930 and EIP-1559 transfers and ' +
        'withdrawals of this chain, without access list. Refuse such a transaction at intake, or let the user force it ' +
        'through the Portal (it is judged there).',
      severity: 'invalidInput',
      code: `BatchEncodeError.${problem}`,
    })
    this.problem = problem
    this.what = what
  }
}

/** A caller passed arguments to the batch walker that no inbox state can produce (a bug upstream). */
export class BatchArgumentError extends SluiceError {
  override name = 'BatchArgumentError'

  constructor(what: string) {
    super(`Invalid batch walk arguments: ${what}.`, {
      details: 'Take the delayed counts and slot count from the SequencerInbox (docs/protocol.md §5.1–5.2).',
      severity: 'critical',
      code: 'BatchArgumentError',
    })
  }
}
