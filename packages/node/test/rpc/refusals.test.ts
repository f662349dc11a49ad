import { bytesToHex, keccak256 } from '@sluice/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { transfer } from '../../../../test/support/wallet.ts'
import { RPC_ERROR_CODES, TXPOOL_REFUSALS, type TxPoolRefusalCode, TxPoolRefusalError } from '../../src/rpc/errors.ts'
import { alice, bob, chainId, type Fixture, ONE_ETH, post, rpc, startFixture } from './fixture.ts'

let fixture: Fixture
let url: string

beforeAll(async () => {
  fixture = await startFixture()
  url = fixture.address.url
})

afterAll(async () => {
  await fixture.close()
})

/** After every refusal the node must still answer. */
afterEach(async () => {
  expect((await rpc(url, 'eth_chainId')).result).toBe(`0x${chainId.toString(16)}`)
})

const call = (method: string, params?: unknown) => ({ jsonrpc: '2.0', id: 7, method, params })

describe('malformed requests', () => {
  it.each([
    ['truncated JSON', '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"'],
    ['not JSON at all', 'hello'],
    ['binary garbage', '\u0000\u00ff\u00fe{{'],
    ['an empty body', ''],
  ])('answers %s with a parse error', async (_case, body) => {
    const answer = await post(url, body)
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: RPC_ERROR_CODES.parseError } })
  })

  it('answers deeply nested JSON as an invalid request', async () => {
    const answer = await post(url, `${'['.repeat(200_000)}${']'.repeat(200_000)}`)
    expect(answer.json).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: RPC_ERROR_CODES.invalidRequest, message: expect.any(String) } },
    ])
  })

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['XML', 'application/xml'],
  ])('refuses %s with 415 and a JSON-RPC error body', async (_case, contentType) => {
    const answer = await post(url, call('eth_chainId'), contentType)
    expect(answer.status).toBe(415)
    expect(answer.json).toMatchObject({
      error: { code: RPC_ERROR_CODES.invalidRequest, message: expect.stringContaining('application/json') },
    })
  })

  it('takes application/json with a charset', async () => {
    const answer = await post(url, call('eth_chainId'), 'application/json; charset=utf-8')
    expect(answer.json).toMatchObject({ id: 7, result: `0x${chainId.toString(16)}` })
  })

  it.each([
    ['a bare number', 5, null],
    ['no jsonrpc version', { id: 1, method: 'eth_chainId' }, 1],
    ['a wrong version', { jsonrpc: '1.0', id: 1, method: 'eth_chainId' }, 1],
    ['a method that is not a string', { jsonrpc: '2.0', id: 1, method: 42 }, 1],
    ['an object id', { jsonrpc: '2.0', id: { a: 1 }, method: 'eth_chainId' }, null],
  ])('answers %s as an invalid request', async (_case, body, id) => {
    const answer = await post(url, body)
    expect(answer.json).toMatchObject({ id, error: { code: RPC_ERROR_CODES.invalidRequest } })
  })

  it('names an unknown method', async () => {
    const answer = await rpc(url, 'eth_mine', [])
    expect(answer.error).toEqual({
      code: RPC_ERROR_CODES.methodNotFound,
      message: 'the method eth_mine does not exist/is not available',
    })
  })

  it('answers 404 and 405 with JSON-RPC errors off the JSON-RPC route', async () => {
    const missing = await fetch(`${url}/nope`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { code: RPC_ERROR_CODES.invalidRequest } })
    const get = await fetch(url)
    expect(get.status).toBe(405)
    expect(await get.json()).toMatchObject({ error: { message: expect.stringContaining('POST') } })
  })

  it('runs notifications without answering them', async () => {
    const single = await post(url, { jsonrpc: '2.0', method: 'eth_chainId' })
    expect(single.status).toBe(204)
    expect(single.text).toBe('')
    const batch = await post(url, [{ jsonrpc: '2.0', method: 'eth_chainId' }, call('eth_blockNumber')])
    expect(batch.json).toEqual([{ jsonrpc: '2.0', id: 7, result: expect.stringMatching(/^0x/) }])
  })
})

describe('wrong params', () => {
  it.each([
    [
      'a short address',
      'eth_getBalance',
      ['0x1234', 'latest'],
      /invalid argument 0 \(address\): expected a 20-byte address/,
    ],
    ['a non-hex address', 'eth_getBalance', [`0x${'zz'.repeat(20)}`], /invalid argument 0 \(address\): not hex/],
    ['a missing argument', 'eth_getBalance', [], /missing value for required argument 0 \(address\)/],
    ['too many arguments', 'eth_blockNumber', [1], /too many arguments: 1 given, at most 0/],
    ['a bad block tag', 'eth_getBalance', [bob.addressHex, 'newest'], /invalid argument 1 \(block\)/],
    [
      'a quantity with leading zeros',
      'eth_getBlockByNumber',
      ['0x01', false],
      /invalid argument 0 \(block\): expected a hex quantity/,
    ],
    ['a non-boolean hydrated flag', 'eth_getBlockByNumber', ['latest', 'yes'], /invalid argument 1 \(hydrated\)/],
    ['named params', 'eth_getBalance', { address: bob.addressHex }, /named parameters are not supported/],
    ['a short hash', 'eth_getTransactionByHash', ['0x1234'], /invalid argument 0 \(hash\): expected a 32-byte hash/],
    ['odd-length transaction hex', 'eth_sendRawTransaction', ['0x123'], /odd number of digits/],
    [
      'storage keys that are not an array',
      'eth_getProof',
      [bob.addressHex, '0x0', 'latest'],
      /invalid argument 1 \(storageKeys\)/,
    ],
    ['decreasing percentiles', 'eth_feeHistory', ['0x2', 'latest', [50, 10]], /percentiles must not decrease/],
    ['a call that is not an object', 'eth_call', ['0x00'], /invalid argument 0 \(transaction\)/],
    ['an unsupported subscription over HTTP', 'eth_unsubscribe', ['0x1'], /only available over WebSocket/],
  ])('refuses %s and says which param and why', async (_case, method, params, message) => {
    const answer = await post(url, call(method, params))
    const error = (answer.json as { error: { code: number; message: string } }).error
    expect(error.message).toMatch(message)
    expect([RPC_ERROR_CODES.invalidParams, RPC_ERROR_CODES.methodNotFound]).toContain(error.code)
  })
})

describe('transaction-pool refusals', () => {
  it('answers the mempool refusals with geth texts and -32000', async () => {
    const cases: [Uint8Array, string][] = [
      [transfer(alice, bob.address, { chainId, nonce: 0n, value: 1n }).raw, TXPOOL_REFUSALS.nonceTooLow],
      [transfer(alice, bob.address, { chainId, nonce: 9n, value: 1n }).raw, TXPOOL_REFUSALS.nonceTooHigh],
      [
        transfer(bob, alice.address, { chainId, nonce: 1n, value: 1_000n * ONE_ETH }).raw,
        TXPOOL_REFUSALS.insufficientFunds,
      ],
      [
        transfer(bob, alice.address, { chainId, nonce: 1n, value: 1n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }).raw,
        TXPOOL_REFUSALS.feeCapBelowBaseFee,
      ],
      [new Uint8Array([0x02, 0xc0]), TXPOOL_REFUSALS.undecodable],
    ]
    for (const [raw, message] of cases) {
      const answer = await rpc(url, 'eth_sendRawTransaction', [bytesToHex(raw)])
      expect(answer.error).toEqual({ code: RPC_ERROR_CODES.server, message })
    }
    const fresh = transfer(bob, alice.address, { chainId, nonce: 1n, value: 1n })
    expect((await rpc(url, 'eth_sendRawTransaction', [bytesToHex(fresh.raw)])).result).toBe(
      bytesToHex(keccak256(fresh.raw)),
    )
    expect((await rpc(url, 'eth_sendRawTransaction', [bytesToHex(fresh.raw)])).error).toEqual({
      code: RPC_ERROR_CODES.server,
      message: TXPOOL_REFUSALS.alreadyKnown,
    })
  })

  it('sends every refusal of the table with its text, and a thrown bug as -32603 that is logged', async () => {
    const codes = Object.keys(TXPOOL_REFUSALS) as TxPoolRefusalCode[]
    const other = await startFixture({
      submit: async (raw) => {
        const code = codes[raw[0] as number]
        if (code !== undefined) throw new TxPoolRefusalError(code, { details: 'test' })
        throw new TypeError('a bug in the submitter')
      },
    })
    try {
      const batch = codes.map((_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'eth_sendRawTransaction',
        params: [`0x${i.toString(16).padStart(2, '0')}`],
      }))
      batch.push({ jsonrpc: '2.0', id: 999, method: 'eth_sendRawTransaction', params: ['0xff'] })
      const answers = (await post(other.address.url, batch)).json as {
        id: number
        error: { code: number; message: string }
      }[]
      expect(answers).toHaveLength(codes.length + 1)
      for (const [i, code] of codes.entries()) {
        expect(answers[i]).toEqual({ jsonrpc: '2.0', id: i, error: { code: -32000, message: TXPOOL_REFUSALS[code] } })
      }
      expect(answers.at(-1)?.error.code).toBe(RPC_ERROR_CODES.internal)
      expect(answers.at(-1)?.error.message).not.toContain('a bug in the submitter')
      expect(
        other.logs.some((line) => line.level === 50 && JSON.stringify(line).includes('a bug in the submitter')),
      ).toBe(true)
      expect((await rpc(other.address.url, 'eth_chainId')).result).toBe(`0x${chainId.toString(16)}`)
    } finally {
      await other.close()
    }
  })

  it('runs the submits of one batch concurrently, so that the submitter can group-commit them', async () => {
    const size = 50
    let arrived = 0
    let release: () => void = () => {}
    const allArrived = new Promise<void>((resolve) => {
      release = resolve
    })
    const other = await startFixture({
      submit: async (raw) => {
        arrived++
        if (arrived === size) release()
        await allArrived // resolves only once every submit of the batch has started
        return keccak256(raw)
      },
    })
    try {
      const raws = Array.from(
        { length: size },
        (_, i) => transfer(alice, bob.address, { chainId, nonce: BigInt(i), value: 1n }).raw,
      )
      const batch = raws.map((raw, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'eth_sendRawTransaction',
        params: [bytesToHex(raw)],
      }))
      const answers = (await post(other.address.url, batch)).json as { id: number; result: string }[]
      expect(answers.map((a) => a.result)).toEqual(raws.map((raw) => bytesToHex(keccak256(raw))))
    } finally {
      await other.close()
    }
  })

  it('refuses transactions on a node without a submitter', async () => {
    const other = await startFixture({ submit: undefined })
    try {
      const raw = transfer(bob, alice.address, { chainId, nonce: 1n, value: 1n }).raw
      expect((await rpc(other.address.url, 'eth_sendRawTransaction', [bytesToHex(raw)])).error).toEqual({
        code: RPC_ERROR_CODES.server,
        message: TXPOOL_REFUSALS.notAccepted,
      })
    } finally {
      await other.close()
    }
  })
})

describe('limits', () => {
  let limited: Fixture
  beforeAll(async () => {
    limited = await startFixture({
      limits: {
        maxBodyBytes: 20_000,
        maxBatchLength: 5,
        rateLimit: { unitsPerSecond: 1, burst: 8 },
        maxWebSocketConnections: 2,
      },
    })
  })
  afterAll(async () => {
    await limited.close()
  })

  it('refuses an oversized body with 413, an oversized or empty batch with -32600, then a client over its rate with 429', async () => {
    const big = await post(limited.address.url, call('eth_sendRawTransaction', [`0x${'00'.repeat(20_000)}`]))
    expect(big.status).toBe(413)
    expect(big.json).toMatchObject({
      error: { code: RPC_ERROR_CODES.invalidRequest, message: expect.stringContaining('20000 bytes') },
    })

    const batch = await post(
      limited.address.url,
      Array.from({ length: 6 }, () => call('eth_chainId')),
    )
    expect(batch.json).toMatchObject({
      error: { code: RPC_ERROR_CODES.invalidRequest, message: expect.stringContaining('at most 5') },
    })
    const empty = await post(limited.address.url, [])
    expect(empty.json).toMatchObject({
      error: { code: RPC_ERROR_CODES.invalidRequest, message: expect.stringContaining('empty batch') },
    })

    // Burst 8 at 1 call/s: a batch of 5, then another (into debt), then refused until repaid.
    const first = await post(
      limited.address.url,
      Array.from({ length: 5 }, () => call('eth_chainId')),
    )
    expect(first.status).toBe(200)
    let refused: Awaited<ReturnType<typeof post>> | undefined
    for (let i = 0; i < 10 && refused === undefined; i++) {
      const answer = await post(
        limited.address.url,
        Array.from({ length: 5 }, () => call('eth_chainId')),
      )
      if (answer.status === 429) refused = answer
    }
    expect(refused?.json).toMatchObject({
      error: { code: RPC_ERROR_CODES.limitExceeded, message: expect.stringContaining('rate limit') },
    })
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0)
    const metrics = await (await fetch(`${limited.address.url}/metrics`)).text()
    expect(metrics).toMatch(/sluice_rpc_rate_limited_total [1-9]/)
  })

  it('closes a WebSocket that sends an oversized message or exceeds the connection limit, and keeps serving', async () => {
    const closed = (socket: WebSocket) =>
      new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve(event.code)))
    const opened = (socket: WebSocket) =>
      new Promise<void>((resolve) => socket.addEventListener('open', () => resolve()))

    const big = new WebSocket(limited.address.wsUrl)
    await opened(big)
    const bigClosed = closed(big)
    big.send(JSON.stringify(call('eth_sendRawTransaction', [`0x${'00'.repeat(20_000)}`])))
    expect(await bigClosed).toBe(1009) // ws: message too big

    const first = new WebSocket(limited.address.wsUrl)
    const second = new WebSocket(limited.address.wsUrl)
    await Promise.all([opened(first), opened(second)])
    const third = new WebSocket(limited.address.wsUrl)
    expect(await closed(third)).toBe(1013)
    first.close()
    second.close()
    const health = await fetch(`${limited.address.url}/health`)
    expect(health.status).toBe(200)
  })
})
