/**
 * Real KZG openings for the forge tests of the one-step prover over blob batches (protocol.md §5.7,
 * §8.3), called through `vm.ffi`: builds the blobs of a payload, then opens the requested elements
 * with core's `openElement` (`@crate-crypto/node-eth-kzg`), so the tests exercise the real `0x0a`
 * precompile rather than a mock.
 *
 *   node scripts/kzg-openings.ts <blobCount> <bodyLength> <elements> [<bodyOffset>:<hex>]...
 *
 * The payload is `uint32 bodyLength ‖ body`, the body zero except for the given segments (so a test
 * can describe a 761,852-byte body in a few arguments; one argument may not exceed 128 KiB), packed
 * 31 bytes per element (§5.7). `<elements>` is `all` (every element the body's bytes touch) or a
 * comma-separated list of global element indices (`blobIndex × 4096 + element`), or `none`. Prints
 * `abi.encode(bytes32[] versionedHashes, (uint256,uint256,bytes32,bytes,bytes)[] openings)` as hex.
 */
import {
  BLOB_LENGTH_PREFIX_BYTES,
  blobCapacity,
  encodeBlobs,
  FIELD_ELEMENTS_PER_BLOB,
  kzg,
  kzgCommitmentToVersionedHash,
  openElement,
  PAYLOAD_BYTES_PER_ELEMENT,
} from '@sluice/core'
import { bytesToHex, encodeAbiParameters, hexToBytes } from 'viem'
import { batchMessageReaderAbi } from '../src/generated/abis.ts'

type ReadBlob = Extract<(typeof batchMessageReaderAbi)[number], { type: 'function'; name: 'readBlob' }>
const readBlob = batchMessageReaderAbi.find(
  (item): item is ReadBlob => item.type === 'function' && item.name === 'readBlob',
) as ReadBlob

const [blobCountArg, bodyLengthArg, elementsArg, ...segments] = process.argv.slice(2)
if (blobCountArg === undefined || bodyLengthArg === undefined || elementsArg === undefined) {
  console.error('usage: kzg-openings.ts <blobCount> <bodyLength> <elements|all> [<offset>:<hex>]...')
  process.exit(2)
}
const blobCount = Number(blobCountArg)
const bodyLength = Number(bodyLengthArg)
// The body as the blobs carry it: at most the capacity, however long the prefix says it is.
const body = new Uint8Array(blobCapacity(blobCount))
let touched = 0
for (const segment of segments) {
  const [offset, hex] = segment.split(':')
  const bytes = hexToBytes(hex as `0x${string}`)
  body.set(bytes, Number(offset))
  touched = Math.max(touched, Number(offset) + bytes.length)
}
const blobs = encodeBlobs(body)
// encodeBlobs writes the body's own length; a test may claim any length (§5.7: the prefix is data).
new DataView(blobs[0]!.buffer).setUint32(1, bodyLength)

const k = kzg()
const commitments = blobs.map((blob) => k.blobToCommitment(blob))
const lastElement = Math.ceil(
  (BLOB_LENGTH_PREFIX_BYTES + Math.max(touched, Math.min(bodyLength, body.length))) / PAYLOAD_BYTES_PER_ELEMENT,
)
const elements =
  elementsArg === 'all'
    ? Array.from({ length: Math.max(1, lastElement) }, (_, i) => i)
    : elementsArg === 'none'
      ? []
      : elementsArg.split(',').map(Number)
const openings = elements.map((global) => {
  const blobIndex = Math.floor(global / FIELD_ELEMENTS_PER_BLOB)
  const element = global % FIELD_ELEMENTS_PER_BLOB
  const { proof, y } = openElement(k, blobs[blobIndex]!, element)
  return {
    blobIndex: BigInt(blobIndex),
    element: BigInt(element),
    y: bytesToHex(y),
    commitment: bytesToHex(commitments[blobIndex]!),
    proof: bytesToHex(proof),
  }
})
process.stdout.write(
  encodeAbiParameters(
    // (bytes32[] versionedHashes, BlobOpening[] openings), as the generated ABI of the reader declares them.
    readBlob.inputs.slice(0, 2),
    [commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c))), openings],
  ),
)
