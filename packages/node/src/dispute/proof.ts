import { batchMessageReaderAbi } from '@sluice/contracts'
import {
  blobOpeningsForMessage,
  bytesToHex,
  type DelayedMessage,
  decodeBlobs,
  type Hex,
  type Kzg,
  kzg,
  openElementAsync,
} from '@sluice/core'
import { encodeAbiParameters } from 'viem'
import { hintsByVersionedHash, splitKzgHints } from '../l1/kzgHints.ts'

/**
 * The `proof` argument of `DisputeGame.proveStep` / `OneStepProver.proveMessage` (protocol.md §8.3):
 * `abi.encode(OneStepProof)` — ONE tuple parameter, so the bytes start with a 0x20 offset word —
 * with
 * ```
 * (uint256 batchIndex,                    // b: the batch holding message i
 *  bytes   batch,                         // a calldata batch's bytes (keccak256 = batchHash[b]); empty for a blob batch
 *  (uint256 blobIndex, uint256 element, bytes32 y, bytes commitment, bytes proof)[] openings,
 *                                         // a blob batch: the elements §8.3 requires, each with its KZG
 *                                         // opening for the 0x0a precompile; empty for a calldata batch
 *  (uint8 kind, address l1Sender, uint64 l1Timestamp, bytes payload) delayed,
 *                                         // message i when it is a delayed message, else zeros
 *  bytes[][] accountProofs,               // §7.4 order, each against the running root
 *  bytes[]  storageProof)                 // withdrawal: the passer's storage proof, else []
 * ```
 * exactly as `OneStepProverTestBase._encodeProof` builds it in the forge tests.
 */
/** One opened field element of a blob batch's blobs (protocol.md §8.3). */
export type BlobOpening = {
  blobIndex: number
  element: number
  /** The element's 32 bytes (the polynomial's value at the element's point). */
  y: Uint8Array
  /** The blob's KZG commitment (its versioned hash is what the inbox stored). */
  commitment: Uint8Array
  proof: Uint8Array
}

export type OneStepProofInput = {
  batchIndex: bigint
  /** A calldata batch's bytes; empty for a blob batch. */
  batch: Uint8Array
  /** A blob batch's openings; empty for a calldata batch. */
  openings: readonly BlobOpening[]
  /** Message `i` when it is a delayed message; undefined for a batch slot. */
  delayed: DelayedMessage | undefined
  accountProofs: readonly (readonly Uint8Array[])[]
  storageProof: readonly Uint8Array[]
}

type ReadBlob = Extract<(typeof batchMessageReaderAbi)[number], { type: 'function'; name: 'readBlob' }>
const readBlob = batchMessageReaderAbi.find(
  (item): item is ReadBlob => item.type === 'function' && item.name === 'readBlob',
) as ReadBlob
/** `BlobOpening[]` as the contracts' generated ABI declares it (the reader takes the proof's openings as they are). */
const BLOB_OPENINGS = { ...readBlob.inputs[1], name: 'openings' } as const

const ONE_STEP_PROOF = [
  {
    type: 'tuple',
    components: [
      { name: 'batchIndex', type: 'uint256' },
      { name: 'batch', type: 'bytes' },
      BLOB_OPENINGS,
      {
        name: 'delayed',
        type: 'tuple',
        components: [
          { name: 'kind', type: 'uint8' },
          { name: 'l1Sender', type: 'address' },
          { name: 'l1Timestamp', type: 'uint64' },
          { name: 'payload', type: 'bytes' },
        ],
      },
      { name: 'accountProofs', type: 'bytes[][]' },
      { name: 'storageProof', type: 'bytes[]' },
    ],
  },
] as const

const ZERO_ADDRESS: Hex = `0x${'00'.repeat(20)}`

/** The ABI layout above, for decoding in tests and tools. */
export const ONE_STEP_PROOF_ABI = ONE_STEP_PROOF

/** Encodes the one-step proof of one message for `proveStep` (the only encoder of it in the node). */
export function encodeOneStepProof(input: OneStepProofInput): Hex {
  const delayed = input.delayed
  return encodeAbiParameters(ONE_STEP_PROOF, [
    {
      batchIndex: input.batchIndex,
      batch: bytesToHex(input.batch),
      openings: input.openings.map((o) => ({
        blobIndex: BigInt(o.blobIndex),
        element: BigInt(o.element),
        y: bytesToHex(o.y),
        commitment: bytesToHex(o.commitment),
        proof: bytesToHex(o.proof),
      })),
      delayed:
        delayed === undefined
          ? { kind: 0, l1Sender: ZERO_ADDRESS, l1Timestamp: 0n, payload: '0x' }
          : {
              kind: delayed.kind,
              l1Sender: bytesToHex(delayed.l1Sender),
              l1Timestamp: delayed.l1Timestamp,
              payload: bytesToHex(delayed.payload),
            },
      accountProofs: input.accountProofs.map((proof) => proof.map((node) => bytesToHex(node))),
      storageProof: input.storageProof.map((node) => bytesToHex(node)),
    },
  ])
}

/**
 * The openings a one-step proof of message `j` of a blob batch carries: exactly the elements the
 * prover requires (core's `blobOpeningsForMessage`, §8.3), each opened with its blob's KZG proof at
 * the element's point. `blobs` are the batch's blobs in the inbox's order (checked against their
 * versioned hashes when they were derived and kept). A blob's commitment is its KZG hint's when
 * `hints` has one whose commitment hashes to the blob's versioned hash and whose proof holds (~3 ms),
 * else computed (~50 ms). The KZG work (~70 ms an opening) runs on the library's own threads one
 * piece at a time, so the event loop keeps serving and the node's other work keeps a core.
 */
export async function blobOpenings(
  blobs: readonly Uint8Array[],
  delayedCount: bigint,
  slotCount: number,
  j: bigint,
  {
    k = kzg(),
    hints,
  }: { k?: Kzg; hints?: { versionedHashes: readonly Hex[]; kzgHints?: Uint8Array | undefined } | undefined } = {},
): Promise<BlobOpening[]> {
  const elements = blobOpeningsForMessage(decodeBlobs(blobs), delayedCount, slotCount, j)
  const hinted =
    hints?.kzgHints === undefined
      ? undefined
      : hintsByVersionedHash(splitKzgHints(hints.kzgHints) ?? [], hints.versionedHashes)
  const commitments = new Map<number, Uint8Array>()
  const out: BlobOpening[] = []
  for (const { blobIndex, element } of elements) {
    const blob = blobs[blobIndex] as Uint8Array
    let commitment = commitments.get(blobIndex)
    if (commitment === undefined) {
      const hint = hinted?.get(hints?.versionedHashes[blobIndex]?.toLowerCase() ?? '')
      commitment =
        hint !== undefined && (await k.verifyBlobProofBatchAsync([blob], [hint.commitment], [hint.proof]))
          ? hint.commitment
          : await k.blobToCommitmentAsync(blob)
      commitments.set(blobIndex, commitment)
    }
    const { y, proof } = await openElementAsync(k, blob, element)
    out.push({ blobIndex, element, y, commitment, proof })
  }
  return out
}
