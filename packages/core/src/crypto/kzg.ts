import { createRequire } from 'node:module'
import { sha256 } from '@noble/hashes/sha2.js'
import { SluiceError } from '../errors/index.ts'

/**
 * The only KZG operations Sluice needs; one library behind it (`@crate-crypto/node-eth-kzg`). The
 * `…Async` forms run on the library's own threads (its tokio runtime: `tokio-runtime-w` in a
 * process's thread list, not libuv's pool; ~50–65 ms of CPU each per blob), so a batcher or a
 * dispute agent does not stall its event loop.
 */
export type Kzg = {
  blobToCommitment(blob: Uint8Array): Uint8Array
  blobToCommitmentAsync(blob: Uint8Array): Promise<Uint8Array>
  computeBlobProof(blob: Uint8Array, commitment: Uint8Array): Uint8Array
  computeBlobProofAsync(blob: Uint8Array, commitment: Uint8Array): Promise<Uint8Array>
  /** Opening at `z` (`computeKzgProof`): returns the proof and `y = p(z)`. */
  computeProof(blob: Uint8Array, z: Uint8Array): { proof: Uint8Array; y: Uint8Array }
  computeProofAsync(blob: Uint8Array, z: Uint8Array): Promise<{ proof: Uint8Array; y: Uint8Array }>
  verifyProof(commitment: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean
  /**
   * Whether every `blobs[i]` is the polynomial `commitments[i]` commits to, by its blob proof
   * (`verifyBlobKzgProofBatch`, off the event loop): false for any malformed input. A few ms per
   * blob against ~50 ms to compute a commitment, for beacon APIs that serve proofs with the blobs.
   */
  verifyBlobProofBatchAsync(
    blobs: readonly Uint8Array[],
    commitments: readonly Uint8Array[],
    proofs: readonly Uint8Array[],
  ): Promise<boolean>
}

type DasContext = {
  blobToKzgCommitment(blob: Uint8Array): Uint8Array
  asyncBlobToKzgCommitment(blob: Uint8Array): Promise<Uint8Array>
  computeBlobKzgProof(blob: Uint8Array, commitment: Uint8Array): Uint8Array
  asyncComputeBlobKzgProof(blob: Uint8Array, commitment: Uint8Array): Promise<Uint8Array>
  computeKzgProof(blob: Uint8Array, z: Uint8Array): Uint8Array[]
  asyncComputeKzgProof(blob: Uint8Array, z: Uint8Array): Promise<Uint8Array[]>
  verifyKzgProof(commitment: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean
  asyncVerifyBlobKzgProofBatch(blobs: Uint8Array[], commitments: Uint8Array[], proofs: Uint8Array[]): Promise<boolean>
}

function proofAndY([proof, y]: Uint8Array[]): { proof: Uint8Array; y: Uint8Array } {
  if (!proof || !y) throw new SluiceError('KZG library returned no proof', { code: 'KzgFailure' })
  return { proof, y }
}

let instance: Kzg | undefined

/** Loads the native KZG binding once; the trusted setup is embedded in the package (no download). */
export function kzg(): Kzg {
  if (instance) return instance
  let context: DasContext
  try {
    const require = createRequire(import.meta.url)
    const { DasContextJs } = require('@crate-crypto/node-eth-kzg') as {
      DasContextJs: { create(o: object): DasContext }
    }
    context = DasContextJs.create({ usePrecomp: true })
  } catch (cause) {
    throw new SluiceError(
      'KZG library could not be loaded: run `npm ci` on linux-x64 (glibc) so the prebuilt binding is installed',
      {
        code: 'KzgUnavailable',
        severity: 'critical',
        details: 'package @crate-crypto/node-eth-kzg with its platform binding (node-eth-kzg-linux-x64-gnu)',
        cause,
      },
    )
  }
  instance = {
    blobToCommitment: (blob) => context.blobToKzgCommitment(blob),
    blobToCommitmentAsync: (blob) => context.asyncBlobToKzgCommitment(blob),
    computeBlobProof: (blob, commitment) => context.computeBlobKzgProof(blob, commitment),
    computeBlobProofAsync: (blob, commitment) => context.asyncComputeBlobKzgProof(blob, commitment),
    computeProof: (blob, z) => proofAndY(context.computeKzgProof(blob, z)),
    computeProofAsync: async (blob, z) => proofAndY(await context.asyncComputeKzgProof(blob, z)),
    verifyProof: (commitment, z, y, proof) => {
      try {
        return context.verifyKzgProof(commitment, z, y, proof)
      } catch {
        return false
      }
    },
    verifyBlobProofBatchAsync: async (blobs, commitments, proofs) => {
      try {
        return await context.asyncVerifyBlobKzgProofBatch([...blobs], [...commitments], [...proofs])
      } catch {
        return false
      }
    },
  }
  return instance
}

export const BLOB_COMMITMENT_VERSION_KZG = 0x01

/** EIP-4844: `0x01 ++ sha256(commitment)[1:]`. */
export function kzgCommitmentToVersionedHash(commitment: Uint8Array): Uint8Array {
  const hash = sha256(commitment)
  hash[0] = BLOB_COMMITMENT_VERSION_KZG
  return hash
}
