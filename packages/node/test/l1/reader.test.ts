import { bytesToHex, encodeBatch, MemoryStore } from '@sluice/core'
import { concatHex, encodeAbiParameters, type Hex, toFunctionSelector, keccak256 as viemKeccak } from 'viem'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import {
  BatchDataError,
  DelayedMessageMismatchError,
  L1InconsistencyError,
  L1Reader,
  type L1ReaderOptions,
  L1RpcError,
} from '../../src/l1/index.ts'
import { ADDRESSES, FakeL1 } from './fakeL1.ts'

const config = testConfig()
const chainId = config.chainId
const alice = testAccount(1)
const bob = testAccount(2)

function reader(l1: FakeL1, store = new MemoryStore(), options: Partial<L1ReaderOptions> = {}): L1Reader {
  return new L1Reader({
    source: l1,
    addresses: ADDRESSES,
    l1Confirmations: 2n,
    store,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  })
}

/** A batch of one block that takes `delayedAfter` delayed messages and one transfer per nonce. */
function batchBytes(prevDelayed: bigint, delayedAfter: bigint, nonces: bigint[]): Uint8Array {
  return encodeBatch({
    chainId,
    prevDelayedCount: prevDelayed,
    blocks: [
      {
        timestamp: config.l2GenesisTimestamp + 10n,
        delayedCountAfter: delayedAfter,
        transactions: nonces.map((nonce) => transfer(alice, bob.address, { chainId, nonce, value: 1000n }).tx),
      },
    ],
  })
}

describe('L1Reader', () => {
  it('stores delayed messages and batches only once they are l1Confirmations deep', async () => {
    const l1 = new FakeL1()
    l1.deposit(alice.address, 10n ** 18n)
    l1.mine() // block 1
    const bytes = batchBytes(0n, 1n, [0n])
    l1.appendBatch(bytes)
    l1.mine() // block 2
    l1.mineEmpty(1) // head 3: block 1 is confirmed, block 2 not yet
    const r = reader(l1)
    const first = await r.advance()
    expect(first.kind).toBe('advanced')
    expect(r.cursor.number).toBe(1n)
    expect(r.delayedCount).toBe(1n)
    expect(r.batchCount).toBe(0n)
    expect((await r.advance()).kind).toBe('idle')
    // unconfirmed: seen, not stored
    const view = await r.readUnconfirmed()
    expect(view.batches.map((b) => b.index)).toEqual([0n])
    expect(r.batchCount).toBe(0n)

    l1.mineEmpty(1)
    const step = await r.advance()
    expect(step.kind).toBe('advanced')
    const batch = r.batch(0n)!
    expect(batch.bytes).toEqual(bytes)
    expect(batch.batchHash).toBe(viemKeccak(bytes))
    expect(batch.l1BlockNumber).toBe(2n)
    expect(batch.l1Timestamp).toBe(l1.blocks[2]!.timestamp)
    expect(batch.delayedBefore).toBe(0n)
    expect(batch.delayedCountAfter).toBe(1n)
    expect(batch.messageCountAfter).toBe(2n)
    expect(batch.forced).toBe(false)
    expect(r.delayedSource(0n)?.payload).toEqual(l1.delayed[0]!.payload)
    expect(r.delayedSource(1n)).toBeUndefined()
  })

  it('reads bounded block ranges, and splits a range the RPC refuses', async () => {
    const l1 = new FakeL1()
    for (let i = 0; i < 10; i++) {
      l1.deposit(alice.address, BigInt(i + 1))
      l1.mine()
    }
    l1.mineEmpty(2)
    l1.maxLogRange = 2n
    const r = reader(l1, new MemoryStore(), { maxBlockRange: 4n })
    const steps = await r.advanceUntilIdle()
    expect(steps.filter((s) => s.kind === 'advanced').length).toBeGreaterThanOrEqual(3)
    expect(r.delayedCount).toBe(10n)
    expect(r.cursor.number).toBe(10n)
    for (let i = 0n; i < 10n; i++) expect(r.delayedMessage(i)?.index).toBe(i)
  })

  it('decodes appendBatch calldata whatever its ABI offsets, and rebuilds forced batches', async () => {
    const l1 = new FakeL1()
    l1.deposit(alice.address, 10n ** 18n)
    const bytes = batchBytes(0n, 0n, [0n, 1n])
    // head: offset 0x60 (one unused word before the bytes), expectedIndex, garbage word, then the bytes
    l1.appendBatch(bytes, {
      input: (index) =>
        concatHex([
          toFunctionSelector('appendBatch(bytes,uint256)'),
          encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }, { type: 'uint256' }], [0x60n, index, 0xdeadn]),
          encodeAbiParameters([{ type: 'uint256' }], [BigInt(bytes.length)]),
          bytesToHex(bytes).padEnd(2 + Math.ceil(bytes.length / 32) * 64, '0') as Hex,
        ]),
    })
    l1.mine()
    l1.forceInclude(1n)
    l1.mine()
    l1.mineEmpty(2)
    const r = reader(l1)
    await r.advanceUntilIdle()
    expect(r.batch(0n)?.bytes).toEqual(bytes)
    const forced = r.batch(1n)!
    expect(forced.forced).toBe(true)
    expect(forced.bytes.length).toBe(13)
    expect(forced.delayedBefore).toBe(0n)
    expect(forced.delayedCountAfter).toBe(1n)
    expect(forced.messageCountAfter).toBe(3n)
  })

  it('refuses loudly a batch whose bytes do not hash to the event, and stores nothing of the step', async () => {
    const l1 = new FakeL1()
    l1.appendBatch(batchBytes(0n, 0n, [0n]), { batchHash: `0x${'11'.repeat(32)}` })
    l1.mine()
    l1.mineEmpty(2)
    const store = new MemoryStore()
    const r = reader(l1, store)
    await expect(r.advance()).rejects.toBeInstanceOf(BatchDataError)
    expect(r.batchCount).toBe(0n)
    expect(store.size).toBe(0)
  })

  it('reads blob batches from their two events, checks the commitment, and keeps the versioned hashes', async () => {
    const l1 = new FakeL1()
    l1.deposit(alice.address, 10n ** 18n)
    l1.mine()
    const hashes: Hex[] = [`0x01${'aa'.repeat(31)}`, `0x01${'bb'.repeat(31)}`]
    l1.appendBlobBatch(1n, 5, hashes)
    l1.appendBatch(batchBytes(1n, 1n, [0n]))
    l1.mine()
    l1.mineEmpty(2)
    const store = new MemoryStore()
    await reader(l1, store).advanceUntilIdle()
    // read back from the store, as after a restart
    const r = reader(l1, store)
    const blob = r.batch(0n)!
    expect(blob.dataAvailability).toEqual({ kind: 'blobs', versionedHashes: hashes })
    expect(blob.bytes.length).toBe(0)
    expect([blob.delayedBefore, blob.delayedCountAfter, blob.messageCountBefore, blob.messageCountAfter]).toEqual([
      0n,
      1n,
      0n,
      6n,
    ])
    expect(r.batch(1n)?.dataAvailability).toEqual({ kind: 'calldata' })
    expect(r.batch(1n)?.messageCountBefore).toBe(6n)
  })

  it('keeps the KZG hints of a blob batch’s appendBlobBatch call, unchecked, and none when they are malformed or the call is not one', async () => {
    const l1 = new FakeL1()
    const hashes: Hex[] = [`0x01${'aa'.repeat(31)}`, `0x01${'bb'.repeat(31)}`]
    // two hints (96 bytes each) that check nothing: the reader only carries them
    const hints = Uint8Array.from({ length: 192 }, (_, i) => (i * 29 + 7) & 0xff)
    l1.appendBlobBatch(0n, 1, hashes, { kzgHints: bytesToHex(hints) })
    l1.appendBlobBatch(0n, 1, hashes, { kzgHints: bytesToHex(hints.subarray(0, 191)) })
    l1.appendBlobBatch(0n, 1, hashes, { kzgHints: bytesToHex(new Uint8Array(7 * 96)) })
    l1.appendBlobBatch(0n, 1, hashes, { input: '0xdeadbeef' })
    l1.appendBlobBatch(0n, 1, hashes)
    l1.mine()
    l1.mineEmpty(2)
    const store = new MemoryStore()
    await reader(l1, store).advanceUntilIdle()
    // read back from the store, as after a restart; a batch without hints is stored as before hints existed
    const r = reader(l1, store)
    expect(r.batchCount).toBe(5n)
    expect(r.batch(0n)?.dataAvailability).toEqual({ kind: 'blobs', versionedHashes: hashes, kzgHints: hints })
    for (const index of [1n, 2n, 3n, 4n]) {
      expect(r.batch(index)?.dataAvailability).toEqual({ kind: 'blobs', versionedHashes: hashes })
      expect(r.batch(index)?.messageCountAfter).toBe(index + 1n)
    }
  })

  it('refuses a blob batch whose event hash is not the commitment to its counts and versioned hashes', async () => {
    const l1 = new FakeL1()
    l1.appendBlobBatch(0n, 1, [`0x01${'aa'.repeat(31)}`], { batchHash: `0x${'11'.repeat(32)}` })
    l1.mine()
    l1.mineEmpty(2)
    const r = reader(l1)
    await expect(r.advance()).rejects.toThrow(/blob commitment/)
    expect(r.batchCount).toBe(0n)
  })

  it('refuses a delayed message the Portal stores with another hash', async () => {
    const l1 = new FakeL1()
    l1.deposit(alice.address, 5n)
    l1.delayedHashes[0] = `0x${'22'.repeat(32)}`
    l1.mine()
    l1.mineEmpty(2)
    await expect(reader(l1).advance()).rejects.toBeInstanceOf(DelayedMessageMismatchError)
  })

  it('retries temporary RPC failures with backoff, and gives up with a temporary L1RpcError', async () => {
    const l1 = new FakeL1()
    l1.deposit(alice.address, 5n)
    l1.mine()
    l1.mineEmpty(2)
    l1.failures.set('logs', 2)
    const r = reader(l1)
    expect((await r.advance()).kind).toBe('advanced')
    expect(l1.calls.get('logs')).toBe(3)
    expect(r.delayedCount).toBe(1n)
    l1.mineEmpty(1)
    l1.failures.set('headNumber', 10)
    const error = await r.advance().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(L1RpcError)
    expect((error as L1RpcError).severity).toBe('temporary')
  })

  it('detects a reorg below its cursor, drops what L1 removed and reads the new fork', async () => {
    const l1 = new FakeL1()
    l1.deposit(alice.address, 10n ** 18n)
    l1.mine() // 1
    l1.appendBatch(batchBytes(0n, 1n, [0n]))
    l1.mine() // 2
    l1.mineEmpty(1) // 3
    l1.appendBatch(batchBytes(1n, 1n, [1n]))
    l1.mine() // 4
    l1.mineEmpty(2) // head 6
    const store = new MemoryStore()
    const r = reader(l1, store)
    await r.advanceUntilIdle()
    expect(r.batchCount).toBe(2n)
    const blockOfBatch1 = r.batch(1n)!.l1BlockNumber
    // L1 replaces blocks 4..6: batch 1 is gone
    l1.reorg(3)
    l1.mineEmpty(1)
    const step = await r.advance()
    expect(step.kind).toBe('reorg')
    if (step.kind !== 'reorg') return
    expect(step.commonAncestor.number).toBeLessThan(blockOfBatch1)
    expect(step.commonAncestor.hash).toBe(l1.blocks[Number(step.commonAncestor.number)]!.hash)
    expect(step.batchCount).toBe(1n)
    expect(r.batch(1n)).toBeUndefined()
    expect(r.batch(0n)?.index).toBe(0n)
    // the batch is re-posted on the new fork and read again
    const reposted = batchBytes(1n, 1n, [1n, 2n])
    l1.appendBatch(reposted)
    l1.mine()
    l1.mineEmpty(2)
    await r.advanceUntilIdle()
    expect(r.batch(1n)?.bytes).toEqual(reposted)
    expect(r.batch(1n)?.l1BlockHash).toBe(l1.blocks[Number(r.batch(1n)!.l1BlockNumber)]!.hash)
  })

  it('stores nothing when L1 reorgs below its cursor while it reads a range, and reports the reorg next', async () => {
    const l1 = new FakeL1()
    l1.deposit(alice.address, 1n)
    l1.mine() // 1
    l1.mineEmpty(2) // head 3
    const store = new MemoryStore()
    const r = reader(l1, store)
    await r.advance() // cursor 1
    l1.mineEmpty(3)
    l1.beforeNextLogs = () => {
      l1.reorg(6) // replaces block 1 (the cursor) and everything after it
      l1.deposit(bob.address, 2n)
      l1.mine()
    }
    const cursor = r.cursor
    await expect(r.advance()).rejects.toBeInstanceOf(L1InconsistencyError)
    expect(r.cursor).toEqual(cursor)
    const step = await r.advance()
    expect(step.kind).toBe('reorg')
    expect(r.delayedCount).toBe(0n)
    l1.mineEmpty(2)
    await r.advanceUntilIdle()
    expect(bytesToHex(r.delayedMessage(0n)!.payload.subarray(0, 20))).toBe(bob.addressHex)
  })

  it('resumes from its stored cursor and records after a restart', async () => {
    const l1 = new FakeL1()
    l1.deposit(alice.address, 10n ** 18n)
    l1.mine()
    l1.appendBatch(batchBytes(0n, 1n, [0n]))
    l1.mine()
    l1.mineEmpty(2)
    const store = new MemoryStore()
    const first = reader(l1, store)
    await first.advanceUntilIdle()
    const logsCalls = l1.calls.get('logs')
    const second = reader(l1, store)
    expect(second.cursor).toEqual(first.cursor)
    expect(second.batch(0n)).toEqual(first.batch(0n))
    expect(second.delayedCount).toBe(1n)
    expect((await second.advance()).kind).toBe('idle')
    expect(l1.calls.get('logs')).toBe(logsCalls)
  })

  it('follows claims through their events, and a reorg undoes the events it removed', async () => {
    const l1 = new FakeL1()
    l1.appendBatch(batchBytes(0n, 0n, [0n]))
    const proposer = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
    l1.claimEvent('ClaimProposed', {
      claimId: 1n,
      batchIndex: 0n,
      messageCount: 1n,
      stateRoot: `0x${'33'.repeat(32)}`,
      proposer,
      accumulator: `0x${'44'.repeat(32)}`,
      claimHash: `0x${'55'.repeat(32)}`,
    })
    l1.claimEvent('Staked', { claimId: 1n, staker: proposer })
    l1.mine() // 1
    l1.mineEmpty(2) // head 3
    const r = reader(l1)
    await r.advanceUntilIdle()
    expect(r.claim(1n)).toMatchObject({
      claimId: 1n,
      batchIndex: 0n,
      messageCount: 1n,
      status: 'pending',
      proposer,
      claimHash: `0x${'55'.repeat(32)}`,
    })
    expect(r.claim(1n)?.stakers).toEqual([proposer])
    l1.claimEvent('ClaimFinalized', {
      claimId: 1n,
      messageCount: 1n,
      stateRoot: `0x${'33'.repeat(32)}`,
      isAnchor: true,
    })
    l1.mine() // 4
    l1.mineEmpty(2)
    await r.advanceUntilIdle()
    expect(r.claim(1n)?.status).toBe('finalized')
    l1.reorg(3) // drops block 4 (the finalization) and the two after it
    l1.mineEmpty(2)
    expect((await r.advance()).kind).toBe('reorg')
    expect(r.claim(1n)?.status).toBe('pending')
    expect(r.claims().map((c) => c.claimId)).toEqual([1n])
  })

  it('reads the newest claims without reading every claim (what sluice_syncStatus shows)', async () => {
    const l1 = new FakeL1()
    l1.appendBatch(batchBytes(0n, 0n, [0n]))
    const proposer = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
    for (let id = 1n; id <= 5n; id++) {
      l1.claimEvent('ClaimProposed', {
        claimId: id,
        batchIndex: 0n,
        messageCount: 1n,
        stateRoot: `0x${'33'.repeat(32)}`,
        proposer,
        accumulator: `0x${'44'.repeat(32)}`,
        claimHash: `0x${'55'.repeat(32)}`,
      })
    }
    l1.mine()
    l1.mineEmpty(2)
    const r = reader(l1)
    await r.advanceUntilIdle()
    expect(r.recentClaims(2).map((c) => c.claimId)).toEqual([5n, 4n])
    expect(r.recentClaims(10).map((c) => c.claimId)).toEqual([5n, 4n, 3n, 2n, 1n])
  })

  it('follows a game through its moves to its end, and a reorg reopens it', async () => {
    const l1 = new FakeL1()
    const staker = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
    const challenger = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
    l1.gameEvent('GameOpened', {
      gameId: 1n,
      claimId: 1n,
      staker,
      challenger,
      lo: 0n,
      hi: 8n,
      rootLo: `0x${'01'.repeat(32)}`,
      rootHi: `0x${'02'.repeat(32)}`,
      position: `0x${'0a'.repeat(32)}`,
    })
    l1.mine() // 1
    l1.gameEvent('Responded', { gameId: 1n, agreed: true, lo: 4n, hi: 8n, position: `0x${'0b'.repeat(32)}` })
    l1.mine() // 2
    l1.mineEmpty(2) // head 4
    const r = reader(l1)
    await r.advanceUntilIdle()
    expect(r.game(1n)).toMatchObject({
      status: 'open',
      lo: 4n,
      hi: 8n,
      staker,
      challenger,
      position: `0x${'0b'.repeat(32)}`,
    })
    l1.gameEvent('GameVoided', { gameId: 1n, claimId: 1n, challenger, paid: 5n })
    l1.mine() // 5
    l1.mineEmpty(2)
    await r.advanceUntilIdle()
    expect(r.game(1n)?.status).toBe('voided')
    l1.reorg(3)
    l1.mineEmpty(1)
    expect((await r.advance()).kind).toBe('reorg')
    expect(r.game(1n)).toMatchObject({ status: 'open', lo: 4n, hi: 8n })
    expect(r.games().map((g) => g.gameId)).toEqual([1n])
  })
})
