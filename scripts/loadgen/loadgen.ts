/**
 * The load generator: pre-signed raw transactions sent as batched `eth_sendRawTransaction` over HTTP
 * with bounded concurrency for a bounded time, then a wait until every accepted transaction is in a
 * block.
 *
 * Latency is measured from the moment a transaction's batch request is written to the moment the
 * client first sees the transaction in a block. By default (`watch: 'blocks'`) new blocks are
 * followed with `eth_getBlockByNumber(n, false)` every `pollIntervalMs` (one call per block, whatever
 * the load) instead of polling receipts per transaction, which at thousands of transactions per
 * second would load the node more than the transactions do; a sample of receipts is fetched at the
 * end to check that what was seen in blocks is what the node reports. `watch: 'receipts'` is what a
 * plain outside client does instead: every accepted transaction not yet seen is asked for with
 * `eth_getTransactionReceipt`, in JSON-RPC batches of `receiptBatchSize`, each round at most every
 * `receiptPollIntervalMs` (its latency is then the time to the first round that finds the receipt).
 *
 * Sending is open-loop when `rate` is set (batch k leaves at `k × batchSize / rate` seconds, unless
 * `concurrency` requests are already open or `maxOutstanding` transactions are sent but not yet in a
 * block), otherwise as fast as the node answers.
 */
import { bytesToHex } from '../../packages/core/src/bytes/index.ts'
import { transactionHash } from '../../packages/core/src/tx/index.ts'
import { threadCpuByName, threadCpuPerOp } from '../bench/harness.ts'
import { type RpcAnswer, RpcClient } from './http.ts'

export type LoadOptions = {
  rpcUrl: string
  /** Pre-signed raw transactions, sent in this order (each sender's nonces ascending). */
  raws: readonly Uint8Array[]
  /** How long to send, in milliseconds. */
  durationMs: number
  /** Offered load in tx/s (0 or absent: as fast as the node answers). */
  rate?: number
  /** Transactions per JSON-RPC batch (default 200). */
  batchSize?: number
  /** Batch requests open at once (default 8). */
  concurrency?: number
  /** Sent but not yet seen in a block, at most (default 60,000: below a node's pool limit). */
  maxOutstanding?: number
  /** After sending ends, give up waiting when no new transaction of ours was included for this long (default 30 s). */
  drainTimeoutMs?: number
  /** Interval between polls for the next block (default 25 ms). */
  pollIntervalMs?: number
  /** Receipts fetched at the end to check the block view (default 64). */
  spotChecks?: number
  /** How inclusion is seen: following blocks (default) or polling each transaction's receipt, as a plain client does. */
  watch?: 'blocks' | 'receipts'
  /** `watch: 'receipts'`: receipts asked per JSON-RPC batch (default 100). */
  receiptBatchSize?: number
  /** `watch: 'receipts'`: a polling round starts at most this often (default 250 ms). */
  receiptPollIntervalMs?: number
  /** `watch: 'receipts'`: receipt batches open at once (default 4). */
  receiptConcurrency?: number
  log?: (message: string) => void
}

export type LatencySummary = { p50: number; p90: number; p99: number; max: number; mean: number }

export type LoadReport = {
  rpcUrl: string
  /** Length of the sending window, ms. */
  windowMs: number
  /** Transactions sent (accepted or not). */
  sent: number
  offeredTps: number
  /** The node answered with a hash. */
  accepted: number
  /** accepted / window: what the node took in, sustained over the window. */
  acceptedTps: number
  /** Accepted and then seen in a block. */
  included: number
  /** included / (last inclusion seen − first send): end to end, the drain after the window included. */
  includedTps: number
  /** Transactions of ours seen in blocks, per whole second of the sending window (the tx/s samples). */
  includedPerSecond: number[]
  /** Submit to first sight in a block, ms, over every included transaction. */
  latencyMs: LatencySummary
  /** Refused transactions by error text (the text up to its first colon); `transport: …` when the request failed. */
  refused: Record<string, number>
  /** One full message per refusal kind. */
  refusedExamples: Record<string, string>
  /** Accepted but never seen in a block before the drain timeout. */
  missing: number
  /** Answers whose hash differed from keccak256(raw). */
  hashMismatches: number
  /** Blocks that held at least one transaction of ours. */
  blocks: { count: number; maxTxs: number; meanTxs: number; meanIntervalMs: number }
  spotCheck: { checked: number; ok: number; failures: string[] }
  /** The pre-signed transactions ran out before the window ended. */
  ranOut: boolean
  /**
   * What following inclusion cost the node and the generator: HTTP requests made (block reads, or
   * receipt batches) and JSON-RPC calls in them, until the drain ended.
   */
  following: { requests: number; calls: number }
  /** What the generator itself took (see `GeneratorCpu`). */
  generatorCpu: GeneratorCpu
}

/**
 * The CPU of the process that ran the generator (`process.cpuUsage()`: every thread of it, so in a
 * process of its own — loadProcess.ts — the generator alone). `prepareSeconds`: request bodies and
 * hashes built before the window opened, while the node idles; `loadSeconds`: from the first send
 * to the end of the drain and the spot-check, the part that competes with the node for the cores.
 */
export type GeneratorCpu = {
  prepareSeconds: number
  loadSeconds: number
  /** loadSeconds per included transaction, µs. */
  usPerTx: number
  /**
   * The load's CPU per included transaction by thread name, µs (`main`; `V8Worker`: GC and
   * compiler; `libuv-worker`), where /proc is readable.
   */
  threadsUsPerTx: Record<string, number> | undefined
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number
}

function refusalKey(message: string): string {
  const colon = message.indexOf(':')
  return (colon > 0 ? message.slice(0, colon) : message).trim()
}

type BlockView = { number: string; transactions: string[]; timestamp: string }

/** Runs the load against `rpcUrl` and reports what the node accepted, included and refused. */
export function runLoad(options: LoadOptions): Promise<LoadReport> {
  return prepareLoad(options).run()
}

/** A load whose requests are built: `run()` opens the window at once. */
export type PreparedLoad = { run(): Promise<LoadReport> }

const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6

function threadCpu(): Record<string, number> | undefined {
  try {
    return threadCpuByName(process.pid)
  } catch {
    return undefined // no /proc here
  }
}

/**
 * Builds everything the window needs before it opens, so that the window spends nothing on it:
 * each batch's request body as one Buffer (written to the socket as is) and the hashes to check
 * the answers and to find the transactions in blocks.
 */
export function prepareLoad(options: LoadOptions): PreparedLoad {
  const prepareStart = process.cpuUsage()
  const batchSize = options.batchSize ?? 200
  const { raws } = options
  const n = raws.length
  const hashes: string[] = new Array(n)
  const indexOfHash = new Map<string, number>()
  const bodies: Buffer[] = new Array(Math.ceil(n / batchSize))
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize)
    const parts: string[] = new Array(to - from)
    for (let i = from; i < to; i++) {
      const raw = raws[i] as Uint8Array
      parts[i - from] =
        `{"jsonrpc":"2.0","id":${i - from},"method":"eth_sendRawTransaction","params":["${bytesToHex(raw)}"]}`
      const hash = bytesToHex(transactionHash(raw))
      hashes[i] = hash
      indexOfHash.set(hash, i)
    }
    bodies[from / batchSize] = Buffer.from(`[${parts.join(',')}]`, 'latin1')
  }
  const prepareSeconds = cpuSeconds(process.cpuUsage(prepareStart))
  return { run: () => load(options, { hashes, indexOfHash, bodies, prepareSeconds }) }
}

type Prepared = {
  hashes: readonly string[]
  indexOfHash: ReadonlyMap<string, number>
  /** Batch k's request body: transactions k × batchSize up to the next batch's first. */
  bodies: readonly Buffer[]
  prepareSeconds: number
}

async function load(options: LoadOptions, prepared: Prepared): Promise<LoadReport> {
  const { hashes, indexOfHash, bodies } = prepared
  const cpu0 = process.cpuUsage()
  const threads0 = threadCpu()
  const log = options.log ?? (() => {})
  const batchSize = options.batchSize ?? 200
  const concurrency = options.concurrency ?? 8
  const maxOutstanding = options.maxOutstanding ?? 60_000
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000
  const pollIntervalMs = options.pollIntervalMs ?? 25
  const rate = options.rate ?? 0
  const n = options.raws.length

  const submittedAt = new Float64Array(n).fill(Number.NaN)
  const seenAt = new Float64Array(n).fill(Number.NaN)
  const seenInBlock = new Float64Array(n).fill(Number.NaN)
  const state = new Uint8Array(n) // 0 unsent, 1 sent, 2 accepted, 3 refused
  const refused: Record<string, number> = {}
  const refusedExamples: Record<string, string> = {}
  let sent = 0
  let accepted = 0
  let refusedCount = 0
  let seen = 0
  let hashMismatches = 0

  const watch = options.watch ?? 'blocks'
  const receiptBatchSize = options.receiptBatchSize ?? 100
  const receiptPollIntervalMs = options.receiptPollIntervalMs ?? 250
  const receiptConcurrency = options.receiptConcurrency ?? 4
  const client = new RpcClient(options.rpcUrl, concurrency + 4)
  const follower = new RpcClient(options.rpcUrl, watch === 'receipts' ? receiptConcurrency : 2)
  /** Accepted and not seen in a block yet (`watch: 'receipts'` asks for these). */
  const unseen = new Set<number>()
  const refuse = (i: number, message: string) => {
    state[i] = 3
    refusedCount++
    const key = refusalKey(message)
    refused[key] = (refused[key] ?? 0) + 1
    refusedExamples[key] ??= message
  }

  // Follow blocks from the one after the current head.
  let nextBlock = BigInt(await follower.call<string>('eth_blockNumber')) + 1n
  let sendingDone = false
  let followRequests = 0
  let followCalls = 0
  let lastInclusion = 0
  let lastProgressAt = performance.now()
  const blockSizes: number[] = []
  const blockTimes: number[] = []
  const follow = async (): Promise<void> => {
    for (;;) {
      const now = performance.now()
      if (sendingDone && (seen >= accepted || now - lastProgressAt > drainTimeoutMs)) return
      let block: BlockView | null
      followRequests++
      followCalls++
      try {
        block = await follower.call<BlockView | null>('eth_getBlockByNumber', [`0x${nextBlock.toString(16)}`, false])
      } catch (error) {
        log(`loadgen: block ${nextBlock} not read (${String(error)}); retrying`)
        await sleep(pollIntervalMs * 4)
        continue
      }
      if (block === null) {
        await sleep(pollIntervalMs)
        continue
      }
      const at = performance.now()
      let ours = 0
      for (const hash of block.transactions) {
        const i = indexOfHash.get(hash)
        if (i === undefined || !Number.isNaN(seenAt[i] as number)) continue
        seenAt[i] = at
        seenInBlock[i] = Number(nextBlock)
        ours++
      }
      if (ours > 0) {
        seen += ours
        lastInclusion = at
        lastProgressAt = at
        blockSizes.push(ours)
        blockTimes.push(at)
      }
      nextBlock++
    }
  }
  /** `watch: 'receipts'`: per block number, how many of ours its receipts showed and when the first was seen. */
  const receiptBlocks = new Map<number, { count: number; at: number }>()
  const pollReceipts = async (): Promise<void> => {
    for (;;) {
      const roundStart = performance.now()
      if (sendingDone && (seen >= accepted || roundStart - lastProgressAt > drainTimeoutMs)) return
      const wanted = [...unseen]
      const batches: number[][] = []
      for (let j = 0; j < wanted.length; j += receiptBatchSize) batches.push(wanted.slice(j, j + receiptBatchSize))
      const worker = async (): Promise<void> => {
        for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
          const indices = batch
          let answers: RpcAnswer[]
          followRequests++
          followCalls += indices.length
          try {
            answers = await follower.batch(
              indices.map((i) => ({ method: 'eth_getTransactionReceipt', params: [hashes[i]] })),
            )
          } catch (error) {
            log(`loadgen: receipts not read (${String(error)}); retrying`)
            await sleep(receiptPollIntervalMs)
            continue
          }
          const at = performance.now()
          answers.forEach((answer, j) => {
            const receipt = answer.result as { blockNumber?: string } | null | undefined
            const i = indices[j] as number
            if (!receipt?.blockNumber || !unseen.has(i)) return
            unseen.delete(i)
            const number = Number(BigInt(receipt.blockNumber))
            seenAt[i] = at
            seenInBlock[i] = number
            seen++
            lastInclusion = at
            lastProgressAt = at
            const block = receiptBlocks.get(number)
            if (block === undefined) receiptBlocks.set(number, { count: 1, at })
            else block.count++
          })
        }
      }
      await Promise.all(Array.from({ length: receiptConcurrency }, worker))
      const wait = roundStart + receiptPollIntervalMs - performance.now()
      await sleep(Math.max(wait, unseen.size === 0 ? pollIntervalMs : 0))
    }
  }
  const following = watch === 'receipts' ? pollReceipts() : follow()

  const send = async (from: number, to: number): Promise<void> => {
    const at = performance.now()
    for (let i = from; i < to; i++) {
      submittedAt[i] = at
      state[i] = 1
    }
    sent += to - from
    try {
      const answers = (await client.post(bodies[from / batchSize] as Buffer)) as RpcAnswer[]
      if (!Array.isArray(answers)) throw new Error(`batch answered with ${JSON.stringify(answers).slice(0, 200)}`)
      for (const answer of answers) {
        const i = from + answer.id
        if (answer.error) {
          refuse(i, answer.error.message)
        } else {
          state[i] = 2
          accepted++
          if (watch === 'receipts') unseen.add(i)
          if (answer.result !== hashes[i]) hashMismatches++
        }
      }
      for (let i = from; i < to; i++) if (state[i] === 1) refuse(i, 'no answer for this call in the batch')
    } catch (error) {
      for (let i = from; i < to; i++) refuse(i, `transport: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  const inFlight = new Set<Promise<void>>()
  const t0 = performance.now()
  const end = t0 + options.durationMs
  let next = 0
  let ranOut = false
  for (;;) {
    const now = performance.now()
    if (now >= end) break
    if (next >= n) {
      ranOut = true
      break
    }
    if (inFlight.size >= concurrency) {
      await Promise.race(inFlight)
      continue
    }
    if (sent - refusedCount - seen >= maxOutstanding) {
      await sleep(5)
      continue
    }
    if (rate > 0) {
      const due = t0 + (next / rate) * 1000
      if (now < due) {
        await sleep(Math.max(1, Math.min(due - now, 20)))
        continue
      }
    }
    const to = Math.min(n, next + batchSize)
    const request = send(next, to).finally(() => inFlight.delete(request))
    inFlight.add(request)
    next = to
  }
  const windowEnd = performance.now()
  await Promise.all(inFlight)
  sendingDone = true
  lastProgressAt = Math.max(lastProgressAt, performance.now())
  log(
    `loadgen: sent ${sent} in ${((windowEnd - t0) / 1000).toFixed(1)} s, ${accepted} accepted, ${refusedCount} refused; waiting for ${accepted - seen} to be included`,
  )
  await following

  // Latency and per-second samples.
  const latencies = new Float64Array(seen)
  const windowMs = windowEnd - t0
  const bins = new Array<number>(Math.max(1, Math.floor(windowMs / 1000))).fill(0)
  let k = 0
  let sum = 0
  for (let i = 0; i < n; i++) {
    const s = seenAt[i] as number
    if (Number.isNaN(s) || state[i] !== 2) continue
    const latency = s - (submittedAt[i] as number)
    latencies[k++] = latency
    sum += latency
    const bin = Math.floor((s - t0) / 1000)
    if (bin < bins.length) bins[bin] = (bins[bin] as number) + 1
  }
  const sorted = latencies.subarray(0, k).sort()
  const round = (x: number) => Math.round(x * 10) / 10

  // Spot-check receipts: spread over the included transactions.
  const includedIndices: number[] = []
  for (let i = 0; i < n; i++) if (state[i] === 2 && !Number.isNaN(seenAt[i] as number)) includedIndices.push(i)
  const wanted = Math.min(options.spotChecks ?? 64, includedIndices.length)
  const picks = Array.from(
    { length: wanted },
    (_, j) => includedIndices[Math.floor((j * includedIndices.length) / wanted)] as number,
  )
  const failures: string[] = []
  let ok = 0
  if (picks.length > 0) {
    const answers = await follower.batch(
      picks.map((i) => ({ method: 'eth_getTransactionReceipt', params: [hashes[i]] })),
    )
    answers.forEach((answer, j) => {
      const i = picks[j] as number
      const receipt = answer.result as { blockNumber?: string; status?: string } | null | undefined
      if (!receipt) failures.push(`${hashes[i]}: no receipt`)
      else if (Number(BigInt(receipt.blockNumber ?? '0x0')) !== seenInBlock[i])
        failures.push(`${hashes[i]}: receipt in block ${receipt.blockNumber}, seen in ${seenInBlock[i]}`)
      else if (receipt.status !== '0x1') failures.push(`${hashes[i]}: status ${receipt.status}`)
      else ok++
    })
  }
  client.close()
  follower.close()

  if (watch === 'receipts') {
    for (const [, block] of [...receiptBlocks].sort((a, b) => a[0] - b[0])) {
      blockSizes.push(block.count)
      blockTimes.push(block.at)
    }
  }
  const intervals = blockTimes.slice(1).map((t, j) => t - (blockTimes[j] as number))
  const loadSeconds = cpuSeconds(process.cpuUsage(cpu0))
  const threads1 = threadCpu()
  const perIncluded = (us: number) => (k === 0 ? Number.NaN : Math.round(us / k))
  const threadsUsPerTx =
    threads0 !== undefined && threads1 !== undefined && k > 0 ? threadCpuPerOp(threads0, threads1, k) : undefined
  return {
    // An API key in the URL is a credential: the report names the URL without it.
    rpcUrl: options.rpcUrl.replace(/\/key\/[^/?#]+/, '/key/<key>'),
    windowMs: Math.round(windowMs),
    sent,
    offeredTps: Math.round((sent * 1000) / windowMs),
    accepted,
    acceptedTps: Math.round((accepted * 1000) / windowMs),
    included: k,
    includedTps: k === 0 ? 0 : Math.round((k * 1000) / (lastInclusion - t0)),
    includedPerSecond: bins,
    latencyMs: {
      p50: round(percentile(sorted, 0.5)),
      p90: round(percentile(sorted, 0.9)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN),
      mean: round(k ? sum / k : Number.NaN),
    },
    refused,
    refusedExamples,
    missing: accepted - k,
    hashMismatches,
    blocks: {
      count: blockSizes.length,
      maxTxs: blockSizes.length ? Math.max(...blockSizes) : 0,
      meanTxs: blockSizes.length ? Math.round(blockSizes.reduce((a, b) => a + b, 0) / blockSizes.length) : 0,
      meanIntervalMs: intervals.length ? Math.round(intervals.reduce((a, b) => a + b, 0) / intervals.length) : 0,
    },
    spotCheck: { checked: picks.length, ok, failures: failures.slice(0, 5) },
    ranOut,
    following: { requests: followRequests, calls: followCalls },
    generatorCpu: {
      prepareSeconds: Number(prepared.prepareSeconds.toFixed(2)),
      loadSeconds: Number(loadSeconds.toFixed(2)),
      usPerTx: perIncluded(loadSeconds * 1e6),
      threadsUsPerTx,
    },
  }
}

/** A few lines for a person. */
export function formatReport(report: LoadReport): string {
  const refused = Object.entries(report.refused)
    .map(([text, count]) => `${count} × ${text}`)
    .join('; ')
  return [
    `sent ${report.sent} in ${(report.windowMs / 1000).toFixed(1)} s (${report.offeredTps} tx/s offered)`,
    `accepted ${report.accepted} (${report.acceptedTps} tx/s over the window), included ${report.included} (${report.includedTps} tx/s end to end), missing ${report.missing}`,
    `submit → in a block: p50 ${report.latencyMs.p50} ms, p90 ${report.latencyMs.p90} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`,
    `blocks with our transactions: ${report.blocks.count}, mean ${report.blocks.meanTxs}, max ${report.blocks.maxTxs}, every ${report.blocks.meanIntervalMs} ms`,
    `refused: ${refused || 'none'}`,
    `receipts spot-checked: ${report.spotCheck.ok}/${report.spotCheck.checked} agree${report.spotCheck.failures.length ? ` (${report.spotCheck.failures.join('; ')})` : ''}`,
    `following inclusion: ${report.following.calls} calls in ${report.following.requests} requests`,
    `generator CPU: ${report.generatorCpu.loadSeconds} s over the load (${report.generatorCpu.usPerTx} µs per included transaction${report.generatorCpu.threadsUsPerTx ? `, by thread ${JSON.stringify(report.generatorCpu.threadsUsPerTx)}` : ''}), ${report.generatorCpu.prepareSeconds} s preparing before it`,
  ].join('\n')
}
