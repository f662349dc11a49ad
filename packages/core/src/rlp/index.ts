export { decodeRlp, decodeRlpInteger } from './decode.ts'
export { encodeRlp, encodeRlpAfter, encodeRlpInteger } from './encode.ts'
export {
  RlpDecodeError,
  type RlpDecodeErrorParameters,
  type RlpDecodeProblem,
  RlpEncodeError,
} from './errors.ts'
export type { RlpDecoded, RlpInput } from './types.ts'
export {
  RLP_LIST,
  RLP_STRING,
  rlpBytesLength,
  rlpHeaderLength,
  rlpSafeIntegerLength,
  safeByteLength,
  writeRlpBytes,
  writeRlpHeader,
  writeRlpSafeInteger,
} from './write.ts'
