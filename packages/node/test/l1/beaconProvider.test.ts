import type { Server } from 'node:http'
import { bytesToHex, encodeBlobs, type Hex, kzg, kzgCommitmentToVersionedHash } from '@sluice/core'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { BeaconBlobProvider, type BlobCheck, BlobMismatchError, BlobUnavailableError } from '../../src/l1/beacon.ts'
import { encodeKzgHints } from '../../src/l1/kzgHints.ts'
import { close, fakeBeacon, GENESIS_TIME, listen, SECONDS_PER_SLOT } from './fakeBeacon.ts'

const blobs = encodeBlobs(Uint8Array.from({ length: 150_000 }, (_, i) => (i * 13 + 1) & 0xff))
let hashes: Hex[]
let commitments: Uint8Array[]
let proofs: Uint8Array[]
const servers: Server[] = []

beforeAll(() => {
  commitments = blobs.map((b) => kzg().blobToCommitment(b))
  proofs = blobs.map((b, i) => kzg().computeBlobProof(b, commitments[i] as Uint8Array))
  hashes = commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c)))
})
afterEach(() => {
  vi.restoreAllMocks()
})
afterAll(async () => {
  for (const server of servers) await close(server)
})

async function started(options: Parameters<typeof fakeBeacon>[0]) {
  const beacon = fakeBeacon(options)
  await listen(beacon.server)
  servers.push(beacon.server)
  return beacon
}

describe('BeaconBlobProvider', () => {
  it('asks a beacon node for the slot of the L1 block (from its timestamp and the genesis), and checks the blobs', async () => {
    // the L1 block at slot 42 (timestamp = genesis + 42 × 12); slot 41 holds other blobs
    const beacon = await started({ blobsBySlot: new Map([['42', blobs]]) })
    const provider = new BeaconBlobProvider(`${beacon.url()}/`)
    const block = { number: 7n, timestamp: GENESIS_TIME + 42n * SECONDS_PER_SLOT }
    expect(await provider.blockId(block)).toBe('42')
    const read = await provider.blobs(block, [hashes[1] as Hex, hashes[0] as Hex])
    expect(read).toEqual([blobs[1], blobs[0]])
    expect(beacon.requests.some((path) => path.startsWith('/eth/v1/beacon/blobs/42'))).toBe(true)
    expect(beacon.requests.some((path) => path.startsWith('/eth/v1/beacon/blobs/7'))).toBe(false)
  })

  it('reads blob_sidecars without proofs on a beacon node that serves only that endpoint', async () => {
    const beacon = await started({ blobsBySlot: new Map([['3', blobs]]), sidecars: 'plain', blobsEndpoint: false })
    const provider = new BeaconBlobProvider(beacon.url())
    const read = await provider.blobs({ number: 1n, timestamp: GENESIS_TIME + 3n * SECONDS_PER_SLOT }, hashes)
    expect(read).toEqual(blobs)
    expect(beacon.requests).toContain('/eth/v1/beacon/blob_sidecars/3')
  })

  it('checks sidecars served with commitments and proofs by those proofs, computing no commitment', async () => {
    const proofsOf = (b: Uint8Array) => {
      const i = blobs.indexOf(b)
      return { commitment: commitments[i] as Uint8Array, proof: proofs[i] as Uint8Array }
    }
    const beacon = await started({ blobsBySlot: new Map([['3', blobs]]), sidecars: 'proofs', proofsOf })
    const commit = vi.spyOn(kzg(), 'blobToCommitmentAsync')
    const provider = new BeaconBlobProvider(beacon.url())
    const read = await provider.blobs({ number: 1n, timestamp: GENESIS_TIME + 3n * SECONDS_PER_SLOT }, [
      hashes[1] as Hex,
      hashes[0] as Hex,
    ])
    expect(read).toEqual([blobs[1], blobs[0]])
    expect(commit).not.toHaveBeenCalled()
    expect(beacon.requests).toContain('/eth/v1/beacon/blob_sidecars/3')
    expect(beacon.requests).not.toContain('/eth/v1/beacon/blobs/3')
  })

  it('checks a sidecar whose proof does not hold by its commitment: the right blob is taken, another refused', async () => {
    const [first, second] = blobs as [Uint8Array, Uint8Array]
    // slot 3: blob 0 with its commitment and blob 1's proof; slot 4: blob 1 served as blob 0 (commitment and proof of 0)
    const wrongProof = await started({
      blobsBySlot: new Map([['3', [first]]]),
      sidecars: 'proofs',
      proofsOf: () => ({ commitment: commitments[0] as Uint8Array, proof: proofs[1] as Uint8Array }),
    })
    const commit = vi.spyOn(kzg(), 'blobToCommitmentAsync')
    const block = (slot: bigint) => ({ number: 1n, timestamp: GENESIS_TIME + slot * SECONDS_PER_SLOT })
    expect(await new BeaconBlobProvider(wrongProof.url()).blobs(block(3n), [hashes[0] as Hex])).toEqual([first])
    expect(commit).toHaveBeenCalled()
    const swapped = await started({
      blobsBySlot: new Map([['4', [second]]]),
      sidecars: 'proofs',
      proofsOf: () => ({ commitment: commitments[0] as Uint8Array, proof: proofs[0] as Uint8Array }),
    })
    const error = await new BeaconBlobProvider(swapped.url())
      .blobs(block(4n), [hashes[0] as Hex])
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BlobMismatchError)
  })

  it('stops asking for blob_sidecars once the beacon API says it is gone', async () => {
    const beacon = await started({ blobsBySlot: new Map([['3', blobs]]) })
    const provider = new BeaconBlobProvider(beacon.url())
    const block = { number: 1n, timestamp: GENESIS_TIME + 3n * SECONDS_PER_SLOT }
    expect(await provider.blobs(block, hashes)).toEqual(blobs)
    expect(await provider.blobs(block, hashes)).toEqual(blobs)
    expect(beacon.requests.filter((path) => path === '/eth/v1/beacon/blob_sidecars/3')).toHaveLength(1)
    expect(beacon.requests.filter((path) => path.startsWith('/eth/v1/beacon/blobs/3'))).toHaveLength(2)
  })

  it('uses the L1 block number as block id on a beacon API without /eth/v1/config/spec (anvil)', async () => {
    const beacon = await started({ blobsBySlot: new Map([['7', blobs]]), spec: false })
    const provider = new BeaconBlobProvider(beacon.url())
    const block = { number: 7n, timestamp: GENESIS_TIME + 42n * SECONDS_PER_SLOT }
    expect(await provider.blockId(block)).toBe('7')
    expect(await provider.blobs(block, hashes)).toEqual(blobs)
  })

  it('refuses a blob that matches no versioned hash, naming the hash', async () => {
    const beacon = await started({ blobsBySlot: new Map([['5', [blobs[0] as Uint8Array]]]) })
    const provider = new BeaconBlobProvider(beacon.url())
    const block = { number: 2n, timestamp: GENESIS_TIME + 5n * SECONDS_PER_SLOT }
    const error = await provider.blobs(block, [hashes[1] as Hex]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BlobMismatchError)
    expect((error as BlobMismatchError).message).toContain(hashes[1])
    expect((error as BlobMismatchError).severity).toBe('invalidInput')
  })

  it('reports a slot the beacon API does not have, and an API that does not answer, as unavailable', async () => {
    const beacon = await started({ blobsBySlot: new Map() })
    const provider = new BeaconBlobProvider(beacon.url())
    const missing = await provider
      .blobs({ number: 2n, timestamp: GENESIS_TIME + 9n * SECONDS_PER_SLOT }, hashes)
      .catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(BlobUnavailableError)
    expect((missing as BlobUnavailableError).severity).toBe('temporary')

    const down = await started({ blobsBySlot: new Map() })
    const url = down.url()
    await close(down.server)
    servers.splice(servers.indexOf(down.server), 1)
    const unreachable = await new BeaconBlobProvider(url, { timeoutMs: 2_000 })
      .blobs({ number: 2n, timestamp: GENESIS_TIME }, hashes)
      .catch((e: unknown) => e)
    expect(unreachable).toBeInstanceOf(BlobUnavailableError)
  })

  it('refuses an L1 block older than the beacon chain’s genesis (a beacon API of another chain)', async () => {
    const beacon = await started({ blobsBySlot: new Map() })
    const provider = new BeaconBlobProvider(beacon.url())
    await expect(provider.blockId({ number: 1n, timestamp: GENESIS_TIME - 1n })).rejects.toThrow(/before the beacon/)
  })
})

describe('BeaconBlobProvider with the batch’s KZG hints (blobs served without proofs, as on anvil)', () => {
  /** Another transaction's blob in the same L1 block. */
  const other = encodeBlobs(Uint8Array.from({ length: 1_000 }, (_, i) => (i * 7 + 3) & 0xff))[0] as Uint8Array
  const c = (i: number) => commitments[i] as Uint8Array
  const p = (i: number) => proofs[i] as Uint8Array

  const versionedHashOf = (blob: Uint8Array) =>
    blob === other ? `0x01${'ee'.repeat(31)}` : (hashes[blobs.indexOf(blob)] as string)

  /**
   * Reads `wanted` from a beacon API serving `served` at slot 3 (with `filter` for `versioned_hashes`,
   * ignored by default), counting the commitments computed and the batched proof checks.
   */
  async function read(
    served: Uint8Array[],
    wanted: Hex[],
    kzgHints: Uint8Array | undefined,
    filter: 'ignored' | 'applied' | 'refused' = 'ignored',
  ) {
    const beacon = await started({ blobsBySlot: new Map([['3', served]]), filter, versionedHashOf })
    const commit = vi.spyOn(kzg(), 'blobToCommitmentAsync')
    const verify = vi.spyOn(kzg(), 'verifyBlobProofBatchAsync')
    let checks: BlobCheck[] | undefined
    const provider = new BeaconBlobProvider(beacon.url())
    const block = { number: 1n, timestamp: GENESIS_TIME + 3n * SECONDS_PER_SLOT }
    const blobsRead = await provider.blobs(block, wanted, { kzgHints, onChecked: (reported) => (checks = reported) })
    const computed = commit.mock.calls.length
    const verified = verify.mock.calls.length
    commit.mockRestore()
    verify.mockRestore()
    return { blobsRead, computed, verified, checks, requests: beacon.requests, provider, block }
  }

  it('checks each blob by its hint’s proof and computes no commitment, wherever the batch’s blobs lie in the block and in whatever order the hints come', async () => {
    const hints = encodeKzgHints([c(1), c(0)], [p(1), p(0)])
    const { blobsRead, computed, checks } = await read([other, ...blobs], hashes, hints)
    expect(blobsRead).toEqual(blobs)
    expect(computed).toBe(0)
    expect(checks).toEqual(['hintProof', 'hintProof'])
  })

  it('falls back to computing the commitments, and gives the same blobs, for a wrong proof, a hint for another blob, truncated or garbage hints, or none', async () => {
    const good = encodeKzgHints([c(0), c(1)], [p(0), p(1)])
    const cases: { hints: Uint8Array | undefined; wanted: Hex[]; checks: BlobCheck[] }[] = [
      // each commitment is right, each proof another blob's
      {
        hints: encodeKzgHints([c(0), c(1)], [p(1), p(0)]),
        wanted: hashes,
        checks: ['commitmentHintFailed', 'commitmentHintFailed'],
      },
      // a well-formed hint, but for a blob this batch does not have
      { hints: encodeKzgHints([c(1)], [p(1)]), wanted: [hashes[0] as Hex], checks: ['commitmentNoHint'] },
      { hints: good.subarray(0, good.length - 1), wanted: hashes, checks: ['commitmentNoHint', 'commitmentNoHint'] },
      { hints: good.map((b) => b ^ 0x5a), wanted: hashes, checks: ['commitmentNoHint', 'commitmentNoHint'] },
      { hints: undefined, wanted: hashes, checks: ['commitmentNoHint', 'commitmentNoHint'] },
    ]
    for (const { hints, wanted, checks } of cases) {
      const outcome = await read([other, ...blobs], wanted, hints)
      expect(outcome.blobsRead).toEqual(wanted.map((hash) => blobs[hashes.indexOf(hash)]))
      expect(outcome.computed).toBeGreaterThanOrEqual(wanted.length)
      expect(outcome.checks).toEqual(checks)
    }
  })

  it('asks for the batch’s blobs alone by versioned_hashes and pairs them with the hints in one check, where the block holds another blob first', async () => {
    const hints = encodeKzgHints([c(0), c(1)], [p(0), p(1)])
    const filtered = await read([other, ...blobs], hashes, hints, 'applied')
    expect(filtered.blobsRead).toEqual(blobs)
    expect(filtered.checks).toEqual(['hintProof', 'hintProof'])
    expect(filtered.computed).toBe(0)
    expect(filtered.verified).toBe(1)
    expect(filtered.requests.filter((path) => path.startsWith('/eth/v1/beacon/blobs/'))).toEqual([
      `/eth/v1/beacon/blobs/3?versioned_hashes=${hashes.join(',')}`,
    ])
    // a node that ignores the filter serves the whole block: the blobs' offset is found by trying
    const unfiltered = await read([other, ...blobs], hashes, hints, 'ignored')
    expect(unfiltered.blobsRead).toEqual(blobs)
    expect(unfiltered.checks).toEqual(['hintProof', 'hintProof'])
    expect(unfiltered.verified).toBe(2)
  })

  it('asks again without versioned_hashes where the node refuses the filter, and not with it afterwards', async () => {
    const hints = encodeKzgHints([c(0), c(1)], [p(0), p(1)])
    const { blobsRead, checks, requests, provider, block } = await read([other, ...blobs], hashes, hints, 'refused')
    expect(blobsRead).toEqual(blobs)
    expect(checks).toEqual(['hintProof', 'hintProof'])
    expect(requests.slice(-2)).toEqual([
      `/eth/v1/beacon/blobs/3?versioned_hashes=${hashes.join(',')}`,
      '/eth/v1/beacon/blobs/3',
    ])
    const before = requests.length
    expect(await provider.blobs(block, hashes, { kzgHints: hints })).toEqual(blobs)
    expect(requests.slice(before)).toEqual(['/eth/v1/beacon/blobs/3'])
  })

  it('reads blobs served in SSZ, checked as JSON-served ones are, and a torn SSZ answer as unavailable', async () => {
    const hints = encodeKzgHints([c(0), c(1)], [p(0), p(1)])
    const beacon = await started({ blobsBySlot: new Map([['3', [other, ...blobs]]]), ssz: true })
    const verify = vi.spyOn(kzg(), 'verifyBlobProofBatchAsync')
    const commit = vi.spyOn(kzg(), 'blobToCommitmentAsync')
    let checks: BlobCheck[] | undefined
    const block = { number: 1n, timestamp: GENESIS_TIME + 3n * SECONDS_PER_SLOT }
    const read = await new BeaconBlobProvider(beacon.url()).blobs(block, hashes, {
      kzgHints: hints,
      onChecked: (reported) => (checks = reported),
    })
    expect(read).toEqual(blobs)
    expect(checks).toEqual(['hintProof', 'hintProof'])
    expect(verify).toHaveBeenCalled()
    expect(commit).not.toHaveBeenCalled()
    // without hints every served blob's commitment is computed, and the other blob is not taken
    expect(await new BeaconBlobProvider(beacon.url()).blobs(block, [hashes[1] as Hex])).toEqual([blobs[1]])
    const torn = await started({ blobsBySlot: new Map([['3', blobs]]), ssz: 'torn' })
    await expect(new BeaconBlobProvider(torn.url()).blobs(block, hashes)).rejects.toThrow(BlobUnavailableError)
  })

  it('reads the whole block when the filtered answer lacks a wanted blob, and gives the right blobs', async () => {
    // the node files blob 1 under another hash: its filtered answer holds blob 0 alone
    const beacon = await started({
      blobsBySlot: new Map([['3', [other, ...blobs]]]),
      filter: 'applied',
      versionedHashOf: (blob) => (blob === blobs[1] ? `0x01${'dd'.repeat(31)}` : versionedHashOf(blob)),
    })
    const provider = new BeaconBlobProvider(beacon.url())
    const block = { number: 1n, timestamp: GENESIS_TIME + 3n * SECONDS_PER_SLOT }
    expect(await provider.blobs(block, hashes, { kzgHints: encodeKzgHints([c(0), c(1)], [p(0), p(1)]) })).toEqual(blobs)
    expect(beacon.requests.filter((path) => path.startsWith('/eth/v1/beacon/blobs/'))).toEqual([
      `/eth/v1/beacon/blobs/3?versioned_hashes=${hashes.join(',')}`,
      '/eth/v1/beacon/blobs/3',
    ])
  })

  it('still refuses a served blob that matches no versioned hash, whatever the hints say', async () => {
    // the beacon API serves blob 1 where blob 0 is wanted; the hint is blob 0's, right for the hash
    const error = await read([blobs[1] as Uint8Array], [hashes[0] as Hex], encodeKzgHints([c(0)], [p(0)])).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(BlobMismatchError)
    expect((error as BlobMismatchError).code).toBe('BLOB_MISMATCH')
  })
})
