/** The messages between `createSenderPool` (senderPool.ts) and its workers (senderWorker.ts). */

/** What the pool sends: transaction `i` is `bytes[offsets[i], offsets[i+1])`. */
export type SenderRequest = { id: number; chainId: bigint; bytes: ArrayBuffer; offsets: ArrayBuffer }

/** What a worker answers: `senders[20i, 20i+20)` is valid when `ok[i] === 1`. */
export type SenderResponse = { id: number; senders: ArrayBuffer; ok: ArrayBuffer }

/** Sent by the pool when it closes: the worker closes its port after the chunks queued before it. */
export const CLOSE_REQUEST = 'close'
