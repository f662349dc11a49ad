import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { SluiceError } from '../errors/base.ts'
import {
  CLOSE_REQUEST,
  type SendBodyRequest,
  type SendBodyResponse,
  type SenderRequest,
  type SenderResponse,
} from './senderProtocol.ts'
import type { SendRawTransactionBody } from './sendRawTransactionBody.ts'

/** How long a closing worker may take to finish its queued chunks before it is terminated. */
const STOP_TIMEOUT_MS = 10_000

/** A worker of the sender pool died, or the pool was used after `close()`. */
export class SenderPoolError extends SluiceError {
  override name = 'SenderPoolError'
}

export type SenderPoolOptions = {
  /** Worker threads (default `os.availableParallelism()`). */
  threads?: number | undefined
  /**
   * Most transactions per message to a worker (default: a call's transactions split evenly over
   * the workers). Smaller chunks balance better; larger ones cost fewer messages.
   */
  chunkSize?: number | undefined
  /** The worker module (default `./senderWorker.ts`); tests point it elsewhere. */
  workerUrl?: URL | undefined
}

export type SenderPool = {
  readonly threads: number
  /**
   * Decodes each raw signed transaction and recovers its sender with `checkSignature` (the same
   * code as on the main thread, with `expectedChainId: chainId`): the 20-byte sender, or
   * `undefined` when the bytes do not decode or a signature rule fails. Rejects with a
   * `SenderPoolError` when a worker dies or the pool is closed.
   */
  recover(raws: readonly Uint8Array[], chainId: bigint): Promise<(Uint8Array | undefined)[]>
  /**
   * `recover`, and each transaction's hash (keccak256 of its bytes, also for those that do not
   * decode) computed in the same worker pass, for callers that need both (derivation).
   */
  recoverWithHashes(raws: readonly Uint8Array[], chainId: bigint): Promise<RecoveredSenders>
  /**
   * Parses a JSON-RPC body in a worker when it is made only of well-formed `eth_sendRawTransaction`
   * calls (at most `maxCalls`) whose senders recover under `chainId`, with their hashes
   * (`parseSendRawTransactionBody`); undefined for any other body. Calls resolve in the order they
   * were made, so that bodies are admitted in arrival order whichever worker finishes first.
   */
  prepareSendBody(text: string, chainId: bigint, maxCalls: number): Promise<SendRawTransactionBody | undefined>
  /** Stops the workers; pending calls reject. */
  close(): Promise<void>
}

/** What `recoverWithHashes` gives: `senders[i]` as `recover` gives it, `hashes[i]` the hash of `raws[i]`. */
export type RecoveredSenders = { senders: (Uint8Array | undefined)[]; hashes: Uint8Array[] }

type Pending = {
  resolve: (response: never) => void
  reject: (error: Error) => void
}

/**
 * A pool of `worker_threads` that recover transaction senders in parallel. Transactions go to the
 * workers packed in one transferred ArrayBuffer per chunk (no structured clone of many small
 * arrays), senders come back the same way. Idle workers do not keep the process alive.
 *
 * @example
 * const pool = createSenderPool()
 * const senders = await pool.recover(raws, config.chainId)
 * await pool.close()
 */
export function createSenderPool(options: SenderPoolOptions = {}): SenderPool {
  const threads = options.threads ?? availableParallelism()
  if (!Number.isInteger(threads) || threads < 1) {
    throw new SenderPoolError(`a sender pool needs at least one thread, not ${threads}`, {
      severity: 'invalidInput',
    })
  }
  const url = options.workerUrl ?? new URL('./senderWorker.ts', import.meta.url)
  const pending = new Map<number, Pending>()
  const inFlight = new Map<Worker, number>()
  let nextId = 0
  let next = 0
  let failure: SenderPoolError | undefined
  let closing = false

  /**
   * Stops every worker at a safe point: each closes its port once the chunks already queued to it
   * are done, and its thread then ends by itself. `Worker.terminate()` while a worker is inside the
   * native secp256k1 binding can abort the whole process (a V8 fatal error, seen about once in six
   * closes of a busy pool), so it is only the fallback for a worker that does not stop in time.
   */
  const stopWorkers = async (): Promise<void> => {
    await Promise.all(
      workers.map(async (worker) => {
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
        try {
          worker.postMessage(CLOSE_REQUEST)
        } catch {
          // already gone
        }
        worker.ref()
        const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS)
        await exited
        clearTimeout(timer)
      }),
    )
  }

  const fail = (error: SenderPoolError): void => {
    if (failure === undefined) failure = error
    for (const p of pending.values()) p.reject(error)
    pending.clear()
    closing = true
    void stopWorkers()
  }

  const workers: Worker[] = []
  for (let i = 0; i < threads; i++) {
    const worker = new Worker(url)
    worker.unref()
    inFlight.set(worker, 0)
    worker.on('message', (response: SenderResponse | SendBodyResponse) => {
      const p = pending.get(response.id)
      if (p === undefined) return
      pending.delete(response.id)
      const left = (inFlight.get(worker) ?? 1) - 1
      inFlight.set(worker, left)
      if (left === 0) worker.unref()
      ;(p.resolve as (answer: SenderResponse | SendBodyResponse) => void)(response)
    })
    worker.on('error', (error) => {
      fail(
        new SenderPoolError(`sender-recovery worker ${i} crashed: ${error.message}`, {
          details: 'Pending recoveries were rejected and the pool is unusable; close it and create a new one.',
          cause: error,
          severity: 'critical',
        }),
      )
    })
    worker.on('messageerror', (error) => {
      fail(new SenderPoolError(`sender-recovery worker ${i} sent an unreadable message`, { cause: error }))
    })
    worker.on('exit', (code) => {
      if (closing || failure !== undefined) return
      fail(
        new SenderPoolError(`sender-recovery worker ${i} exited unexpectedly with code ${code}`, {
          details: 'Pending recoveries were rejected and the pool is unusable; close it and create a new one.',
          severity: 'critical',
        }),
      )
    })
    workers.push(worker)
  }

  /** Posts one message to the next worker; resolves with its answer. */
  const post = <Answer>(worker: Worker, id: number, message: unknown, transfer: ArrayBuffer[]): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (answer: never) => void, reject })
      const count = inFlight.get(worker) ?? 0
      if (count === 0) worker.ref()
      inFlight.set(worker, count + 1)
      worker.postMessage(message, transfer)
    })

  const nextWorker = (): Worker => {
    const worker = workers[next] as Worker
    next = (next + 1) % workers.length
    return worker
  }

  /** Settles once every body handed over so far has been answered: the next body answers after it. */
  let previousBody: Promise<unknown> = Promise.resolve()

  const send = (
    raws: readonly Uint8Array[],
    from: number,
    to: number,
    chainId: bigint,
    hashes: boolean,
  ): Promise<SenderResponse> => {
    let total = 0
    for (let i = from; i < to; i++) total += (raws[i] as Uint8Array).length
    const bytes = new Uint8Array(total)
    const offsets = new Uint32Array(to - from + 1)
    let o = 0
    for (let i = from; i < to; i++) {
      const raw = raws[i] as Uint8Array
      bytes.set(raw, o)
      o += raw.length
      offsets[i - from + 1] = o
    }
    const id = nextId++
    const request: SenderRequest = { id, chainId, bytes: bytes.buffer, offsets: offsets.buffer, hashes }
    return post<SenderResponse>(nextWorker(), id, request, [request.bytes, request.offsets])
  }

  /** Every chunk's answer, in order, with the index of its first transaction. */
  const run = async (
    raws: readonly Uint8Array[],
    chainId: bigint,
    hashes: boolean,
  ): Promise<{ response: SenderResponse; base: number }[]> => {
    if (failure !== undefined) throw failure
    if (closing) throw new SenderPoolError('the sender pool is closed', { severity: 'critical' })
    const n = raws.length
    if (n === 0) return []
    const chunk = Math.max(1, options.chunkSize ?? Math.ceil(n / threads))
    const parts: Promise<{ response: SenderResponse; base: number }>[] = []
    for (let from = 0; from < n; from += chunk) {
      parts.push(
        send(raws, from, Math.min(n, from + chunk), chainId, hashes).then((response) => ({ response, base: from })),
      )
    }
    return Promise.all(parts)
  }

  const sendersOf = (parts: { response: SenderResponse; base: number }[], n: number): (Uint8Array | undefined)[] => {
    const out: (Uint8Array | undefined)[] = new Array(n)
    for (const { response, base } of parts) {
      const senders = new Uint8Array(response.senders)
      const ok = new Uint8Array(response.ok)
      for (let i = 0; i < ok.length; i++)
        out[base + i] = ok[i] === 1 ? senders.subarray(i * 20, i * 20 + 20) : undefined
    }
    return out
  }

  return {
    threads,
    async recover(raws, chainId) {
      return sendersOf(await run(raws, chainId, false), raws.length)
    },
    async recoverWithHashes(raws, chainId) {
      const parts = await run(raws, chainId, true)
      const hashes: Uint8Array[] = new Array(raws.length)
      for (const { response, base } of parts) {
        const all = new Uint8Array(response.hashes as ArrayBuffer)
        for (let i = 0; i * 32 < all.length; i++) hashes[base + i] = all.subarray(i * 32, i * 32 + 32)
      }
      return { senders: sendersOf(parts, raws.length), hashes }
    },
    prepareSendBody(text, chainId, maxCalls) {
      if (failure !== undefined) return Promise.reject(failure)
      if (closing) return Promise.reject(new SenderPoolError('the sender pool is closed', { severity: 'critical' }))
      const id = nextId++
      const request: SendBodyRequest = { kind: 'sendBody', id, chainId, maxCalls, text }
      const answered = post<SendBodyResponse>(nextWorker(), id, request, [])
      // Settled whatever the outcome (a rejection waiting for the earlier bodies would count as unhandled).
      const settled = answered.then(
        () => undefined,
        () => undefined,
      )
      const inOrder = previousBody.then(() => answered).then((answer) => answer.body)
      previousBody = previousBody.then(() => settled)
      return inOrder
    },
    async close() {
      if (closing) return
      closing = true
      const error = new SenderPoolError('the sender pool was closed while recoveries were pending', {
        severity: 'critical',
      })
      for (const p of pending.values()) p.reject(error)
      pending.clear()
      await stopWorkers()
    },
  }
}
