import { bytesToHex, type Hex, hexToBytes } from '@sluice/core'
import {
  DEFAULT_MAX_BLOCKS_AHEAD,
  DEFAULT_MAX_CLOCK_DRIFT_SECONDS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_SEEN_BLOCKS,
} from './constants.ts'
import { GossipMessageError, type GossipMessageProblem } from './errors.ts'
import { decodeGossipMessage, type GossipBlock } from './gossipBlock.ts'

/** Why a correctly signed block is not delivered; the sender did nothing wrong (gossipsub "ignore"). */
export type GossipIgnoreReason =
  /** number ≤ the receiver's safe head: L1 already decided it */
  | 'stale'
  /** a block with this hash was already accepted (under other bytes: gossipsub drops identical bytes itself) */
  | 'duplicate'
  /** number more than `maxBlocksAhead` beyond the receiver's unsafe head */
  | 'future_number'
  /** timestamp more than `maxClockDriftSeconds` ahead of the receiver's wall clock */
  | 'future_timestamp'

/** Every `reason` label value of `sluice_p2p_messages_dropped_total`. */
export type GossipDropReason = GossipMessageProblem | GossipIgnoreReason | 'internal_error'

export const GOSSIP_DROP_REASONS: readonly GossipDropReason[] = [
  'unsigned',
  'too_large',
  'malformed',
  'bad_signature',
  'wrong_signer',
  'stale',
  'duplicate',
  'future_number',
  'future_timestamp',
  'internal_error',
]

/**
 * The verdict on one gossip message, as libp2p's topic validator result: `reject` (the sender
 * sent something invalid; gossipsub lowers its score), `ignore` (valid but not wanted; not
 * forwarded, no penalty), `accept` (delivered and forwarded).
 */
export type GossipVerdict =
  | { result: 'accept'; block: GossipBlock }
  | { result: 'reject'; reason: GossipMessageProblem; error: GossipMessageError }
  | { result: 'ignore'; reason: GossipIgnoreReason }

/** The receiver's view of its chain: block numbers of its heads. */
export type HeadNumbers = { unsafe: bigint; safe: bigint }

export type GossipValidatorOptions = {
  chainId: bigint
  /** The rollup config's sequencer address: the only accepted signer. */
  sequencerAddress: Hex | Uint8Array
  /** Read at every message. */
  heads: () => HeadNumbers
  /** Default `DEFAULT_MAX_MESSAGE_BYTES`. */
  maxMessageBytes?: number | undefined
  /** Default `DEFAULT_MAX_BLOCKS_AHEAD` (1024). */
  maxBlocksAhead?: bigint | undefined
  /** Default `DEFAULT_MAX_CLOCK_DRIFT_SECONDS` (60). */
  maxClockDriftSeconds?: bigint | undefined
  /** Accepted block hashes remembered for `duplicate`; default `DEFAULT_SEEN_BLOCKS`. */
  seenBlocks?: number | undefined
  /** Wall clock in milliseconds; default `Date.now`. */
  now?: (() => number) | undefined
}

export type GossipValidator = {
  /**
   * Checks one message, in this order: size, signature room, payload, signer (all `reject`),
   * then stale, far-future number, far-future timestamp, duplicate hash (all `ignore`). An
   * accepted block's hash is remembered. Never throws on any input (only `heads` may throw).
   */
  validate(message: Uint8Array): GossipVerdict
  /** Forgets every remembered hash (after the caller rewinds its unsafe chain). */
  clearSeen(): void
}

/** The gossip validation rules of README.md, without any networking: testable alone, used by the node. */
export function createGossipValidator(options: GossipValidatorOptions): GossipValidator {
  const sequencer =
    typeof options.sequencerAddress === 'string' ? hexToBytes(options.sequencerAddress) : options.sequencerAddress
  if (sequencer.length !== 20) throw new TypeError(`sequencerAddress is ${sequencer.length} bytes; it must be 20`)
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const maxBlocksAhead = options.maxBlocksAhead ?? DEFAULT_MAX_BLOCKS_AHEAD
  const maxDrift = options.maxClockDriftSeconds ?? DEFAULT_MAX_CLOCK_DRIFT_SECONDS
  const now = options.now ?? Date.now
  const seen = new BoundedSet(options.seenBlocks ?? DEFAULT_SEEN_BLOCKS)

  return {
    validate(message) {
      let block: GossipBlock
      try {
        block = decodeGossipMessage(message, { chainId: options.chainId, sequencer, maxMessageBytes })
      } catch (error) {
        if (error instanceof GossipMessageError) return { result: 'reject', reason: error.problem, error }
        // decodeGossipMessage throws only GossipMessageError; anything else is a bug worth seeing.
        throw error
      }
      const { unsafe, safe } = options.heads()
      if (block.number <= safe) return { result: 'ignore', reason: 'stale' }
      if (block.number > unsafe + maxBlocksAhead) return { result: 'ignore', reason: 'future_number' }
      if (block.timestamp > BigInt(Math.floor(now() / 1000)) + maxDrift) {
        return { result: 'ignore', reason: 'future_timestamp' }
      }
      const key = bytesToHex(block.blockHash)
      if (seen.has(key)) return { result: 'ignore', reason: 'duplicate' }
      seen.add(key)
      return { result: 'accept', block }
    },
    clearSeen() {
      seen.clear()
    },
  }
}

/** A set that forgets its oldest entries beyond `capacity` (a Set iterates in insertion order). */
class BoundedSet {
  readonly #capacity: number
  readonly #items = new Set<string>()

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity)
  }

  has(item: string): boolean {
    return this.#items.has(item)
  }

  add(item: string): void {
    this.#items.add(item)
    if (this.#items.size > this.#capacity) {
      const oldest = this.#items.values().next().value as string
      this.#items.delete(oldest)
    }
  }

  clear(): void {
    this.#items.clear()
  }
}
