import { type BatchOp, type Hex, hexToBytes, type KeyValueStore } from '@sluice/core'

const BLOB_PREFIX = new TextEncoder().encode('blob/')

/** `blob/<versioned hash>`: one blob, 131,072 bytes. */
function blobKey(versionedHash: Hex): Uint8Array {
  const hash = hexToBytes(versionedHash)
  const out = new Uint8Array(BLOB_PREFIX.length + hash.length)
  out.set(BLOB_PREFIX)
  out.set(hash, BLOB_PREFIX.length)
  return out
}

/**
 * The blobs of every blob batch this node derived, by versioned hash, in the node's LevelDB. The
 * beacon chain prunes blobs after about 18 days; the dispute agent needs them to open elements for
 * a one-step proof, and re-derivation reads them from here before asking the beacon API. Blobs are
 * content-addressed and only ever checked ones are written, so nothing is deleted on an L1 reorg
 * (a re-posted batch usually carries the same blobs).
 */
export class BlobStore {
  readonly store: KeyValueStore

  constructor(store: KeyValueStore) {
    this.store = store
  }

  /** The stored blob with this versioned hash. */
  get(versionedHash: Hex): Uint8Array | undefined {
    return this.store.getSync(blobKey(versionedHash))
  }

  /** The stored blobs of `versionedHashes`, in order, or undefined when any is missing. */
  getAll(versionedHashes: readonly Hex[]): Uint8Array[] | undefined {
    const out: Uint8Array[] = []
    for (const hash of versionedHashes) {
      const blob = this.get(hash)
      if (blob === undefined) return undefined
      out.push(blob)
    }
    return out
  }

  /** The writes that keep `blobs` (already checked against `versionedHashes`), for the batch's atomic commit. */
  putOps(versionedHashes: readonly Hex[], blobs: readonly Uint8Array[]): BatchOp[] {
    return versionedHashes.map((hash, i) => ({ type: 'put', key: blobKey(hash), value: blobs[i] as Uint8Array }))
  }
}
