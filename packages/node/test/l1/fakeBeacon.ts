/** A beacon API server for the tests of the beacon client and of derivation through it (loopback only). */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bytesToHex } from '@sluice/core'

export const GENESIS_TIME = 1_700_000_000n
export const SECONDS_PER_SLOT = 12n

/**
 * A small beacon API: `/eth/v1/config/spec`, `/eth/v1/beacon/genesis` and the blobs of slots it holds
 * (or no spec endpoint, as anvil). `blob_sidecars` is gone (410, as on anvil and Fulu nodes) unless
 * `sidecars` says it serves blobs alone (`plain`) or with their commitments and proofs (`proofs`,
 * from `proofsOf`); `blobsEndpoint: false` leaves out `/eth/v1/beacon/blobs`. That endpoint's
 * `versioned_hashes` filter (comma-separated) is ignored (`filter: 'ignored'`, the whole block is
 * served, as by a node without it), applied (`'applied'`, by `versionedHashOf`, in the block's order)
 * or refused with HTTP 400 (`'refused'`); with `ssz` it answers in SSZ (the blobs' bytes one after
 * the other) when the request accepts `application/octet-stream`, as anvil does (`ssz: 'torn'`: a
 * byte short). Records every path it was asked for, with its query.
 */
export function fakeBeacon(options: {
  blobsBySlot: Map<string, Uint8Array[]>
  spec?: boolean
  sidecars?: 'gone' | 'plain' | 'proofs'
  blobsEndpoint?: boolean
  proofsOf?: (blob: Uint8Array, index: number) => { commitment: Uint8Array; proof: Uint8Array }
  filter?: 'ignored' | 'applied' | 'refused'
  versionedHashOf?: (blob: Uint8Array) => string
  ssz?: boolean | 'torn'
}): {
  server: Server
  requests: string[]
  url: () => string
} {
  const requests: string[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '', 'http://beacon')
    const path = url.pathname
    requests.push(`${path}${url.search}`)
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
      const filter = url.searchParams.get('versioned_hashes')
      let served = held
      if (filter !== null && options.filter === 'refused')
        return json(400, { code: 400, message: 'Invalid query: versioned_hashes' })
      if (filter !== null && options.filter === 'applied') {
        const wanted = new Set(filter.split(','))
        const hashOf = options.versionedHashOf as NonNullable<typeof options.versionedHashOf>
        served = held.filter((b) => wanted.has(hashOf(b)))
      }
      if (options.ssz && req.headers.accept?.includes('application/octet-stream')) {
        const body = Buffer.concat(served)
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        return res.end(options.ssz === 'torn' ? body.subarray(0, body.length - 1) : body)
      }
      return json(200, { data: served.map((b) => bytesToHex(b)) })
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

export const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
export const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()))
