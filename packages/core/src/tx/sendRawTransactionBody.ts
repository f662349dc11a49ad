import { Buffer } from 'node:buffer'
import { transactionHash } from './hash.ts'
import { packTransaction, TRANSACTION_RECORD_BYTES, transactionRecords } from './packedTransactions.ts'
import { recoverRawTransaction } from './signature.ts'

/** A JSON-RPC id as received: echoed back exactly. */
export type JsonRpcId = string | number | null

/**
 * A JSON-RPC body made only of well-formed `eth_sendRawTransaction` calls whose senders recover,
 * prepared off the main thread. Call `i` is `bytes[offsets[i], offsets[i+1])`, with its hash at
 * `hashes[32i, 32i+32)` and its sender at `senders[20i, 20i+20)`, and its decoded fields are record
 * `i` of `transactions` (`unpackTransaction`); `ids[i]` is its request's id.
 */
export type SendRawTransactionBody = {
  /** True for a batch (an array), false for a single request object. */
  batch: boolean
  ids: JsonRpcId[]
  bytes: ArrayBuffer
  offsets: ArrayBuffer
  hashes: ArrayBuffer
  senders: ArrayBuffer
  /** The decoded transactions (`packedTransactions.ts`): the receiver need not decode them again. */
  transactions: ArrayBuffer
}

const METHOD = 'eth_sendRawTransaction'

/** The raw transaction of one request when it is a well-formed call this path takes; else undefined. */
function rawOf(request: unknown): { id: JsonRpcId; raw: Uint8Array } | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return undefined
  const { jsonrpc, id, method, params } = request as Record<string, unknown>
  // A notification gets no answer; leaving it to the dispatcher keeps that rule in one place.
  if (!Object.hasOwn(request, 'id')) return undefined
  if (id !== null && typeof id !== 'string' && typeof id !== 'number') return undefined
  if (jsonrpc !== '2.0' || method !== METHOD || !Array.isArray(params) || params.length !== 1) return undefined
  const hex = params[0]
  if (typeof hex !== 'string' || hex.length < 4 || hex.length % 2 !== 0 || hex[0] !== '0') return undefined
  if (hex[1] !== 'x' && hex[1] !== 'X') return undefined
  const raw = new Uint8Array((hex.length - 2) / 2)
  // Buffer.write stops at the first non-hex pair, as the RPC's parseData does.
  if (Buffer.from(raw.buffer).write(hex.slice(2), 'hex') !== raw.length) return undefined
  return { id, raw }
}

/**
 * Parses a JSON-RPC body in a sender worker when it is one `eth_sendRawTransaction` call or a batch
 * of at most `maxCalls` of them, each well formed (an id, `"jsonrpc": "2.0"`, one 0x-hex argument)
 * with a sender that recovers under `chainId` (`recoverRawTransaction`, as `recoverPacked`). Anything
 * else — bad JSON, another method, a notification, a batch too long or empty, a transaction that
 * does not decode or recover — is undefined, and the caller answers the body on its usual path, so
 * that every error stays that path's.
 */
export function parseSendRawTransactionBody(
  text: string,
  chainId: bigint,
  maxCalls: number,
): SendRawTransactionBody | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  const batch = Array.isArray(parsed)
  const requests: unknown[] = batch ? (parsed as unknown[]) : [parsed]
  const count = requests.length
  if (count === 0 || count > maxCalls) return undefined
  const ids: JsonRpcId[] = new Array(count)
  const raws: Uint8Array[] = new Array(count)
  let total = 0
  for (let i = 0; i < count; i++) {
    const call = rawOf(requests[i])
    if (call === undefined) return undefined
    ids[i] = call.id
    raws[i] = call.raw
    total += call.raw.length
  }
  const bytes = new Uint8Array(total)
  const offsets = new Uint32Array(count + 1)
  const hashes = new Uint8Array(count * 32)
  const senders = new Uint8Array(count * 20)
  const transactions = new ArrayBuffer(count * TRANSACTION_RECORD_BYTES)
  const records = transactionRecords(transactions)
  const options = { expectedChainId: chainId }
  let o = 0
  for (let i = 0; i < count; i++) {
    const raw = raws[i] as Uint8Array
    const recovered = recoverRawTransaction(raw, options)
    if (recovered === undefined) return undefined
    senders.set(recovered.sender, i * 20)
    packTransaction(records, i, recovered.tx)
    hashes.set(transactionHash(raw), i * 32)
    bytes.set(raw, o)
    o += raw.length
    offsets[i + 1] = o
  }
  return {
    batch,
    ids,
    bytes: bytes.buffer,
    offsets: offsets.buffer,
    hashes: hashes.buffer,
    senders: senders.buffer,
    transactions,
  }
}
