/**
 * The batcher posting to a real anvil with the deployed inbox: a blob batch as a type-3 transaction
 * (`appendBlobBatch`, the body in blobs the beacon API serves back), a calldata batch beside it, and
 * a stuck blob transaction replaced at its nonce with the blob pool's doubled fees.
 */
import { sequencerInboxAbi } from '@sluice/contracts'
import {
  blobBatchHash,
  bytesToHex,
  decodeBlobBatch,
  decodeBlobs,
  encodeTransaction,
  hexToBytes,
  keccak256,
  MAX_BLOCKS_PER_BATCH,
  MemoryStore,
} from '@sluice/core'
import { BlobStore, ChainStore, createLogger, type Deployment, L1Wallet } from '@sluice/node'
import { Registry } from 'prom-client'
import { createPublicClient, createWalletClient, decodeFunctionData, type Hex, http, type PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Anvil,
  devAccount,
  jsonRpc,
  startAnvil,
  stopAll,
  tempDir,
  waitFor,
} from '../../../../test/support/processes.ts'
import { type TestAccount, testAccount } from '../../../../test/support/wallet.ts'
import { deploySluice } from '../../../contracts/scripts/deploy.ts'
import { type BlobCheck, fetchBlobs } from '../../../node/src/l1/beacon.ts'
import { config, seal } from '../../../node/test/chain/sealTransfers.ts'
import { Batcher, type BatcherOptions } from '../../src/batcher/batcher.ts'

const rollupConfig = { ...config, l1Confirmations: 1n }
const [alice, bob, carol] = [testAccount(1), testAccount(2), testAccount(3)] as [TestAccount, TestAccount, TestAccount]

let anvil: Anvil
let client: PublicClient
let deployment: Deployment
let wallet: L1Wallet

beforeAll(async () => {
  anvil = await startAnvil(tempDir())
  client = createPublicClient({ transport: http(anvil.rpcUrl) }) as PublicClient
  const deployed = await deploySluice({
    l1RpcUrl: anvil.rpcUrl,
    deployerPrivateKey: devAccount(0).privateKey,
    config: rollupConfig,
  })
  deployment = { ...deployed, config: rollupConfig }
  const chain = {
    id: await client.getChainId(),
    name: 'anvil',
    nativeCurrency: { name: 'E', symbol: 'E', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  }
  const sequencer = devAccount(1)
  expect(sequencer.address.toLowerCase()).toBe(rollupConfig.sequencer.toLowerCase())
  wallet = new L1Wallet(
    createWalletClient({ account: sequencer.account, chain, transport: http(anvil.rpcUrl) }),
    client,
  )
}, 120_000)
const batchers: Batcher[] = []

afterAll(async () => {
  await Promise.all(batchers.map((b) => b.close()))
  await stopAll()
})

/** A chain store with `blocks` blocks of three transfers each. */
async function chainWithBlocks(blocks: number): Promise<ChainStore> {
  const chain = await ChainStore.open(new MemoryStore(), rollupConfig)
  for (let i = 0; i < blocks; i++) {
    await seal(chain, [
      { from: alice, to: bob },
      { from: bob, to: carol },
      { from: carol, to: alice },
    ])
  }
  return chain
}

function batcherOn(chain: ChainStore, options: Partial<BatcherOptions> = {}) {
  const registry = new Registry()
  const batcher = new Batcher({
    chain,
    config: rollupConfig,
    deployment,
    publicClient: client,
    wallet,
    logger: createLogger({ level: 'silent', name: 'batcher-test' }),
    registry,
    maxBatchAgeMs: 0,
    l1HasBlobs: true,
    ...options,
  })
  batcher.load()
  batchers.push(batcher)
  return { batcher, registry }
}

async function inboxCount(): Promise<bigint> {
  return client.readContract({ address: deployment.sequencerInbox, abi: sequencerInboxAbi, functionName: 'batchCount' })
}

async function metric(registry: Registry, name: string): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name)
  return (found?.values ?? []).reduce((sum, v) => sum + v.value, 0)
}

/** Ticks until every intent is confirmed (anvil mines each transaction at once). */
async function postAll(batcher: Batcher): Promise<void> {
  await waitFor(
    'the batcher to post and confirm',
    async () => {
      await batcher.tick()
      if (batcher.haltReason) throw batcher.haltReason
      // One more L1 block makes the last batch `l1Confirmations` deep.
      await jsonRpc(anvil.rpcUrl, 'evm_mine', [])
      return batcher.pendingIntents.length === 0 && batcher.nextUnbatchedBlock > 1n
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  )
}

describe('batcher on anvil', () => {
  it('posts a blob batch as a type-3 appendBlobBatch whose blobs carry the body, and counts blobs, blob bytes and blob gas', async () => {
    const chain = await chainWithBlocks(3)
    const { batcher, registry } = batcherOn(chain, { da: 'blobs' })
    const index = await inboxCount()
    await batcher.tick()
    const [intent] = batcher.pendingIntents
    expect(intent?.da).toBe('blobs')
    expect(intent?.versionedHashes).toHaveLength(1)
    const sent = intent as NonNullable<typeof intent>
    const txHash = sent.txHash as Hex
    await postAll(batcher)
    expect(await inboxCount()).toBe(index + 1n)

    // What the inbox stored is the blob batch's hash over the versioned hashes (spec §1).
    const onChain = await client.readContract({
      address: deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'batchHash',
      args: [index],
    })
    expect(onChain).toBe(
      bytesToHex(blobBatchHash(sent.delayedCountAfter, sent.slotCount, sent.versionedHashes.map(hexToBytes))),
    )
    const tx = await client.getTransaction({ hash: txHash })
    expect(tx.type).toBe('eip4844')
    expect(tx.blobVersionedHashes).toEqual(sent.versionedHashes)
    const receipt = await client.getTransactionReceipt({ hash: txHash })
    expect(receipt.blobGasUsed).toBe(131_072n)

    // The call carries the blobs' KZG hints, which check each blob anvil serves (without proofs) by its
    // proof: the beacon API gives back blobs whose body decodes to the sealed blocks' transactions.
    const call = decodeFunctionData({ abi: sequencerInboxAbi, data: tx.input })
    expect(call.functionName).toBe('appendBlobBatch')
    const kzgHints = hexToBytes(call.args[3] as Hex)
    expect(kzgHints.length).toBe(96 * sent.versionedHashes.length)
    let checks: BlobCheck[] = []
    const blobs = await fetchBlobs(anvil.rpcUrl, receipt.blockNumber.toString(), sent.versionedHashes, {
      kzgHints,
      onChecked: (reported) => (checks = reported),
    })
    expect(checks).toEqual(sent.versionedHashes.map(() => 'hintProof'))
    const body = decodeBlobs(blobs)
    expect(body).toEqual(sent.bytes)
    const decoded = decodeBlobBatch(body, {
      delayedBefore: 0n,
      delayedCountAfter: sent.delayedCountAfter,
      slotCount: sent.slotCount,
      chainId: rollupConfig.chainId,
      l1Timestamp: chain.head('unsafe').header.timestamp,
      prevTimestamp: rollupConfig.l2GenesisTimestamp,
      maxSequencerDrift: rollupConfig.maxSequencerDrift,
    })
    const sealed = [1n, 2n, 3n].flatMap(
      (n) => chain.blockByNumber(n)?.transactions.map((t) => bytesToHex(t.hash)) ?? [],
    )
    const posted = decoded.blocks.flatMap((b) =>
      b.slots.map((slot) => (slot.ok ? bytesToHex(keccak256(encodeTransaction(slot.tx))) : 'bad slot')),
    )
    expect(posted).toEqual(sealed)

    expect(await metric(registry, 'sluice_batcher_blobs_total')).toBe(1)
    expect(await metric(registry, 'sluice_batcher_blob_bytes_total')).toBe(sent.bytes.length)
    expect(await metric(registry, 'sluice_batcher_l1_blob_gas_total')).toBe(131_072)
    expect(batcher.dataAvailability).toEqual({ mode: 'blobs', maxBlobs: 6, last: 'blobs' })
  }, 120_000)

  it('auto posts blobs at anvil’s prices; calldata mode posts appendBatch with the version-1 batch', async () => {
    const auto = batcherOn(await chainWithBlocks(2))
    await auto.batcher.tick()
    expect(auto.batcher.pendingIntents[0]?.da).toBe('blobs')
    await postAll(auto.batcher)
    expect(auto.batcher.dataAvailability.last).toBe('blobs')

    const calldata = batcherOn(await chainWithBlocks(2), { da: 'calldata' })
    const index = await inboxCount()
    await calldata.batcher.tick()
    const intent = calldata.batcher.pendingIntents[0] as NonNullable<(typeof calldata.batcher.pendingIntents)[0]>
    expect(intent.da).toBe('calldata')
    await postAll(calldata.batcher)
    const onChain = await client.readContract({
      address: deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'batchHash',
      args: [index],
    })
    expect(onChain).toBe(bytesToHex(keccak256(intent.bytes)))
    const tx = await client.getTransaction({ hash: intent.txHash as Hex })
    expect(tx.type).toBe('eip1559')
    expect(await metric(calldata.registry, 'sluice_batcher_blobs_total')).toBe(0)
  }, 120_000)

  it('keeps a record of what it posted at each index (its blocks, the last one’s hash, the inbox hash) past confirmation and restarts', async () => {
    for (const da of ['calldata', 'blobs'] as const) {
      const chain = await chainWithBlocks(2)
      const { batcher } = batcherOn(chain, { da })
      const index = await inboxCount()
      expect(batcher.posted(index)).toBeUndefined()
      await batcher.tick()
      const intent = batcher.pendingIntents[0] as NonNullable<(typeof batcher.pendingIntents)[0]>
      await postAll(batcher)
      const onChain = await client.readContract({
        address: deployment.sequencerInbox,
        abi: sequencerInboxAbi,
        functionName: 'batchHash',
        args: [index],
      })
      const expected = {
        index,
        firstBlock: 1n,
        lastBlock: 2n,
        lastBlockHash: bytesToHex(chain.blockByNumber(2n)?.hash as Uint8Array),
        batchHash: onChain,
        transactions: 6,
      }
      const asHex = (p: ReturnType<Batcher['posted']>) =>
        p && { ...p, lastBlockHash: bytesToHex(p.lastBlockHash), batchHash: bytesToHex(p.batchHash) }
      expect(asHex(batcher.posted(index))).toEqual(expected)
      // a new process on the same database (the intent is gone: confirmed)
      expect(asHex(batcherOn(chain, { da }).batcher.posted(index))).toEqual(expected)
      // a blob batch's blobs are kept where derivation looks for them first
      const kept = new BlobStore(chain.store).getAll(intent.versionedHashes)
      if (da === 'blobs') expect(decodeBlobs(kept as Uint8Array[])).toEqual(intent.bytes)
      else expect(intent.versionedHashes).toEqual([])
    }
  }, 120_000)

  it('fills a batch across ticks, encoding each block sealed meanwhile once, and posts every block once in order', async () => {
    const chain = await chainWithBlocks(200)
    // Never due by age: the batch is posted when it is full (MAX_BLOCKS_PER_BATCH blocks).
    const { batcher, registry } = batcherOn(chain, { da: 'blobs', maxBatchAgeMs: 3_600_000 })
    await batcher.tick()
    expect(batcher.pendingIntents).toHaveLength(0)
    for (let i = 0; i < 200; i++) await seal(chain, [{ from: alice, to: bob }])
    await batcher.tick()
    expect(batcher.pendingIntents).toHaveLength(0)
    for (let i = 0; i < 200; i++) await seal(chain, [{ from: bob, to: carol }])
    await batcher.tick()
    // The full batch was posted and the next one started with the rest, in the same tick: each of
    // the 600 blocks was offered to an encoder once, plus the refusal that made the first full.
    expect(await metric(registry, 'sluice_batcher_blocks_encoded_total')).toBe(600 + 1)
    const intent = batcher.pendingIntents[0] as NonNullable<(typeof batcher.pendingIntents)[0]>
    expect([intent.firstBlock, intent.lastBlock]).toEqual([1n, BigInt(MAX_BLOCKS_PER_BATCH)])
    const decoded = decodeBlobBatch(intent.bytes, {
      delayedBefore: 0n,
      delayedCountAfter: intent.delayedCountAfter,
      slotCount: intent.slotCount,
      chainId: rollupConfig.chainId,
      l1Timestamp: chain.head('unsafe').header.timestamp,
      prevTimestamp: rollupConfig.l2GenesisTimestamp,
      maxSequencerDrift: rollupConfig.maxSequencerDrift,
    })
    const sealed: string[] = []
    for (let n = 1n; n <= intent.lastBlock; n++)
      for (const t of chain.blockByNumber(n)?.transactions ?? []) sealed.push(bytesToHex(t.hash))
    const posted = decoded.blocks.flatMap((b) =>
      b.slots.map((slot) => (slot.ok ? bytesToHex(keccak256(encodeTransaction(slot.tx))) : 'bad slot')),
    )
    expect(posted).toEqual(sealed)
    await postAll(batcher)
    // The other 88 blocks wait for their batch to be full or old enough.
    expect(batcher.nextUnbatchedBlock).toBe(BigInt(MAX_BLOCKS_PER_BATCH) + 1n)
  }, 120_000)

  it('reads each stored block for its batch a group at a time, not every block up to its head at every fill', async () => {
    // 30 blocks of 200 transfers (~22 KB of raw transactions each): a 90,000-byte calldata batch is
    // full after a few of them, a group of reads (~256 KiB of raw transactions) is ~12 of them.
    const chain = await ChainStore.open(new MemoryStore(), rollupConfig)
    const accounts = [alice, bob, carol] as const
    for (let i = 0; i < 30; i++) {
      const transfers = Array.from({ length: 200 }, (_, t) => ({ from: accounts[t % 3], to: accounts[(t + 1) % 3] }))
      await seal(chain, transfers as { from: TestAccount; to: TestAccount }[])
    }
    const reads = new Map<bigint, number>()
    const blockByNumber = chain.blockByNumber.bind(chain)
    chain.blockByNumber = (n: bigint) => {
      reads.set(n, (reads.get(n) ?? 0) + 1)
      return blockByNumber(n)
    }
    const { batcher } = batcherOn(chain, { da: 'calldata' })
    await batcher.tick()
    const batches = batcher.pendingIntents
    expect(batches.length).toBeGreaterThan(2)
    expect(batches[0]?.firstBlock).toBe(1n)
    // A block is read by the group that reaches it and once more if that group found the batch full;
    // reading every block up to the head at each fill read the last block once per batch and ~3× as
    // many blocks in all (at saturation, hundreds of blocks of 1,500 transfers in a stretch of seconds).
    expect(Math.max(...reads.values())).toBeLessThanOrEqual(3)
    const total = [...reads.values()].reduce((a, b) => a + b, 0)
    expect(total).toBeLessThan(2 * 30 + 10)
    await postAll(batcher)
  }, 120_000)

  it('after a restart, a pending blob batch is read back from its intent and replaced from recomputed blobs', async () => {
    const chain = await chainWithBlocks(2)
    const first = batcherOn(chain, { da: 'blobs' }).batcher
    await jsonRpc(anvil.rpcUrl, 'evm_setAutomine', [false])
    let restarted: Batcher
    try {
      await first.tick()
      const sent = first.pendingIntents[0] as NonNullable<(typeof first.pendingIntents)[0]>
      // A new process on the same database: no sidecars in memory, the intent from LevelDB.
      restarted = batcherOn(chain, { da: 'blobs', stuckAfterMs: 0 }).batcher
      const loaded = restarted.pendingIntents[0] as NonNullable<(typeof restarted.pendingIntents)[0]>
      expect({ ...loaded, bytes: [...loaded.bytes] }).toEqual({ ...sent, bytes: [...sent.bytes] })
      await restarted.tick()
      expect(loaded.nonce).toBe(sent.nonce)
      expect(loaded.txHash).not.toBe(sent.txHash)
      const replacement = await client.getTransaction({ hash: loaded.txHash as Hex })
      expect(replacement.blobVersionedHashes).toEqual(sent.versionedHashes)
    } finally {
      await jsonRpc(anvil.rpcUrl, 'evm_setAutomine', [true])
    }
    await postAll(restarted)
    expect(restarted.nextUnbatchedBlock).toBe(3n)
  }, 120_000)

  it('replaces a stuck blob batch transaction at its nonce with tip, fee cap and blob fee cap doubled', async () => {
    const chain = await chainWithBlocks(1)
    const { batcher } = batcherOn(chain, { da: 'blobs', stuckAfterMs: 300 })
    await jsonRpc(anvil.rpcUrl, 'evm_setAutomine', [false])
    try {
      await batcher.tick()
      const intent = batcher.pendingIntents[0] as NonNullable<(typeof batcher.pendingIntents)[0]>
      const first = { hash: intent.txHash, nonce: intent.nonce, fees: intent.fees }
      expect(first.fees?.maxFeePerBlobGas).toBeGreaterThan(0n)
      await waitFor(
        'the batcher to replace its stuck transaction',
        async () => {
          await batcher.tick()
          return intent.txHash !== first.hash
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      )
      expect(intent.nonce).toBe(first.nonce)
      const before = first.fees as NonNullable<typeof first.fees>
      const after = intent.fees as NonNullable<typeof intent.fees>
      expect(after.maxFeePerGas).toBeGreaterThanOrEqual(2n * before.maxFeePerGas)
      expect(after.maxPriorityFeePerGas).toBeGreaterThanOrEqual(2n * before.maxPriorityFeePerGas)
      expect(after.maxFeePerBlobGas).toBeGreaterThanOrEqual(2n * (before.maxFeePerBlobGas as bigint))
      const replacement = await client.getTransaction({ hash: intent.txHash as Hex })
      expect(replacement.type).toBe('eip4844')
    } finally {
      await jsonRpc(anvil.rpcUrl, 'evm_setAutomine', [true])
    }
    await postAll(batcher)
    expect(batcher.pendingIntents).toHaveLength(0)
  }, 120_000)
})
