import type { PeerId, Stream } from '@libp2p/interface'
import {
  bigintToBytes,
  bytesToHex,
  decodeRlp,
  decodeRlpInteger,
  encodeRlp,
  equalBytes,
  type RlpDecoded,
} from '@sluice/core'
import * as lp from 'it-length-prefixed'
import type { Logger } from 'pino'
import { MAX_RANGE_COUNT, MAX_RANGE_REQUEST_BYTES, MAX_RANGE_STATUS_BYTES } from './constants.ts'
import { GossipMessageError, RangeRequestError } from './errors.ts'
import { decodeGossipMessage, type GossipBlock, plainBytes } from './gossipBlock.ts'
import type { RangeResult } from './metrics.ts'
import type { RangeServeLimiter } from './rangeLimits.ts'

/**
 * blocks-by-range (README.md in this folder). The client opens a stream, writes one
 * length-prefixed frame rlp([from, count]) and closes its write side. The server answers with
 * length-prefixed frames: first a status frame (one status byte, then an optional UTF-8 reason),
 * then, when the status is OK, up to `count` signed block messages for from, from+1, … in order,
 * and closes. Fewer blocks than asked (none included) means the server has no more.
 */

export const RANGE_STATUS_OK = 0
export const RANGE_STATUS_INVALID_REQUEST = 1
export const RANGE_STATUS_SERVER_ERROR = 2

const MAX_UINT64 = 2n ** 64n - 1n

/** A block received from a peer with the exact bytes it came in (to store and serve on). */
export type ReceivedBlock = {
  block: GossipBlock
  /** The signed message: signature ‖ payload. */
  message: Uint8Array
  /** Peer id (base58) of the peer it came from. */
  peer: string
}

/**
 * What a node serves: the signed messages of blocks from, from+1, … (at most `count`), stopping at
 * the first block it does not have. It may return more or fewer; the server sends at most `count`.
 */
export type RangeProvider = (from: bigint, count: number) => readonly Uint8Array[] | Promise<readonly Uint8Array[]>

export function encodeRangeRequest(from: bigint, count: number): Uint8Array {
  checkRange(from, count)
  return encodeRlp([bigintToBytes(from), bigintToBytes(BigInt(count))])
}

/** Strict: rlp([from, count]) with canonical uint64 values, 1 ≤ count ≤ 256, no overflow. */
export function decodeRangeRequest(bytes: Uint8Array): { from: bigint; count: number } {
  let decoded: RlpDecoded
  try {
    decoded = decodeRlp(bytes)
  } catch (error) {
    throw new RangeRequestError('invalidRequest', 'The range request is not canonical RLP.', { cause: error })
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) {
    throw new RangeRequestError('invalidRequest', 'The range request must be rlp([from, count]).')
  }
  let from: bigint
  let count: bigint
  try {
    from = decodeRlpInteger(decoded[0] as RlpDecoded, 8)
    count = decodeRlpInteger(decoded[1] as RlpDecoded, 8)
  } catch (error) {
    throw new RangeRequestError('invalidRequest', 'from and count must be canonical uint64 integers.', { cause: error })
  }
  if (count > BigInt(MAX_RANGE_COUNT)) {
    throw new RangeRequestError('invalidRequest', `count ${count} is above the limit of ${MAX_RANGE_COUNT}.`)
  }
  checkRange(from, Number(count))
  return { from, count: Number(count) }
}

function checkRange(from: bigint, count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_RANGE_COUNT) {
    throw new RangeRequestError('invalidRequest', `count must be 1 to ${MAX_RANGE_COUNT}; got ${count}.`)
  }
  if (from < 0n || from + BigInt(count) - 1n > MAX_UINT64) {
    throw new RangeRequestError('invalidRequest', `blocks ${from} + ${count} do not fit in uint64 numbers.`)
  }
}

function statusFrame(status: number, reason = ''): Uint8Array {
  const text = new TextEncoder().encode(reason).subarray(0, MAX_RANGE_STATUS_BYTES - 1)
  const frame = new Uint8Array(1 + text.length)
  frame[0] = status
  frame.set(text, 1)
  return frame
}

/** The stream's chunks as plain Uint8Arrays (libp2p may hand out Uint8ArrayLists). */
async function* chunks(stream: Stream): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

async function write(stream: Stream, frame: Uint8Array): Promise<void> {
  if (!stream.send(lp.encode.single(frame))) await stream.onDrain()
}

/** Blocks asked of the provider at a time; the event loop gets a turn between chunks. */
export const RANGE_SERVE_CHUNK = 8

export type RangeServerOptions = {
  provider: RangeProvider | undefined
  /** Admission (concurrency and blocks per second); without it every well-formed request is served. */
  limiter?: RangeServeLimiter | undefined
  /** Whole exchange: reading the request and writing the answer. */
  timeoutMs: number
  maxMessageBytes: number
  maxResponseBytes: number
  log: Logger
  onDone: (result: RangeResult, blocks: number) => void
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Answers one blocks-by-range stream. Never throws: a failure aborts the stream and is counted. */
export async function serveRangeStream(stream: Stream, peer: string, options: RangeServerOptions): Promise<void> {
  let expire: (error: Error) => void = () => {}
  // Settles (rejects) at the deadline, so that neither a silent client nor a stuck provider keeps the handler.
  const expired = new Promise<never>((_, reject) => {
    expire = reject
  })
  expired.catch(() => {})
  let timedOut = false
  const deadline = setTimeout(() => {
    timedOut = true
    const error = new Error('blocks-by-range: deadline passed')
    stream.abort(error)
    expire(error)
  }, options.timeoutMs)
  let result: RangeResult = 'ok'
  let sent = 0
  try {
    let request: { from: bigint; count: number }
    try {
      const frame = await Promise.race([firstFrame(stream, MAX_RANGE_REQUEST_BYTES), expired])
      request = decodeRangeRequest(frame)
    } catch (error) {
      if (stream.status !== 'open') throw error
      result = 'invalid_request'
      const reason =
        error instanceof RangeRequestError ? error.shortMessage : 'the request frame is missing or too large'
      options.log.debug({ peer, err: error }, 'refused a blocks-by-range request')
      await write(stream, statusFrame(RANGE_STATUS_INVALID_REQUEST, reason))
      await stream.close()
      return
    }
    if (!options.provider) {
      result = 'server_error'
      await write(stream, statusFrame(RANGE_STATUS_SERVER_ERROR, 'this node serves no blocks'))
      await stream.close()
      return
    }
    const ticket = options.limiter?.admit(peer, request.count)
    if (ticket !== undefined && 'refused' in ticket) {
      result = 'throttled'
      options.log.debug({ peer, ...request, why: ticket.refused }, 'throttled a blocks-by-range request')
      await write(stream, statusFrame(RANGE_STATUS_SERVER_ERROR, ticket.refused))
      await stream.close()
      return
    }
    try {
      // In chunks, with a turn of the event loop between them: a large answer (signing, encoding)
      // never holds the loop that seals blocks and answers RPC for more than one chunk.
      const fetchChunk = (from: bigint, count: number) =>
        Promise.race([(options.provider as RangeProvider)(from, count), expired])
      let chunk: readonly Uint8Array[]
      let asked = Math.min(RANGE_SERVE_CHUNK, request.count)
      try {
        chunk = await fetchChunk(request.from, asked)
      } catch (error) {
        if (stream.status !== 'open') throw error
        result = 'server_error'
        options.log.warn({ peer, err: error, ...request }, 'blocks-by-range provider failed')
        await write(stream, statusFrame(RANGE_STATUS_SERVER_ERROR, 'the node could not read its blocks'))
        await stream.close()
        return
      }
      await write(stream, statusFrame(RANGE_STATUS_OK))
      let bytes = 0
      for (;;) {
        let stop = chunk.length < asked
        for (const message of chunk.slice(0, asked)) {
          bytes += message.length
          // Stop rather than send what the client must refuse; it asks again from where this ends.
          if (message.length > options.maxMessageBytes || bytes > options.maxResponseBytes) {
            stop = true
            break
          }
          await write(stream, message)
          sent++
        }
        if (stop || sent >= request.count) break
        await nextTurn()
        asked = Math.min(RANGE_SERVE_CHUNK, request.count - sent)
        // A failure after the status went out aborts the stream: the client asks another peer.
        chunk = await fetchChunk(request.from + BigInt(sent), asked)
      }
      await stream.close()
    } finally {
      ticket?.done(sent)
    }
  } catch (error) {
    // The client went away (reset, closed connection) or the deadline passed.
    result = timedOut ? 'timeout' : 'unavailable'
    options.log.debug({ peer, err: error }, 'blocks-by-range stream failed while serving')
    stream.abort(error instanceof Error ? error : new Error(String(error)))
  } finally {
    clearTimeout(deadline)
    options.onDone(result, sent)
  }
}

async function firstFrame(stream: Stream, maxBytes: number): Promise<Uint8Array> {
  for await (const frame of lp.decode(chunks(stream), { maxDataLength: maxBytes })) return frame.subarray()
  throw new RangeRequestError('invalidRequest', 'The stream ended before a request frame.')
}

export type RangeClientOptions = {
  chainId: bigint
  sequencer: Uint8Array
  timeoutMs: number
  maxMessageBytes: number
  maxResponseBytes: number
  signal?: AbortSignal | undefined
}

type Dialer = { dialProtocol(peer: PeerId, protocol: string, options: { signal: AbortSignal }): Promise<Stream> }

/**
 * Asks one peer for blocks from..from+count-1 and verifies the answer as gossip is verified
 * (size, structure, sequencer signature) plus: the numbers run from `from` without gaps and each
 * block's parentHash is the previous block's hash. Any violation refuses the whole answer.
 */
export async function requestRangeFrom(
  dialer: Dialer,
  peerId: PeerId,
  protocol: string,
  from: bigint,
  count: number,
  options: RangeClientOptions,
): Promise<ReceivedBlock[]> {
  const peer = peerId.toString()
  const request = encodeRangeRequest(from, count)
  const timeout = AbortSignal.timeout(options.timeoutMs)
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout
  let stream: Stream
  try {
    stream = await dialer.dialProtocol(peerId, protocol, { signal })
  } catch (error) {
    if (timeout.aborted) throw new RangeRequestError('timeout', `Peer ${peer} did not open a stream in time.`, { peer })
    if (options.signal?.aborted) throw aborted(peer, options.signal)
    throw new RangeRequestError('unavailable', `Could not open ${protocol} to peer ${peer}.`, { peer, cause: error })
  }
  const abort = () => stream.abort(new Error('blocks-by-range: deadline passed'))
  signal.addEventListener('abort', abort, { once: true })
  // Start reading before writing: the stream's iterator only sees the end of the answer if it
  // listens before the server closes its side, and a fast server can answer within a tick.
  const frames = lp.decode(chunks(stream), { maxDataLength: options.maxMessageBytes })[Symbol.asyncIterator]()
  const pending = frames.next()
  pending.catch(() => {}) // observed below; this only keeps an early failure from going unhandled
  try {
    await write(stream, request)
    await stream.close()
    const received: ReceivedBlock[] = []
    let status: number | undefined
    let bytes = 0
    for (let next = await pending; !next.done; next = await frames.next()) {
      const frame = plainBytes(next.value.subarray())
      if (status === undefined) {
        if (frame.length === 0 || frame.length > MAX_RANGE_STATUS_BYTES) throw badResponse(peer, 'bad status frame')
        status = frame[0] as number
        const reason = new TextDecoder().decode(frame.subarray(1))
        if (status === RANGE_STATUS_INVALID_REQUEST) {
          throw new RangeRequestError('refused', `Peer ${peer} refused the range request: ${reason}`, { peer })
        }
        if (status !== RANGE_STATUS_OK) {
          throw new RangeRequestError('serverError', `Peer ${peer} could not serve blocks: ${reason}`, { peer })
        }
        continue
      }
      bytes += frame.length
      if (received.length >= count) throw badResponse(peer, `more than the ${count} blocks asked for`)
      if (bytes > options.maxResponseBytes) throw badResponse(peer, `more than ${options.maxResponseBytes} bytes`)
      received.push({ block: checkedBlock(frame, received, from, peer, options), message: frame, peer })
    }
    if (status === undefined) throw badResponse(peer, 'the stream ended without a status frame')
    return received
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)))
    if (error instanceof RangeRequestError) throw error
    if (timeout.aborted) throw new RangeRequestError('timeout', `Peer ${peer} did not answer in time.`, { peer })
    if (options.signal?.aborted) throw aborted(peer, options.signal)
    throw badResponse(peer, 'the stream failed or its framing is invalid', error)
  } finally {
    signal.removeEventListener('abort', abort)
  }
}

function checkedBlock(
  message: Uint8Array,
  previous: readonly ReceivedBlock[],
  from: bigint,
  peer: string,
  options: RangeClientOptions,
): GossipBlock {
  let block: GossipBlock
  try {
    block = decodeGossipMessage(message, {
      chainId: options.chainId,
      sequencer: options.sequencer,
      maxMessageBytes: options.maxMessageBytes,
    })
  } catch (error) {
    const problem = error instanceof GossipMessageError ? error.problem : 'malformed'
    throw badResponse(peer, `block ${previous.length} is invalid (${problem})`, error)
  }
  const expected = from + BigInt(previous.length)
  if (block.number !== expected) throw badResponse(peer, `block ${block.number} where ${expected} was due`)
  const parent = previous.at(-1)
  if (parent && !equalBytes(parent.block.blockHash, block.parentHash)) {
    throw badResponse(peer, `block ${block.number} has parent ${bytesToHex(block.parentHash)}, not the block before it`)
  }
  return block
}

function aborted(peer: string, signal: AbortSignal): RangeRequestError {
  return new RangeRequestError('unavailable', 'The range request was cancelled by its caller.', {
    peer,
    cause: signal.reason,
  })
}

function badResponse(peer: string, what: string, cause?: unknown): RangeRequestError {
  return new RangeRequestError('badResponse', `Peer ${peer} sent an invalid range response: ${what}.`, { peer, cause })
}
