/**
 * KZG hints (protocol.md §5.7.1): the last argument of `appendBlobBatch`, each blob's KZG commitment
 * and blob proof, `commitment ‖ proof` (48 + 48 bytes) per blob. The inbox neither checks nor hashes
 * them, so they are only ever a shortcut: a node uses a hint for a blob only after its commitment
 * hashes to the blob's versioned hash and its proof holds for the served blob (`fetchBlobs`), and
 * otherwise computes the commitment itself, as without hints.
 */
import { bytesToHex, concatBytes, type Hex, kzgCommitmentToVersionedHash, MAX_BLOBS_PER_BATCH } from '@sluice/core'

/** A KZG commitment or proof: a compressed BLS12-381 G1 point. */
export const KZG_POINT_BYTES = 48
export const KZG_HINT_BYTES = 2 * KZG_POINT_BYTES

/** One blob's hint, unchecked. */
export type KzgHint = { commitment: Uint8Array; proof: Uint8Array }

/** The `appendBlobBatch` hints argument for blobs with these commitments and blob proofs, in the blobs' order. */
export function encodeKzgHints(commitments: readonly Uint8Array[], proofs: readonly Uint8Array[]): Uint8Array {
  if (commitments.length !== proofs.length) throw new RangeError('one blob proof per commitment')
  return concatBytes(...commitments.flatMap((commitment, i) => [commitment, proofs[i] as Uint8Array]))
}

/**
 * The hints in `bytes`, or undefined when they are malformed: not a whole number of 96-byte hints,
 * or more hints than a batch has blobs (nothing is checked here; empty bytes are no hints).
 */
export function splitKzgHints(bytes: Uint8Array): KzgHint[] | undefined {
  if (bytes.length % KZG_HINT_BYTES !== 0 || bytes.length > MAX_BLOBS_PER_BATCH * KZG_HINT_BYTES) return undefined
  const hints: KzgHint[] = []
  for (let at = 0; at < bytes.length; at += KZG_HINT_BYTES) {
    hints.push({
      commitment: bytes.subarray(at, at + KZG_POINT_BYTES),
      proof: bytes.subarray(at + KZG_POINT_BYTES, at + KZG_HINT_BYTES),
    })
  }
  return hints
}

/**
 * The hint for each of `versionedHashes` whose commitment hashes to it (lower-case hex keys), from
 * wherever it stands in `hints`: its position is no more trusted than its contents.
 */
export function hintsByVersionedHash(hints: readonly KzgHint[], versionedHashes: readonly Hex[]): Map<string, KzgHint> {
  const wanted = new Set(versionedHashes.map((hash) => hash.toLowerCase()))
  const byHash = new Map<string, KzgHint>()
  for (const hint of hints) {
    const hash = bytesToHex(kzgCommitmentToVersionedHash(hint.commitment))
    if (wanted.has(hash) && !byHash.has(hash)) byHash.set(hash, hint)
  }
  return byHash
}
