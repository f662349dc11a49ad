/**
 * The worker side of the batcher's `BatchEncoder` (encoder.ts): batch encoding and its self-check
 * off the main thread (`EncoderSessions`). Runs under Node's native type stripping.
 */
import { parentPort } from 'node:worker_threads'
import { CLOSE_ENCODER, type EncoderRequest } from './encoderProtocol.ts'
import { EncoderSessions } from './encoderSessions.ts'

const port = parentPort
if (port !== null) {
  const sessions = new EncoderSessions()
  port.on('message', (request: EncoderRequest | typeof CLOSE_ENCODER) => {
    if (request === CLOSE_ENCODER) {
      port.close()
      return
    }
    const response = sessions.handle(request)
    port.postMessage(response, 'bytes' in response ? [response.bytes] : [])
  })
}
