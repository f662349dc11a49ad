/**
 * The batcher's batch encoding on a worker thread: the same bytes as the core `BatchBuilder` on the
 * main thread (the batch format is protocol), a batch that fills up, a block no batch can hold, the
 * self-check refusing bytes that do not decode to their blocks, and a worker that dies.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BatchBuilder, BatchEncodeError, MemoryStore } from '@sluice/core'
import { ChainStore, type StoredBlock } from '@sluice/node'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { tempDir } from '../../../../test/support/processes.ts'
import { type TestAccount, testAccount, transfer } from '../../../../test/support/wallet.ts'
import { config, seal } from '../../../node/test/chain/sealTransfers.ts'
import { BatchEncoder, BatchEncoderError, BatchSelfCheckError } from '../../src/batcher/encoder.ts'
import { EncoderSessions } from '../../src/batcher/encoderSessions.ts'

const [alice, bob, carol] = [testAccount(1), testAccount(2), testAccount(3)] as [TestAccount, TestAccount, TestAccount]
const encoders: BatchEncoder[] = []
let blocks: StoredBlock[]

function encoder(url?: URL): BatchEncoder {
  const made = new BatchEncoder(url)
  encoders.push(made)
  return made
}

beforeAll(async () => {
  const chain = await ChainStore.open(new MemoryStore(), config)
  blocks = []
  for (let i = 0; i < 24; i++) {
    blocks.push(
      await seal(chain, [
        { from: alice, to: bob },
        { from: bob, to: i % 2 === 0 ? carol : alice },
      ]),
    )
  }
})

afterAll(async () => {
  await Promise.all(encoders.map((e) => e.close()))
})

const check = {
  delayedBefore: 0n,
  chainId: config.chainId,
  prevTimestamp: config.l2GenesisTimestamp,
  maxSequencerDrift: config.maxSequencerDrift,
}

/** The batch of `blocks` as the core builds it in this thread. */
function onMainThread(da: 'blobs' | 'calldata', of: readonly StoredBlock[]): BatchBuilder {
  const builder = new BatchBuilder({ chainId: config.chainId, prevDelayedCount: 0n, da })
  for (const block of of) {
    const added = builder.tryAdd({
      timestamp: block.header.timestamp,
      delayedCountAfter: block.header.delayedCountAfter,
      transactions: block.transactions.filter((t) => !t.forced).map((t) => t.tx),
    })
    expect(added).toBe(true)
  }
  return builder
}

describe('batch encoder worker', () => {
  it.each([
    'blobs',
    'calldata',
  ] as const)('gives the %s batch the core builds on the main thread, byte for byte, filled over several adds', async (da) => {
    const worker = encoder()
    const batch = await worker.start({ da, chainId: config.chainId, prevDelayedCount: 0n })
    expect(await worker.add(batch, blocks.slice(0, 5))).toBe(5)
    expect(await worker.add(batch, blocks.slice(5))).toBe(blocks.length - 5)
    const expected = onMainThread(da, blocks)
    expect([batch.size, batch.slotCount, batch.full]).toEqual([expected.size, expected.slotCount, false])
    const bytes = await worker.finish(batch, check)
    expect(bytes).toEqual(expected.finish())
    expect(batch.blocks).toEqual(blocks)
    expect(batch.delayedCountAfter).toBe(expected.delayedCountAfter)
    expect(worker.holds(batch)).toBe(false)
  })

  it('stops at the first block that does not fit and reports the batch full', async () => {
    const worker = encoder()
    const limit = onMainThread('calldata', blocks.slice(0, 3)).size
    const batch = await worker.start({
      da: 'calldata',
      chainId: config.chainId,
      prevDelayedCount: 0n,
      maxBatchBytes: limit,
    })
    expect(await worker.add(batch, blocks)).toBe(3)
    expect(batch.full).toBe(true)
    expect(batch.blocks).toEqual(blocks.slice(0, 3))
    expect(batch.size).toBe(limit)
    // Three blocks taken and the one that did not fit.
    expect(worker.blocksEncoded).toBe(4)
    expect(await worker.finish(batch, check)).toEqual(onMainThread('calldata', blocks.slice(0, 3)).finish())
  })

  it('refuses a block no batch can hold with its BatchEncodeError, keeping the blocks before it', async () => {
    const worker = encoder()
    const third = blocks[2] as StoredBlock
    const otherChain = transfer(alice, bob.address, { chainId: config.chainId + 1n, nonce: 0n, value: 1n })
    const unbatchable = {
      ...third,
      transactions: [{ ...(third.transactions[0] as StoredBlock['transactions'][0]), raw: otherChain.raw }],
    }
    const batch = await worker.start({ da: 'blobs', chainId: config.chainId, prevDelayedCount: 0n })
    const refused = await worker.add(batch, [...blocks.slice(0, 2), unbatchable]).catch((error) => error)
    expect(refused).toBeInstanceOf(BatchEncodeError)
    expect((refused as BatchEncodeError).problem).toBe('wrongChainId')
    expect(batch.blocks).toEqual(blocks.slice(0, 2))
    expect(await worker.finish(batch, check)).toEqual(onMainThread('blobs', blocks.slice(0, 2)).finish())
  })

  it('finishes a batch only when its bytes decode back to the blocks and raw transactions it was given', () => {
    const sessions = new EncoderSessions()
    const raws = blocks.slice(0, 2).flatMap((b) => b.transactions.map((t) => t.raw))
    const bytes = new Uint8Array(raws.reduce((n, raw) => n + raw.length, 0))
    const offsets = new Uint32Array(raws.length + 1)
    raws.forEach((raw, i) => {
      bytes.set(raw, offsets[i] as number)
      offsets[i + 1] = (offsets[i] as number) + raw.length
    })
    const fill = (batch: number) => {
      sessions.handle({
        kind: 'open',
        id: 0,
        batch,
        da: 'calldata',
        chainId: config.chainId,
        prevDelayedCount: 0n,
        maxBlobs: undefined,
        maxBatchBytes: undefined,
      })
      const chunk = blocks.slice(0, 2).map((b) => ({ ...b.header, count: b.transactions.length }))
      const copy = { bytes: bytes.slice().buffer, offsets: offsets.slice().buffer }
      expect(sessions.handle({ kind: 'add', id: 1, batch, blocks: chunk, ...copy })).toMatchObject({
        ok: true,
        added: 2,
      })
    }
    fill(1)
    expect(sessions.handle({ kind: 'finish', id: 2, batch: 1, check })).toMatchObject({ ok: true })
    // An encoder that got the last slot's signature wrong: the bytes still decode, to another transaction.
    const finish = BatchBuilder.prototype.finish
    const spy = vi.spyOn(BatchBuilder.prototype, 'finish').mockImplementation(function (this: BatchBuilder) {
      const out = finish.call(this)
      out[out.length - 1] = (out[out.length - 1] as number) ^ 1
      return out
    })
    try {
      fill(2)
      const response = sessions.handle({ kind: 'finish', id: 3, batch: 2, check })
      expect(response).toMatchObject({ ok: false, failure: { kind: 'selfCheck' } })
      expect(JSON.stringify(response)).toMatch(/block 2 slot 1 does not decode to the transaction it encodes/)
    } finally {
      spy.mockRestore()
    }
  })

  it('a self-check failure reaches the batcher as BatchSelfCheckError', async () => {
    const module = join(tempDir('sluice-encoder-'), 'selfCheckFails.mjs')
    writeFileSync(
      module,
      "import { parentPort } from 'node:worker_threads'\n" +
        "parentPort.on('message', (r) => parentPort.postMessage(r.kind === 'finish'\n" +
        "  ? { id: r.id, ok: false, added: 0, state: undefined, failure: { kind: 'selfCheck', details: 'block 1: timestamp differs after decoding' } }\n" +
        '  : { id: r.id, ok: true, added: 0, full: false, state: { size: 0, blobCount: 0, slotCount: 0, delayedCountAfter: 0n } }))\n',
    )
    const worker = encoder(pathToFileURL(module))
    const batch = await worker.start({ da: 'blobs', chainId: config.chainId, prevDelayedCount: 0n })
    const failed = await worker.finish(batch, check).catch((error) => error)
    expect(failed).toBeInstanceOf(BatchSelfCheckError)
    expect((failed as BatchSelfCheckError).severity).toBe('critical')
    expect((failed as BatchSelfCheckError).details).toBe('block 1: timestamp differs after decoding')
  })

  it('rejects what a dying worker held and starts a new worker at the next request', async () => {
    const dir = tempDir('sluice-encoder-')
    const module = join(dir, 'dies.mjs')
    writeFileSync(
      module,
      "import { parentPort } from 'node:worker_threads'\nparentPort.on('message', () => process.exit(3))\n",
    )
    const worker = encoder(pathToFileURL(module))
    const lost = await worker
      .start({ da: 'blobs', chainId: config.chainId, prevDelayedCount: 0n })
      .catch((error) => error)
    expect(lost).toBeInstanceOf(BatchEncoderError)
    expect((lost as BatchEncoderError).shortMessage).toMatch(/exited with code 3/)
    expect((lost as BatchEncoderError).severity).not.toBe('critical')
    // A new worker takes the next request (and dies the same way: this module always does).
    const again = await worker
      .start({ da: 'blobs', chainId: config.chainId, prevDelayedCount: 0n })
      .catch((error) => error)
    expect((again as BatchEncoderError).shortMessage).toMatch(/exited with code 3/)
  })
})
