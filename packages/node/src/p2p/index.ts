export {
  blocksByRangeProtocol,
  blocksTopic,
  DEFAULT_MAX_BLOCKS_AHEAD,
  DEFAULT_MAX_CLOCK_DRIFT_SECONDS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_SEEN_BLOCKS,
  GOSSIP_BLOCK_DOMAIN,
  GOSSIP_SIGNATURE_BYTES,
  MAX_RANGE_COUNT,
} from './constants.ts'
export {
  GossipEncodeError,
  GossipMessageError,
  type GossipMessageProblem,
  P2PKeyError,
  P2PNodeError,
  RangeRequestError,
  type RangeRequestProblem,
} from './errors.ts'
export {
  type DecodeGossipMessageOptions,
  decodeGossipBlock,
  decodeGossipMessage,
  encodeGossipBlock,
  type GossipBlock,
  type GossipMessageParts,
  gossipSigningHash,
  recoverGossipSigner,
  signGossipBlock,
  splitGossipMessage,
  verifyGossipSigner,
} from './gossipBlock.ts'
export type { P2PMetrics, RangeResult } from './metrics.ts'
export {
  type BlockHandler,
  createP2PNode,
  DEFAULT_P2P_LIMITS,
  type P2PLimits,
  type P2PNode,
  type P2PNodeOptions,
  type RequestRangeOptions,
} from './node.ts'
export { loadOrCreatePeerKey, P2P_KEY_FILE_NAME, peerKeyPath } from './peerKey.ts'
export { RangeServeLimiter, type RangeServeLimits, TokenBucket } from './rangeLimits.ts'
export {
  decodeRangeRequest,
  encodeRangeRequest,
  RANGE_SERVE_CHUNK,
  RANGE_STATUS_INVALID_REQUEST,
  RANGE_STATUS_OK,
  RANGE_STATUS_SERVER_ERROR,
  type RangeProvider,
  type ReceivedBlock,
} from './rangeProtocol.ts'
export {
  DISCONNECT_SCORE,
  PEER_SCORE_THRESHOLDS,
  PeerPenalties,
  peerScoreParams,
  RANGE_PENALTIES,
} from './scoring.ts'
export {
  createGossipValidator,
  GOSSIP_DROP_REASONS,
  type GossipDropReason,
  type GossipIgnoreReason,
  type GossipValidator,
  type GossipValidatorOptions,
  type GossipVerdict,
  type HeadNumbers,
} from './validation.ts'
