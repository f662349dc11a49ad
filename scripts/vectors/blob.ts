/**
 * One-step-proof vectors over blob batches (protocol.md §5.7, §8.3, §11): real blobs, real KZG
 * commitments and proofs. Each case is one message of a blob batch applied to a state: the batch's
 * versioned hashes and counts, the message index, the openings the prover requires (exactly
 * `blobOpeningsForMessage`, each with its commitment and KZG proof for the `0x0a` precompile), the
 * proofs of §7.4 and the post-state root. The forge tests replay them against the real precompile;
 * `blob.test.ts` replays them on the TypeScript side from the proofs alone.
 */
import {
  type BatchBlock,
  BatchBuilder,
  blobOpeningsForMessage,
  decodeSlotAt,
  encodeBlobBatchBody,
  locateBlobMessage,
  readBlobBodyLayout,
  walkBlobBatch,
} from '../../packages/core/src/batch/index.ts'
import {
  BLOB_LENGTH_PREFIX_BYTES,
  BYTES_PER_BLOB,
  blobsNeeded,
  bodyElements,
  decodeBlobs,
  openElement,
  PAYLOAD_BYTES_PER_BLOB,
  payloadCapacity,
  writePayload,
} from '../../packages/core/src/blob/index.ts'
import { bytesToHex, type Hex, hexToBytes } from '../../packages/core/src/bytes/index.ts'
import { DELAYED_KIND_DEPOSIT, MESSAGE_PASSER } from '../../packages/core/src/config/constants.ts'
import type { RollupConfig } from '../../packages/core/src/config/rollupConfig.ts'
import { kzg, kzgCommitmentToVersionedHash } from '../../packages/core/src/crypto/index.ts'
import { MemoryStore } from '../../packages/core/src/db/store.ts'
import { delayedToStfMessage } from '../../packages/core/src/derive/messages.ts'
import { type DelayedMessage, encodeDepositPayload } from '../../packages/core/src/messages/delayed.ts'
import { recordMessageProof } from '../../packages/core/src/proof/index.ts'
import { StateDb, writeGenesisState } from '../../packages/core/src/state/index.ts'
import { applyMessage, prepareStfConfig, type StfMessage } from '../../packages/core/src/stf/index.ts'
import type { SignedTransaction } from '../../packages/core/src/tx/types.ts'
import { type TestAccount, testAccount, transfer } from '../../test/support/wallet.ts'
import { proofFields, type VectorConfig, vectorConfig } from './stf.ts'

export type BlobVector = {
  name: string
  /** `applied` or the no-op reason */
  reason: string
  preRoot: Hex
  postRoot: Hex
  /** delayedCount[b−1] */
  delayedBefore: Hex
  /** D_b */
  delayedCount: Hex
  /** S_b */
  slotCount: number
  /** j: the message's index within the batch (0 ≤ j < D_b + S_b) */
  messageIndex: number
  /** the batch's blobs' versioned hashes, in the inbox's order (blobCount = their number) */
  versionedHashes: Hex[]
  /** the body's length as the prover reads it: min(bodyLength, 126,976 × blobCount − 4) */
  bodyLength: number
  /** j < D_b: the delayed message (kind, index, l1Sender, l1Timestamp, payload); zeros and `0x` otherwise */
  isDelayed: boolean
  delayedKind: number
  delayedIndex: Hex
  l1Sender: Hex
  l1Timestamp: Hex
  delayedPayload: Hex
  /** the openings the prover requires, sorted by (blobIndex, element), flattened for forge's JSON reader */
  openingBlobIndex: number[]
  openingElement: number[]
  /** the element's 32 bytes (= p(z) for z = ω^bitrev12(element)) */
  openingY: Hex[]
  /** the 48-byte KZG commitment of blob `openingBlobIndex[i]` */
  openingCommitment: Hex[]
  /** the 48-byte KZG proof of the opening */
  openingProof: Hex[]
  proofNodes: Hex[]
  proofLengths: number[]
  storageProof: Hex[]
}

export type BlobVectorFile = { config: VectorConfig; cases: BlobVector[] }

/** The blobs of each case (not in the file: forge needs only the openings), for the TypeScript replay. */
export type BlobVectorSet = { file: BlobVectorFile; blobs: Map<string, Uint8Array[]> }

const ETH = 10n ** 18n
const L1_SENDER = hexToBytes('0x00000000000000000000000000000000000b10b5')

type Context = {
  state: StateDb
  config: RollupConfig
  stf: ReturnType<typeof prepareStfConfig>
  cases: BlobVector[]
  blobs: Map<string, Uint8Array[]>
}

type CaseInput = {
  body: Uint8Array
  slotCount: number
  delayedBefore: bigint
  /** D_b, each a deposit with index delayedBefore + i */
  delayed: DelayedMessage[]
  messageIndex: number
  /** override the 4-byte length prefix (a body that claims more than the blobs carry) */
  declaredLength?: number
  /** at least this many blobs (default: what the body needs) */
  blobCount?: number
}

function packBlobs(input: CaseInput): Uint8Array[] {
  const count = Math.max(input.blobCount ?? 0, blobsNeeded(input.body.length))
  const payload = new Uint8Array(Math.min(payloadCapacity(count), BLOB_LENGTH_PREFIX_BYTES + input.body.length))
  new DataView(payload.buffer).setUint32(0, input.declaredLength ?? input.body.length)
  payload.set(input.body.subarray(0, payload.length - BLOB_LENGTH_PREFIX_BYTES), BLOB_LENGTH_PREFIX_BYTES)
  const blobs = Array.from({ length: count }, () => new Uint8Array(BYTES_PER_BLOB))
  writePayload(blobs, payload)
  return blobs
}

/** The message as derivation reads it from the blobs (§5.7.3), before the state transition. */
function messageOf(body: Uint8Array, input: CaseInput, chainId: bigint): StfMessage {
  const D = BigInt(input.delayed.length)
  const where = locateBlobMessage(body, D, input.slotCount, BigInt(input.messageIndex))
  if (where.kind === 'delayed') return delayedToStfMessage(input.delayed[Number(where.delayedOffset)] as DelayedMessage)
  const layout = readBlobBodyLayout(body, input.slotCount)
  if (where.span === undefined || layout === undefined) {
    return { kind: 'undecodable', reason: 'slotDecode', detail: 'the slot is absent' }
  }
  const slot = decodeSlotAt(body, where.span.start, where.span.end, layout.prelude, chainId)
  return slot.ok
    ? { kind: 'transaction', tx: slot.tx }
    : { kind: 'undecodable', reason: 'slotDecode', detail: slot.detail }
}

function blobCase(ctx: Context, name: string, input: CaseInput, expect: string): BlobVector {
  const blobs = packBlobs(input)
  const body = decodeBlobs(blobs)
  const D = BigInt(input.delayed.length)
  const j = input.messageIndex
  const message = messageOf(body, input, ctx.config.chainId)
  const proof = recordMessageProof(ctx.state, message, ctx.stf)
  const reason = proof.outcome.applied ? 'applied' : proof.outcome.reason
  if (reason !== expect) throw new Error(`blob vector ${name}: expected ${expect}, got ${reason}`)
  const commitments = blobs.map((blob) => kzg().blobToCommitment(blob))
  const openings = blobOpeningsForMessage(body, D, input.slotCount, BigInt(j)).map((element) => ({
    element,
    ...openElement(kzg(), blobs[element.blobIndex] as Uint8Array, element.element),
  }))
  const delayed = j < input.delayed.length ? (input.delayed[j] as DelayedMessage) : undefined
  const vector: BlobVector = {
    name,
    reason,
    preRoot: bytesToHex(proof.preRoot),
    postRoot: bytesToHex(proof.postRoot),
    delayedBefore: `0x${input.delayedBefore.toString(16)}`,
    delayedCount: `0x${D.toString(16)}`,
    slotCount: input.slotCount,
    messageIndex: j,
    versionedHashes: commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c))),
    bodyLength: body.length,
    isDelayed: delayed !== undefined,
    delayedKind: delayed?.kind ?? 0,
    delayedIndex: `0x${(delayed?.index ?? 0n).toString(16)}`,
    l1Sender: bytesToHex(delayed?.l1Sender ?? new Uint8Array(20)),
    l1Timestamp: `0x${(delayed?.l1Timestamp ?? 0n).toString(16)}`,
    delayedPayload: bytesToHex(delayed?.payload ?? new Uint8Array(0)),
    openingBlobIndex: openings.map((o) => o.element.blobIndex),
    openingElement: openings.map((o) => o.element.element),
    openingY: openings.map((o) => bytesToHex(o.y)),
    openingCommitment: openings.map((o) => bytesToHex(commitments[o.element.blobIndex] as Uint8Array)),
    openingProof: openings.map((o) => bytesToHex(o.proof)),
    ...proofFields(proof),
  }
  ctx.cases.push(vector)
  ctx.blobs.set(name, blobs)
  return vector
}

/** Unsigned transfers that only fill a batch (never applied): fresh recipients, so no dictionary help. */
function fillers(ctx: Context, count: number, first: number): SignedTransaction[] {
  const sender = testAccount(9_990)
  return Array.from(
    { length: count },
    (_, k) =>
      transfer(sender, testAccount(30_000 + first + k).address, {
        chainId: ctx.config.chainId,
        nonce: BigInt(first + k),
        value: 1234n * 10n ** 13n,
      }).tx,
  )
}

export function generateBlobVectors(config: RollupConfig): BlobVectorSet {
  const stf = prepareStfConfig(config)
  const state = new StateDb(new MemoryStore())
  const root0 = writeGenesisState(state)
  const ctx: Context = { state, config, stf, cases: [], blobs: new Map() }
  const chainId = config.chainId
  const users: TestAccount[] = Array.from({ length: 40 }, (_, i) => testAccount(2_000 + i))
  for (const user of users) applyMessage(state, { kind: 'deposit', recipient: user.address, amount: 5n * ETH }, stf)
  const user = (i: number) => users[i] as TestAccount
  const t = config.l2GenesisTimestamp + 10n
  const block = (transactions: SignedTransaction[], delayedCountAfter = 0n): BatchBlock => ({
    timestamp: t,
    delayedCountAfter,
    transactions,
  })
  const deposit = (index: bigint, recipient: Uint8Array, amount: bigint): DelayedMessage => ({
    kind: DELAYED_KIND_DEPOSIT,
    index,
    l1Sender: L1_SENDER,
    l1Timestamp: config.l2GenesisTimestamp + 1n,
    payload: encodeDepositPayload(recipient, amount),
  })

  // A transfer, slot 2 of a batch that first takes one deposit.
  {
    const tx = transfer(user(0), user(1).address, { chainId, nonce: 0n, value: ETH / 10n }).tx
    const encoded = encodeBlobBatchBody({
      chainId,
      prevDelayedCount: 40n,
      blocks: [block([...fillers(ctx, 2, 0), tx, ...fillers(ctx, 1, 2)], 41n)],
    })
    blobCase(
      ctx,
      'blob/transfer',
      {
        body: encoded.body,
        slotCount: encoded.slotCount,
        delayedBefore: 40n,
        delayed: [deposit(40n, user(2).address, ETH)],
        messageIndex: 3,
      },
      'applied',
    )
  }

  // A withdrawal to an L1 recipient: four proofs (sender, fee vault, passer, passer storage).
  {
    const data = new Uint8Array(32)
    data.set(hexToBytes('0x1111111111111111111111111111111111111111'), 12)
    const tx = transfer(user(3), MESSAGE_PASSER, { chainId, nonce: 0n, value: ETH / 8n, data, gasLimit: 30_000n }).tx
    const encoded = encodeBlobBatchBody({
      chainId,
      prevDelayedCount: 0n,
      blocks: [block([...fillers(ctx, 3, 10), tx])],
    })
    blobCase(
      ctx,
      'blob/withdrawal',
      { body: encoded.body, slotCount: encoded.slotCount, delayedBefore: 0n, delayed: [], messageIndex: 3 },
      'applied',
    )
  }

  // The recipient by address-dictionary index and the fee entry in elements 1 and 2 (one dictionary
  // address moves the fee entries to body byte 31): both dictionary entries must be opened.
  {
    const recipient = user(5).address
    const filler = transfer(testAccount(9_991), recipient, { chainId, nonce: 0n, value: 1n }).tx
    const tx = transfer(user(4), recipient, { chainId, nonce: 0n, value: 3n * 10n ** 16n }).tx
    const encoded = encodeBlobBatchBody({ chainId, prevDelayedCount: 0n, blocks: [block([filler, tx])] })
    const layout = readBlobBodyLayout(encoded.body, 2)
    if (layout?.prelude.addressCount !== 1 || layout.prelude.fees.length !== 1) {
      throw new Error('blob vector: expected one dictionary address and one fee entry')
    }
    const feeEntry = bodyElements(layout.feeCountAt + 1, layout.feeCountAt + 41).map((e) => e.element)
    if (feeEntry.join() !== '1,2')
      throw new Error(`blob vector: the fee entry lies in elements ${feeEntry}, not 1 and 2`)
    blobCase(
      ctx,
      'blob/dictionary-address-and-fee-entry-in-elements-1-2',
      { body: encoded.body, slotCount: 2, delayedBefore: 0n, delayed: [], messageIndex: 1 },
      'applied',
    )
  }

  // A slot whose bytes straddle the first blob's end: openings in both blobs. Every filler is a real
  // transfer from its own sender, so whichever straddles is the one proven.
  {
    const senders = Array.from({ length: 1_500 }, (_, k) => testAccount(40_000 + k))
    const txs = senders.map(
      (sender, k) => transfer(sender, testAccount(50_000 + k).address, { chainId, nonce: 0n, value: ETH / 1000n }).tx,
    )
    const builder = new BatchBuilder({ chainId, prevDelayedCount: 0n, da: 'blobs', maxBlobs: 2 })
    for (let k = 0; k < txs.length; k += 100) builder.tryAdd(block(txs.slice(k, k + 100)))
    const body = builder.finish()
    const walk = walkBlobBatch(body, 0n, builder.slotCount)
    const boundary = PAYLOAD_BYTES_PER_BLOB - BLOB_LENGTH_PREFIX_BYTES
    const k = walk.slots.findIndex((span) => span !== undefined && span.start < boundary && span.end > boundary)
    if (k < 0) throw new Error('blob vector: no slot straddles the blob boundary')
    applyMessage(state, { kind: 'deposit', recipient: (senders[k] as TestAccount).address, amount: ETH }, stf)
    blobCase(
      ctx,
      'blob/slot-straddles-blob-boundary',
      { body, slotCount: builder.slotCount, delayedBefore: 0n, delayed: [], messageIndex: k },
      'applied',
    )
  }

  // The body's length prefix ends inside the proven slot: the slot is absent, a slotDecode no-op.
  {
    const tx = transfer(user(6), user(7).address, { chainId, nonce: 0n, value: 1n }).tx
    const encoded = encodeBlobBatchBody({
      chainId,
      prevDelayedCount: 0n,
      blocks: [block([...fillers(ctx, 2, 20), tx])],
    })
    const span = locateBlobMessage(encoded.body, 0n, 3, 2n)
    if (span.kind !== 'slot' || span.span === undefined) throw new Error('blob vector: slot 2 not present')
    blobCase(
      ctx,
      'blob/absent-slot-truncated-body',
      {
        body: encoded.body,
        slotCount: 3,
        delayedBefore: 0n,
        delayed: [],
        messageIndex: 2,
        declaredLength: span.span.start + 10,
      },
      'slotDecode',
    )
  }

  // A delayed message of a blob batch (j < D_b): no opening.
  {
    const tx = transfer(user(8), user(9).address, { chainId, nonce: 0n, value: 1n }).tx
    const encoded = encodeBlobBatchBody({ chainId, prevDelayedCount: 60n, blocks: [block([tx], 62n)] })
    blobCase(
      ctx,
      'blob/delayed-deposit',
      {
        body: encoded.body,
        slotCount: 1,
        delayedBefore: 60n,
        delayed: [deposit(60n, user(10).address, 2n * ETH), deposit(61n, user(11).address, ETH)],
        messageIndex: 1,
      },
      'applied',
    )
  }

  // Hostile `groups` values in a 40-slot batch: group 1 (slots 32..39) pointed outside the body (its
  // slots are absent), or back at slot 0's bytes with slot 0's length (slot 32 then decodes as slot
  // 0's transaction; it applies here because slot 0 was never applied to this state).
  {
    const first = transfer(user(12), user(13).address, { chainId, nonce: 0n, value: 5n }).tx
    const encoded = encodeBlobBatchBody({
      chainId,
      prevDelayedCount: 0n,
      blocks: [block([first, ...fillers(ctx, 39, 30)])],
    })
    const layout = readBlobBodyLayout(encoded.body, 40)
    if (layout === undefined) throw new Error('blob vector: no layout')
    const withGroup1 = (offset: number) => {
      const body = encoded.body.slice()
      new DataView(body.buffer).setUint32(layout.groupsStart + 4, offset)
      return body
    }
    blobCase(
      ctx,
      'blob/hostile-group-offset-outside-body',
      { body: withGroup1(0xffff_ff00), slotCount: 40, delayedBefore: 0n, delayed: [], messageIndex: 35 },
      'slotDecode',
    )
    const overlap = withGroup1(0)
    overlap[layout.lengthsStart + 32] = overlap[layout.lengthsStart] as number // slot 32 := slot 0's bytes
    blobCase(
      ctx,
      'blob/hostile-group-offset-overlaps-slot-0',
      { body: overlap, slotCount: 40, delayedBefore: 0n, delayed: [], messageIndex: 32 },
      'applied',
    )
  }

  // A length prefix of 2^32 − 1 on one blob: the body is the blob's whole payload (126,972 bytes);
  // the zeros after the encoded bytes are read as empty block entries and change no message.
  {
    const tx = transfer(user(14), user(15).address, { chainId, nonce: 0n, value: 7n }).tx
    const encoded = encodeBlobBatchBody({
      chainId,
      prevDelayedCount: 0n,
      blocks: [block([...fillers(ctx, 1, 80), tx])],
    })
    const v = blobCase(
      ctx,
      'blob/body-length-beyond-capacity',
      {
        body: encoded.body,
        slotCount: 2,
        delayedBefore: 0n,
        delayed: [],
        messageIndex: 1,
        declaredLength: 0xffff_ffff,
      },
      'applied',
    )
    if (v.bodyLength !== PAYLOAD_BYTES_PER_BLOB - BLOB_LENGTH_PREFIX_BYTES)
      throw new Error('blob vector: body not cut to the capacity')
  }

  return { file: { config: vectorConfig(config, root0), cases: ctx.cases }, blobs: ctx.blobs }
}
