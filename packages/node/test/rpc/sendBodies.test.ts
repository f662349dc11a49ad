import {
  bytesToHex,
  createSenderPool,
  decodeTransaction,
  encodeTransaction,
  keccak256,
  recoverSender,
  type SenderPool,
} from '@sluice/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { transfer } from '../../../../test/support/wallet.ts'
import type { RpcLimits, RpcServerOptions, SendBodyIntake } from '../../src/rpc/types.ts'
import { alice, bob, carol, chainId, type Fixture, ONE_ETH, post, STORAGE_FAILURE, startFixture } from './fixture.ts'

/**
 * A server whose bodies of eth_sendRawTransaction calls go through the sender workers must answer
 * every body exactly as one without them: same ids, results, errors, statuses, limits.
 */

type Pair = {
  plain: Fixture
  workers: Fixture
  /** Transactions the workers' path submitted so far. */
  prepared(): number
  /** Of those, the ones handed over decoded (the rest the pool decodes itself). */
  packed(): number
  /** Raw transactions the workers' path handed over with a hash, sender or decoded form that is not theirs. */
  wrongKnown: string[]
}

let senderPool: SenderPool
const pairs: Pair[] = []

/** Two fixtures alike but for `sendBodies`. */
async function startPair(limits: Partial<RpcLimits>): Promise<Pair> {
  let prepared = 0
  let packed = 0
  const wrongKnown: string[] = []
  let workers: Fixture | undefined
  const sendBodies: SendBodyIntake = {
    prepare: (text, maxCalls) => senderPool.prepareSendBody(text, chainId, maxCalls),
    admission: () => {
      const admitted: Uint8Array[] = []
      return {
        admit: (raw, known) => {
          prepared++
          if (known.tx !== undefined) packed++
          const sender = recoverSender(decodeTransaction(raw))
          if (
            bytesToHex(known.hash) !== bytesToHex(keccak256(raw)) ||
            sender === undefined ||
            bytesToHex(known.sender) !== bytesToHex(sender) ||
            (known.tx !== undefined && bytesToHex(encodeTransaction(known.tx)) !== bytesToHex(raw))
          ) {
            wrongKnown.push(bytesToHex(raw))
          }
          const hash = (workers as Fixture).pool.admit(raw)
          admitted.push(hash)
          return { hash, hashHex: bytesToHex(hash) }
        },
        // As the intake: the unstorable ones are taken back together, once every call was admitted.
        durable: async () => {
          const pool = (workers as Fixture).pool
          const failures: { admitted: number; error: unknown }[] = []
          admitted.forEach((hash, i) => {
            if (!pool.unstorable.has(bytesToHex(hash))) return
            pool.takeBack(hash)
            failures.push({ admitted: i, error: STORAGE_FAILURE })
          })
          return failures
        },
      }
    },
  }
  const plain = await startFixture({ limits })
  workers = await startFixture({ limits, sendBodies } satisfies Partial<RpcServerOptions>)
  const pair: Pair = { plain, workers, prepared: () => prepared, packed: () => packed, wrongKnown }
  pairs.push(pair)
  return pair
}

/** Posts `body` to both servers in turn; returns both answers and how many transactions took the workers' path. */
async function both(
  pair: Pair,
  body: unknown,
): Promise<{ plain: string; workers: string; prepared: number; packed: number }> {
  const before = { prepared: pair.prepared(), packed: pair.packed() }
  const plain = await post(pair.plain.address.url, body)
  const workers = await post(pair.workers.address.url, body)
  expect(workers.status).toBe(plain.status)
  expect(workers.headers.get('retry-after')).toBe(plain.headers.get('retry-after'))
  return {
    plain: plain.text,
    workers: workers.text,
    prepared: pair.prepared() - before.prepared,
    packed: pair.packed() - before.packed,
  }
}

/** Sends `text` as one WebSocket message on a fresh connection; the answer's text. */
async function exchange(url: string, text: string): Promise<string> {
  const socket = new WebSocket(url)
  try {
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve())
      socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)))
    })
    const answer = new Promise<string>((resolve) =>
      socket.addEventListener('message', (event) => resolve(String(event.data)), { once: true }),
    )
    socket.send(text)
    return await answer
  } finally {
    socket.close()
  }
}

/** `both` over WebSocket: one message to each server in turn. */
async function bothOverWebSocket(
  pair: Pair,
  body: unknown,
): Promise<{ plain: string; workers: string; prepared: number; packed: number }> {
  const before = { prepared: pair.prepared(), packed: pair.packed() }
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  const plain = await exchange(pair.plain.address.wsUrl, text)
  const workers = await exchange(pair.workers.address.wsUrl, text)
  return { plain, workers, prepared: pair.prepared() - before.prepared, packed: pair.packed() - before.packed }
}

const send = (id: unknown, raw: Uint8Array | string) => ({
  jsonrpc: '2.0',
  id,
  method: 'eth_sendRawTransaction',
  params: [typeof raw === 'string' ? raw : bytesToHex(raw)],
})

beforeAll(() => {
  senderPool = createSenderPool({ threads: 2 })
})

afterAll(async () => {
  for (const pair of pairs) await Promise.all([pair.plain.close(), pair.workers.close()])
  await senderPool.close()
})

describe('bodies of eth_sendRawTransaction calls parsed in the sender workers', () => {
  let pair: Pair

  beforeAll(async () => {
    // Nine calls fit the cost cap (2 units each), ten do not; twelve fit the batch length, thirteen do not.
    pair = await startPair({ maxBatchLength: 12, maxRequestCost: 18, maxResponseBytes: 700 })
  })

  it('answers a batch of valid and refused transactions exactly as the usual path, after admitting each', async () => {
    // Filter ids are random: each server is asked for its own filter's changes below.
    const newFilter = { jsonrpc: '2.0', id: 'f', method: 'eth_newPendingTransactionFilter', params: [] }
    const filterOf = async (fixture: Fixture): Promise<string> =>
      ((await post(fixture.address.url, newFilter)).json as { result: string }).result
    const filters = { plain: await filterOf(pair.plain), workers: await filterOf(pair.workers) }

    const first = transfer(alice, bob.address, { chainId, nonce: 2n, value: 1n })
    const second = transfer(bob, alice.address, { chainId, nonce: 1n, value: 1n })
    const batch = [
      send(1, first.raw),
      send('two', first.raw), // already known
      send(null, transfer(bob, carol.address, { chainId, nonce: 0n, value: 1n }).raw), // nonce too low
      send(4, transfer(carol, alice.address, { chainId, nonce: 1n, value: 100n * ONE_ETH }).raw), // funds
      send(5, second.raw),
      send(6, transfer(carol, alice.address, { chainId, nonce: 1n, value: 2n ** 128n }).raw), // funds
    ]
    const answer = await both(pair, batch)
    expect(answer.prepared).toBe(batch.length)
    // A value of 2^128 wei or more (call 6) does not fit the worker's record: the pool decodes it itself.
    expect(answer.packed).toBe(batch.length - 1)
    expect(answer.workers).toBe(answer.plain)
    const parsed = JSON.parse(answer.workers) as { id: unknown; result?: string; error?: unknown }[]
    expect(parsed.map((a) => a.id)).toEqual([1, 'two', null, 4, 5, 6])
    expect(parsed.filter((a) => a.result !== undefined).map((a) => a.result)).toEqual([
      bytesToHex(keccak256(first.raw)),
      bytesToHex(keccak256(second.raw)),
    ])
    expect(pair.workers.pool.transactions.size).toBe(pair.plain.pool.transactions.size)

    // Announced to pending-transaction filters as on the usual path.
    const changesOf = async (fixture: Fixture, id: string): Promise<unknown> =>
      (await post(fixture.address.url, { jsonrpc: '2.0', id: 'c', method: 'eth_getFilterChanges', params: [id] })).json
    const announced = await changesOf(pair.workers, filters.workers)
    expect(announced).toEqual(await changesOf(pair.plain, filters.plain))
    expect((announced as { result: string[] }).result).toEqual(
      parsed.filter((a) => a.result !== undefined).map((a) => a.result),
    )
    expect(pair.wrongKnown).toEqual([])
  })

  it('answers a single call exactly as the usual path', async () => {
    const raw = transfer(alice, carol.address, { chainId, nonce: 3n, value: 1n }).raw
    const accepted = await both(pair, send('single', raw))
    expect(accepted.prepared).toBe(1)
    expect(accepted.workers).toBe(accepted.plain)
    expect(JSON.parse(accepted.workers)).toEqual({ jsonrpc: '2.0', id: 'single', result: bytesToHex(keccak256(raw)) })
    const again = await both(pair, send(9, raw))
    expect(again.workers).toBe(again.plain)
    expect(JSON.parse(again.workers).error).toMatchObject({ message: 'already known' })
  })

  it('answers the cost, batch-length and response-size limits exactly as the usual path', async () => {
    const raws = Array.from({ length: 13 }, (_, i) =>
      transfer(carol, bob.address, { chainId, nonce: BigInt(1 + i), value: 1n }),
    ).map((t) => t.raw)
    const tooLong = await both(
      pair,
      raws.map((raw, i) => send(i, raw)),
    )
    expect(tooLong.workers).toBe(tooLong.plain)
    expect(tooLong.workers).toMatch(/batch too large/)
    const tooDear = await both(
      pair,
      raws.slice(0, 10).map((raw, i) => send(i, raw)),
    )
    expect(tooDear.workers).toBe(tooDear.plain)
    expect(tooDear.workers).toMatch(/request too expensive/)
    // Nine answers of ~100 bytes: the last ones go past the 700-byte cap and answer -32003.
    const capped = await both(
      pair,
      raws.slice(0, 9).map((raw, i) => send(i, raw)),
    )
    expect(capped.prepared).toBe(9)
    expect(capped.workers).toBe(capped.plain)
    expect(capped.workers).toMatch(/response too large/)
    expect(pair.workers.pool.transactions.size).toBe(pair.plain.pool.transactions.size)
  })

  it('leaves any other body to the usual path, with its errors', async () => {
    const good = transfer(bob, carol.address, { chainId, nonce: 3n, value: 1n }).raw
    const others: unknown[] = [
      [send(1, good), { jsonrpc: '2.0', method: 'eth_sendRawTransaction', params: [bytesToHex(good)] }],
      [send(1, '0x123'), send(2, good)],
      [send(1, good), { ...send(2, good), jsonrpc: '1.0' }],
      [send(1, '0x02c0')],
      [send(1, transfer(bob, carol.address, { chainId: chainId + 1n, nonce: 3n, value: 1n }).raw)],
      [send(1, '0x'), { jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: [] }],
      { ...send(1, good), params: [bytesToHex(good), 'extra'] },
      { ...send({ no: 1 }, good) },
      `[${JSON.stringify(send(1, good))}`,
      '[]',
    ]
    for (const body of others) {
      const answer = await both(pair, body)
      expect(answer.prepared, JSON.stringify(body)).toBe(0)
      expect(answer.workers, JSON.stringify(body)).toBe(answer.plain)
    }
  })
})

describe('WebSocket messages of eth_sendRawTransaction calls parsed in the sender workers', () => {
  let pair: Pair

  beforeAll(async () => {
    pair = await startPair({ maxBatchLength: 12, maxRequestCost: 18, maxResponseBytes: 700 })
  })

  it('answers batches and single calls exactly as the usual path, after admitting each', async () => {
    const first = transfer(alice, bob.address, { chainId, nonce: 2n, value: 1n })
    const batch = [
      send(1, first.raw),
      send('two', first.raw), // already known
      send(null, transfer(bob, carol.address, { chainId, nonce: 0n, value: 1n }).raw), // nonce too low
      send(4, transfer(carol, alice.address, { chainId, nonce: 1n, value: 100n * ONE_ETH }).raw), // funds
      send(5, transfer(carol, alice.address, { chainId, nonce: 1n, value: 2n ** 128n }).raw), // funds, unpacked
    ]
    const answer = await bothOverWebSocket(pair, batch)
    expect(answer.prepared).toBe(batch.length)
    expect(answer.packed).toBe(batch.length - 1)
    expect(answer.workers).toBe(answer.plain)
    const parsed = JSON.parse(answer.workers) as { id: unknown; result?: string; error?: unknown }[]
    expect(parsed.map((a) => a.id)).toEqual([1, 'two', null, 4, 5])
    expect(parsed[0]?.result).toBe(bytesToHex(keccak256(first.raw)))

    const raw = transfer(bob, alice.address, { chainId, nonce: 1n, value: 1n }).raw
    const single = await bothOverWebSocket(pair, send('single', raw))
    expect(single.prepared).toBe(1)
    expect(single.workers).toBe(single.plain)
    expect(JSON.parse(single.workers)).toEqual({ jsonrpc: '2.0', id: 'single', result: bytesToHex(keccak256(raw)) })
    expect(pair.workers.pool.transactions.size).toBe(pair.plain.pool.transactions.size)
    expect(pair.wrongKnown).toEqual([])
  })

  it('answers the limits and any other message exactly as the usual path', async () => {
    const raws = Array.from({ length: 13 }, (_, i) =>
      transfer(carol, bob.address, { chainId, nonce: BigInt(1 + i), value: 1n }),
    ).map((t) => t.raw)
    const good = transfer(alice, carol.address, { chainId, nonce: 3n, value: 1n }).raw
    const bodies: { body: unknown; prepared: number; matches?: RegExp }[] = [
      { body: raws.map((raw, i) => send(i, raw)), prepared: 0, matches: /batch too large/ },
      { body: raws.slice(0, 10).map((raw, i) => send(i, raw)), prepared: 0, matches: /request too expensive/ },
      { body: raws.slice(0, 9).map((raw, i) => send(i, raw)), prepared: 9, matches: /response too large/ },
      { body: [send(1, '0x123'), send(2, good)], prepared: 0 },
      { body: [send(1, '0x'), { jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: [] }], prepared: 0 },
      { body: { ...send(1, good), params: [bytesToHex(good), 'extra'] }, prepared: 0 },
      { body: `[${JSON.stringify(send(1, good))}`, prepared: 0, matches: /parse error/ },
    ]
    for (const { body, prepared, matches } of bodies) {
      const answer = await bothOverWebSocket(pair, body)
      expect(answer.prepared, JSON.stringify(body)).toBe(prepared)
      expect(answer.workers, JSON.stringify(body)).toBe(answer.plain)
      if (matches !== undefined) expect(answer.workers).toMatch(matches)
    }
    expect(pair.workers.pool.transactions.size).toBe(pair.plain.pool.transactions.size)
  })
})

describe('bodies parsed in the sender workers whose records could not be stored', () => {
  let pair: Pair

  beforeAll(async () => {
    pair = await startPair({})
  })

  it('answers the calls whose record could not be stored with the error, as the usual path, and announces only the others', async () => {
    const filterOf = async (fixture: Fixture): Promise<string> =>
      (
        (await post(fixture.address.url, { jsonrpc: '2.0', id: 'f', method: 'eth_newPendingTransactionFilter' }))
          .json as { result: string }
      ).result
    const filters = { plain: await filterOf(pair.plain), workers: await filterOf(pair.workers) }
    const kept = transfer(alice, bob.address, { chainId, nonce: 2n, value: 1n })
    const lost = transfer(bob, alice.address, { chainId, nonce: 1n, value: 1n })
    const alsoLost = transfer(carol, alice.address, { chainId, nonce: 1n, value: 1n })
    for (const fixture of [pair.plain, pair.workers]) {
      for (const t of [lost, alsoLost]) fixture.pool.unstorable.add(bytesToHex(keccak256(t.raw)))
    }
    const batch = [
      send(1, lost.raw),
      send(2, transfer(bob, carol.address, { chainId, nonce: 0n, value: 1n }).raw), // nonce too low
      send(3, kept.raw),
      send(4, alsoLost.raw),
    ]
    const answer = await both(pair, batch)
    expect(answer.prepared).toBe(batch.length)
    expect(answer.workers).toBe(answer.plain)
    const parsed = JSON.parse(answer.workers) as { id: unknown; result?: string; error?: { code: number } }[]
    expect(parsed.map((a) => a.result ?? a.error?.code)).toEqual([
      -32603,
      -32000,
      bytesToHex(keccak256(kept.raw)),
      -32603,
    ])
    expect(pair.workers.pool.transactions.size).toBe(pair.plain.pool.transactions.size)
    expect(pair.workers.pool.transaction(keccak256(lost.raw))).toBeUndefined()
    const changesOf = async (fixture: Fixture, id: string): Promise<unknown> =>
      (await post(fixture.address.url, { jsonrpc: '2.0', id: 'c', method: 'eth_getFilterChanges', params: [id] })).json
    const announced = await changesOf(pair.workers, filters.workers)
    expect(announced).toEqual(await changesOf(pair.plain, filters.plain))
    expect((announced as { result: string[] }).result).toEqual([bytesToHex(keccak256(kept.raw))])
    // A single call whose record could not be stored.
    const single = transfer(bob, alice.address, { chainId, nonce: 1n, value: 2n })
    for (const fixture of [pair.plain, pair.workers]) fixture.pool.unstorable.add(bytesToHex(keccak256(single.raw)))
    const alone = await both(pair, send('alone', single.raw))
    expect(alone.workers).toBe(alone.plain)
    expect(JSON.parse(alone.workers).error.code).toBe(-32603)
  })
})

describe('the rate limit on bodies parsed in the sender workers', () => {
  it('charges and refuses exactly as the usual path', async () => {
    const pair = await startPair({ rateLimit: { unitsPerSecond: 0.001, burst: 4 } })
    const raws = [0n, 1n, 2n, 3n].map(
      (nonce) => transfer(bob, alice.address, { chainId, nonce: 1n + nonce, value: 1n }).raw,
    )
    const admitted = await both(pair, [send(1, raws[0] as Uint8Array), send(2, raws[1] as Uint8Array)])
    expect(admitted.workers).toBe(admitted.plain)
    expect(admitted.prepared).toBe(2)
    const refused = await both(pair, [send(3, raws[2] as Uint8Array), send(4, raws[3] as Uint8Array)])
    expect(refused.workers).toBe(refused.plain)
    expect(refused.workers).toMatch(/rate limit exceeded/)
  })
})
