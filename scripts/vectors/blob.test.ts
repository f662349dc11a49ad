/**
 * Replays the blob-batch vectors (protocol.md §11) on the TypeScript side, independently of how
 * they were made: the blobs hash to the versioned hashes, every opening verifies with KZG and is
 * the element it names, the openings are exactly the set the prover requires and enough to read the
 * message, and the message applied to a state made of the proofs alone gives the post-state root.
 * When `npm run vectors` has written `blob.json`, the file must be this generator's output.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  blobOpeningsForMessage,
  decodeSlotAt,
  locateBlobMessage,
  readBlobBodyLayout,
} from '../../packages/core/src/batch/index.ts'
import {
  type BlobElement,
  decodeBlobs,
  elementPayloadRange,
  evaluationPoint,
  payloadBody,
  readPayload,
} from '../../packages/core/src/blob/index.ts'
import { bigintToBytes32, bytesToHex, hexToBytes } from '../../packages/core/src/bytes/index.ts'
import { keccak256, kzg, kzgCommitmentToVersionedHash } from '../../packages/core/src/crypto/index.ts'
import { MemoryStore } from '../../packages/core/src/db/store.ts'
import { delayedToStfMessage } from '../../packages/core/src/derive/messages.ts'
import { StateDb, type WorldState } from '../../packages/core/src/state/index.ts'
import { applyMessage, prepareStfConfig, type StfMessage } from '../../packages/core/src/stf/index.ts'
import { testConfig } from '../../test/support/config.ts'
import { type BlobVector, generateBlobVectors } from './blob.ts'

const config = testConfig()
const set = generateBlobVectors(config)
const stf = prepareStfConfig(config)

/** A state the message may not touch: any read or write fails the test. */
function noState(root: string): WorldState {
  const touched = (): never => {
    throw new Error('a message with no proofs touched the state')
  }
  return {
    getAccount: touched,
    putAccount: touched,
    getStorage: touched,
    putStorage: touched,
    stateRoot: () => hexToBytes(root),
  }
}

/** Message j as a prover reads it from `body` (§5.7.3, §5.5). */
function readMessage(body: Uint8Array, v: BlobVector): StfMessage {
  const D = BigInt(v.delayedCount)
  const where = locateBlobMessage(body, D, v.slotCount, BigInt(v.messageIndex))
  if (where.kind === 'delayed') {
    return delayedToStfMessage({
      kind: v.delayedKind === 0 ? 0 : 1, // every kind but 0 is read as a forced transaction (§4.1)
      index: BigInt(v.delayedIndex),
      l1Sender: hexToBytes(v.l1Sender),
      l1Timestamp: BigInt(v.l1Timestamp),
      payload: hexToBytes(v.delayedPayload),
    })
  }
  const layout = readBlobBodyLayout(body, v.slotCount)
  if (where.span === undefined || layout === undefined)
    return { kind: 'undecodable', reason: 'slotDecode', detail: 'absent' }
  const slot = decodeSlotAt(body, where.span.start, where.span.end, layout.prelude, config.chainId)
  return slot.ok
    ? { kind: 'transaction', tx: slot.tx }
    : { kind: 'undecodable', reason: 'slotDecode', detail: slot.detail }
}

describe('blob-batch vectors (protocol.md §11)', () => {
  it('cover the shapes §7 of the blob spec lists', () => {
    expect(set.file.cases.length).toBeGreaterThan(0)
    const path = join(dirname(fileURLToPath(import.meta.url)), '../../packages/contracts/test/vectors/blob.json')
    if (existsSync(path)) expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(JSON.parse(JSON.stringify(set.file)))
  })

  it.each(
    set.file.cases.map((v) => [v.name, v] as const),
  )('%s replays from the blobs and the proofs alone', async (_, v) => {
    const blobs = set.blobs.get(v.name) as Uint8Array[]
    const commitments = blobs.map((blob) => kzg().blobToCommitment(blob))
    expect(commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c)))).toEqual(v.versionedHashes)
    const body = decodeBlobs(blobs)
    expect(body.length).toBe(v.bodyLength)

    // the openings: exactly the required set, each a valid KZG opening of the element it names
    const openings: BlobElement[] = v.openingBlobIndex.map((blobIndex, i) => ({
      blobIndex,
      element: v.openingElement[i] as number,
    }))
    expect(openings).toEqual(blobOpeningsForMessage(body, BigInt(v.delayedCount), v.slotCount, BigInt(v.messageIndex)))
    openings.forEach(({ blobIndex, element }, i) => {
      const blob = blobs[blobIndex] as Uint8Array
      const y = hexToBytes(v.openingY[i] as string)
      expect(y).toEqual(blob.subarray(32 * element, 32 * element + 32))
      expect(v.openingCommitment[i]).toBe(bytesToHex(commitments[blobIndex] as Uint8Array))
      const z = bigintToBytes32(evaluationPoint(element))
      expect(
        kzg().verifyProof(commitments[blobIndex] as Uint8Array, z, y, hexToBytes(v.openingProof[i] as string)),
      ).toBe(true)
    })

    // what the prover sees — only the opened elements — gives the same message
    const payload = readPayload(blobs)
    const view = new Uint8Array(payload.length)
    for (const element of openings) {
      const { start, end } = elementPayloadRange(element)
      view.set(payload.subarray(start, end), start)
    }
    const message = readMessage(body, v)
    expect(readMessage(payloadBody(view), v)).toEqual(message)

    // the state transition on a state made of the proofs alone (none: the message reads no account)
    const store = new MemoryStore()
    const nodes = [...v.proofNodes, ...v.storageProof].map((node) => hexToBytes(node))
    await store.batch(nodes.map((node) => ({ type: 'put', key: keccak256(node), value: node })))
    const state: WorldState = nodes.length > 0 ? new StateDb(store, hexToBytes(v.preRoot)) : noState(v.preRoot)
    const outcome = applyMessage(state, message, stf)
    expect(outcome.applied ? 'applied' : outcome.reason).toBe(v.reason)
    expect(bytesToHex(state.stateRoot())).toBe(v.postRoot)
  })
})
