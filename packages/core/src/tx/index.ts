export { decodeTransaction } from './decode.ts'
export { encodeTransaction, encodeTransactionShared, signingPayload } from './encode.ts'
export {
  TransactionDecodeError,
  type TransactionDecodeErrorParameters,
  TransactionEncodeError,
  TransactionInvalidError,
  type TransactionInvalidReason,
  UnsupportedTransactionTypeError,
} from './errors.ts'
export { hashTransaction, signingHash, transactionHash } from './hash.ts'
export { type IntrinsicGasOptions, intrinsicGas } from './intrinsicGas.ts'
export {
  packTransaction,
  TRANSACTION_RECORD_BYTES,
  type TransactionRecords,
  transactionRecords,
  unpackTransaction,
} from './packedTransactions.ts'
export {
  createSenderPool,
  type RecoveredSenders,
  type SenderPool,
  SenderPoolError,
  type SenderPoolOptions,
} from './senderPool.ts'
export {
  type JsonRpcId,
  parseSendRawTransactionBody,
  type SendRawTransactionBody,
} from './sendRawTransactionBody.ts'
export {
  type CheckSignatureOptions,
  checkSignature,
  isPreEip155,
  recoverSender,
  type SignatureCheck,
  signatureProblem,
  signatureRuleProblem,
} from './signature.ts'
export {
  type AccessListItem,
  MAX_INITCODE_SIZE,
  type SignatureProblem,
  type SignedTransaction,
  type TransactionType,
} from './types.ts'
export { checkTransactionStatic, type ValidateTransactionStaticOptions, validateTransactionStatic } from './validate.ts'
