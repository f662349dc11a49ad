import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { type GossipSub, type GossipsubMessage, gossipsub, StrictNoSign, TopicValidatorResult } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import { type Hex, hexToBytes } from '@sluice/core'
import { createLibp2p } from 'libp2p'
import { type Logger, pino } from 'pino'
import type { Registry } from 'prom-client'
import {
  blocksByRangeProtocol,
  blocksTopic,
  DEFAULT_MAX_BLOCKS_AHEAD,
  DEFAULT_MAX_CLOCK_DRIFT_SECONDS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_SEEN_BLOCKS,
  MAX_RANGE_COUNT,
} from './constants.ts'
import { GossipMessageError, P2PNodeError, RangeRequestError } from './errors.ts'
import {
  decodeGossipBlock,
  type GossipBlock,
  plainBytes,
  splitGossipMessage,
  verifyGossipSigner,
} from './gossipBlock.ts'
import { countDrop, createP2PMetrics, type RangeResult } from './metrics.ts'
import { loadOrCreatePeerKey, peerKeyPath } from './peerKey.ts'
import { RangeServeLimiter } from './rangeLimits.ts'
import {
  encodeRangeRequest,
  type RangeProvider,
  type ReceivedBlock,
  requestRangeFrom,
  serveRangeStream,
} from './rangeProtocol.ts'
import { DISCONNECT_SCORE, PEER_SCORE_THRESHOLDS, PeerPenalties, peerScoreParams, RANGE_PENALTIES } from './scoring.ts'
import { createGossipValidator, type HeadNumbers } from './validation.ts'

/** Bounds of the p2p layer; every field has a default (README.md). */
export type P2PLimits = {
  /** Largest signed block message, gossip or range (default 8 MiB). */
  maxMessageBytes: number
  /** Blocks beyond the unsafe head before a block is ignored as far-future (default 1024). */
  maxBlocksAhead: bigint
  /** Seconds a block timestamp may be ahead of the wall clock (default 60). */
  maxClockDriftSeconds: bigint
  /** Accepted block hashes remembered to ignore duplicates (default 4096). */
  seenBlocks: number
  /** Client: deadline of one range request to one peer, dial included (default 10 s). */
  rangeRequestTimeoutMs: number
  /** Server: deadline to read a request and write its answer (default 10 s). */
  rangeServeTimeoutMs: number
  /** Most bytes of signed messages in one range answer, both sides (default 32 MiB). */
  maxRangeResponseBytes: number
  /** Concurrent range streams per connection, each direction (default 2). */
  maxRangeStreamsPerConnection: number
  /** Range answers built or sent at once over all peers; more are refused as busy (default 4). */
  maxConcurrentRangeServes: number
  /** Blocks served per second over all peers (token bucket; default 1024). */
  rangeBlocksPerSecond: number
  /** Blocks served per second to one peer (token bucket; default 256). */
  rangeBlocksPerSecondPerPeer: number
  /** How often peer scores are checked against the disconnect threshold (default 1 s). */
  scoreCheckIntervalMs: number
  /** How often bootstrap peers that are not connected are dialed again (default 5 s). */
  redialIntervalMs: number
  /** Deadline of one dial (default 5 s). */
  dialTimeoutMs: number
}

export const DEFAULT_P2P_LIMITS: Readonly<P2PLimits> = {
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxBlocksAhead: DEFAULT_MAX_BLOCKS_AHEAD,
  maxClockDriftSeconds: DEFAULT_MAX_CLOCK_DRIFT_SECONDS,
  seenBlocks: DEFAULT_SEEN_BLOCKS,
  rangeRequestTimeoutMs: 10_000,
  rangeServeTimeoutMs: 10_000,
  maxRangeResponseBytes: 32 * 1024 * 1024,
  maxRangeStreamsPerConnection: 2,
  maxConcurrentRangeServes: 4,
  rangeBlocksPerSecond: 1024,
  rangeBlocksPerSecondPerPeer: 256,
  scoreCheckIntervalMs: 1000,
  redialIntervalMs: 5_000,
  dialTimeoutMs: 5_000,
}

export type P2PNodeOptions = {
  /** L2 chain id: part of the topic, the protocol id and the signed hash. */
  chainId: bigint
  /** The rollup config's sequencer: the only signer whose blocks are accepted. */
  sequencerAddress: Hex | Uint8Array
  /** The libp2p key file; default `<dataDir>/p2p-key`. One of the two is required. */
  privateKeyFile?: string | undefined
  dataDir?: string | undefined
  /** Default 127.0.0.1. */
  listenHost?: string | undefined
  /** Default 0: any free port (read it back with `multiaddrs()`). */
  listenPort?: number | undefined
  /** Multiaddrs to keep connected to, `/ip4/…/tcp/…/p2p/<peerId>` (the peer id part may be left out). */
  bootstrapPeers?: readonly string[] | undefined
  /** Where the sluice_p2p_* metrics are registered (one p2p node per registry). */
  registry: Registry
  logger?: Logger | undefined
  /** The receiver's head numbers, read for every gossip message (stale and far-future checks). */
  heads: () => HeadNumbers
  /** Serves blocks-by-range; without it the node answers every range request "serves no blocks". */
  serveRange?: RangeProvider | undefined
  limits?: Partial<P2PLimits> | undefined
  /** Wall clock in ms for the timestamp check; default `Date.now`. */
  now?: (() => number) | undefined
}

/** Called once per accepted gossip block, in arrival order; errors are logged, never propagated. */
export type BlockHandler = (received: ReceivedBlock) => void | Promise<void>

export type RequestRangeOptions = {
  /** Ask only this peer (peer id string); default: every connected peer in turn, bootstrap peers first. */
  peer?: string | undefined
  signal?: AbortSignal | undefined
}

export type P2PNode = {
  /** This node's peer id (base58), stable across restarts with the same key file. */
  readonly peerId: string
  /** `/sluice/<chainId>/blocks/1` */
  readonly topic: string
  /** `/sluice/<chainId>/blocks-by-range/1` */
  readonly rangeProtocol: string
  /** Listens, subscribes, serves ranges, dials the bootstrap peers (and keeps redialing them). */
  start(): Promise<void>
  /** Closes every connection, listener and timer. Idempotent. */
  stop(): Promise<void>
  /** Listen addresses with the `/p2p/<peerId>` suffix, for other nodes' `bootstrapPeers`. */
  multiaddrs(): string[]
  /**
   * Publishes a signed block message (`signGossipBlock`). Checks its size and signer first and
   * throws `GossipMessageError` if peers would reject it for that (a sequencer key that is not the
   * config's). Returns how many peers it was sent to (0 without subscribers is not an error).
   */
  publishBlock(message: Uint8Array): Promise<number>
  /** Registers a handler for accepted gossip blocks; returns a function that removes it. */
  onBlock(handler: BlockHandler): () => void
  /**
   * Fetches blocks from..from+count-1 (count ≤ 256) with blocks-by-range, verified like gossip
   * and linked by parentHash. Returns the first non-empty answer (possibly shorter than asked),
   * [] when every peer asked has none; throws `RangeRequestError` when no peer could answer.
   */
  requestRange(from: bigint, count: number, options?: RequestRangeOptions): Promise<ReceivedBlock[]>
  /** Peer ids of every connected peer. */
  connectedPeers(): string[]
  /** Peer ids of connected peers subscribed to the blocks topic. */
  topicPeers(): string[]
  /** A peer's gossipsub score (scoring.ts); at or below `DISCONNECT_SCORE` it is disconnected. */
  peerScore(peer: string): number
  /** Forgets the accepted block hashes (call after rewinding the unsafe chain). */
  clearSeen(): void
}

type Services = { identify: unknown; pubsub: GossipSub }

type BootstrapPeer = { address: Multiaddr; text: string; peerId: PeerId | undefined }

/**
 * Creates (without starting) the libp2p host of a Sluice node: TCP, noise, yamux, identify,
 * gossipsub on the blocks topic with the validation of README.md, and blocks-by-range.
 *
 * @example
 * const p2p = await createP2PNode({ chainId, sequencerAddress, dataDir, listenPort: 9222, registry, heads })
 * p2p.onBlock(({ block }) => applyUnsafe(block))
 * await p2p.start()
 */
export async function createP2PNode(options: P2PNodeOptions): Promise<P2PNode> {
  const limits: P2PLimits = { ...DEFAULT_P2P_LIMITS, ...definedOnly(options.limits ?? {}) }
  const log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'p2p' })
  const sequencer =
    typeof options.sequencerAddress === 'string' ? hexToBytes(options.sequencerAddress) : options.sequencerAddress
  if (sequencer.length !== 20) {
    throw new P2PNodeError(`sequencerAddress is ${sequencer.length} bytes; an address is 20.`, {
      severity: 'invalidInput',
    })
  }
  const keyFile = options.privateKeyFile ?? (options.dataDir ? peerKeyPath(options.dataDir) : undefined)
  if (!keyFile) {
    throw new P2PNodeError('createP2PNode needs privateKeyFile or dataDir to keep its peer id.', {
      severity: 'invalidInput',
    })
  }
  const bootstrap = (options.bootstrapPeers ?? []).map(parseBootstrapPeer)
  const topic = blocksTopic(options.chainId)
  const rangeProtocol = blocksByRangeProtocol(options.chainId)
  const listenHost = options.listenHost ?? '127.0.0.1'
  const listenPort = options.listenPort ?? 0
  const family = listenHost.includes(':') ? 'ip6' : 'ip4'

  const { key, created } = await loadOrCreatePeerKey(keyFile)
  const penalties = new PeerPenalties()
  const libp2p: Libp2p<Services> = await createLibp2p({
    start: false,
    privateKey: key,
    addresses: { listen: [`/${family}/${listenHost}/tcp/${listenPort}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({
        // The block carries its own signature; gossipsub's per-message author signature would
        // only add bytes. Message ids are then sha256(data).
        globalSignaturePolicy: StrictNoSign,
        allowedTopics: [topic],
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        fallbackToFloodsub: false,
        floodPublish: true,
        emitSelf: false,
        // One RPC frame may carry a message plus control data.
        maxInboundDataLength: limits.maxMessageBytes + 64 * 1024,
        // Rejected blocks and range abuse lower a peer's score (scoring.ts); see the disconnect check.
        scoreParams: peerScoreParams(topic, (peer) => penalties.score(peer)),
        scoreThresholds: PEER_SCORE_THRESHOLDS,
      }),
    },
  })
  const peerId = libp2p.peerId.toString()
  log.info({ peerId, keyFile, created }, created ? 'created a new p2p identity' : 'loaded the p2p identity')

  const rangeLimiter = new RangeServeLimiter(
    {
      maxConcurrent: limits.maxConcurrentRangeServes,
      blocksPerSecond: limits.rangeBlocksPerSecond,
      blocksPerSecondPerPeer: limits.rangeBlocksPerSecondPerPeer,
    },
    MAX_RANGE_COUNT,
  )
  const metrics = createP2PMetrics(
    options.registry,
    () => libp2p.getPeers().length,
    () => rangeLimiter.active,
  )
  const validator = createGossipValidator({
    chainId: options.chainId,
    sequencerAddress: sequencer,
    heads: options.heads,
    maxMessageBytes: limits.maxMessageBytes,
    maxBlocksAhead: limits.maxBlocksAhead,
    maxClockDriftSeconds: limits.maxClockDriftSeconds,
    seenBlocks: limits.seenBlocks,
    now: options.now,
  })
  // The service is gossipsub's class, which scores peers; its exported interface does not list that.
  const pubsub = libp2p.services.pubsub as GossipSub & { getScore?: (peer: string) => number }
  const { getScore } = pubsub
  if (typeof getScore !== 'function') {
    throw new P2PNodeError('this @libp2p/gossipsub has no getScore(): peer scoring cannot disconnect junk senders.', {
      severity: 'critical',
    })
  }
  const scoreOf = (peer: string): number => getScore.call(pubsub, peer)
  const handlers = new Set<BlockHandler>()
  // The validator decodes every message; gossipsub hands the same data object to the message event.
  const accepted = new WeakMap<Uint8Array, GossipBlock>()
  let state: 'created' | 'started' | 'stopped' = 'created'
  let redialTimer: NodeJS.Timeout | undefined
  let scoreTimer: NodeJS.Timeout | undefined
  const dials = new Set<Promise<void>>()
  let dialAbort = new AbortController()

  const validate = (source: PeerId, message: { data: Uint8Array }): TopicValidatorResult => {
    try {
      const verdict = validator.validate(message.data)
      if (verdict.result === 'accept') {
        accepted.set(message.data, verdict.block)
        metrics.accepted.inc()
        return TopicValidatorResult.Accept
      }
      countDrop(metrics, verdict.reason)
      const details = { peer: source.toString(), reason: verdict.reason, bytes: message.data.length }
      if (verdict.result === 'reject') {
        log.debug({ ...details, err: verdict.error.shortMessage }, 'rejected a gossip message')
        return TopicValidatorResult.Reject
      }
      log.debug(details, 'ignored a gossip message')
      return TopicValidatorResult.Ignore
    } catch (error) {
      countDrop(metrics, 'internal_error')
      log.error({ err: error, peer: source.toString() }, 'gossip validation failed; message ignored')
      return TopicValidatorResult.Ignore
    }
  }

  const deliver = (event: CustomEvent<GossipsubMessage>) => {
    const { msg, propagationSource } = event.detail
    if (msg.topic !== topic) return
    let block: GossipBlock
    try {
      // Validated already; decoding again only if the cache lost it (never expected).
      block = accepted.get(msg.data) ?? decodeGossipBlock(splitGossipMessage(msg.data).payload)
    } catch (error) {
      // An exception in an EventTarget listener would surface as an uncaught exception.
      log.error({ err: error }, 'an accepted gossip message no longer decodes; dropped')
      return
    } finally {
      accepted.delete(msg.data)
    }
    const received: ReceivedBlock = { block, message: plainBytes(msg.data), peer: propagationSource.toString() }
    for (const handler of handlers) {
      try {
        const result = handler(received)
        if (result instanceof Promise) {
          result.catch((error: unknown) => log.error({ err: error, number: block.number }, 'block handler failed'))
        }
      } catch (error) {
        log.error({ err: error, number: block.number }, 'block handler failed')
      }
    }
  }

  const onConnect = (event: CustomEvent<PeerId>) => log.info({ peer: event.detail.toString() }, 'peer connected')
  const onDisconnect = (event: CustomEvent<PeerId>) => log.info({ peer: event.detail.toString() }, 'peer disconnected')

  const countRange = (role: 'client' | 'server', result: RangeResult, blocks: number) => {
    metrics.rangeRequests.labels(role, result).inc()
    if (blocks > 0) metrics.rangeBlocks.labels(role).inc(blocks)
  }

  /** Disconnects every peer whose score fell to the threshold (junk flooding, range abuse). */
  const dropLowScorePeers = () => {
    if (state !== 'started') return
    for (const peer of libp2p.getPeers()) {
      const score = scoreOf(peer.toString())
      if (score > DISCONNECT_SCORE) continue
      metrics.lowScoreDisconnects.inc()
      log.warn({ peer: peer.toString(), score }, 'disconnecting a peer whose score fell to the threshold')
      void libp2p.hangUp(peer).catch((error: unknown) => log.debug({ err: error }, 'hang-up failed'))
    }
  }

  const redial = () => {
    if (state !== 'started') return
    for (const peer of bootstrap) {
      if (peer.peerId && libp2p.getConnections(peer.peerId).length > 0) continue
      const dial = libp2p
        .dial(peer.address, { signal: AbortSignal.any([dialAbort.signal, AbortSignal.timeout(limits.dialTimeoutMs)]) })
        .then((connection) => {
          peer.peerId ??= connection.remotePeer
        })
        .catch((error: unknown) => {
          if (state === 'started') log.debug({ peer: peer.text, err: error }, 'bootstrap peer not reachable; retrying')
        })
        .finally(() => dials.delete(dial))
      dials.add(dial)
    }
  }

  const node: P2PNode = {
    peerId,
    topic,
    rangeProtocol,

    async start() {
      if (state === 'started') return
      if (state === 'stopped') dialAbort = new AbortController()
      await libp2p.start()
      await libp2p.handle(
        rangeProtocol,
        (stream, connection) =>
          serveRangeStream(stream, connection.remotePeer.toString(), {
            provider: options.serveRange,
            limiter: rangeLimiter,
            timeoutMs: limits.rangeServeTimeoutMs,
            maxMessageBytes: limits.maxMessageBytes,
            maxResponseBytes: limits.maxRangeResponseBytes,
            log,
            onDone: (result, blocks) => {
              countRange('server', result, blocks)
              const peer = connection.remotePeer.toString()
              if (result === 'invalid_request') penalties.add(peer, RANGE_PENALTIES.invalidRequest)
              else if (result === 'throttled') penalties.add(peer, RANGE_PENALTIES.throttled)
            },
          }),
        {
          maxInboundStreams: limits.maxRangeStreamsPerConnection,
          maxOutboundStreams: limits.maxRangeStreamsPerConnection,
          force: true, // a restarted node registers the protocol again
        },
      )
      pubsub.topicValidators.set(topic, validate)
      pubsub.addEventListener('gossipsub:message', deliver)
      pubsub.subscribe(topic)
      libp2p.addEventListener('peer:connect', onConnect)
      libp2p.addEventListener('peer:disconnect', onDisconnect)
      state = 'started'
      redial()
      redialTimer = setInterval(redial, limits.redialIntervalMs)
      redialTimer.unref()
      scoreTimer = setInterval(dropLowScorePeers, limits.scoreCheckIntervalMs)
      scoreTimer.unref()
      log.info({ peerId, addresses: node.multiaddrs(), topic, bootstrap: bootstrap.map((p) => p.text) }, 'p2p started')
    },

    async stop() {
      if (state !== 'started') return
      state = 'stopped'
      clearInterval(redialTimer)
      clearInterval(scoreTimer)
      dialAbort.abort(new P2PNodeError('the p2p node is stopping', { severity: 'temporary' }))
      await Promise.allSettled([...dials])
      pubsub.removeEventListener('gossipsub:message', deliver)
      libp2p.removeEventListener('peer:connect', onConnect)
      libp2p.removeEventListener('peer:disconnect', onDisconnect)
      pubsub.topicValidators.delete(topic)
      await libp2p.stop()
      log.info({ peerId }, 'p2p stopped')
    },

    multiaddrs() {
      return libp2p.getMultiaddrs().map((address) => address.toString())
    },

    async publishBlock(message) {
      if (state !== 'started') throw new P2PNodeError('publishBlock called before start().', { severity: 'temporary' })
      // Size and signer only (one keccak and one recovery): the payload comes from
      // encodeGossipBlock, but a sequencer key that is not the config's would be rejected by every peer.
      if (message.length > limits.maxMessageBytes) {
        throw new GossipMessageError('too_large', `${message.length} bytes, at most ${limits.maxMessageBytes}`)
      }
      verifyGossipSigner(message, options.chainId, sequencer)
      const { recipients } = await pubsub.publish(topic, message)
      return recipients.length
    },

    onBlock(handler) {
      handlers.add(handler)
      return () => {
        handlers.delete(handler)
      }
    },

    async requestRange(from, count, requestOptions = {}) {
      encodeRangeRequest(from, count) // throws RangeRequestError('invalidRequest') before any dial
      if (state !== 'started') {
        throw new RangeRequestError('unavailable', 'requestRange called before start().')
      }
      const candidates = requestOptions.peer ? [parsePeerId(requestOptions.peer)] : orderedPeers()
      let lastError: RangeRequestError | undefined
      let answered = false
      for (const candidate of candidates) {
        try {
          const blocks = await requestRangeFrom(libp2p, candidate, rangeProtocol, from, count, {
            chainId: options.chainId,
            sequencer,
            timeoutMs: limits.rangeRequestTimeoutMs,
            maxMessageBytes: limits.maxMessageBytes,
            maxResponseBytes: limits.maxRangeResponseBytes,
            signal: requestOptions.signal,
          })
          countRange('client', 'ok', blocks.length)
          if (blocks.length > 0) return blocks
          answered = true
        } catch (error) {
          if (!(error instanceof RangeRequestError)) throw error
          countRange('client', clientResult(error), 0)
          log.debug({ peer: candidate.toString(), from, count, err: error.shortMessage }, 'range request failed')
          lastError = error
          if (requestOptions.signal?.aborted) break
        }
      }
      if (answered) return []
      throw lastError ?? new RangeRequestError('unavailable', 'No connected peer to ask for blocks.')
    },

    connectedPeers() {
      return libp2p.getPeers().map((peer) => peer.toString())
    },

    topicPeers() {
      return pubsub.getSubscribers(topic).map((peer) => peer.toString())
    },

    peerScore(peer) {
      return scoreOf(peer)
    },

    clearSeen() {
      validator.clearSeen()
    },
  }
  return node

  function orderedPeers(): PeerId[] {
    const connected = libp2p.getPeers()
    const preferred = new Set(bootstrap.flatMap((peer) => (peer.peerId ? [peer.peerId.toString()] : [])))
    return [
      ...connected.filter((peer) => preferred.has(peer.toString())),
      ...connected.filter((peer) => !preferred.has(peer.toString())),
    ]
  }
}

function clientResult(error: RangeRequestError): RangeResult {
  switch (error.problem) {
    case 'invalidRequest':
      return 'invalid_request'
    case 'refused':
      return 'refused'
    case 'serverError':
      return 'server_error'
    case 'badResponse':
      return 'bad_response'
    case 'timeout':
      return 'timeout'
    case 'unavailable':
      return 'unavailable'
  }
}

function parseBootstrapPeer(text: string): BootstrapPeer {
  let address: Multiaddr
  try {
    address = multiaddr(text)
  } catch (error) {
    throw new P2PNodeError(`Bootstrap peer "${text}" is not a multiaddr (e.g. /ip4/127.0.0.1/tcp/9222/p2p/12D3Koo…).`, {
      severity: 'invalidInput',
      cause: error,
    })
  }
  const id = address.getComponents().find((component) => component.name === 'p2p')?.value
  let peerId: PeerId | undefined
  if (id !== undefined) {
    try {
      peerId = peerIdFromString(id)
    } catch (error) {
      throw new P2PNodeError(`Bootstrap peer "${text}" has an invalid peer id.`, {
        severity: 'invalidInput',
        cause: error,
      })
    }
  }
  return { address, text, peerId }
}

function parsePeerId(text: string): PeerId {
  try {
    return peerIdFromString(text)
  } catch (error) {
    throw new RangeRequestError('invalidRequest', `"${text}" is not a peer id.`, { cause: error })
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>
}
