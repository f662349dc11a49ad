import { type Hex, MemoryStore } from '@sluice/core'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { BlobStore } from '../../src/chain/blobStore.ts'
import { BlobRetrieval, withBlobWait } from '../../src/derive/blobs.ts'
import { createDerivationMetrics } from '../../src/derive/metrics.ts'
import { type BlobBlock, BlobMismatchError, type BlobProvider, BlobUnavailableError } from '../../src/l1/beacon.ts'
import type { InboxBatch } from '../../src/l1/types.ts'

const HASHES: Hex[] = [`0x01${'aa'.repeat(31)}`, `0x01${'bb'.repeat(31)}`]
const BLOBS = [new Uint8Array(131_072).fill(1), new Uint8Array(131_072).fill(2)]

function blobBatch(index = 3n, l1BlockHash: Hex = `0x${'11'.repeat(32)}`): InboxBatch {
  return {
    index,
    bytes: new Uint8Array(0),
    l1Timestamp: 1_000n,
    delayedBefore: 0n,
    delayedCountAfter: 0n,
    batchHash: `0x${'22'.repeat(32)}`,
    accumulator: `0x${'33'.repeat(32)}`,
    messageCountBefore: 0n,
    messageCountAfter: 2n,
    forced: false,
    l1BlockNumber: 40n,
    l1BlockHash,
    l1TransactionHash: `0x${'44'.repeat(32)}`,
    dataAvailability: { kind: 'blobs', versionedHashes: HASHES },
  }
}

/** A provider a test scripts: each call takes the next outcome (an error to throw, or the blobs). */
class ScriptedProvider implements BlobProvider {
  readonly description = 'scripted'
  readonly calls: BlobBlock[] = []
  private readonly outcomes: (Error | Uint8Array[])[]
  constructor(outcomes: (Error | Uint8Array[])[]) {
    this.outcomes = outcomes
  }
  async blobs(block: BlobBlock): Promise<Uint8Array[]> {
    this.calls.push(block)
    const next = this.outcomes.shift()
    if (next === undefined) throw new Error('no outcome scripted')
    if (next instanceof Error) throw next
    return next
  }
}

function setup(provider: BlobProvider | undefined) {
  let now = 1_000_000
  const registry = new Registry()
  const metrics = createDerivationMetrics(registry)
  const store = new BlobStore(new MemoryStore())
  const retrieval = new BlobRetrieval({
    store,
    provider,
    metrics,
    initialBackoffMs: 1_000,
    maxBackoffMs: 4_000,
    now: () => now,
  })
  return { retrieval, store, registry, advance: (ms: number) => (now += ms), now: () => now }
}

const metric = async (registry: Registry, name: string) => (await registry.getSingleMetricAsString(name)).split('\n')

describe('BlobRetrieval (the data-availability stage)', () => {
  it('waits while the beacon API is down, asks again only after a doubling backoff, then continues', async () => {
    const unavailable = () => new BlobUnavailableError('40', 'request failed')
    const provider = new ScriptedProvider([unavailable(), unavailable(), unavailable(), BLOBS])
    const { retrieval, registry, advance, now } = setup(provider)
    const batch = blobBatch()

    expect(await retrieval.blobs(batch)).toBeUndefined()
    expect(retrieval.wait).toMatchObject({ batchIndex: 3n, code: 'BLOB_UNAVAILABLE', attempts: 1 })
    // before the backoff ends the provider is not asked again
    expect(await retrieval.blobs(batch)).toBeUndefined()
    expect(provider.calls.length).toBe(1)
    advance(1_000)
    expect(await retrieval.blobs(batch)).toBeUndefined()
    expect(retrieval.wait?.attempts).toBe(2)
    advance(1_999) // the second backoff is 2 s
    expect(await retrieval.blobs(batch)).toBeUndefined()
    expect(provider.calls.length).toBe(2)
    advance(1)
    expect(await retrieval.blobs(batch)).toBeUndefined()
    expect(retrieval.wait?.attempts).toBe(3)
    expect(retrieval.wait?.nextAttemptAt).toBe((retrieval.wait?.since ?? 0) + 3_000 + 4_000)
    expect(withBlobWait({ healthy: true, details: {} }, retrieval.wait, now())).toMatchObject({
      healthy: false,
      details: { waitingForBlobs: { batchIndex: 3, code: 'BLOB_UNAVAILABLE', attempts: 3, waitingSeconds: 3 } },
    })
    expect((await metric(registry, 'sluice_derive_blob_failures_total')).join('\n')).toContain(
      'sluice_derive_blob_failures_total{code="BLOB_UNAVAILABLE"} 3',
    )

    advance(4_000)
    const got = await retrieval.blobs(batch)
    expect(got).toEqual({ versionedHashes: HASHES, blobs: BLOBS, fetched: true })
    expect(retrieval.wait).toBeUndefined()
    expect(provider.calls).toEqual(Array(4).fill({ number: 40n, timestamp: 1_000n }))
    expect(withBlobWait({ healthy: true }, retrieval.wait)).toEqual({ healthy: true })
  })

  it('reads blobs the node keeps before asking the provider', async () => {
    const provider = new ScriptedProvider([])
    const { retrieval, store, registry } = setup(provider)
    const memory = store.store
    await memory.batch(store.putOps(HASHES, BLOBS))
    expect(await retrieval.blobs(blobBatch())).toEqual({ versionedHashes: HASHES, blobs: BLOBS, fetched: false })
    expect(provider.calls.length).toBe(0)
    expect((await metric(registry, 'sluice_derive_blobs_total')).join('\n')).toContain(
      'sluice_derive_blobs_total{source="store"} 2',
    )
  })

  it('without a beacon API, waits at a blob batch and says what to configure', async () => {
    const { retrieval } = setup(undefined)
    expect(await retrieval.blobs(blobBatch())).toBeUndefined()
    expect(retrieval.wait).toMatchObject({ code: 'BEACON_NOT_CONFIGURED', batchIndex: 3n })
    const health = withBlobWait({ healthy: true }, retrieval.wait)
    expect(health.healthy).toBe(false)
    expect(health.healthy === false && health.reason).toContain('--l1-beacon')
  })

  it('waits on blobs that do not match their hashes (never uses them), naming the hash', async () => {
    const provider = new ScriptedProvider([new BlobMismatchError('40', HASHES[1] as string)])
    const { retrieval } = setup(provider)
    expect(await retrieval.blobs(blobBatch())).toBeUndefined()
    expect(retrieval.wait?.code).toBe('BLOB_MISMATCH')
    expect(retrieval.wait?.message).toContain(HASHES[1])
  })

  it('asks at once for a batch re-posted after an L1 reorg, whatever the backoff of the one it replaced', async () => {
    const provider = new ScriptedProvider([new BlobUnavailableError('40', 'down'), BLOBS])
    const { retrieval } = setup(provider)
    expect(await retrieval.blobs(blobBatch(3n, `0x${'11'.repeat(32)}`))).toBeUndefined()
    const reposted = blobBatch(3n, `0x${'55'.repeat(32)}`)
    expect((await retrieval.blobs(reposted))?.blobs).toEqual(BLOBS)
    expect(retrieval.wait).toBeUndefined()
  })

  it('a read started ahead is the batch’s attempt: the provider is asked once, and a failure counts only when derivation takes it', async () => {
    const provider = new ScriptedProvider([new BlobUnavailableError('40', 'down'), BLOBS])
    const { retrieval } = setup(provider)
    const failing = retrieval.readAhead(blobBatch())
    expect(failing).toBeDefined()
    await new Promise((resolve) => setImmediate(resolve))
    expect(retrieval.wait).toBeUndefined() // read, failed, but derivation is not at this batch yet
    expect(await retrieval.blobs(blobBatch(), failing)).toBeUndefined()
    expect(retrieval.wait).toMatchObject({ batchIndex: 3n, code: 'BLOB_UNAVAILABLE', attempts: 1 })
    expect(provider.calls).toHaveLength(1)
    // while derivation waits at the batch, nothing is read ahead for it (its backoff stands)
    expect(retrieval.readAhead(blobBatch())).toBeUndefined()
    const next = retrieval.readAhead(blobBatch(4n))
    expect((await retrieval.blobs(blobBatch(4n), next))?.blobs).toEqual(BLOBS)
    expect(provider.calls).toHaveLength(2)
  })

  it('does not use a read started for another batch at the same index (re-posted after an L1 reorg)', async () => {
    const other = [new Uint8Array(131_072).fill(7), new Uint8Array(131_072).fill(8)]
    const provider = new ScriptedProvider([other, BLOBS])
    const { retrieval } = setup(provider)
    const stale = retrieval.readAhead(blobBatch(3n, `0x${'11'.repeat(32)}`))
    const reposted = blobBatch(3n, `0x${'55'.repeat(32)}`)
    expect((await retrieval.blobs(reposted, stale))?.blobs).toEqual(BLOBS)
    expect(provider.calls).toHaveLength(2)
  })

  it('reads nothing ahead for blobs the node keeps, nor without a beacon API', async () => {
    const provider = new ScriptedProvider([])
    const kept = setup(provider)
    await kept.store.store.batch(kept.store.putOps(HASHES, BLOBS))
    expect(kept.retrieval.readAhead(blobBatch())).toBeUndefined()
    expect(provider.calls).toHaveLength(0)
    expect(setup(undefined).retrieval.readAhead(blobBatch())).toBeUndefined()
  })

  it('throws what is not a blob availability problem (a bug is not waited on)', async () => {
    const provider = new ScriptedProvider([new TypeError('boom')])
    const { retrieval } = setup(provider)
    await expect(retrieval.blobs(blobBatch())).rejects.toThrow('boom')
  })
})
