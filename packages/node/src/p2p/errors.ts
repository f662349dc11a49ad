import { SluiceError } from '@sluice/core'

/**
 * Why a signed block message was refused. These are also the `reason` label values of
 * `sluice_p2p_messages_dropped_total` for the refusals that come from the bytes themselves.
 */
export type GossipMessageProblem =
  /** shorter than a 65-byte signature plus a payload, or a bare payload without signature */
  | 'unsigned'
  /** larger than the configured limit */
  | 'too_large'
  /** the payload is not rlp([number, timestamp, delayedCountAfter, parentHash, blockHash, stateRoot, [rawTx, ...]]) */
  | 'malformed'
  /** yParity not 0/1, r or s out of range (high s included), or no key recovers from it */
  | 'bad_signature'
  /** a valid signature by another key than the rollup config's sequencer */
  | 'wrong_signer'

const EXPLANATIONS: Record<GossipMessageProblem, string> = {
  unsigned: 'the message carries no signature',
  too_large: 'the message is larger than allowed',
  malformed: 'the payload is not a well-formed Sluice block',
  bad_signature: 'the signature is not a valid low-s secp256k1 signature',
  wrong_signer: "the block is not signed by the rollup config's sequencer",
}

/** A signed block message (gossip or range response) that is refused. The node keeps serving. */
export class GossipMessageError extends SluiceError {
  override name = 'GossipMessageError'
  readonly problem: GossipMessageProblem

  constructor(problem: GossipMessageProblem, detail?: string, cause?: unknown) {
    super(`Invalid p2p block message: ${EXPLANATIONS[problem]}${detail ? ` (${detail})` : ''}.`, {
      details:
        'A Sluice block message is signature(65: r ‖ s ‖ yParity) ‖ rlp([number, timestamp, delayedCountAfter, ' +
        'parentHash, blockHash, stateRoot, [rawTx, ...]]), signed by the sequencer (packages/node/src/p2p/README.md).',
      severity: 'invalidInput',
      code: 'GossipMessageError',
      cause,
    })
    this.problem = problem
  }
}

/** A caller passed something that cannot be signed or encoded (a bad key, a field out of range). */
export class GossipEncodeError extends SluiceError {
  override name = 'GossipEncodeError'

  constructor(shortMessage: string, cause?: unknown) {
    super(shortMessage, { severity: 'invalidInput', code: 'GossipEncodeError', cause })
  }
}

/** Why a range request failed. */
export type RangeRequestProblem =
  /** the request itself is out of bounds (count 0 or above the limit, from + count overflows) */
  | 'invalidRequest'
  /** the serving peer refused the request (its status frame says why) */
  | 'refused'
  /** the serving peer failed to read its blocks */
  | 'serverError'
  /** the answer is not what was asked: wrong numbers, broken parent links, too many or too large frames, bad frames */
  | 'badResponse'
  /** no answer within the deadline */
  | 'timeout'
  /** no connected peer to ask, or the stream could not be opened */
  | 'unavailable'

/** A range request that failed. `temporary` except for a request the caller built wrong. */
export class RangeRequestError extends SluiceError {
  override name = 'RangeRequestError'
  readonly problem: RangeRequestProblem
  /** The peer that was asked, when there was one. */
  readonly peer: string | undefined

  constructor(
    problem: RangeRequestProblem,
    message: string,
    options: { peer?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, {
      severity: problem === 'invalidRequest' ? 'invalidInput' : 'temporary',
      code: `RangeRequest.${problem}`,
      details:
        problem === 'invalidRequest'
          ? undefined
          : 'Gap filling only speeds the node up: it keeps following L1 and can ask another peer or retry later.',
      cause: options.cause,
    })
    this.problem = problem
    this.peer = options.peer
  }
}

/** The node's libp2p key file cannot be read or written. Fix or remove the file (a new peer id follows). */
export class P2PKeyError extends SluiceError {
  override name = 'P2PKeyError'

  constructor(path: string, problem: string, cause?: unknown) {
    super(`The p2p key file ${path} ${problem}.`, {
      details:
        'The file holds the libp2p private key (protobuf) that fixes this node’s peer id. Restore it, or delete it to ' +
        'start with a new peer id (peers that dial this node by its old multiaddr must then be updated).',
      severity: 'critical',
      code: 'P2PKeyError',
      cause,
    })
  }
}

/** The p2p node was used in the wrong state or configured wrongly. */
export class P2PNodeError extends SluiceError {
  override name = 'P2PNodeError'

  constructor(
    shortMessage: string,
    options: { severity?: 'critical' | 'invalidInput' | 'temporary'; cause?: unknown } = {},
  ) {
    super(shortMessage, { severity: options.severity ?? 'critical', code: 'P2PNodeError', cause: options.cause })
  }
}
