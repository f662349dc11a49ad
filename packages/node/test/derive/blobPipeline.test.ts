/**
 * Derivation of blob batches end to end in one process: the L1 reader over a fake L1 that holds
 * `appendBlobBatch` transactions, a fake beacon API, the driver with the chain store as its sink.
 */
import {
  type BatchBlock,
  BYTES_PER_BLOB,
  bytesToHex,
  encodeBatch,
  encodeBlobBatchBody,
  encodeBlobs,
  type Hex,
  kzg,
  kzgCommitmentToVersionedHash,
  MemoryStore,
} from '@sluice/core'
import pino from 'pino'
import { Registry } from 'prom-client'
import { describe, expect, it, vi } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { BlobStore } from '../../src/chain/blobStore.ts'
import { ChainSink } from '../../src/chain/sink.ts'
import { ChainStore } from '../../src/chain/store.ts'
import { createDerivationMetrics, DerivationDriver, DerivationPipeline } from '../../src/derive/index.ts'
import { BeaconBlobProvider, type BlobBlock, type BlobProvider, BlobUnavailableError } from '../../src/l1/beacon.ts'
import { L1Reader } from '../../src/l1/index.ts'
import { encodeKzgHints } from '../../src/l1/kzgHints.ts'
import { close, fakeBeacon, listen } from '../l1/fakeBeacon.ts'
import { ADDRESSES, FakeL1 } from '../l1/fakeL1.ts'

const config = testConfig()
const chainId = config.chainId
const alice = testAccount(21)
const bob = testAccount(22)
const t0 = config.l2GenesisTimestamp

/** A beacon API over the fake L1's blobs by block number; `up` false: every call is unavailable. */
class FakeBeacon implements BlobProvider {
  readonly description = 'fake beacon'
  readonly blobsByBlock = new Map<bigint, Uint8Array[]>()
  up = true
  calls = 0
  // the real beacon client's hash check is tested against a beacon server (test/l1/beaconProvider.test.ts)
  async blobs(block: BlobBlock, versionedHashes: readonly Hex[]): Promise<Uint8Array[]> {
    this.calls++
    if (!this.up) throw new BlobUnavailableError(block.number.toString(), 'fake beacon is down')
    const held = this.blobsByBlock.get(block.number) ?? []
    if (held.length !== versionedHashes.length) throw new Error('fake beacon: asked for other blobs')
    return held
  }
}

const blocks: BatchBlock[] = [
  { timestamp: t0 + 1n, delayedCountAfter: 1n, transactions: [] },
  {
    timestamp: t0 + 2n,
    delayedCountAfter: 1n,
    transactions: [0n, 1n].map((nonce) => transfer(alice, bob.address, { chainId, nonce, value: 10n ** 15n }).tx),
  },
]
const after: BatchBlock = {
  timestamp: t0 + 3n,
  delayedCountAfter: 1n,
  transactions: [transfer(alice, bob.address, { chainId, nonce: 2n, value: 10n ** 15n }).tx],
}

/**
 * An L1 with a deposit for alice, the blocks above as a blob batch (or as calldata), then one calldata
 * batch. `kzgHints`: the blob batch's call carries its blobs' commitments and proofs, as the batcher's.
 */
function history(
  da: 'blobs' | 'calldata',
  beacon?: { blobsByBlock: Map<bigint, Uint8Array[]> },
  { kzgHints = false }: { kzgHints?: boolean } = {},
): FakeL1 {
  const l1 = new FakeL1()
  l1.deposit(alice.address, 10n ** 18n)
  l1.mine() // 1
  if (da === 'blobs') {
    const encoded = encodeBlobBatchBody({ blocks, prevDelayedCount: 0n, chainId })
    const blobs = encodeBlobs(encoded.body)
    const commitments = blobs.map((b) => kzg().blobToCommitment(b))
    const hashes = commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c)))
    const proofs = blobs.map((b, i) => kzg().computeBlobProof(b, commitments[i] as Uint8Array))
    l1.appendBlobBatch(encoded.delayedCountAfter, encoded.slotCount, hashes, {
      kzgHints: kzgHints ? bytesToHex(encodeKzgHints(commitments, proofs)) : '0x',
    })
    beacon?.blobsByBlock.set(2n, blobs)
  } else {
    l1.appendBatch(encodeBatch({ chainId, prevDelayedCount: 0n, blocks }))
  }
  l1.mine() // 2
  l1.appendBatch(encodeBatch({ chainId, prevDelayedCount: 1n, blocks: [after] }))
  l1.mine() // 3
  l1.mineEmpty(2)
  return l1
}

/** A beacon API that holds every answer until `open()`; `asked` lists the L1 blocks asked for, in order. */
class GatedBeacon implements BlobProvider {
  readonly description = 'gated beacon'
  readonly blobsByBlock = new Map<bigint, Uint8Array[]>()
  readonly asked: bigint[] = []
  private gate: Promise<void>
  open: () => void = () => {}
  constructor() {
    this.gate = new Promise((resolve) => {
      this.open = resolve
    })
  }
  async blobs(block: BlobBlock): Promise<Uint8Array[]> {
    this.asked.push(block.number)
    await this.gate
    return this.blobsByBlock.get(block.number) ?? []
  }
}

/** An L1 with a deposit for alice (block 1), then `count` blob batches of one transfer each, one per L1 block (2…). */
function blobHistory(count: number, beacon: { blobsByBlock: Map<bigint, Uint8Array[]> }): FakeL1 {
  const l1 = new FakeL1()
  l1.deposit(alice.address, 10n ** 18n)
  l1.mine() // 1
  for (let i = 0; i < count; i++) {
    const block: BatchBlock = {
      timestamp: t0 + BigInt(i + 1),
      delayedCountAfter: 1n,
      transactions: [transfer(alice, bob.address, { chainId, nonce: BigInt(i), value: 10n ** 15n }).tx],
    }
    const encoded = encodeBlobBatchBody({ blocks: [block], prevDelayedCount: i === 0 ? 0n : 1n, chainId })
    const blobs = encodeBlobs(encoded.body)
    const hashes = blobs.map((b) => bytesToHex(kzgCommitmentToVersionedHash(kzg().blobToCommitment(b))))
    l1.appendBlobBatch(encoded.delayedCountAfter, encoded.slotCount, hashes)
    beacon.blobsByBlock.set(l1.mine().number, blobs)
  }
  l1.mineEmpty(2)
  return l1
}

async function node(
  l1: FakeL1,
  store: MemoryStore,
  beacon: BlobProvider | undefined,
  options: { blobReadAheadBytes?: number } = {},
) {
  const reader = new L1Reader({ source: l1, addresses: ADDRESSES, l1Confirmations: 2n, store })
  const chain = await ChainStore.open(store, config)
  const logger = pino({ level: 'silent' })
  const registry = new Registry()
  const driver = await DerivationDriver.open({
    store,
    config,
    source: reader,
    sink: new ChainSink({ chain, logger }),
    metrics: createDerivationMetrics(registry),
    blobProvider: beacon,
    ...options,
  })
  return { reader, chain, driver, registry, pipeline: new DerivationPipeline({ reader, driver }) }
}

async function syncUntil(pipeline: DerivationPipeline, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error('derivation did not get there in time')
    await pipeline.syncToConfirmed()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('derivation of blob batches', () => {
  it('derives the same L2 blocks from a blob batch as from the same blocks in calldata, and keeps the blobs', async () => {
    const reference = await node(history('calldata'), new MemoryStore(), undefined)
    await reference.pipeline.syncToConfirmed()
    expect(reference.driver.tip.batchIndex).toBe(1n)

    const beacon = new FakeBeacon()
    const store = new MemoryStore()
    const l1 = history('blobs', beacon)
    const { pipeline, driver, chain, reader } = await node(l1, store, beacon)
    await pipeline.syncToConfirmed()
    expect(driver.tip.batchIndex).toBe(1n)
    for (let n = 1n; n <= reference.chain.head('safe').header.number; n++) {
      expect(bytesToHex(chain.blockByNumber(n)?.hash as Uint8Array)).toBe(
        bytesToHex(reference.chain.blockByNumber(n)?.hash as Uint8Array),
      )
    }
    expect(chain.head('safe').header.number).toBe(reference.chain.head('safe').header.number)
    expect(bytesToHex(driver.tip.stateRoot)).toBe(bytesToHex(reference.driver.tip.stateRoot))
    const hashes = (reader.batch(0n)?.dataAvailability as { versionedHashes: Hex[] }).versionedHashes
    expect(chain.batch(0n)?.dataAvailability).toEqual({ kind: 'blobs', versionedHashes: hashes })
    expect(chain.batch(1n)?.dataAvailability).toEqual({ kind: 'calldata' })
    // and so after a restart (the records decode from the store)
    const reopened = await ChainStore.open(store, config)
    expect(reopened.batch(0n)?.dataAvailability).toEqual({ kind: 'blobs', versionedHashes: hashes })
    expect(reopened.batch(1n)?.dataAvailability).toEqual({ kind: 'calldata' })
    // kept in the same store, by versioned hash
    expect(new BlobStore(store).getAll(hashes)).toEqual(beacon.blobsByBlock.get(2n))
  })

  it('checks a blob batch’s blobs by the KZG hints of its appendBlobBatch call when the beacon API serves no proofs, computing no commitment, and counts how', async () => {
    const served = new Map<string, Uint8Array[]>()
    // as anvil: blobs by L1 block number, /eth/v1/beacon/blobs only (no proofs)
    const beacon = fakeBeacon({ blobsBySlot: served, spec: false })
    await listen(beacon.server)
    try {
      const roots: string[] = []
      for (const kzgHints of [true, false]) {
        const held = { blobsByBlock: new Map<bigint, Uint8Array[]>() }
        const l1 = history('blobs', held, { kzgHints })
        const blobs = held.blobsByBlock.get(2n) as Uint8Array[]
        served.set('2', blobs)
        const commit = vi.spyOn(kzg(), 'blobToCommitmentAsync')
        const { pipeline, driver, registry } = await node(l1, new MemoryStore(), new BeaconBlobProvider(beacon.url()))
        await pipeline.syncToConfirmed()
        expect(driver.tip.batchIndex).toBe(1n)
        roots.push(bytesToHex(driver.tip.stateRoot))
        const checks = (await registry.getSingleMetric('sluice_derive_blob_checks_total')?.get())?.values ?? []
        expect(checks.map(({ labels, value }) => [labels.by, value])).toEqual([
          [kzgHints ? 'hintProof' : 'commitmentNoHint', blobs.length],
        ])
        if (kzgHints) expect(commit).not.toHaveBeenCalled()
        else expect(commit).toHaveBeenCalledTimes(blobs.length)
        commit.mockRestore()
      }
      expect(roots[0]).toBe(roots[1])
    } finally {
      await close(beacon.server)
    }
  })

  it('waits while the beacon API is down (never skipping the batch), reports it, then catches up', async () => {
    const beacon = new FakeBeacon()
    beacon.up = false
    const l1 = history('blobs', beacon)
    const { pipeline, driver, registry } = await node(l1, new MemoryStore(), beacon)
    await pipeline.syncToConfirmed()
    // batch 1 (calldata) is there too, but nothing is derived past the blob batch it follows
    expect(driver.tip.batchIndex).toBe(-1n)
    expect(driver.blobWait()).toMatchObject({ batchIndex: 0n, code: 'BLOB_UNAVAILABLE' })
    const failures = (await registry.getSingleMetric('sluice_derive_blob_failures_total')?.get())?.values[0]
    expect(failures?.value).toBeGreaterThan(0)
    beacon.up = true
    await syncUntil(pipeline, () => driver.tip.batchIndex === 1n)
    expect(driver.blobWait()).toBeUndefined()
  })

  it('re-derives a blob batch from the blobs it kept, with no beacon API at all', async () => {
    const beacon = new FakeBeacon()
    const store = new MemoryStore()
    const l1 = history('blobs', beacon)
    const first = await node(l1, store, beacon)
    await first.pipeline.syncToConfirmed()
    const root = bytesToHex(first.driver.tip.stateRoot)
    await first.driver.rewindTo(-1n)
    const again = await node(l1, store, undefined)
    await again.pipeline.syncToConfirmed()
    expect(again.driver.tip.batchIndex).toBe(1n)
    expect(bytesToHex(again.driver.tip.stateRoot)).toBe(root)
    expect(beacon.calls).toBe(1)
  })

  it('reads the blobs of the next blob batches while it derives, as many as blobReadAheadBytes allows, each once', async () => {
    const beacon = new GatedBeacon()
    const l1 = blobHistory(4, beacon)
    const { reader, driver } = await node(l1, new MemoryStore(), beacon, { blobReadAheadBytes: 2 * BYTES_PER_BLOB })
    await reader.advance()
    expect(reader.batchCount).toBe(4n)
    const deriving = driver.deriveAvailable()
    const deadline = Date.now() + 10_000
    while (beacon.asked.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    await new Promise((resolve) => setTimeout(resolve, 100))
    // batch 0's blobs are not in yet, and batches 1 and 2 (a blob each) are asked for already; batch 3 is past the bound
    expect(driver.tip.batchIndex).toBe(-1n)
    expect(beacon.asked).toEqual([2n, 3n, 4n])
    beacon.open()
    expect(await deriving).toBe(4)
    expect(beacon.asked).toEqual([2n, 3n, 4n, 5n])

    // the same chain as a node that reads each batch's blobs only when it plans it
    const plain = new FakeBeacon()
    const again = await node(blobHistory(4, plain), new MemoryStore(), plain, { blobReadAheadBytes: 0 })
    await again.pipeline.syncToConfirmed()
    expect(again.driver.tip.batchIndex).toBe(3n)
    expect(bytesToHex(driver.tip.l2.hash)).toBe(bytesToHex(again.driver.tip.l2.hash))
    expect(bytesToHex(driver.tip.stateRoot)).toBe(bytesToHex(again.driver.tip.stateRoot))
  })

  it('without a beacon API, waits at the first blob batch it does not hold and says what to configure', async () => {
    const l1 = history('blobs')
    const { pipeline, driver } = await node(l1, new MemoryStore(), undefined)
    await pipeline.syncToConfirmed()
    expect(driver.tip.batchIndex).toBe(-1n)
    expect(driver.blobWait()?.code).toBe('BEACON_NOT_CONFIGURED')
    expect(driver.blobWait()?.message).toContain('beacon')
  })
})
