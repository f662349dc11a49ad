import { type NoopReason, SluiceError } from '@sluice/core'

/**
 * The one table of JSON-RPC error codes the server answers with (JSON-RPC 2.0, EIP-1474, and geth's
 * use of -32000 for transaction-pool refusals). Every refusal the node sends uses one of these.
 */
export const RPC_ERROR_CODES = {
  /** The body is not JSON. */
  parseError: -32700,
  /** JSON, but not a JSON-RPC request (no method, bad id, empty or oversized batch, wrong content type, body too large). */
  invalidRequest: -32600,
  /** No such method on this node (or not over this transport). */
  methodNotFound: -32601,
  /** A parameter is missing, of the wrong form, or out of range. */
  invalidParams: -32602,
  /** A bug or a failure inside the node; logged with the request. */
  internal: -32603,
  /** geth's generic server error: transaction-pool refusals, unknown blocks, unsupported calls. */
  server: -32000,
  /** geth's code for an answer larger than the response-size cap. */
  responseTooLarge: -32003,
  /** EIP-1474: the client exceeded a limit (its rate, a request's cost, a range, connections, filters). */
  limitExceeded: -32005,
} as const

export type RpcErrorCode = (typeof RPC_ERROR_CODES)[keyof typeof RPC_ERROR_CODES]

/**
 * Every reason a transaction is refused at the door (the sequencer's mempool, or a node that does not
 * take transactions), code → the text sent as the JSON-RPC -32000 message. This is the one table of
 * these codes and texts: the mempool raises its refusals with these codes, and `sluice_mempool_refused_total`
 * and the recorded drop reasons use them. Where geth has a text (core/txpool/errors.go,
 * core/error.go) it is geth's, word for word, because viem, ethers and wallets recognise errors by
 * these strings; the others name what Sluice does not support (it has no EVM: no contract creation,
 * no calldata, no access lists) and what to send instead.
 */
export const TXPOOL_REFUSALS = {
  /** The nonce is below the sender's account nonce at the unsafe head. */
  nonceTooLow: 'nonce too low',
  /** The nonce is too far ahead of the sender's pending nonce (the mempool's `maxNonceGap`). */
  nonceTooHigh: 'nonce too high',
  /** Nonce 2^64−1 (EIP-2681). */
  nonceMax: 'nonce has max value',
  /** Balance below value + gasLimit × maxFeePerGas of this and the sender's other pending transactions. */
  insufficientFunds: 'insufficient funds for gas * price + value',
  /** The effective tip is below the pool's minimum, or the pool is full of better-paying transactions. */
  underpriced: 'transaction underpriced',
  /** Same sender and nonce as a pooled transaction without a 10% bump of both fee caps. */
  replacementUnderpriced: 'replacement transaction underpriced',
  /** The same transaction is already in the pool (or being admitted). */
  alreadyKnown: 'already known',
  /**
   * No sender: a signature value out of range (r, s, yParity), a high s, or no recoverable signer.
   * geth's txpool answers every signature problem with this text.
   */
  invalidSender: 'invalid sender',
  /** gasLimit below the intrinsic gas (21000 + calldata). */
  intrinsicGasTooLow: 'intrinsic gas too low',
  /** maxFeePerGas (gasPrice) below the rollup's fixed base fee. */
  feeCapBelowBaseFee: 'max fee per gas less than block base fee',
  /** maxPriorityFeePerGas > maxFeePerGas. */
  tipAboveFeeCap: 'max priority fee per gas higher than max fee per gas',
  /** Larger than the pool's `maxTransactionBytes`. */
  oversizedData: 'oversized data',
  /** The pool is at `maxTransactions` and nothing in it may be evicted for this transaction. */
  txpoolFull: 'txpool is full',
  /** The sender already has the pool's `maxPerSender` transactions pooled. */
  accountLimitExceeded: 'account limit exceeded',
  /** gasLimit above the L2 block gas limit: no block could hold it. */
  gasLimitExceeded: 'exceeds block gas limit',
  /** Typed envelope other than 0x01/0x02 (blob, set-code, unknown). */
  typeNotSupported: 'transaction type not supported',
  /** The chain id (typed) or legacy v names another chain. */
  invalidChainId: 'invalid chain id for signer',
  /**
   * geth's text for v, r, s values out of range (types.ErrInvalidSig). The mempool refuses those
   * with `invalidSender`, as geth's txpool does (see `REFUSAL_FOR_NOOP_REASON`), and puts this text
   * in the error's details.
   */
  invalidSignature: 'invalid transaction v, r, s values',
  /** Legacy v 27/28: no chain id, replayable on any chain. */
  notReplayProtected: 'only replay-protected (EIP-155) transactions allowed over RPC',
  /** The bytes are not a transaction Sluice decodes (RLP, field count, integer widths), or are empty. */
  undecodable:
    'transaction could not be decoded: send a signed legacy (EIP-155), EIP-2930 or EIP-1559 transaction, RLP-encoded',
  /** No `to`: Sluice has no EVM. */
  contractCreation: 'contract creation is not supported: Sluice transactions are transfers and withdrawals',
  /** Data other than empty, or one 32-byte word (top 12 bytes zero) sent to the message passer. */
  dataNotAllowed:
    'transaction data is not allowed: a transfer carries none, a withdrawal to the message passer at most a 32-byte L1 recipient',
  /** A non-empty EIP-2930 access list. */
  accessListNotSupported: 'access lists are not supported: send an empty access list',
  /** A node without a mempool (a verifier, a replica) was sent a transaction. */
  notAccepted: 'this node does not accept transactions: send them to the sequencer',
} as const

export type TxPoolRefusalCode = keyof typeof TXPOOL_REFUSALS

/**
 * A transaction refused at the door. Answered as JSON-RPC -32000 with `TXPOOL_REFUSALS[refusal]` as
 * the message (geth's wording; `shortMessage` is exactly that text and `code` the refusal code);
 * `details` (nonces, balances, fees) goes to logs only.
 */
export class TxPoolRefusalError extends SluiceError {
  override name = 'TxPoolRefusalError'
  readonly refusal: TxPoolRefusalCode

  constructor(refusal: TxPoolRefusalCode, parameters: { details?: string | undefined; cause?: unknown } = {}) {
    super(TXPOOL_REFUSALS[refusal], {
      severity: 'invalidInput',
      code: refusal,
      details: parameters.details,
      cause: parameters.cause,
    })
    this.refusal = refusal
  }
}

/**
 * The refusal for each no-op reason of protocol.md §7.3, so that a transaction the state transition
 * would no-op is refused at the door with the cause it would be dropped for, in geth's words. Every
 * signature problem is `invalidSender`, as geth's txpool answers them. `nonceMismatch` is
 * `nonceTooLow` or `nonceTooHigh` depending on the side, which only the caller knows (the
 * mempool's `refusalForNoop` resolves it); it maps to `nonceTooLow` here.
 */
export const REFUSAL_FOR_NOOP_REASON: Readonly<Record<NoopReason, TxPoolRefusalCode>> = {
  slotDecode: 'undecodable',
  forcedDecode: 'undecodable',
  depositMalformed: 'undecodable',
  unsupportedType: 'typeNotSupported',
  preEip155: 'notReplayProtected',
  wrongChainId: 'invalidChainId',
  invalidYParity: 'invalidSender',
  rOutOfRange: 'invalidSender',
  sOutOfRange: 'invalidSender',
  highS: 'invalidSender',
  recoveryFailed: 'invalidSender',
  contractCreation: 'contractCreation',
  invalidData: 'dataNotAllowed',
  accessListNotEmpty: 'accessListNotSupported',
  nonceMax: 'nonceMax',
  priorityFeeAboveMaxFee: 'tipAboveFeeCap',
  maxFeeBelowBaseFee: 'feeCapBelowBaseFee',
  intrinsicGasTooLow: 'intrinsicGasTooLow',
  nonceMismatch: 'nonceTooLow',
  insufficientBalance: 'insufficientFunds',
}

/**
 * An error the RPC layer answers with a specific JSON-RPC code (bad params, unknown method, limits).
 * `httpStatus` is used when the error ends a whole HTTP request (413, 415, 429); inside a batch
 * only the JSON-RPC error counts.
 */
export class RpcError extends SluiceError {
  override name = 'RpcError'
  readonly rpcCode: number
  readonly data: unknown
  readonly httpStatus: number

  constructor(rpcCode: number, message: string, options: { data?: unknown; httpStatus?: number } = {}) {
    super(message, { severity: 'invalidInput', code: `rpc${rpcCode}` })
    this.rpcCode = rpcCode
    this.data = options.data
    this.httpStatus = options.httpStatus ?? 200
  }
}

/** `invalid argument <index> (<name>): <reason>` with code -32602, as geth words it. */
export function invalidParam(index: number, name: string, reason: string): RpcError {
  return new RpcError(RPC_ERROR_CODES.invalidParams, `invalid argument ${index} (${name}): ${reason}`)
}

export function methodNotFound(method: string, why?: string): RpcError {
  return new RpcError(
    RPC_ERROR_CODES.methodNotFound,
    why === undefined ? `the method ${method} does not exist/is not available` : `the method ${method} ${why}`,
  )
}

/** geth's answer for a block that is not (yet) in the store. */
export function headerNotFound(what: string): RpcError {
  return new RpcError(RPC_ERROR_CODES.server, `header not found: ${what}`)
}

/** A JSON-RPC error object as sent on the wire. */
export type JsonRpcErrorObject = { code: number; message: string; data?: unknown }

/**
 * Maps anything a method threw to the JSON-RPC error sent back, and says whether it is a bug to log:
 * `RpcError` keeps its code; a `SluiceError` with severity `invalidInput` (the submitter's refusals)
 * becomes -32000 with its short message; `temporary` ones too (a node that is catching up), so the
 * client can retry; everything else is -32603 with no internals, and is logged.
 */
export function toJsonRpcError(error: unknown): { error: JsonRpcErrorObject; internal: boolean } {
  if (error instanceof RpcError) {
    return {
      error:
        error.data === undefined
          ? { code: error.rpcCode, message: error.shortMessage }
          : { code: error.rpcCode, message: error.shortMessage, data: error.data },
      internal: false,
    }
  }
  if (error instanceof SluiceError && (error.severity === 'invalidInput' || error.severity === 'temporary')) {
    return { error: { code: RPC_ERROR_CODES.server, message: error.shortMessage }, internal: false }
  }
  return {
    error: { code: RPC_ERROR_CODES.internal, message: 'internal error: the node failed to answer; see its logs' },
    internal: true,
  }
}
