import { bytesToHex, decodeBlobs, encodeBlobs, kzg, kzgCommitmentToVersionedHash } from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { blobSidecars } from '../../src/batcher/batcher.ts'

describe('blob sidecars of a batch body', () => {
  it('gives the blobs, commitments, proofs and versioned hashes of the body without stalling the event loop', async () => {
    const body = Uint8Array.from({ length: 761_852 }, (_, i) => (i * 31 + 7) & 0xff)
    const k = kzg()
    // The same work on the main thread, for scale.
    const started = performance.now()
    const [first] = encodeBlobs(body)
    k.computeBlobProof(first as Uint8Array, k.blobToCommitment(first as Uint8Array))
    const oneBlobSyncMs = performance.now() - started

    let maxGapMs = 0
    let last = performance.now()
    const timer = setInterval(() => {
      const now = performance.now()
      maxGapMs = Math.max(maxGapMs, now - last)
      last = now
    }, 2)
    const sidecars = await blobSidecars(body)
    clearInterval(timer)

    expect(sidecars.blobs).toHaveLength(6)
    expect(decodeBlobs(sidecars.blobs)).toEqual(body)
    for (const i of [0, 5]) {
      const commitment = sidecars.commitments[i] as Uint8Array
      expect(commitment).toEqual(k.blobToCommitment(sidecars.blobs[i] as Uint8Array))
      expect(sidecars.versionedHashes[i]).toBe(bytesToHex(kzgCommitmentToVersionedHash(commitment)))
    }
    expect(k.computeBlobProof(sidecars.blobs[5] as Uint8Array, sidecars.commitments[5] as Uint8Array)).toEqual(
      sidecars.proofs[5],
    )
    // Six blobs on the main thread would block it ~6× this long; off it, timers keep firing.
    expect(maxGapMs).toBeLessThan(oneBlobSyncMs * 3)
  }, 60_000)
})
