import { bytesToHex, hexToBytes, kzg, kzgCommitmentToVersionedHash, SluiceError } from '@sluice/core'

/** The beacon API had no blobs for the block (not served yet, pruned, or the API is down). Wait and retry. */
export class BlobUnavailableError extends SluiceError {
  override name = 'BlobUnavailableError'
  constructor(blockId: string, problem: string, cause?: unknown) {
    super(`blobs of L1 block ${blockId} are unavailable from the beacon API: ${problem}`, {
      details:
        'Derivation waits and retries; check --l1-beacon points at a beacon API that keeps blobs for this block.',
      severity: 'temporary',
      code: 'BLOB_UNAVAILABLE',
      cause,
    })
  }
}

/** A blob whose commitment does not hash to the versioned hash L1 committed to. Never used. */
export class BlobMismatchError extends SluiceError {
  override name = 'BlobMismatchError'
  constructor(blockId: string, versionedHash: string) {
    super(`no blob of L1 block ${blockId} matches versioned hash ${versionedHash}`, {
      details: 'The beacon API served blobs that do not match L1: use a trustworthy beacon API (--l1-beacon).',
      severity: 'invalidInput',
      code: 'BLOB_MISMATCH',
    })
  }
}

type BlobItem = string | { blob?: string }

/**
 * Reads the blobs of one L1 block from a beacon API and returns those matching `versionedHashes`,
 * in that order, each checked (commitment computed from the blob → versioned hash) before return.
 */
export async function fetchBlobs(
  beaconUrl: string,
  blockId: string,
  versionedHashes: readonly string[],
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<Uint8Array[]> {
  const items = await fetchItems(beaconUrl, blockId, timeoutMs)
  const byHash = new Map<string, Uint8Array>()
  for (const item of items) {
    const hex = typeof item === 'string' ? item : item.blob
    if (typeof hex !== 'string') continue
    let blob: Uint8Array
    let commitment: Uint8Array
    try {
      blob = hexToBytes(hex)
      commitment = kzg().blobToCommitment(blob)
    } catch {
      continue // not hex or not a valid blob: it can match no versioned hash
    }
    byHash.set(bytesToHex(kzgCommitmentToVersionedHash(commitment)), blob)
  }
  return versionedHashes.map((hash) => {
    const blob = byHash.get(hash.toLowerCase())
    if (!blob) throw new BlobMismatchError(blockId, hash)
    return blob
  })
}

async function fetchItems(beaconUrl: string, blockId: string, timeoutMs: number): Promise<BlobItem[]> {
  const base = beaconUrl.replace(/\/$/, '')
  let lastProblem = 'no answer'
  for (const path of [`/eth/v1/beacon/blobs/${blockId}`, `/eth/v1/beacon/blob_sidecars/${blockId}`]) {
    let response: Response
    try {
      response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) })
    } catch (cause) {
      throw new BlobUnavailableError(blockId, `request to ${path} failed`, cause)
    }
    if (response.ok) {
      const body = (await response.json().catch(() => undefined)) as { data?: unknown } | undefined
      if (!body || !Array.isArray(body.data))
        throw new BlobUnavailableError(blockId, `${path} answered without a data array`)
      return body.data as BlobItem[]
    }
    lastProblem = `${path} answered HTTP ${response.status}`
  }
  throw new BlobUnavailableError(blockId, lastProblem)
}
