/** The messages between `createSenderPool` (senderPool.ts) and its workers (senderWorker.ts). */
import type { SendRawTransactionBody } from './sendRawTransactionBody.ts'

/**
 * What the pool sends: transaction `i` is `bytes[offsets[i], offsets[i+1])`. With `hashes` the
 * worker also returns each transaction's hash (keccak256 of its bytes).
 */
export type SenderRequest = { id: number; chainId: bigint; bytes: ArrayBuffer; offsets: ArrayBuffer; hashes: boolean }

/**
 * What a worker answers: `senders[20i, 20i+20)` is valid when `ok[i] === 1`; `hashes[32i, 32i+32)` is
 * transaction `i`'s hash (every transaction's, decodable or not) when the request asked for them.
 */
export type SenderResponse = { id: number; senders: ArrayBuffer; ok: ArrayBuffer; hashes: ArrayBuffer | undefined }

/** A JSON-RPC body to prepare with `parseSendRawTransactionBody`. */
export type SendBodyRequest = { kind: 'sendBody'; id: number; chainId: bigint; maxCalls: number; text: string }

/** The prepared body, or undefined when the caller must answer it on its usual path. */
export type SendBodyResponse = { id: number; body: SendRawTransactionBody | undefined }

/** Sent by the pool when it closes: the worker closes its port after the chunks queued before it. */
export const CLOSE_REQUEST = 'close'
