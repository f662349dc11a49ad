/**
 * Hostile clients from one machine against a real sequencer on a real anvil (issue 17): WebSocket
 * subscribers that stop reading, expensive batches, and slowloris sockets. Each attack is bounded in
 * count and time; during each, the sequencer must stay alive with bounded memory, keep sealing blocks
 * on time, keep polling L1 and posting batches, and confirm an honest transfer. Attackers bind
 * 127.0.0.2 and up, so per-IP limits fall on them and not on the honest wallet on 127.0.0.1.
 */
import { Agent, request } from 'node:http'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  parseEther,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  attackerAddress,
  histogramAbove,
  idleHttpSocket,
  metricValue,
  type RawWebSocket,
  rawWebSocket,
  rssBytes,
  scrape,
} from '../support/hostile.ts'
import { devAccount, jsonRpc, stopAll, tempDir, waitFor } from '../support/processes.ts'
import { deposit, type L1, type NodeProcess, startL1, startSequencerProcess } from '../support/rollup.ts'

const alice = devAccount(5)
const bob = devAccount(6)
/** The sequencer seals an empty block every second when idle (its default), so gaps above this are stalls. */
const MAX_SEAL_GAP_SECONDS = 3
/**
 * Bound on the sequencer's resident memory during any attack: 700 MiB, plus the KZG library's
 * precomputed setup that a sequencer posting and reading blob batches holds (~100 MiB resident,
 * measured: `kzg()` and one commitment take a process from 101 to 203 MiB).
 */
const MAX_RSS_BYTES = 800 * 1024 * 1024
const GAP_BUCKETS = [0.5, 1, 1.5, 2, 3, 5, 10, 30, 60]

type Figures = {
  attack: string
  maxEventLoopDelayMs: number
  maxOpenFds: number
  worstSealGapAtMostSeconds: number
  maxRssMiB: number
  honestConfirmMs: number
  notes: Record<string, number>
}
const figures: Figures[] = []
let baselineRssMiB = 0

describe('a sequencer under attack from one machine', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess
  let l2: PublicClient
  let send: (value: bigint) => Promise<number>
  let port: number

  beforeAll(async () => {
    dir = tempDir('sluice-hostile-')
    l1 = await startL1(dir)
    sequencer = await startSequencerProcess(dir, l1, {
      extraArgs: [
        '--rpc-max-connections',
        '300',
        '--rpc-max-connections-per-ip',
        '30',
        '--rpc-headers-timeout',
        '2000',
        '--rpc-request-timeout',
        '4000',
        '--log-level',
        'warn',
      ],
    })
    port = Number(new URL(sequencer.rpcUrl).port)
    const chain = defineChain({
      id: Number(l1.config.chainId),
      name: 'sluice',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [sequencer.rpcUrl] } },
    })
    l2 = createPublicClient({ chain, transport: http(sequencer.rpcUrl), pollingInterval: 100 }) as PublicClient
    const wallet = createWalletClient({ chain, account: alice.account, transport: http(sequencer.rpcUrl) })
    await deposit(l1, 5, alice.address, parseEther('10'))
    await waitFor('the deposit on L2', async () => (await l2.getBalance({ address: alice.address })) > 0n, {
      timeoutMs: 30_000,
    })
    baselineRssMiB = Math.round(rssBytes(sequencer.child.pid as number) / 1024 / 1024)
    send = async (value) => {
      const started = Date.now()
      const hash = await wallet.sendTransaction({ to: bob.address as Address, value, account: alice.account, chain })
      const receipt = await l2.waitForTransactionReceipt({ hash, timeout: 30_000, pollingInterval: 100 })
      expect(receipt.status).toBe('success')
      return Date.now() - started
    }
  }, 120_000)

  afterAll(async () => {
    await stopAll()
    console.log(`rpc-hostile figures: ${JSON.stringify({ baselineRssMiB, figures })}`)
  })

  /**
   * Runs `attack` (which returns its stopper) while sampling the sequencer's memory, confirms an
   * honest transfer during it, and checks seal gaps, L1 polling and health over the whole window.
   */
  async function underAttack(
    name: string,
    attack: () => Promise<() => Promise<Record<string, number>>>,
    windowMs: number,
  ): Promise<Figures> {
    const pid = sequencer.child.pid as number
    const before = await scrape(sequencer.rpcUrl)
    const safeBefore = BigInt(
      ((await jsonRpc(sequencer.rpcUrl, 'sluice_syncStatus')) as { safe: { number: string } }).safe.number,
    )
    let maxRss = rssBytes(pid)
    const sampler = setInterval(() => {
      try {
        maxRss = Math.max(maxRss, rssBytes(pid))
      } catch {
        // gone: the liveness check below fails with the reason
      }
    }, 200)
    // The node's own view, once a second: event-loop delay since the last scrape, open descriptors.
    let maxDelaySeconds = 0
    let maxOpenFds = 0
    const scraper = setInterval(() => {
      void scrape(sequencer.rpcUrl).then(
        (text) => {
          maxDelaySeconds = Math.max(
            maxDelaySeconds,
            metricValue(text, 'sluice_event_loop_delay_seconds', { stat: 'max' }),
          )
          maxOpenFds = Math.max(maxOpenFds, metricValue(text, 'sluice_open_fds'))
        },
        () => undefined,
      )
    }, 1_000)
    const started = Date.now()
    let stop: (() => Promise<Record<string, number>>) | undefined
    let honestConfirmMs = Number.NaN
    let notes: Record<string, number> = {}
    try {
      stop = await attack()
      honestConfirmMs = await send(1_000n)
      // Keep blocks coming (an honest sender) for the rest of the window.
      while (Date.now() - started < windowMs) {
        await send(1n)
        expect(sequencer.child.exitCode).toBeNull()
      }
      const health = await fetch(`${sequencer.rpcUrl}/health`)
      expect(health.status, await health.clone().text()).toBe(200)
    } finally {
      clearInterval(sampler)
      clearInterval(scraper)
      notes = (await stop?.()) ?? {}
    }
    expect(sequencer.child.exitCode).toBeNull()
    const after = await scrape(sequencer.rpcUrl)
    const gapsAbove = (bound: number) =>
      histogramAbove(after, 'sluice_liveness_gap_seconds', { loop: 'seal' }, bound) -
      histogramAbove(before, 'sluice_liveness_gap_seconds', { loop: 'seal' }, bound)
    const worst = GAP_BUCKETS.find((bound) => gapsAbove(bound) === 0) ?? Number.POSITIVE_INFINITY
    expect(
      worst,
      `${name}: a block was sealed more than ${MAX_SEAL_GAP_SECONDS} s after the previous one`,
    ).toBeLessThanOrEqual(MAX_SEAL_GAP_SECONDS)
    expect(maxRss, `${name}: resident memory`).toBeLessThan(MAX_RSS_BYTES)
    // L1 polling went on (never stale beyond a few polls) and batches were posted: the safe head moved.
    expect(metricValue(after, 'sluice_liveness_age_seconds', { loop: 'l1' })).toBeLessThan(5)
    await waitFor(
      `${name}: the safe head to advance`,
      async () =>
        BigInt(((await jsonRpc(sequencer.rpcUrl, 'sluice_syncStatus')) as { safe: { number: string } }).safe.number) >
        safeBefore,
      { timeoutMs: 30_000, intervalMs: 250 },
    )
    // And after the attack, a transfer confirms as before.
    await send(1n)
    const result: Figures = {
      attack: name,
      maxEventLoopDelayMs: Math.round(maxDelaySeconds * 1000),
      maxOpenFds,
      worstSealGapAtMostSeconds: worst,
      maxRssMiB: Math.round(maxRss / 1024 / 1024),
      honestConfirmMs,
      notes,
    }
    figures.push(result)
    return result
  }

  it('bounds what WebSocket subscribers that stop reading cost, and keeps sealing', async () => {
    const sockets: RawWebSocket[] = []
    const result = await underAttack(
      'ws-slow-consumers',
      async () => {
        // 200 connections from 10 addresses, 64 newHeads subscriptions each (the node grants 10,000 in all).
        for (let batch = 0; batch < 4; batch++) {
          const opened = await Promise.all(
            Array.from({ length: 50 }, (_, i) => rawWebSocket(port, attackerAddress((batch * 50 + i) % 10))),
          )
          for (const socket of opened) {
            for (let s = 0; s < 64; s++)
              socket.send(JSON.stringify({ jsonrpc: '2.0', id: s, method: 'eth_subscribe', params: ['newHeads'] }))
            sockets.push(socket)
          }
        }
        await waitFor(
          'subscriptions to be granted',
          async () =>
            metricValue(await scrape(sequencer.rpcUrl), 'sluice_rpc_subscriptions', { kind: 'newHeads' }) >= 9_000,
        )
        for (const socket of sockets) socket.stopReading()
        // What the node holds for them, sampled: never more than the total budget (64 MiB by default).
        let maxBuffered = 0
        const sampler = setInterval(() => {
          void scrape(sequencer.rpcUrl).then(
            (text) => {
              maxBuffered = Math.max(maxBuffered, metricValue(text, 'sluice_rpc_ws_buffered_bytes'))
            },
            () => undefined,
          )
        }, 500)
        return async () => {
          clearInterval(sampler)
          const metrics = await scrape(sequencer.rpcUrl)
          for (const socket of sockets) socket.destroy()
          return { dropped: metricValue(metrics, 'sluice_rpc_ws_slow_consumers_dropped_total'), maxBuffered }
        }
      },
      20_000,
    )
    expect(result.notes.maxBuffered).toBeLessThanOrEqual(65 * 1024 * 1024)
    // Whether cut off over their budget or gone, their subscriptions are freed.
    await waitFor(
      'the slow consumers to be dropped',
      async () => metricValue(await scrape(sequencer.rpcUrl), 'sluice_rpc_subscriptions', { kind: 'newHeads' }) === 0,
      { timeoutMs: 20_000 },
    )
    const metrics = await scrape(sequencer.rpcUrl)
    expect(metricValue(metrics, 'sluice_rpc_refused_total', { limit: 'subscriptions' })).toBeGreaterThan(0)
  }, 120_000)

  it('refuses expensive batches at once and throttles costly calls per client, and keeps sealing', async () => {
    await underAttack(
      'expensive-requests',
      async () => {
        const percentiles = Array.from({ length: 100 }, (_, i) => i)
        const huge = JSON.stringify(
          Array.from({ length: 1_000 }, (_, id) => ({
            jsonrpc: '2.0',
            id,
            method: 'eth_feeHistory',
            params: ['0x400', 'latest', percentiles],
          })),
        )
        // The dearest single calls a client may make, timed alone on this chain.
        const chainLength = Number(await l2.getBlockNumber())
        let at = performance.now()
        await jsonRpc(sequencer.rpcUrl, 'eth_feeHistory', ['0x400', 'latest', percentiles])
        const dearestFeeHistoryMs = Math.round(performance.now() - at)
        at = performance.now()
        await jsonRpc(sequencer.rpcUrl, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }])
        const wholeChainLogsMs = Math.round(performance.now() - at)
        const started = Date.now()
        const refusal = (await (
          await fetch(sequencer.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge })
        ).json()) as { error?: { code: number; message: string } }
        const refusalMs = Date.now() - started
        expect(refusal.error).toMatchObject({ code: -32005, message: expect.stringContaining('request too expensive') })
        // Then 8 clients each loop over the dearest calls a request may make, for the whole window.
        let running = true
        let answered = 0
        let throttled = 0
        const heavy = JSON.stringify([
          { jsonrpc: '2.0', id: 1, method: 'eth_feeHistory', params: ['0x400', 'latest', percentiles] },
          { jsonrpc: '2.0', id: 2, method: 'eth_getLogs', params: [{ fromBlock: '0x0', toBlock: 'latest' }] },
        ])
        const clients = Array.from({ length: 8 }, async (_, i) => {
          const agent = new Agent({ keepAlive: true, localAddress: attackerAddress(20 + i) })
          while (running) {
            const status = await postFrom(agent, port, heavy)
            if (status === 429) throttled++
            else answered++
          }
          agent.destroy()
        })
        return async () => {
          running = false
          await Promise.all(clients)
          return { refusalMs, answered, throttled, chainLength, dearestFeeHistoryMs, wholeChainLogsMs }
        }
      },
      15_000,
    )
  }, 120_000)

  it('survives slowloris: idle half-sent requests are capped per IP and timed out; L1 polling goes on', async () => {
    await underAttack(
      'slowloris',
      async () => {
        let running = true
        let opened = 0
        // 8 addresses × 40 sockets against a cap of 30 per address, reopened as the node times them out.
        const attackers = Array.from({ length: 8 }, async (_, i) => {
          const from = attackerAddress(40 + i)
          while (running) {
            const batch = await Promise.all(
              Array.from({ length: 40 }, () => idleHttpSocket(port, from).catch(() => undefined)),
            )
            opened += batch.length
            await Promise.race([
              Promise.all(batch.map((s) => s?.closed)),
              new Promise((resolve) => setTimeout(resolve, 6_000)),
            ])
            for (const s of batch) s?.socket.destroy()
          }
        })
        return async () => {
          running = false
          await Promise.all(attackers)
          const metrics = await scrape(sequencer.rpcUrl)
          return {
            opened,
            refusedPerIp: metricValue(metrics, 'sluice_rpc_refused_total', { limit: 'connections_per_ip' }),
            refusedTotal: metricValue(metrics, 'sluice_rpc_refused_total', { limit: 'connections' }),
          }
        }
      },
      12_000,
    )
    const metrics = await scrape(sequencer.rpcUrl)
    expect(metricValue(metrics, 'sluice_rpc_refused_total', { limit: 'connections_per_ip' })).toBeGreaterThan(0)
  }, 120_000)
})

/** One POST through `agent` (bound to an attacker address); resolves with the status, the body read and dropped. */
function postFrom(agent: Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', () => resolve(0))
      },
    )
    req.on('error', () => resolve(0))
    req.end(body)
  })
}
