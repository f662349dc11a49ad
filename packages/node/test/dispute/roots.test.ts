import {
  applyMessage,
  type BatchBlock,
  bigintToBytes32,
  blobOpeningsForMessage,
  bytesToHex,
  decodeBlobs,
  encodeBatch,
  encodeBlobBatchBody,
  encodeBlobs,
  evaluationPoint,
  type Hex,
  hexToBytes,
  kzg,
  kzgCommitmentToVersionedHash,
  MemoryStore,
  planBatch,
  prepareStfConfig,
  StateDb,
  type StfMessage,
} from '@sluice/core'
import { pino } from 'pino'
import { decodeAbiParameters } from 'viem'
import { describe, expect, it, vi } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { ChainSink } from '../../src/chain/sink.ts'
import { ChainStore } from '../../src/chain/store.ts'
import { DerivationDriver } from '../../src/derive/index.ts'
import { MessageNotDerivedError, MessageRoots, ONE_STEP_PROOF_ABI } from '../../src/dispute/index.ts'
import { type BlobProvider, encodeKzgHints, L1Reader } from '../../src/l1/index.ts'
import { ADDRESSES, FakeL1 } from '../l1/fakeL1.ts'

const config = testConfig()
const chainId = config.chainId
const alice = testAccount(21)
const bob = testAccount(22)
const ETH = 10n ** 18n

const pay = (nonce: bigint) => transfer(alice, bob.address, { chainId, nonce, value: ETH / 100n }).tx

/**
 * Two batches on a fake L1: batch 0 has two blocks mixing deposits and transfers (a nonce-gap no-op
 * among them), batch 1 an empty block then a block of transfers — so message counts fall inside
 * blocks, on block ends, and on a block without messages.
 */
async function derivedChain() {
  const l1 = new FakeL1()
  for (let i = 0; i < 4; i++) l1.deposit(alice.address, ETH)
  l1.mine()
  l1.appendBatch(
    encodeBatch({
      chainId,
      prevDelayedCount: 0n,
      blocks: [
        { timestamp: config.l2GenesisTimestamp + 1n, delayedCountAfter: 3n, transactions: [pay(0n), pay(1n)] },
        { timestamp: config.l2GenesisTimestamp + 2n, delayedCountAfter: 4n, transactions: [pay(2n), pay(9n), pay(3n)] },
      ],
    }),
  )
  l1.mine()
  l1.appendBatch(
    encodeBatch({
      chainId,
      prevDelayedCount: 4n,
      blocks: [
        { timestamp: config.l2GenesisTimestamp + 3n, delayedCountAfter: 4n, transactions: [] },
        { timestamp: config.l2GenesisTimestamp + 4n, delayedCountAfter: 4n, transactions: [pay(4n), pay(5n)] },
      ],
    }),
  )
  l1.mine()
  l1.mineEmpty(2)
  const store = new MemoryStore()
  const logger = pino({ level: 'silent' })
  const reader = new L1Reader({ source: l1, addresses: ADDRESSES, l1Confirmations: 2n, store })
  const chain = await ChainStore.open(store, config)
  const driver = await DerivationDriver.open({ store, config, source: reader, sink: new ChainSink({ chain, logger }) })
  await reader.advanceUntilIdle()
  await driver.deriveAvailable({ maxBatches: 16 })
  return { chain, reader }
}

/** A node that derived `blocks` (after two deposits) posted as calldata. */
async function derivedChainOf(blocks: BatchBlock[]) {
  const l1 = new FakeL1()
  for (let i = 0; i < 2; i++) l1.deposit(alice.address, ETH)
  l1.mine()
  l1.appendBatch(encodeBatch({ chainId, prevDelayedCount: 0n, blocks }))
  l1.mine()
  l1.mineEmpty(2)
  return deriveAll(l1, undefined)
}

/**
 * The same as a blob batch, its blobs served by a beacon double. `kzgHints`: its call carries its
 * blobs' commitments with their proofs (`good`), or with proofs that do not hold (`wrong`).
 */
async function blobDerivedChain(blocks: BatchBlock[], kzgHints: 'none' | 'good' | 'wrong' = 'none') {
  const l1 = new FakeL1()
  for (let i = 0; i < 2; i++) l1.deposit(alice.address, ETH)
  l1.mine()
  const encoded = encodeBlobBatchBody({ blocks, prevDelayedCount: 0n, chainId })
  const blobs = encodeBlobs(encoded.body)
  const commitments = blobs.map((b) => kzg().blobToCommitment(b))
  const hashes = commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c)))
  // a wrong proof: a valid curve point (the commitment itself) that opens nothing
  const proofs =
    kzgHints === 'good' ? blobs.map((b, i) => kzg().computeBlobProof(b, commitments[i] as Uint8Array)) : commitments
  l1.appendBlobBatch(encoded.delayedCountAfter, encoded.slotCount, hashes, {
    kzgHints: kzgHints === 'none' ? '0x' : bytesToHex(encodeKzgHints(commitments, proofs)),
  })
  l1.mine()
  l1.mineEmpty(2)
  const beacon: BlobProvider = { description: 'test', blobs: async () => blobs }
  return { ...(await deriveAll(l1, beacon)), blobs }
}

async function deriveAll(l1: FakeL1, blobProvider: BlobProvider | undefined) {
  const store = new MemoryStore()
  const logger = pino({ level: 'silent' })
  const reader = new L1Reader({ source: l1, addresses: ADDRESSES, l1Confirmations: 2n, store })
  const chain = await ChainStore.open(store, config)
  const sink = new ChainSink({ chain, logger })
  const driver = await DerivationDriver.open({ store, config, source: reader, sink, blobProvider })
  await reader.advanceUntilIdle()
  expect(await driver.deriveAvailable()).toBe(1)
  return { chain, reader }
}

/** `root_n` for every n by applying the whole message list one message at a time (no block lookup). */
function referenceRoots(chain: ChainStore, reader: L1Reader): { roots: string[]; messages: StfMessage[] } {
  const messages: StfMessage[] = []
  let tip = chain.blockByNumber(0n)!
  for (let b = 0n; b < reader.batchCount; b++) {
    const plans = planBatch(
      reader.batch(b)!,
      reader.delayedSource,
      {
        hash: tip.hash,
        number: tip.header.number,
        timestamp: tip.header.timestamp,
        delayedAccumulator: tip.header.delayedAccumulator,
      },
      config,
    )
    for (const plan of plans) messages.push(...plan.messages)
    tip = chain.blockByNumber(chain.batch(b)!.lastBlock)!
  }
  const state = new StateDb(chain.store, chain.blockByNumber(0n)!.header.stateRoot)
  const roots = [bytesToHex(state.stateRoot())]
  const stf = prepareStfConfig(config)
  for (const message of messages) {
    applyMessage(state, message, stf)
    roots.push(bytesToHex(state.stateRoot()))
  }
  return { roots, messages }
}

describe('MessageRoots', () => {
  it('gives root_n for every derived n, inside blocks as at their ends', async () => {
    const { chain, reader } = await derivedChain()
    const roots = new MessageRoots({ chain, source: reader, config })
    const reference = referenceRoots(chain, reader)
    expect(roots.derivedMessageCount).toBe(BigInt(reference.messages.length))
    expect(reference.messages.length).toBe(4 + 5 + 2)
    for (let n = 0; n <= reference.messages.length; n++)
      expect(roots.rootAt(BigInt(n)), `root_${n}`).toBe(reference.roots[n])
    // every message changes the state here except the nonce-gap no-op (message 7)
    expect(new Set(reference.roots).size).toBe(reference.roots.length - 1)
    expect(roots.rootAt(BigInt(reference.messages.length) + 1n)).toBeUndefined()
    expect(chain.batch(1n)!.stateRoot).toEqual(chain.blockByNumber(chain.batch(1n)!.lastBlock)!.header.stateRoot)
  })

  it('records one-step proofs between consecutive roots and encodes them as the prover reads them', async () => {
    const { chain, reader } = await derivedChain()
    const roots = new MessageRoots({ chain, source: reader, config })
    const reference = referenceRoots(chain, reader)
    for (let i = 0; i < reference.messages.length; i++) {
      const step = await roots.stepProof(BigInt(i))
      expect(step.preRoot).toBe(reference.roots[i])
      expect(step.postRoot).toBe(reference.roots[i + 1])
      const [decoded] = decodeAbiParameters(ONE_STEP_PROOF_ABI, step.proof)
      const batchIndex = i < 9 ? 0n : 1n
      expect(decoded.batchIndex).toBe(batchIndex)
      expect(decoded.batch).toBe(bytesToHex(reader.batch(batchIndex)!.bytes))
      expect(decoded.openings).toEqual([])
      const message = reference.messages[i]!
      if (message.kind === 'deposit') {
        // messages 0–2 are delayed 0–2 (block 1), message 5 is delayed 3 (block 2)
        const delayedIndex = i === 5 ? 3n : BigInt(i)
        expect(decoded.delayed.payload).toBe(bytesToHex(reader.delayedMessage(delayedIndex)!.payload))
        expect(decoded.accountProofs).toHaveLength(1)
      } else {
        expect(decoded.delayed.payload).toBe('0x')
        expect(decoded.accountProofs).toHaveLength(step.outcome === 'applied' ? 3 : 1)
      }
    }
    expect((await roots.stepProof(7n)).outcome).not.toBe('applied')
    expect(step0Offset((await roots.stepProof(0n)).proof)).toBe(32n)
  })

  it('proves messages of a blob batch with openings of exactly the elements the prover reads, from kept blobs', async () => {
    const blocks: BatchBlock[] = [
      { timestamp: config.l2GenesisTimestamp + 1n, delayedCountAfter: 2n, transactions: [] },
      { timestamp: config.l2GenesisTimestamp + 2n, delayedCountAfter: 2n, transactions: [pay(0n), pay(7n), pay(1n)] },
    ]
    const blob = await blobDerivedChain(blocks)
    const calldata = await derivedChainOf(blocks)
    const roots = new MessageRoots({ chain: blob.chain, source: blob.reader, config })
    const reference = new MessageRoots({ chain: calldata.chain, source: calldata.reader, config })
    const batch = blob.reader.batch(0n)!
    const hashes = (batch.dataAvailability as { versionedHashes: Hex[] }).versionedHashes
    const body = decodeBlobs(blob.blobs)
    const k = kzg()
    expect(roots.derivedMessageCount).toBe(5n)
    for (let j = 0n; j < roots.derivedMessageCount; j++) {
      const step = await roots.stepProof(j)
      // the same message list as the same blocks in calldata: the same roots
      expect([step.preRoot, step.postRoot]).toEqual([reference.rootAt(j), reference.rootAt(j + 1n)])
      const [decoded] = decodeAbiParameters(ONE_STEP_PROOF_ABI, step.proof)
      expect(decoded.batch).toBe('0x')
      const opened = decoded.openings.map((o) => ({ blobIndex: Number(o.blobIndex), element: Number(o.element) }))
      expect(opened).toEqual(blobOpeningsForMessage(body, 2n, 3, j))
      if (j < 2n) expect(opened).toEqual([])
      else expect(opened.length).toBeGreaterThan(1)
      for (const o of decoded.openings) {
        const commitment = hexToBytes(o.commitment)
        expect(bytesToHex(kzgCommitmentToVersionedHash(commitment))).toBe(hashes[Number(o.blobIndex)])
        const at = Number(o.element) * 32
        expect(o.y).toBe(bytesToHex(blob.blobs[Number(o.blobIndex)]!.subarray(at, at + 32)))
        const z = bigintToBytes32(evaluationPoint(Number(o.element)))
        expect(k.verifyProof(commitment, z, hexToBytes(o.y), hexToBytes(o.proof))).toBe(true)
      }
    }
    expect((await roots.stepProof(3n)).outcome).not.toBe('applied') // the nonce-gap slot
  })

  it('takes a blob’s commitment for the openings from the batch’s KZG hint when its proof holds, else computes it: the same proof either way', async () => {
    const blocks: BatchBlock[] = [
      { timestamp: config.l2GenesisTimestamp + 1n, delayedCountAfter: 2n, transactions: [pay(0n), pay(1n)] },
    ]
    const proofOf = async (kzgHints: 'none' | 'good' | 'wrong') => {
      const chain = await blobDerivedChain(blocks, kzgHints)
      const roots = new MessageRoots({ chain: chain.chain, source: chain.reader, config })
      const commit = vi.spyOn(kzg(), 'blobToCommitmentAsync')
      const step = await roots.stepProof(2n) // the first slot: it opens elements of the blob
      const computed = commit.mock.calls.length
      commit.mockRestore()
      return { proof: step.proof, computed }
    }
    const reference = await proofOf('none')
    expect(reference.computed).toBe(1)
    expect(await proofOf('good')).toEqual({ proof: reference.proof, computed: 0 })
    expect(await proofOf('wrong')).toEqual({ proof: reference.proof, computed: 1 })
  })

  it('refuses messages it has not derived', async () => {
    const { chain, reader } = await derivedChain()
    const roots = new MessageRoots({ chain, source: reader, config })
    await expect(roots.stepProof(roots.derivedMessageCount)).rejects.toThrow(MessageNotDerivedError)
  })
})

/** The first ABI word: a single dynamic tuple parameter starts with its offset, 0x20. */
function step0Offset(proof: string): bigint {
  return BigInt(`0x${proof.slice(2, 66)}`)
}
