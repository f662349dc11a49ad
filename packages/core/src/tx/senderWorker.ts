/**
 * The worker side of `createSenderPool` (senderPool.ts). Runs under Node's native type stripping.
 *
 * A request carries many raw signed transactions packed into one transferred ArrayBuffer
 * (`bytes` + `offsets`); the answer packs the recovered senders into another (20 bytes each) with
 * a flag per transaction (1 = recovered, 0 = not: undecodable or a signature rule failed), and, when
 * asked, the transaction hashes in a third (32 bytes each), so the caller does not hash them again.
 * The recovery is `recoverRawSender` (`decodeTransaction` + `checkSignature`) — the same code the main thread runs.
 * It also prepares JSON-RPC bodies of `eth_sendRawTransaction` calls (`parseSendRawTransactionBody`),
 * so that the main thread neither parses them nor hashes their transactions.
 */
import { parentPort } from 'node:worker_threads'
import { transactionHash } from './hash.ts'
import {
  CLOSE_REQUEST,
  type SendBodyRequest,
  type SendBodyResponse,
  type SenderRequest,
  type SenderResponse,
} from './senderProtocol.ts'
import { parseSendRawTransactionBody } from './sendRawTransactionBody.ts'
import { recoverRawSender } from './signature.ts'

export function recoverPacked(request: SenderRequest): SenderResponse {
  const bytes = new Uint8Array(request.bytes)
  const offsets = new Uint32Array(request.offsets)
  const count = offsets.length - 1
  const senders = new Uint8Array(count * 20)
  const ok = new Uint8Array(count)
  const hashes = request.hashes ? new Uint8Array(count * 32) : undefined
  const options = { expectedChainId: request.chainId }
  for (let i = 0; i < count; i++) {
    const raw = bytes.subarray(offsets[i] as number, offsets[i + 1] as number)
    hashes?.set(transactionHash(raw), i * 32)
    const sender = recoverRawSender(raw, options)
    if (sender !== undefined) {
      senders.set(sender, i * 20)
      ok[i] = 1
    }
  }
  return { id: request.id, senders: senders.buffer, ok: ok.buffer, hashes: hashes?.buffer }
}

const port = parentPort
if (port !== null) {
  port.on('message', (request: SenderRequest | SendBodyRequest | typeof CLOSE_REQUEST) => {
    if (request === CLOSE_REQUEST) {
      port.close()
      return
    }
    if ('kind' in request) {
      const body = parseSendRawTransactionBody(request.text, request.chainId, request.maxCalls)
      const answer: SendBodyResponse = { id: request.id, body }
      port.postMessage(
        answer,
        body === undefined ? [] : [body.bytes, body.offsets, body.hashes, body.senders, body.transactions],
      )
      return
    }
    const response = recoverPacked(request)
    const transfer = [response.senders, response.ok]
    if (response.hashes !== undefined) transfer.push(response.hashes)
    port.postMessage(response, transfer)
  })
}
