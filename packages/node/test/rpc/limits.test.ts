import { bytesToHex, MESSAGE_PASSER, MESSAGE_PASSER_ADDRESS } from '@sluice/core'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attackerAddress, idleHttpSocket, metricValue, rawWebSocket } from '../../../../test/support/hostile.ts'
import { transfer } from '../../../../test/support/wallet.ts'
import { Liveness } from '../../src/ops/liveness.ts'
import { rateLimitedLog } from '../../src/ops/rateLimitedLog.ts'
import { connectionLimit, fileDescriptorLimit } from '../../src/rpc/connections.ts'
import { createCostModel } from '../../src/rpc/cost.ts'
import { RPC_ERROR_CODES } from '../../src/rpc/errors.ts'
import { FilterStore } from '../../src/rpc/filters.ts'
import { createRpcMetrics } from '../../src/rpc/metrics.ts'
import { DEFAULT_RPC_LIMITS } from '../../src/rpc/types.ts'
import { alice, bob, chainId, config, type Fixture, post, rpc, startFixture } from './fixture.ts'
import { MemoryChain } from './memoryChain.ts'

const call = (method: string, params: unknown[] = [], id = 1) => ({ jsonrpc: '2.0', id, method, params })

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error('condition not met before the deadline')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('cost model', () => {
  it('prices fee history by blocks × percentiles, logs by range, proofs by keys', async () => {
    const chain = await MemoryChain.create(config)
    for (let i = 0; i < 20; i++) await chain.seal([])
    const cost = createCostModel(chain, DEFAULT_RPC_LIMITS)
    expect(cost('eth_blockNumber', [])).toBe(1)
    const percentiles = Array.from({ length: 100 }, (_, i) => i)
    expect(cost('eth_feeHistory', ['0x400', 'latest', percentiles])).toBe(1024 * 11)
    expect(cost('eth_feeHistory', ['0x10000', 'latest', []])).toBe(DEFAULT_RPC_LIMITS.maxFeeHistoryBlocks) // cut as the call is
    expect(cost('eth_feeHistory', [4, 'latest'])).toBe(4)
    expect(cost('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }])).toBe(1 + 21)
    expect(cost('eth_getLogs', [{ fromBlock: '0x5', toBlock: '0x9' }])).toBe(1 + 5)
    expect(cost('eth_getLogs', ['nonsense'])).toBe(2) // refused by the method
    expect(cost('eth_getProof', [alice.addressHex, ['0x0', '0x1'], 'latest'])).toBe(3)
  })
})

describe('request cost, rate and response size', () => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await startFixture({
      limits: {
        rateLimit: { unitsPerSecond: 100, burst: 2_000 },
        maxRequestCost: 1_500,
        maxResponseBytes: 4_000,
      },
    })
    for (let i = 0; i < 50; i++) await fixture.chain.seal([])
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('refuses a batch dearer than a request may be, whole and at once, and counts it', async () => {
    const batch = Array.from({ length: 1_000 }, (_, i) =>
      call('eth_feeHistory', ['0x400', 'latest', Array.from({ length: 100 }, (_, p) => p)], i),
    )
    const started = performance.now()
    const answer = await post(fixture.address.url, batch)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(answer.json).toMatchObject({
      error: {
        code: RPC_ERROR_CODES.limitExceeded,
        message: expect.stringMatching(/^request too expensive: .* at most 1500 per request/),
      },
    })
    const metrics = await fixture.registry.metrics()
    expect(metricValue(metrics, 'sluice_rpc_refused_total', { limit: 'request_cost' })).toBeGreaterThanOrEqual(1)
  })

  it('answers -32003 for the calls of a batch past the response-size cap, the first ones in full', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => call('eth_getBlockByNumber', [`0x${i.toString(16)}`, false], i))
    const answers = (await post(fixture.address.url, batch)).json as {
      id: number
      result?: unknown
      error?: { code: number; message: string }
    }[]
    expect(answers).toHaveLength(20)
    expect(answers[0]?.result).toMatchObject({ number: '0x0' })
    const cut = answers.filter((a) => a.error !== undefined)
    expect(cut.length).toBeGreaterThan(0)
    expect(cut[0]?.error).toEqual({
      code: RPC_ERROR_CODES.responseTooLarge,
      message: expect.stringContaining('response too large'),
    })
    expect(answers.map((a) => a.id)).toEqual(batch.map((c) => c.id))
  })

  it('counts cost units, not calls: log queries over wide ranges exhaust a client before cheap calls would', async () => {
    let refused: Awaited<ReturnType<typeof post>> | undefined
    let calls = 0
    while (refused === undefined && calls < 100) {
      const answer = await post(fixture.address.url, call('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]))
      calls++
      if (answer.status === 429) refused = answer
    }
    // A burst of 2,000 units is ~38 scans of 52 blocks: far fewer than 2,000 calls.
    expect(calls).toBeLessThan(60)
    expect(refused?.json).toMatchObject({
      error: { code: RPC_ERROR_CODES.limitExceeded, message: expect.stringContaining('cost units per second') },
    })
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/)
  })
})

describe('API keys', () => {
  const unlimitedKey = 'indexer-0123456789abcdef'
  const meteredKey = 'metered-0123456789abcdef'
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await startFixture({
      limits: {
        rateLimit: { unitsPerSecond: 1, burst: 5 },
        apiKeys: [
          { name: 'indexer', key: unlimitedKey, unitsPerSecond: 0 },
          { name: 'metered', key: meteredKey, unitsPerSecond: 3 },
        ],
      },
    })
  })
  afterAll(async () => {
    await fixture.close()
  })
  const blockNumber = (url: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(call('eth_blockNumber')),
    })

  it("holds a keyed client to its key's allowance, not its IP's: an unlimited key passes where the IP is refused", async () => {
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await blockNumber(fixture.address.url)).status)
    expect(statuses).toContain(429)
    const viaPath = `${fixture.address.url}/key/${unlimitedKey}`
    for (let i = 0; i < 30; i++) expect((await blockNumber(viaPath)).status).toBe(200)
    for (let i = 0; i < 30; i++) {
      expect((await blockNumber(fixture.address.url, { authorization: `Bearer ${unlimitedKey}` })).status).toBe(200)
    }
    // The IP's own bucket is still empty: the keyed calls were not charged to it, nor let it through.
    expect((await blockNumber(fixture.address.url)).status).toBe(429)
    const metrics = await fixture.registry.metrics()
    expect(metricValue(metrics, 'sluice_rpc_api_key_requests_total', { key: 'indexer' })).toBeGreaterThanOrEqual(60)
  })

  it("refuses a metered key past its own allowance, naming the key's name, never the key", async () => {
    let refused: Response | undefined
    for (let i = 0; i < 20 && refused === undefined; i++) {
      const answer = await blockNumber(`${fixture.address.url}/key/${meteredKey}`)
      if (answer.status === 429) refused = answer
    }
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/)
    const text = (await refused?.text()) ?? ''
    expect(text).toContain('for API key metered')
    expect(text).not.toContain(meteredKey)
  })

  it('refuses an unknown key over HTTP (401) and WebSocket (close 1008) instead of charging the IP', async () => {
    for (const answer of [
      await blockNumber(`${fixture.address.url}/key/not-a-key-0123456789`),
      await blockNumber(fixture.address.url, { authorization: 'Bearer not-a-key-0123456789' }),
    ]) {
      expect(answer.status).toBe(401)
      expect(await answer.json()).toMatchObject({
        error: { code: RPC_ERROR_CODES.invalidRequest, message: expect.stringContaining('unknown API key') },
      })
    }
    const wsUrl = `${fixture.address.wsUrl}/key/not-a-key-0123456789`
    const socket = new WebSocket(wsUrl)
    const closed = await new Promise<CloseEvent>((resolve) => socket.addEventListener('close', resolve))
    expect(closed.code).toBe(1008)
    expect(closed.reason).toContain('unknown API key')
  })

  it('serves a keyed WebSocket at /key/<key> past the per-IP limit', async () => {
    const socket = new WebSocket(`${fixture.address.wsUrl}/key/${unlimitedKey}`)
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve)
      socket.addEventListener('error', reject)
    })
    const answers: { id: number; result?: string; error?: unknown }[] = []
    socket.addEventListener('message', (event) => answers.push(JSON.parse(String(event.data))))
    for (let i = 0; i < 20; i++) socket.send(JSON.stringify(call('eth_blockNumber', [], i)))
    await until(() => answers.length === 20)
    socket.close()
    expect(answers.every((a) => typeof a.result === 'string')).toBe(true)
  })
})

describe('connections', () => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await startFixture({
      limits: { maxConnections: 6, maxConnectionsPerIp: 3, headersTimeoutMs: 600, requestTimeoutMs: 1_000 },
    })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('caps connections per IP and in total with a 503 that says which, and drops half-sent headers after the timeout', async () => {
    const port = fixture.address.port
    const from = attackerAddress(0)
    const idle = await Promise.all([0, 1, 2].map(() => idleHttpSocket(port, from)))
    const fourth = await idleHttpSocket(port, from)
    const refusal = await new Promise<string>((resolve) => {
      let text = ''
      fourth.socket.on('data', (chunk: Buffer) => {
        text += chunk.toString()
      })
      void fourth.closed.then(() => resolve(text))
    })
    expect(refusal).toMatch(/^HTTP\/1.1 503/)
    expect(refusal).toContain('too many connections from your address (at most 3)')
    // Another address still gets in, up to the total.
    const others = await Promise.all([1, 2, 3].map((i) => idleHttpSocket(port, attackerAddress(i))))
    const overTotal = await idleHttpSocket(port, attackerAddress(4))
    await overTotal.closed
    const metrics = await fixture.registry.metrics()
    expect(metricValue(metrics, 'sluice_rpc_refused_total', { limit: 'connections_per_ip' })).toBe(1)
    expect(metricValue(metrics, 'sluice_rpc_refused_total', { limit: 'connections' })).toBe(1)
    // Slowloris: every half-sent request is cut off by the headers timeout, and the honest client gets in.
    const started = Date.now()
    await Promise.all([...idle, ...others].map((s) => s.closed))
    expect(Date.now() - started).toBeLessThan(5_000)
    expect((await rpc(fixture.address.url, 'eth_chainId')).result).toBe(`0x${chainId.toString(16)}`)
    const timedOut = await fixture.registry.metrics()
    expect(metricValue(timedOut, 'sluice_rpc_client_errors_total', { kind: 'http_timeout' })).toBeGreaterThanOrEqual(6)
  })

  it('keeps an idle keep-alive connection longer than clients poll, and tells them how long', async () => {
    // Node's own 5 s (+1 s) made a client that polls every 4 s, or whose event loop lagged, send a POST on
    // a connection the node was closing: the request failed with "other side closed".
    const connection = await idleHttpSocket(fixture.address.port, attackerAddress(6))
    let text = ''
    connection.socket.on('data', (chunk: Buffer) => {
      text += chunk.toString()
    })
    const body = JSON.stringify(call('eth_chainId'))
    const request = `Content-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`
    connection.socket.write(request)
    await until(() => text.includes('"result"'))
    expect(text).toMatch(/^HTTP\/1.1 200/)
    expect(text.toLowerCase()).toContain(`keep-alive: timeout=${DEFAULT_RPC_LIMITS.keepAliveTimeoutMs / 1000}`)
    expect(DEFAULT_RPC_LIMITS.keepAliveTimeoutMs).toBeGreaterThanOrEqual(30_000)
    // Idle past what Node's default would have allowed, then the same connection answers again.
    text = ''
    await new Promise((resolve) => setTimeout(resolve, 7_000))
    connection.socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${request}`)
    await until(() => text.includes('"result"'))
    expect(text).toMatch(/^HTTP\/1.1 200/)
    connection.socket.destroy()
    await connection.closed
  }, 20_000)

  it('answers malformed HTTP with 400, counts it, and logs it at warn only', async () => {
    const garbage = await idleHttpSocket(fixture.address.port, attackerAddress(5))
    let answer = ''
    garbage.socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString()
    })
    garbage.socket.write('\u0000\u0001 not HTTP\r\n\r\n')
    await garbage.closed
    expect(answer).toMatch(/^HTTP\/1.1 400/)
    const metrics = await fixture.registry.metrics()
    expect(metricValue(metrics, 'sluice_rpc_client_errors_total', { kind: 'http' })).toBe(1)
    expect(fixture.logs.filter((line) => (line.level as number) >= 50)).toEqual([])
  })

  it('derives the connection cap from the fd limit minus the reserve', () => {
    expect(
      fileDescriptorLimit(
        'Limit Soft Hard Units\nMax open files            20000                20000                files\n',
      ),
    ).toBe(20_000)
    expect(
      fileDescriptorLimit('Max open files            unlimited            unlimited            files\n'),
    ).toBeUndefined()
    expect(fileDescriptorLimit()).toBeGreaterThan(0)
    expect(connectionLimit(2_048, 512, 20_000)).toBe(2_048)
    expect(connectionLimit(2_048, 512, 1_024)).toBe(512)
    expect(connectionLimit(2_048, 512, 300)).toBe(16)
    expect(connectionLimit(2_048, 512, undefined)).toBe(2_048)
  })
})

describe('WebSocket budgets and subscriptions', () => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await startFixture({
      limits: {
        maxWebSocketBufferedBytes: 256 * 1024,
        maxWebSocketBufferedBytesTotal: 1024 * 1024,
        maxSubscriptionsPerConnection: 64,
        maxSubscriptions: 100,
        rateLimit: false,
      },
    })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('drops a subscriber that stops reading, quickly, within its budget, and keeps serving the others', async () => {
    const port = fixture.address.port
    const slow = await rawWebSocket(port, attackerAddress(10))
    for (let i = 0; i < 64; i++) slow.send(JSON.stringify(call('eth_subscribe', ['newHeads'], i)))
    await until(
      async () =>
        metricValue(await fixture.registry.metrics(), 'sluice_rpc_subscriptions', { kind: 'newHeads' }) === 64,
    )
    // The node-wide cap: 100 subscriptions, so a second connection gets 36 and then -32005.
    const honest = new WebSocket(fixture.address.wsUrl)
    const messages: Record<string, unknown>[] = []
    honest.addEventListener('message', (event) =>
      messages.push(JSON.parse(String(event.data)) as Record<string, unknown>),
    )
    await new Promise((resolve) => honest.addEventListener('open', resolve))
    for (let i = 0; i < 37; i++) honest.send(JSON.stringify(call('eth_subscribe', ['newHeads'], i)))
    const refusal = await until(() => messages.find((m) => m.error !== undefined))
    expect(refusal.error).toMatchObject({
      code: RPC_ERROR_CODES.limitExceeded,
      message: expect.stringContaining('at most 100'),
    })
    slow.stopReading()
    // It never reads, so it cannot see the close: the node's count and its subscriptions say it.
    const dropped = async () =>
      metricValue(await fixture.registry.metrics(), 'sluice_rpc_ws_slow_consumers_dropped_total') >= 1
    let sealed = 0
    const started = Date.now()
    while (!(await dropped())) {
      await fixture.chain.seal([])
      await new Promise((resolve) => setTimeout(resolve, 1))
      sealed++
      if (sealed > 3_000) throw new Error('the slow consumer was never dropped')
    }
    // ~64 notifications of ~1 KB per block: the kernel's buffers, then 256 KiB of ours, and out.
    expect(Date.now() - started).toBeLessThan(20_000)
    await until(
      async () =>
        metricValue(await fixture.registry.metrics(), 'sluice_rpc_subscriptions', { kind: 'newHeads' }) === 36,
    )
    expect(metricValue(await fixture.registry.metrics(), 'sluice_rpc_ws_buffered_bytes')).toBeLessThan(1024 * 1024)
    slow.destroy()
    // The reader that keeps up got every head.
    const head = fixture.chain.head('unsafe')
    await until(() =>
      messages.some(
        (m) => (m.params as { result?: { hash?: string } } | undefined)?.result?.hash === bytesToHex(head.hash),
      ),
    )
    honest.close()
  })

  it('drops a subscriber whose notifications pile up faster than the node can send them', async () => {
    const socket = new WebSocket(fixture.address.wsUrl)
    const messages: Record<string, unknown>[] = []
    socket.addEventListener('message', (event) =>
      messages.push(JSON.parse(String(event.data)) as Record<string, unknown>),
    )
    await new Promise((resolve) => socket.addEventListener('open', resolve))
    await until(async () => metricValue(await fixture.registry.metrics(), 'sluice_rpc_subscriptions') === 0)
    for (let i = 0; i < 64; i++) socket.send(JSON.stringify(call('eth_subscribe', ['newHeads'], i)))
    await until(() => messages.filter((m) => m.result !== undefined).length === 64)
    // Heads faster than one turn of the event loop: 40 × 64 notifications queue up (2,048 allowed).
    for (let i = 0; i < 40; i++) await fixture.chain.seal([])
    await until(
      async () =>
        metricValue(await fixture.registry.metrics(), 'sluice_rpc_ws_slow_consumers_dropped_total', {
          budget: 'queue',
        }) === 1,
    )
    expect(metricValue(await fixture.registry.metrics(), 'sluice_rpc_subscriptions')).toBe(0)
    socket.close()
  })

  it('serves logs, newPendingTransactions and syncing subscriptions', async () => {
    const socket = new WebSocket(fixture.address.wsUrl)
    const messages: Record<string, unknown>[] = []
    socket.addEventListener('message', (event) =>
      messages.push(JSON.parse(String(event.data)) as Record<string, unknown>),
    )
    await new Promise((resolve) => socket.addEventListener('open', resolve))
    const ask = async (id: number, method: string, params: unknown[]) => {
      socket.send(JSON.stringify(call(method, params, id)))
      return until(() => messages.find((m) => m.id === id))
    }
    await until(async () => metricValue(await fixture.registry.metrics(), 'sluice_rpc_subscriptions') === 0)
    const logs = (await ask(1, 'eth_subscribe', ['logs', { address: MESSAGE_PASSER_ADDRESS }])).result as string
    const otherLogs = (await ask(2, 'eth_subscribe', ['logs', { address: bob.addressHex }])).result as string
    const pending = (await ask(3, 'eth_subscribe', ['newPendingTransactions'])).result as string
    expect((await ask(4, 'eth_subscribe', ['syncing'])).result).toMatch(/^0x[0-9a-f]+$/)
    const nonce = fixture.chain.account(fixture.chain.head('unsafe').header.number, alice.address).nonce
    const withdrawal = transfer(alice, MESSAGE_PASSER, {
      chainId,
      nonce,
      value: 1n,
      gasLimit: 30_000n,
      data: new Uint8Array([...new Uint8Array(12), ...alice.address]),
    })
    const hash = (await rpc(fixture.address.url, 'eth_sendRawTransaction', [bytesToHex(withdrawal.raw)])).result
    const announced = await until(() =>
      messages.find((m) => (m.params as { subscription?: string } | undefined)?.subscription === pending),
    )
    expect((announced.params as { result: string }).result).toBe(hash)
    const block = await fixture.pool.seal()
    const log = await until(() =>
      messages.find((m) => (m.params as { subscription?: string } | undefined)?.subscription === logs),
    )
    expect((log.params as { result: Record<string, unknown> }).result).toMatchObject({
      address: MESSAGE_PASSER_ADDRESS,
      transactionHash: hash,
      blockHash: bytesToHex(block.hash),
      removed: false,
    })
    expect(messages.some((m) => (m.params as { subscription?: string } | undefined)?.subscription === otherLogs)).toBe(
      false,
    )
    socket.close()
  })

  it('logs a client that sends a bad frame at warn, a few times a minute, and counts it', async () => {
    const socket = await rawWebSocket(fixture.address.port, attackerAddress(11))
    // An unmasked frame from a client is a protocol error.
    socket.socket.write(Buffer.from([0x81, 0x02, 0x7b, 0x7d]))
    await socket.closed
    await until(
      async () => metricValue(await fixture.registry.metrics(), 'sluice_rpc_client_errors_total', { kind: 'ws' }) >= 1,
    )
    expect(fixture.logs.filter((line) => (line.level as number) >= 50)).toEqual([])
    expect(fixture.logs.some((line) => line.msg === 'WebSocket client error' && line.level === 40)).toBe(true)
  })
})

describe('filters', () => {
  it('expire when not polled, and are capped per IP and in total', async () => {
    const fixture = await startFixture()
    let now = 0
    const metrics = createRpcMetrics(new Registry(), [])
    const filters = new FilterStore({
      chain: fixture.chain,
      limits: { ...DEFAULT_RPC_LIMITS, maxFilters: 3, maxFiltersPerIp: 2, filterTimeoutMs: 1_000 },
      metrics,
      now: () => now,
    })
    const a = filters.newBlockFilter('a')
    filters.newPendingTransactionFilter('a')
    expect(() => filters.newBlockFilter('a')).toThrow(/too many filters from your address \(at most 2\)/)
    filters.newBlockFilter('b')
    expect(() => filters.newBlockFilter('c')).toThrow(/too many filters on this node \(at most 3\)/)
    now += 900
    expect(filters.changes(a, () => undefined)).toEqual([])
    now += 900 // a was polled 900 ms ago, the others 1,800 ms ago
    filters.sweep()
    expect(filters.size).toBe(1)
    now += 1_100
    expect(() => filters.changes(a, () => undefined)).toThrow('filter not found')
    await fixture.close()
  })
})

describe('health and logs', () => {
  it('reports a stalled loop as unhealthy with its age', () => {
    let now = 0
    const liveness = new Liveness(new Registry(), () => now)
    const checks = [{ loop: 'seal', maxAgeMs: 5_000, what: 'block sealing' }]
    expect(liveness.health(checks, 0).healthy).toBe(true)
    now = 6_000
    expect(liveness.health(checks, 0)).toMatchObject({
      healthy: false,
      reason: expect.stringContaining('block sealing stalled'),
    })
    liveness.beat('seal')
    now = 7_000
    expect(liveness.health(checks, 0)).toMatchObject({ healthy: true, details: { sealAgeMs: 1_000 } })
    liveness.stop()
  })

  it('writes at most a few client-error lines a minute, then says how many it left out', () => {
    const lines: Record<string, unknown>[] = []
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) })
    let now = 0
    const log = rateLimitedLog(logger, { perMinute: 3, now: () => now })
    for (let i = 0; i < 100; i++) log({ i }, 'client error')
    expect(lines).toHaveLength(3)
    now = 61_000
    log({ i: 100 }, 'client error')
    expect(lines).toHaveLength(5)
    expect(lines[3]).toMatchObject({ suppressed: 97, level: 40 })
  })
})
