import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bytesToHex, encodeBlobs, type Hex, kzg, kzgCommitmentToVersionedHash } from '@sluice/core'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { BeaconBlobProvider, BlobMismatchError, BlobUnavailableError } from '../../src/l1/beacon.ts'

const GENESIS_TIME = 1_700_000_000n
const SECONDS_PER_SLOT = 12n

/**
 * A small beacon API: `/eth/v1/config/spec`, `/eth/v1/beacon/genesis` and the blobs of slots it holds
 * (or no spec endpoint, as anvil). `blob_sidecars` is gone (410, as on anvil and Fulu nodes) unless
 * `sidecars` says it serves blobs alone (`plain`) or with their commitments and proofs (`proofs`,
 * from `proofsOf`); `blobsEndpoint: false` leaves out `/eth/v1/beacon/blobs`. Records every path it
 * was asked for.
 */
function fakeBeacon(options: {
  blobsBySlot: Map<string, Uint8Array[]>
  spec?: boolean
  sidecars?: 'gone' | 'plain' | 'proofs'
  blobsEndpoint?: boolean
  proofsOf?: (blob: Uint8Array, index: number) => { commitment: Uint8Array; proof: Uint8Array }
}): {
  server: Server
  requests: string[]
  url: () => string
} {
  const requests: string[] = []
  const server = createServer((req, res) => {
    const path = req.url ?? ''
    requests.push(path)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (path === '/eth/v1/config/spec') {
      if (options.spec === false) return json(404, { code: 404, message: 'not found' })
      return json(200, { data: { SECONDS_PER_SLOT: SECONDS_PER_SLOT.toString(), CONFIG_NAME: 'fake' } })
    }
    if (path === '/eth/v1/beacon/genesis') return json(200, { data: { genesis_time: GENESIS_TIME.toString() } })
    const blobs = path.match(/^\/eth\/v1\/beacon\/blobs\/(\d+)$/)
    if (blobs && options.blobsEndpoint !== false) {
      const held = options.blobsBySlot.get(blobs[1] as string)
      if (held === undefined) return json(404, { code: 404, message: 'Block not found' })
      return json(200, { data: held.map((b) => bytesToHex(b)) })
    }
    const sidecars = path.match(/^\/eth\/v1\/beacon\/blob_sidecars\/(\d+)$/)
    if (sidecars) {
      const mode = options.sidecars ?? 'gone'
      if (mode === 'gone') return json(410, { code: 410, message: 'This endpoint is deprecated.' })
      const held = options.blobsBySlot.get(sidecars[1] as string)
      if (held === undefined) return json(404, { code: 404, message: 'Block not found' })
      return json(200, {
        data: held.map((b, index) => {
          const sidecar = { index: String(index), blob: bytesToHex(b) }
          if (mode === 'plain') return sidecar
          const { commitment, proof } = (options.proofsOf as NonNullable<typeof options.proofsOf>)(b, index)
          return { ...sidecar, kzg_commitment: bytesToHex(commitment), kzg_proof: bytesToHex(proof) }
        }),
      })
    }
    json(404, { code: 404, message: 'not found' })
  })
  return { server, requests, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()))

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
    expect(beacon.requests).toContain('/eth/v1/beacon/blobs/42')
    expect(beacon.requests).not.toContain('/eth/v1/beacon/blobs/7')
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
    expect(beacon.requests.filter((path) => path === '/eth/v1/beacon/blobs/3')).toHaveLength(2)
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
