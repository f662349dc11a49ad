/**
 * The explorer's `sluice_*` methods over a real chain store and an L1 reader that followed a fake
 * L1 (claims, a game played to the one-step proof, a batch). L1 reads of the contracts' current
 * state are absent here (no L1 client): those fields must come back null, never invented.
 */
import { bytesToHex, concatBytes, encodeBatch, encodeBlobs, MESSAGE_PASSER, MemoryStore } from '@sluice/core'
import { Registry } from 'prom-client'
import type { PublicClient } from 'viem'
import { describe, expect, it } from 'vitest'
import { type TestAccount, testAccount } from '../../../../test/support/wallet.ts'
import { BlobStore } from '../../src/chain/blobStore.ts'
import { ChainStore } from '../../src/chain/index.ts'
import { L1Reader } from '../../src/l1/index.ts'
import { createBatchDisplay, createExplorerProvider } from '../../src/rollup/explorer.ts'
import { RpcError } from '../../src/rpc/errors.ts'
import { FilterStore } from '../../src/rpc/filters.ts'
import { toJson } from '../../src/rpc/format.ts'
import { createMethods } from '../../src/rpc/methods.ts'
import { createRpcMetrics } from '../../src/rpc/metrics.ts'
import { DEFAULT_RPC_LIMITS } from '../../src/rpc/types.ts'
import { config, seal } from '../chain/sealTransfers.ts'
import { ADDRESSES, FakeL1 } from '../l1/fakeL1.ts'

const [alice, bob, carol] = [testAccount(1), testAccount(2), testAccount(3)] as [TestAccount, TestAccount, TestAccount]
const l1Recipient = `0x${'ab'.repeat(20)}` as const
const staker = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const challenger = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const root = (byte: string) => `0x${byte.repeat(32)}` as const

async function setup() {
  const store = new MemoryStore()
  const chain = await ChainStore.open(store, config)
  await seal(chain, [
    { from: alice, to: bob },
    { from: bob, to: carol },
  ])
  const withdrawalData = concatBytes(new Uint8Array(12), Buffer.from(l1Recipient.slice(2), 'hex'))
  const block2 = await seal(chain, [
    { from: alice, to: MESSAGE_PASSER, value: 5_000n, data: withdrawalData },
    { from: alice, to: carol },
  ])
  await seal(chain, [{ from: carol, to: alice }])

  // L1: one batch, a wrong claim on it, and a game played to the one-step proof that deletes it.
  const l1 = new FakeL1()
  const batchBytes = encodeBatch({ chainId: config.chainId, prevDelayedCount: 0n, blocks: [] })
  l1.appendBatch(batchBytes)
  l1.claimEvent('ClaimProposed', {
    claimId: 0n,
    batchIndex: 0n,
    messageCount: 8n,
    stateRoot: root('33'),
    proposer: staker,
    accumulator: root('44'),
    claimHash: root('55'),
  })
  l1.mine()
  l1.gameEvent('GameOpened', {
    gameId: 0n,
    claimId: 0n,
    staker,
    challenger,
    lo: 0n,
    hi: 8n,
    rootLo: root('01'),
    rootHi: root('33'),
    position: root('0a'),
  })
  l1.claimEvent('StakerChallenged', { claimId: 0n, staker, gameId: 0n })
  l1.mine()
  l1.gameEvent('Bisected', { gameId: 0n, mid: 4n, root: root('02'), position: root('0b') })
  l1.mine()
  l1.gameEvent('Responded', { gameId: 0n, agreed: true, lo: 4n, hi: 8n, position: root('0c') })
  l1.mine()
  l1.gameEvent('Bisected', { gameId: 0n, mid: 6n, root: root('03'), position: root('0d') })
  l1.mine()
  l1.gameEvent('Responded', { gameId: 0n, agreed: false, lo: 4n, hi: 6n, position: root('0e') })
  l1.mine()
  l1.gameEvent('StepProven', { gameId: 0n, messageIndex: 4n, postStateRoot: root('07') })
  l1.gameEvent('GameResolved', {
    gameId: 0n,
    claimId: 0n,
    stakerWon: false,
    winner: challenger,
    credited: 10n,
    burned: 1n,
  })
  l1.claimEvent('StakerSlashed', { claimId: 0n, staker, gameId: 0n })
  l1.claimEvent('ClaimDeleted', { claimId: 0n })
  l1.mine()
  l1.mineEmpty(3)
  const reader = new L1Reader({
    source: l1,
    addresses: ADDRESSES,
    l1Confirmations: 2n,
    store,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  })
  await reader.advanceUntilIdle()

  // The chain's own record of batch 0: it derived blocks 1–2 (block 3 is unsafe).
  const record = {
    index: 0n,
    l1BlockNumber: 1n,
    l1BlockHash: new Uint8Array(32).fill(1),
    l1TransactionHash: new Uint8Array(32).fill(2),
    forced: false,
    firstBlock: 1n,
    lastBlock: 2n,
    messageCountAfter: block2.messageCountAfter,
    delayedCountAfter: 6n,
    stateRoot: block2.header.stateRoot,
    accumulator: new Uint8Array(32).fill(4),
    dataAvailability: { kind: 'calldata' } as const,
  }
  await store.batch([...chain.batchOps(record), chain.headOp('safe', 2n)])
  chain.batchApplied(record)
  chain.headsApplied({ safe: 2n })

  const methods = createMethods({
    chain,
    submit: undefined,
    pending: undefined,
    rollup: { explorer: createExplorerProvider({ chain, reader }) },
    clientVersion: 'test',
    limits: DEFAULT_RPC_LIMITS,
    suggestedPriorityFeePerGas: 0n,
    filters: new FilterStore({ chain, limits: DEFAULT_RPC_LIMITS, metrics: createRpcMetrics(new Registry(), []) }),
  })
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, each field checked by the assertions below
  const call = async (method: string, ...params: unknown[]): Promise<any> => {
    const handler = methods.get(method)
    if (handler === undefined) throw new Error(`no method ${method}`)
    return JSON.parse(JSON.stringify(await handler(params, { transport: 'http', ip: '127.0.0.1', charge: () => {} })))
  }
  return { chain, reader, call, batchBytes, block2 }
}

describe('explorer RPC methods', () => {
  it('sluice_getAddressTransactions pages an address’s transactions newest first', async () => {
    const { call, chain } = await setup()
    const first = await call('sluice_getAddressTransactions', alice.addressHex, { limit: 2 })
    expect(first.total).toBe('0x4')
    expect(first.transactions.map((t: { blockNumber: string }) => t.blockNumber)).toEqual(['0x3', '0x2'])
    expect(first.transactions[0]).toMatchObject({ from: carol.addressHex, to: alice.addressHex, kind: 'transfer' })
    const second = await call('sluice_getAddressTransactions', alice.addressHex, { before: first.nextBefore, limit: 2 })
    expect(second.transactions.map((t: { blockNumber: string }) => t.blockNumber)).toEqual(['0x2', '0x1'])
    expect(second.transactions[0]).toMatchObject({ kind: 'withdrawal', to: bytesToHex(MESSAGE_PASSER) })
    expect(second.nextBefore).toBeNull()
    const block1 = chain.blockByNumber(1n)
    expect(second.transactions[1].hash).toBe(bytesToHex(block1?.transactions[0]?.hash as Uint8Array))
    // The fee is what the sender paid: gas used × effective price.
    const tx = block1?.transactions[0]
    expect(BigInt(second.transactions[1].fee)).toBe((tx?.gasUsed ?? 0n) * (tx?.effectiveGasPrice ?? 0n))
  })

  it('refuses bad input with a clear error', async () => {
    const { call } = await setup()
    await expect(call('sluice_getAddressTransactions', '0x1234')).rejects.toThrow(RpcError)
    await expect(call('sluice_getAddressTransactions', alice.addressHex, { limit: 101 })).rejects.toThrow(
      /page.limit.*from 1 to 100/,
    )
    await expect(call('sluice_getBatches', 'newest')).rejects.toThrow(/expected \{ before\?, limit\? \}/)
    await expect(call('sluice_search', 'x'.repeat(201))).rejects.toThrow(/at most 200 characters/)
    await expect(call('sluice_getGame')).rejects.toThrow(/missing value for required argument 0 \(gameId\)/)
  })

  it('sluice_getBatches and sluice_getBatchOfBlock describe a batch from the node’s own records', async () => {
    const { call, batchBytes, block2 } = await setup()
    const page = await call('sluice_getBatches', { limit: 10 })
    expect(page.total).toBe('0x1')
    const [batch] = page.batches
    expect(batch).toMatchObject({
      index: '0x0',
      dataAvailability: { kind: 'calldata', blobCount: 0, versionedHashes: [] },
      bytes: batchBytes.length,
      blobFill: null,
      firstBlock: '0x1',
      lastBlock: '0x2',
      blockCount: '0x2',
      state: 'safe',
      // No L1 client here: the cost is unknown, not zero.
      l1Cost: null,
    })
    const slots = Number(BigInt(batch.transactionSlots))
    expect(slots).toBe(Number(block2.messageCountAfter) - 6)
    expect(batch.bytesPerTransaction).toBeCloseTo(batchBytes.length / slots)
    expect(await call('sluice_getBatchOfBlock', '0x2')).toMatchObject({ index: '0x0' })
    // Block 3 is unsafe: no batch carries it yet.
    expect(await call('sluice_getBatchOfBlock', '0x3')).toBeNull()
    expect(await call('sluice_getBatchDetails', '0x5')).toBeNull()
  })

  it('a blob batch shows its blobs, fill and L1 cost split into execution and blob gas, from its receipt', async () => {
    const { chain, reader } = await setup()
    const first = chain.batch(0n) as NonNullable<ReturnType<typeof chain.batch>>
    const versionedHashes = [root('01'), root('02')]
    // The blobs derivation kept for it: a 150,000-byte body needs two.
    const body = Uint8Array.from({ length: 150_000 }, (_, i) => i & 0xff)
    await chain.store.batch(new BlobStore(chain.store).putOps(versionedHashes, encodeBlobs(body)))
    // A blob batch as derivation records it (BatchRecord.dataAvailability).
    chain.batchApplied({
      ...first,
      index: 1n,
      l1TransactionHash: new Uint8Array(32).fill(9),
      dataAvailability: { kind: 'blobs', versionedHashes },
    } as typeof first)
    const receipt = { gasUsed: 60_000n, effectiveGasPrice: 7n, blobGasUsed: 2n * 131_072n, blobGasPrice: 3n }
    const l1Client = { getTransactionReceipt: async () => receipt } as unknown as PublicClient
    const display = createBatchDisplay({ chain, reader, l1Client })
    const blob = JSON.parse(JSON.stringify(toJson(await display(chain.batch(1n) as typeof first))))
    expect(blob.dataAvailability).toEqual({ kind: 'blobs', blobCount: 2, versionedHashes })
    expect(blob.bytes).toBe(body.length)
    expect(blob.blobFill).toBeCloseTo(body.length / (2 * 131_072))
    expect(BigInt(blob.l1GasUsed)).toBe(60_000n)
    expect(BigInt(blob.l1BlobGasUsed)).toBe(2n * 131_072n)
    expect(BigInt(blob.l1ExecutionCost)).toBe(60_000n * 7n)
    expect(BigInt(blob.l1BlobCost)).toBe(2n * 131_072n * 3n)
    expect(BigInt(blob.l1Cost)).toBe(60_000n * 7n + 2n * 131_072n * 3n)
    // A calldata batch from the same client: no blob gas, and the cost is execution alone.
    const calldata = JSON.parse(
      JSON.stringify(
        toJson(
          await createBatchDisplay({
            chain,
            reader,
            l1Client: {
              getTransactionReceipt: async () => ({ ...receipt, blobGasUsed: undefined, blobGasPrice: undefined }),
            } as unknown as PublicClient,
          })(first),
        ),
      ),
    )
    expect(calldata.dataAvailability.kind).toBe('calldata')
    expect(BigInt(calldata.l1BlobCost)).toBe(0n)
    expect(BigInt(calldata.l1Cost)).toBe(60_000n * 7n)
  })

  it('sluice_getClaims and sluice_getGame show the game’s range narrowing, its proof and the deleted claim', async () => {
    const { call } = await setup()
    const { claims, total } = await call('sluice_getClaims')
    expect(total).toBe('0x1')
    expect(claims[0]).toMatchObject({
      claimId: '0x0',
      status: 'deleted',
      slashed: [staker],
      stakers: [staker],
      challengeDeadline: null,
      games: [{ gameId: '0x0', status: 'resolved', stakerWon: false, challenger }],
    })
    // The node derived batch 0 to another root than the claim's.
    expect(claims[0].verdict).toBe('invalid')

    const game = await call('sluice_getGame', '0x0')
    expect(game.ranges.map((r: { lo: string; hi: string }) => [r.lo, r.hi])).toEqual([
      ['0x0', '0x8'],
      ['0x4', '0x8'],
      ['0x4', '0x6'],
    ])
    expect(game.moves.map((m: { name: string }) => m.name)).toEqual([
      'GameOpened',
      'Bisected',
      'Responded',
      'Bisected',
      'Responded',
      'StepProven',
      'GameResolved',
    ])
    expect(game.oneStepProof).toMatchObject({ messageIndex: '0x4', postStateRoot: root('07') })
    expect(game.outcome).toBe('challenger won: claim deleted')
    expect(game.turn).toBeNull()
    expect(game.clocks).toBeNull()
    expect(await call('sluice_getGame', '0x9')).toBeNull()
  })

  it('sluice_getAddressWithdrawals lists withdrawals with their status and the command that finalizes them', async () => {
    const { call, block2 } = await setup()
    const { withdrawals, nextBefore } = await call('sluice_getAddressWithdrawals', alice.addressHex)
    expect(withdrawals).toHaveLength(1)
    const hash = bytesToHex(block2.transactions[0]?.hash as Uint8Array)
    expect(withdrawals[0]).toMatchObject({
      transactionHash: hash,
      l1Recipient,
      value: '0x1388',
      // Its block is safe, and the only claim on its batch is deleted.
      status: 'safe',
      command: `npx sluice finalize ${hash}`,
    })
    expect(nextBefore).toBeNull()
    expect((await call('sluice_getAddressWithdrawals', bob.addressHex)).withdrawals).toEqual([])
  })

  it('sluice_search finds blocks by number or hash, transactions and addresses', async () => {
    const { call, block2 } = await setup()
    expect(await call('sluice_search', '2')).toMatchObject({ kind: 'block', number: '0x2' })
    expect(await call('sluice_search', '0x2')).toMatchObject({ kind: 'block', number: '0x2' })
    expect(await call('sluice_search', bytesToHex(block2.hash))).toMatchObject({ kind: 'block', number: '0x2' })
    const txHash = bytesToHex(block2.transactions[1]?.hash as Uint8Array)
    expect(await call('sluice_search', ` ${txHash.toUpperCase().replace('0X', '0x')} `)).toMatchObject({
      kind: 'transaction',
      hash: txHash,
    })
    expect(await call('sluice_search', alice.addressHex.toUpperCase().replace('0X', '0x'))).toMatchObject({
      kind: 'address',
      address: alice.addressHex,
    })
    expect(await call('sluice_search', '99')).toMatchObject({ kind: 'none' })
    expect(await call('sluice_search', root('99'))).toMatchObject({ kind: 'none' })
    expect(await call('sluice_search', 'hello')).toMatchObject({ kind: 'none' })
  })
})
