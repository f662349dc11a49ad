import { SluiceError } from '../errors/base.ts'

/** Why bytes are not canonical RLP. */
export type RlpDecodeProblem =
  /** no bytes at all: not even the empty string (0x80) */
  | 'empty'
  /** a single byte below 0x80 wrapped in a 0x81 prefix instead of standing for itself */
  | 'nonCanonicalSingleByte'
  /** a long-form length with leading zero bytes */
  | 'leadingZeroLength'
  /** the long form used for a payload shorter than 56 bytes */
  | 'nonCanonicalLongForm'
  /** bytes left over after the top-level item */
  | 'trailingBytes'
  /** a length that runs past the end of the input (or of the enclosing list) */
  | 'lengthPastInput'
  /** a decoded item used as an integer has a leading zero byte */
  | 'nonCanonicalInteger'
  /** a decoded item used as an integer is wider than allowed */
  | 'integerTooWide'
  /** a list where a byte string was expected */
  | 'unexpectedList'
  /** anything else the underlying decoder refused */
  | 'malformed'

const EXPLANATIONS: Record<RlpDecodeProblem, string> = {
  empty: 'the input is empty (the empty string encodes as 0x80)',
  nonCanonicalSingleByte: 'a single byte below 0x80 is wrapped in a string prefix; it must stand for itself',
  leadingZeroLength: 'a long-form length has leading zero bytes',
  nonCanonicalLongForm: 'the long form is used for a payload shorter than 56 bytes',
  trailingBytes: 'bytes are left over after the item',
  lengthPastInput: 'a length runs past the end of the input',
  nonCanonicalInteger: 'an integer has a leading zero byte',
  integerTooWide: 'an integer is wider than allowed',
  unexpectedList: 'a list stands where a byte string (an integer) is expected',
  malformed: 'the bytes are not RLP',
}

export type RlpDecodeErrorParameters = {
  problem: RlpDecodeProblem
  /** Specifics, e.g. the sizes involved. */
  detail?: string | undefined
  cause?: unknown
}

/** Bytes that are not canonical RLP. Refused input: the node keeps serving. */
export class RlpDecodeError extends SluiceError {
  override name = 'RlpDecodeError'
  readonly problem: RlpDecodeProblem

  constructor({ problem, detail, cause }: RlpDecodeErrorParameters) {
    super(`Invalid RLP: ${EXPLANATIONS[problem]}${detail ? ` (${detail})` : ''}.`, {
      details: 'Only canonical RLP is accepted; re-encode the value with a standard RLP encoder.',
      severity: 'invalidInput',
      code: 'RlpDecodeError',
      cause,
    })
    this.problem = problem
  }
}

/** A value `encodeRlp` cannot encode (a negative integer, a value of another type). A caller's bug. */
export class RlpEncodeError extends SluiceError {
  override name = 'RlpEncodeError'

  constructor(shortMessage: string, cause?: unknown) {
    super(shortMessage, {
      details: 'encodeRlp takes Uint8Array, non-negative bigint, or (nested) arrays of those.',
      severity: 'invalidInput',
      code: 'RlpEncodeError',
      cause,
    })
  }
}
