import { readFileSync, writeFileSync } from 'node:fs'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { type GossipSub, gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { bytesToHex, encodeRlp } from '@sluice/core'
import * as lp from 'it-length-prefixed'
import { createLibp2p } from 'libp2p'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, tempDir, waitFor } from '../../../../test/support/processes.ts'
import {
  createP2PNode,
  GossipMessageError,
  type HeadNumbers,
  P2PKeyError,
  type P2PNode,
  type P2PNodeOptions,
  peerKeyPath,
  RANGE_SERVE_CHUNK,
  RangeRequestError,
  type ReceivedBlock,
} from '../../src/p2p/index.ts'
import { CHAIN_ID, makeBlock, makeChain, nowSeconds, SEQUENCER, STRANGER, sign, signWithFreshNonce } from './helpers.ts'

const started: { stop(): void | Promise<void> }[] = []

async function node(overrides: Partial<P2PNodeOptions> = {}): Promise<P2PNode & { registry: Registry }> {
  const registry = overrides.registry ?? new Registry()
  const p2p = await createP2PNode({
    chainId: CHAIN_ID,
    sequencerAddress: SEQUENCER.addressHex,
    dataDir: tempDir('sluice-p2p-'),
    registry,
    heads: () => ({ unsafe: 0n, safe: 0n }),
    ...overrides,
  })
  await p2p.start()
  started.push(p2p)
  return Object.assign(p2p, { registry })
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name)
  const value = found?.values.find((entry) =>
    Object.entries(labels).every(([key, wanted]) => String(entry.labels[key]) === wanted),
  )
  return value?.value ?? 0
}

/** A plain gossipsub node that publishes whatever bytes it is given: the network path for bad messages. */
async function rawNode(): Promise<Libp2p<{ identify: unknown; pubsub: GossipSub }>> {
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({ globalSignaturePolicy: StrictNoSign, allowPublishToZeroTopicPeers: true }),
    },
  })
  started.push(libp2p)
  return libp2p
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

afterAll(async () => {
  await Promise.allSettled(started.map((entry) => entry.stop()))
})

describe('p2p node: gossip', () => {
  const subscriberHeads: HeadNumbers = { unsafe: 0n, safe: 0n }
  const received: ReceivedBlock[] = []
  const receivedAt = new Map<bigint, number>()
  let publisher: Awaited<ReturnType<typeof node>>
  let subscriber: Awaited<ReturnType<typeof node>>

  beforeAll(async () => {
    publisher = await node({ listenPort: await freePort() })
    subscriber = await node({ heads: () => subscriberHeads, bootstrapPeers: [publisher.multiaddrs()[0] as string] })
    subscriber.onBlock((block) => {
      receivedAt.set(block.block.number, performance.now())
      received.push(block)
    })
    await waitFor('the subscriber on the publisher’s topic', () => publisher.topicPeers().includes(subscriber.peerId))
  })

  it('listens on the configured port and dials its bootstrap peer', () => {
    expect(publisher.multiaddrs()[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo/)
    expect(subscriber.connectedPeers()).toContain(publisher.peerId)
    expect(publisher.topic).toBe(`/sluice/${CHAIN_ID}/blocks/1`)
  })

  it('delivers a published block within a second, with the peer it came from', async () => {
    const block = makeBlock(1n)
    const message = sign(block)
    const sentAt = performance.now()
    expect(await publisher.publishBlock(message)).toBe(1)
    const got = await waitFor('the block', () => received.find((entry) => entry.block.number === 1n), {
      timeoutMs: 1_000,
      intervalMs: 2,
    })
    expect(performance.now() - sentAt).toBeLessThan(1_000)
    expect(got.block).toEqual(block)
    expect(bytesToHex(got.message)).toBe(bytesToHex(message))
    expect(got.peer).toBe(publisher.peerId)
    expect(await metric(subscriber.registry, 'sluice_p2p_messages_accepted_total')).toBe(1)
  })

  it('measures publish → receive latency on loopback', async () => {
    const latencies: number[] = []
    for (let number = 2n; number < 32n; number++) {
      const message = sign(makeBlock(number, { txCount: 10 }))
      const sentAt = performance.now()
      await publisher.publishBlock(message)
      const arrivedAt = await waitFor('the block', () => receivedAt.get(number), { timeoutMs: 1_000, intervalMs: 5 })
      latencies.push(arrivedAt - sentAt)
    }
    console.info(
      `p2p publish→receive on loopback, ${latencies.length} blocks of 10 transfers: median ${median(latencies).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(2)} ms`,
    )
    expect(median(latencies)).toBeLessThan(1_000)
  })

  it('refuses to publish a message peers would reject', async () => {
    await expect(publisher.publishBlock(sign(makeBlock(40n), STRANGER))).rejects.toBeInstanceOf(GossipMessageError)
    await expect(publisher.publishBlock(new Uint8Array(10))).rejects.toBeInstanceOf(GossipMessageError)
  })

  it('drops and counts unsigned, wrongly signed, malformed, stale, duplicate and far-future messages sent over the network', async () => {
    const attacker = await rawNode()
    await attacker.dial(multiaddr(subscriber.multiaddrs()[0] as string))
    await waitFor('the attacker to see the subscription', () =>
      attacker.services.pubsub.getSubscribers(subscriber.topic).some((peer) => peer.toString() === subscriber.peerId),
    )
    subscriberHeads.unsafe = 100n
    subscriberHeads.safe = 50n
    const before = received.length
    const duplicate = makeBlock(60n)
    const malformed = sign(makeBlock(61n))
    malformed.fill(0xc1, 65)
    const cases: [string, Uint8Array][] = [
      ['unsigned', encodeRlp([1n, 2n])],
      ['unsigned', sign(makeBlock(62n)).subarray(65)],
      ['wrong_signer', sign(makeBlock(63n), STRANGER)],
      ['malformed', malformed],
      ['stale', sign(makeBlock(50n))],
      ['future_number', sign(makeBlock(100n + 1025n))],
      ['future_timestamp', sign(makeBlock(64n, { timestamp: nowSeconds() + 3_600n }))],
    ]
    // The sequencer's block, accepted once; its second copy differs only in the signature (a
    // fresh nonce), so gossipsub's byte-level dedup lets it through to ours.
    const second = signWithFreshNonce(duplicate)
    expect(bytesToHex(second)).not.toBe(bytesToHex(sign(duplicate)))

    const expected = new Map<string, number>()
    for (const [reason] of cases) expected.set(reason, (expected.get(reason) ?? 0) + 1)
    expected.set('duplicate', 1)
    const baseline = new Map<string, number>()
    for (const reason of expected.keys()) {
      baseline.set(reason, await metric(subscriber.registry, 'sluice_p2p_messages_dropped_total', { reason }))
    }

    for (const [, message] of cases) await attacker.services.pubsub.publish(subscriber.topic, message)
    await attacker.services.pubsub.publish(subscriber.topic, sign(duplicate))
    await waitFor('the first copy', () => received.some((entry) => entry.block.number === 60n), { timeoutMs: 5_000 })
    await attacker.services.pubsub.publish(subscriber.topic, second)

    for (const [reason, count] of expected) {
      await waitFor(
        `${count} drop(s) counted as ${reason}`,
        async () => {
          const now = await metric(subscriber.registry, 'sluice_p2p_messages_dropped_total', { reason })
          return now - (baseline.get(reason) ?? 0) === count
        },
        { timeoutMs: 5_000 },
      )
    }
    // only the one valid block reached the handler
    expect(received.slice(before).map((entry) => entry.block.number)).toEqual([60n])
    subscriberHeads.unsafe = 0n
    subscriberHeads.safe = 0n
  })
})

describe('p2p node: relay', () => {
  it('a verifier forwards accepted blocks to a verifier that knows only it', async () => {
    const sequencer = await node()
    const first = await node({ bootstrapPeers: [sequencer.multiaddrs()[0] as string] })
    const second = await node({ bootstrapPeers: [first.multiaddrs()[0] as string] })
    const atSecond: ReceivedBlock[] = []
    second.onBlock((received) => {
      atSecond.push(received)
    })
    await waitFor('subscriptions known', () => sequencer.topicPeers().includes(first.peerId))
    await waitFor('subscriptions known', () => first.topicPeers().includes(second.peerId))
    expect(second.connectedPeers()).not.toContain(sequencer.peerId)
    // gossipsub forwards along its mesh, which its heartbeat (1 s) builds: publish until one arrives
    let number = 0n
    const got = await waitFor(
      'a block relayed by the first verifier',
      async () => {
        await sequencer.publishBlock(sign(makeBlock(++number)))
        return atSecond[0]
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    )
    expect(got.peer).toBe(first.peerId)
  })
})

describe('p2p node: blocks-by-range', () => {
  const chain = makeChain(1n, 20n)
  const served: { from: bigint; count: number }[] = []
  let server: Awaited<ReturnType<typeof node>>
  let client: Awaited<ReturnType<typeof node>>

  beforeAll(async () => {
    server = await node({
      serveRange: (from, count) => {
        served.push({ from, count })
        return chain.filter(({ block }) => block.number >= from).map(({ message }) => message)
      },
    })
    client = await node({ bootstrapPeers: [server.multiaddrs()[0] as string] })
    await waitFor('the client connected', () => client.connectedPeers().includes(server.peerId))
  })

  it('returns what the provider serves, at most count, verified', async () => {
    const blocks = await client.requestRange(3n, 5)
    expect(blocks.map((entry) => entry.block.number)).toEqual([3n, 4n, 5n, 6n, 7n])
    expect(blocks.map((entry) => bytesToHex(entry.message))).toEqual(
      chain.slice(2, 7).map(({ message }) => bytesToHex(message)),
    )
    expect(blocks.every((entry) => entry.peer === server.peerId)).toBe(true)
    expect(served.at(-1)).toEqual({ from: 3n, count: 5 })
    // the provider's surplus is cut at count; the end of the chain gives a shorter answer; beyond it, none
    expect((await client.requestRange(18n, 10)).map((entry) => entry.block.number)).toEqual([18n, 19n, 20n])
    expect(await client.requestRange(21n, 10)).toEqual([])
    expect(await metric(server.registry, 'sluice_p2p_range_requests_total', { role: 'server', result: 'ok' })).toBe(3)
  })

  it('refuses bad requests before sending them', async () => {
    for (const count of [0, 257]) {
      await expect(client.requestRange(1n, count)).rejects.toMatchObject({ problem: 'invalidRequest' })
    }
    await expect(client.requestRange(2n ** 64n - 1n, 2)).rejects.toBeInstanceOf(RangeRequestError)
  })

  it('the server refuses bad requests on the wire with status 1 and keeps serving', async () => {
    const raw = await rawNode()
    const ask = async (frame: Uint8Array): Promise<number[]> => {
      const stream = await raw.dialProtocol(multiaddr(server.multiaddrs()[0] as string), server.rangeProtocol)
      const frames = lp.decode(stream)[Symbol.asyncIterator]()
      const first = frames.next()
      stream.send(lp.encode.single(frame))
      await stream.close()
      const statuses: number[] = []
      for (let next = await first; !next.done; next = await frames.next())
        statuses.push(next.value.subarray()[0] as number)
      return statuses
    }
    expect(await ask(encodeRlp([1n, 1_000n]))).toEqual([1])
    expect(await ask(encodeRlp([1n]))).toEqual([1])
    expect(await ask(new Uint8Array([0xff, 0xff]))).toEqual([1])
    expect((await ask(encodeRlp([1n, 2n]))).length).toBe(3) // status 0, then two blocks
    expect(
      await metric(server.registry, 'sluice_p2p_range_requests_total', { role: 'server', result: 'invalid_request' }),
    ).toBe(3)
  })

  it('refuses answers that are wrongly signed, unlinked, misnumbered or from a failing provider', async () => {
    const stranger = makeChain(1n, 3n, STRANGER)
    const answers: Record<string, Uint8Array[] | Error> = {
      wrongSigner: stranger.map(({ message }) => message),
      unlinked: [chain[0]?.message as Uint8Array, chain[2]?.message as Uint8Array],
      misnumbered: [chain[1]?.message as Uint8Array],
      failing: new Error('disk on fire'),
    }
    let answer: Uint8Array[] | Error = []
    const liar = await node({
      serveRange: () => {
        if (answer instanceof Error) throw answer
        return answer
      },
    })
    // a client that knows the liar only
    const dialer = await node({ bootstrapPeers: [liar.multiaddrs()[0] as string] })
    await waitFor('connected to the liar', () => dialer.connectedPeers().includes(liar.peerId))

    answer = answers.wrongSigner as Uint8Array[]
    await expect(dialer.requestRange(1n, 3, { peer: liar.peerId })).rejects.toMatchObject({ problem: 'badResponse' })
    answer = answers.unlinked as Uint8Array[]
    await expect(dialer.requestRange(1n, 3, { peer: liar.peerId })).rejects.toMatchObject({ problem: 'badResponse' })
    answer = answers.misnumbered as Uint8Array[]
    await expect(dialer.requestRange(1n, 3, { peer: liar.peerId })).rejects.toMatchObject({ problem: 'badResponse' })
    answer = answers.failing as Error
    await expect(dialer.requestRange(1n, 3, { peer: liar.peerId })).rejects.toMatchObject({ problem: 'serverError' })
    expect(
      await metric(dialer.registry, 'sluice_p2p_range_requests_total', { role: 'client', result: 'bad_response' }),
    ).toBe(3)
    // and the liar keeps serving
    answer = chain.slice(0, 2).map(({ message }) => message)
    expect((await dialer.requestRange(1n, 2)).map((entry) => entry.block.number)).toEqual([1n, 2n])
  })

  it('times out on a provider that never answers', async () => {
    const stuck = await node({
      serveRange: () => new Promise<Uint8Array[]>(() => {}),
      limits: { rangeServeTimeoutMs: 300 },
    })
    const asker = await node({
      bootstrapPeers: [stuck.multiaddrs()[0] as string],
      limits: { rangeRequestTimeoutMs: 200 },
    })
    await waitFor('connected', () => asker.connectedPeers().includes(stuck.peerId))
    const startedAt = performance.now()
    await expect(asker.requestRange(1n, 1)).rejects.toMatchObject({ problem: 'timeout' })
    expect(performance.now() - startedAt).toBeLessThan(2_000)
    await waitFor(
      'the server to count its timeout',
      async () =>
        (await metric(stuck.registry, 'sluice_p2p_range_requests_total', { role: 'server', result: 'timeout' })) === 1,
    )
  })

  it('says so when there is nobody to ask', async () => {
    const alone = await node()
    await expect(alone.requestRange(1n, 1)).rejects.toMatchObject({ problem: 'unavailable' })
  })
})

describe('p2p node: identity and lifecycle', () => {
  it('keeps its peer id across restarts in the same data directory', async () => {
    const dataDir = tempDir('sluice-p2p-key-')
    const first = await node({ dataDir })
    await first.stop()
    const second = await node({ dataDir })
    expect(second.peerId).toBe(first.peerId)
    const other = await node()
    expect(other.peerId).not.toBe(first.peerId)
  })

  it('starts again after stop() and reconnects', async () => {
    const a = await node()
    const b = await node({ bootstrapPeers: [a.multiaddrs()[0] as string], limits: { redialIntervalMs: 100 } })
    await waitFor('connected', () => b.connectedPeers().includes(a.peerId))
    await b.stop()
    expect(b.connectedPeers()).toEqual([])
    await b.start()
    await waitFor('connected again', () => b.connectedPeers().includes(a.peerId))
    // the range protocol is registered again: the peer answers (it serves no blocks)
    await expect(b.requestRange(1n, 1)).rejects.toMatchObject({ problem: 'serverError' })
  })

  it('refuses a corrupt key file instead of replacing it', async () => {
    const dataDir = tempDir('sluice-p2p-key-')
    const first = await node({ dataDir })
    await first.stop()
    const original = readFileSync(peerKeyPath(dataDir))
    writeFileSync(peerKeyPath(dataDir), 'not a key')
    await expect(node({ dataDir })).rejects.toBeInstanceOf(P2PKeyError)
    expect(readFileSync(peerKeyPath(dataDir), 'utf8')).toBe('not a key')
    expect(original.length).toBeGreaterThan(0)
  })

  it('redials a bootstrap peer that restarts', async () => {
    const dataDir = tempDir('sluice-p2p-key-')
    const port = await freePort()
    const seq = await node({ dataDir, listenPort: port })
    const follower = await node({ bootstrapPeers: [seq.multiaddrs()[0] as string], limits: { redialIntervalMs: 100 } })
    await waitFor('connected', () => follower.connectedPeers().includes(seq.peerId))
    await seq.stop()
    await waitFor('disconnected', () => !follower.connectedPeers().includes(seq.peerId))
    const again = await node({ dataDir, listenPort: port })
    await waitFor('reconnected', () => follower.connectedPeers().includes(again.peerId), { timeoutMs: 10_000 })
  })

  it('stop() closes every socket it opened', async () => {
    const tcpHandles = () =>
      process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap' || name === 'TCPSocketWrap').length
    await Promise.allSettled(started.splice(0).map((entry) => entry.stop()))
    await waitFor('every earlier socket closed', () => tcpHandles() === 0, { timeoutMs: 5_000 })
    const a = await node()
    const b = await node({ bootstrapPeers: [a.multiaddrs()[0] as string] })
    await waitFor('connected', () => b.connectedPeers().includes(a.peerId))
    expect(tcpHandles()).toBeGreaterThanOrEqual(3) // a's listener, b's listener, the connection
    await a.stop()
    await b.stop()
    await a.stop() // idempotent
    await waitFor('sockets closed', () => tcpHandles() === 0, { timeoutMs: 5_000 })
  })
})

describe('p2p node: peer scoring', () => {
  it('a peer flooding junk ends with a negative score and disconnected; an honest peer stays', async () => {
    const victim = await node({ limits: { scoreCheckIntervalMs: 200 } })
    const honest = await node({ bootstrapPeers: [victim.multiaddrs()[0] as string] })
    const attacker = await rawNode()
    await attacker.dial(multiaddr(victim.multiaddrs()[0] as string))
    const attackerId = attacker.peerId.toString()
    await waitFor('the attacker to see the subscription', () =>
      attacker.services.pubsub.getSubscribers(victim.topic).some((peer) => peer.toString() === victim.peerId),
    )
    await waitFor('the honest peer connected', () => victim.connectedPeers().includes(honest.peerId))
    // Distinct junk (gossipsub drops identical bytes itself): each one is rejected by validation.
    for (let i = 0; i < 40 && victim.connectedPeers().includes(attackerId); i++) {
      await attacker.services.pubsub.publish(victim.topic, encodeRlp([BigInt(i), 7n])).catch(() => undefined)
    }
    await waitFor('the junk sender disconnected', () => !victim.connectedPeers().includes(attackerId), {
      timeoutMs: 20_000,
    })
    expect(victim.peerScore(attackerId)).toBeLessThan(0)
    expect(await metric(victim.registry, 'sluice_p2p_low_score_disconnects_total')).toBeGreaterThanOrEqual(1)
    expect(await metric(victim.registry, 'sluice_p2p_messages_dropped_total', { reason: 'unsigned' })).toBeGreaterThan(
      0,
    )
    expect(victim.peerScore(honest.peerId)).toBeGreaterThanOrEqual(0)
    expect(victim.connectedPeers()).toContain(honest.peerId)
  })
})

describe('p2p node: range limits', () => {
  const chain = makeChain(1n, 300n)
  const providerCalls: { from: bigint; count: number; turns: number }[] = []
  let turns = 0
  let gate: Promise<void> | undefined
  let server: Awaited<ReturnType<typeof node>>
  let first: Awaited<ReturnType<typeof node>>
  let second: Awaited<ReturnType<typeof node>>

  beforeAll(async () => {
    server = await node({
      limits: { maxConcurrentRangeServes: 1, rangeBlocksPerSecond: 300, rangeBlocksPerSecondPerPeer: 256 },
      serveRange: async (from, count) => {
        providerCalls.push({ from, count, turns })
        if (gate !== undefined) await gate
        return chain.filter(({ block }) => block.number >= from).map(({ message }) => message)
      },
    })
    first = await node({ bootstrapPeers: [server.multiaddrs()[0] as string] })
    second = await node({ bootstrapPeers: [server.multiaddrs()[0] as string] })
    await waitFor('both clients connected', () =>
      [first.peerId, second.peerId].every((peer) => server.connectedPeers().includes(peer)),
    )
  })

  it('builds a large answer in chunks with event-loop turns between them', async () => {
    providerCalls.length = 0
    let ticking = true
    const tick = () => {
      turns++
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    const blocks = await first.requestRange(1n, 256)
    ticking = false
    expect(blocks.map((entry) => entry.block.number)).toEqual(chain.slice(0, 256).map(({ block }) => block.number))
    expect(providerCalls.length).toBe(256 / RANGE_SERVE_CHUNK)
    expect(providerCalls.every((call) => call.count <= RANGE_SERVE_CHUNK)).toBe(true)
    for (let i = 1; i < providerCalls.length; i++) {
      expect(providerCalls[i]?.turns).toBeGreaterThan(providerCalls[i - 1]?.turns as number)
    }
  })

  it('throttles blocks per second per peer and in total, and keeps serving what fits', async () => {
    const throttled = () =>
      metric(server.registry, 'sluice_p2p_range_requests_total', { role: 'server', result: 'throttled' })
    const before = await throttled()
    // The first client spent its 256 blocks a moment ago: a second full range is refused, with when to retry.
    await expect(first.requestRange(1n, 256, { peer: server.peerId })).rejects.toMatchObject({
      problem: 'serverError',
      shortMessage: expect.stringMatching(/rate limited: retry in \d+ ms/),
    })
    // The second has its own share, but the total (300 a second) has about 44 left: a full range waits...
    await expect(second.requestRange(1n, 256, { peer: server.peerId })).rejects.toMatchObject({
      shortMessage: expect.stringMatching(/rate limited/),
    })
    // ...and what fits is served meanwhile.
    expect((await second.requestRange(10n, 16, { peer: server.peerId })).length).toBe(16)
    expect(await throttled()).toBe(before + 2)
    // The buckets refill: the full range is served again within a second or so.
    const again = await waitFor(
      'the second client served a full range again',
      async () => (await second.requestRange(1n, 256, { peer: server.peerId }).catch(() => undefined))?.length,
      { timeoutMs: 10_000, intervalMs: 200 },
    )
    expect(again).toBe(256)
  })

  it('refuses a range request as busy while the concurrent-answers limit is in use', async () => {
    let open: () => void = () => undefined
    gate = new Promise((resolve) => {
      open = resolve
    })
    const slow = first.requestRange(1n, 4, { peer: server.peerId }).catch((error: unknown) => error)
    await waitFor('the first answer in progress', () => providerCalls.at(-1)?.from === 1n && gate !== undefined)
    await expect(second.requestRange(1n, 4, { peer: server.peerId })).rejects.toMatchObject({
      shortMessage: expect.stringMatching(/busy: 1 range requests in progress/),
    })
    gate = undefined
    open()
    expect(((await slow) as ReceivedBlock[]).length).toBe(4)
    expect((await second.requestRange(1n, 4, { peer: server.peerId })).length).toBe(4)
  })
})
