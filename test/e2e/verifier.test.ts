/**
 * The verifier as an operator runs it, every party a real process on anvil:
 * - it follows the sequencer's gossip as its unsafe head within a second;
 * - after the sequencer produced several batches (thousands of transactions, deposits and
 *   withdrawals among them, posted as blob batches) and stopped, a verifier started from an empty
 *   data directory with only the L1 URL, the beacon API and the deployment file reaches the same
 *   block hashes, state roots and receipts;
 * - while that beacon API is down the verifier derives nothing past the first blob batch it lacks,
 *   says so in `/health`, `sluice_syncStatus` and its metrics, and catches up once it is back.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sequencerInboxAbi } from '@sluice/contracts'
import { MESSAGE_PASSER_ADDRESS } from '@sluice/core'
import { createPublicClient, http, pad, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBeaconProxy } from '../support/beaconProxy.ts'
import { fundAccounts, presign, rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { stopAll, tempDir, waitFor } from '../support/processes.ts'
import {
  deposit,
  type L1,
  type NodeProcess,
  startL1,
  startSequencerProcess,
  startVerifierProcess,
} from '../support/rollup.ts'
import { testAccount, transfer } from '../support/wallet.ts'

type Status = {
  unsafe: { number: string; hash: string }
  safe: { number: string; hash: string }
  claims: { verdict: string }[]
  derivation: { waitingForBlobs: { code: string; batchIndex: number; attempts: number } | null }
}
type Block = { hash: string; stateRoot: string; receiptsRoot: string; transactions: string[] }

describe('verifier on anvil', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess
  let follower: NodeProcess

  beforeAll(async () => {
    dir = tempDir()
    l1 = await startL1(dir)
    sequencer = await startSequencerProcess(dir, l1)
    const info = JSON.parse(readFileSync(join(sequencer.dataDir, 'node.json'), 'utf8')) as { p2p: string[] }
    follower = await startVerifierProcess(dir, l1, {
      name: 'verifier-p2p',
      dataDir: join(dir, 'verifier-p2p'),
      extraArgs: ['--peer', info.p2p[0] as string, '--sequencer-rpc', sequencer.rpcUrl],
    })
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('follows the sequencer over p2p within a second and forwards transactions to it', async () => {
    const accounts = await fundAccounts(l1, sequencer.rpcUrl, { count: 4 })
    const lags: number[] = []
    for (let i = 0; i < 5; i++) {
      const { raw } = transfer(accounts[0] as ReturnType<typeof testAccount>, testAccount(77).address, {
        chainId: l1.config.chainId,
        nonce: BigInt(i),
        value: 1n,
      })
      // Sent through the verifier: it forwards to the sequencer.
      const [answer] = await sendBatch(follower.rpcUrl, [raw])
      expect(answer?.error).toBeUndefined()
      await waitForReceipts(sequencer.rpcUrl, [answer?.result as string], 10_000)
      const sealedAt = Date.now()
      await waitForReceipts(follower.rpcUrl, [answer?.result as string], 5_000)
      lags.push(Date.now() - sealedAt)
    }
    lags.sort((a, b) => a - b)
    console.log(`p2p follow lag after the sequencer's receipt, ms: ${lags.join(', ')}`)
    expect(lags[Math.floor(lags.length / 2)]).toBeLessThan(1_000)
    const metrics = await (await fetch(`${follower.rpcUrl}/metrics`)).text()
    expect(metrics).toMatch(/sluice_unsafe_blocks_applied_total [1-9]/)
  }, 60_000)

  it('re-derives the same chain from L1 alone, from an empty data directory', async () => {
    // Several batches: thousands of transfers, a deposit and withdrawals among them.
    const accounts = await fundAccounts(l1, sequencer.rpcUrl, { count: 50, firstIndex: 5000 })
    const raws = presign(accounts, 40, l1.config.chainId)
    const withdrawer = accounts[0] as ReturnType<typeof testAccount>
    const hashes: string[] = []
    for (let i = 0; i < raws.length; i += 250) {
      const answers = await sendBatch(sequencer.rpcUrl, raws.slice(i, i + 250))
      for (const a of answers) {
        expect(a.error).toBeUndefined()
        hashes.push(a.result as string)
      }
    }
    const withdrawals = [0, 1, 2].map(
      (k) =>
        transfer(withdrawer, hexAddress(MESSAGE_PASSER_ADDRESS), {
          chainId: l1.config.chainId,
          nonce: 40n + BigInt(k),
          value: parseEther('0.1'),
          gasLimit: 30_000n,
          data: hexData(pad(withdrawer.addressHex)),
        }).raw,
    )
    for (const a of await sendBatch(sequencer.rpcUrl, withdrawals)) hashes.push(a.result as string)
    await deposit(l1, 3, testAccount(4242).addressHex, parseEther('2'))
    await waitForReceipts(sequencer.rpcUrl, hashes, 60_000)
    await waitFor(
      'the deposit on L2',
      async () =>
        BigInt(await rpcCall<string>(sequencer.rpcUrl, 'eth_getBalance', [testAccount(4242).addressHex, 'latest'])) >
        0n,
      {
        timeoutMs: 30_000,
      },
    )
    // The last block with transactions: trailing empty blocks may wait longer for their batch.
    let head = BigInt(await rpcCall<string>(sequencer.rpcUrl, 'eth_blockNumber'))
    while (
      (await rpcCall<Block>(sequencer.rpcUrl, 'eth_getBlockByNumber', [`0x${head.toString(16)}`, false])).transactions
        .length === 0
    )
      head--
    await waitFor(
      'everything safe on the sequencer',
      async () => BigInt((await rpcCall<Status>(sequencer.rpcUrl, 'sluice_syncStatus')).safe.number) >= head,
      { timeoutMs: 60_000, intervalMs: 200 },
    )
    const batches = BigInt(
      (await rpcCall<{ batches: { count: string } }>(sequencer.rpcUrl, 'sluice_syncStatus')).batches.count,
    )
    expect(batches).toBeGreaterThanOrEqual(3n)
    // blobs are the default: every sequencer batch carries its data in blobs (none was forced here)
    const l1Client = createPublicClient({ transport: http(l1.anvil.rpcUrl) })
    const upTo = await l1Client.getBlockNumber()
    const inboxEvents = (eventName: 'BatchAppended' | 'BlobBatchAppended') =>
      l1Client.getContractEvents({
        address: l1.deployment.sequencerInbox,
        abi: sequencerInboxAbi,
        eventName,
        fromBlock: l1.deployment.deployBlock,
        toBlock: upTo,
      })
    const [appended, blobAppended] = await Promise.all([inboxEvents('BatchAppended'), inboxEvents('BlobBatchAppended')])
    expect(appended.length).toBeGreaterThanOrEqual(3)
    expect(blobAppended.length).toBe(appended.length)
    const expected: Block[] = []
    for (let n = 1n; n <= head; n++)
      expected.push(await rpcCall<Block>(sequencer.rpcUrl, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]))
    const expectedBalances = new Map<bigint, string>()
    for (let n = 1n; n <= head; n += 3n) {
      expectedBalances.set(
        n,
        await rpcCall<string>(sequencer.rpcUrl, 'eth_getBalance', [withdrawer.addressHex, `0x${n.toString(16)}`]),
      )
    }
    const sampleReceipts = await Promise.all(
      hashes
        .filter((_, i) => i % 97 === 0)
        .map((h) => rpcCall<unknown>(sequencer.rpcUrl, 'eth_getTransactionReceipt', [h])),
    )
    await sequencer.stop('SIGTERM')

    // Only the L1 URL, the beacon API, the deployment file and an empty data directory; no sequencer,
    // no peers. The beacon API is down when the verifier starts.
    const beacon = await startBeaconProxy(l1.anvil.rpcUrl)
    await beacon.stop()
    const fresh = await startVerifierProcess(dir, l1, {
      name: 'verifier-fresh',
      dataDir: join(dir, 'verifier-fresh'),
      extraArgs: ['--p2p-port', '0'],
      beacon: beacon.url,
      healthy: false,
    })
    const waiting = await waitFor(
      'the fresh verifier to report that it waits for blobs',
      async () => (await rpcCall<Status>(fresh.rpcUrl, 'sluice_syncStatus')).derivation.waitingForBlobs ?? undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    )
    expect(waiting.code).toBe('BLOB_UNAVAILABLE')
    await waitFor(
      'a second failed attempt (backoff, no skip)',
      async () =>
        ((await rpcCall<Status>(fresh.rpcUrl, 'sluice_syncStatus')).derivation.waitingForBlobs?.attempts ?? 0) >= 2,
      { timeoutMs: 30_000, intervalMs: 250 },
    )
    const health = await fetch(`${fresh.rpcUrl}/health`)
    expect(health.status).toBe(503)
    expect(((await health.json()) as { reason: string }).reason).toMatch(/waits for the blobs of batch/)
    const waitingMetrics = await (await fetch(`${fresh.rpcUrl}/metrics`)).text()
    expect(waitingMetrics).toMatch(/sluice_derive_blob_failures_total\{code="BLOB_UNAVAILABLE"\} [1-9]/)
    expect(waitingMetrics).toMatch(/sluice_derive_blob_wait_seconds [1-9]/)
    // nothing past the blob batch it lacks: the safe head has not moved beyond the batches before it
    const stuck = await rpcCall<Status>(fresh.rpcUrl, 'sluice_syncStatus')
    expect(BigInt(stuck.safe.number)).toBeLessThan(head)
    await beacon.start()
    await waitFor(
      'the fresh verifier to reach the head',
      async () => BigInt((await rpcCall<Status>(fresh.rpcUrl, 'sluice_syncStatus')).safe.number) >= head,
      { timeoutMs: 90_000, intervalMs: 250 },
    )
    for (const [i, block] of expected.entries()) {
      const ours = await rpcCall<Block>(fresh.rpcUrl, 'eth_getBlockByNumber', [`0x${(i + 1).toString(16)}`, false])
      expect(ours.hash).toBe(block.hash)
      expect(ours.stateRoot).toBe(block.stateRoot)
      expect(ours.receiptsRoot).toBe(block.receiptsRoot)
    }
    // The state at every block is there (an archive), not only at batch ends.
    for (let n = 1n; n <= head; n += 3n) {
      const tag = `0x${n.toString(16)}`
      const address = withdrawer.addressHex
      expect(await rpcCall<string>(fresh.rpcUrl, 'eth_getBalance', [address, tag])).toBe(expectedBalances.get(n))
    }
    const receipts = await Promise.all(
      hashes
        .filter((_, i) => i % 97 === 0)
        .map((h) => rpcCall<unknown>(fresh.rpcUrl, 'eth_getTransactionReceipt', [h])),
    )
    expect(receipts).toEqual(sampleReceipts)
    // Back to healthy once the blobs came.
    const status = await rpcCall<Status>(fresh.rpcUrl, 'sluice_syncStatus')
    expect(status.derivation.waitingForBlobs).toBeNull()
    await waitFor('the verifier healthy again', async () => (await fetch(`${fresh.rpcUrl}/health`)).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 250,
    })
    await beacon.stop()
    // anvil serves blobs without proofs: each was checked by its batch's KZG hint, none by a computed commitment
    const checked = await (await fetch(`${fresh.rpcUrl}/metrics`)).text()
    const blobCount = blobAppended.reduce(
      (sum, { args }) => sum + ('blobHashes' in args ? (args.blobHashes?.length ?? 0) : 0),
      0,
    )
    expect(
      Number(checked.match(/sluice_derive_blob_checks_total\{by="hintProof"\} (\d+)/)?.[1]),
    ).toBeGreaterThanOrEqual(blobCount)
    expect(checked).not.toMatch(/sluice_derive_blob_checks_total\{by="commitment/)
    // Every claim the sequencer made checks out against the verifier's own roots.
    expect(status.claims.length).toBeGreaterThan(0)
    expect(status.claims.every((c) => c.verdict === 'valid')).toBe(true)
    console.log(
      `verifier sync: ${head} blocks, ${hashes.length} transactions, ${batches} blob batches re-derived from L1 and the beacon API alone (beacon forwarded ${beacon.forwarded} requests)`,
    )
  }, 240_000)
})

function hexAddress(address: string): Uint8Array {
  return hexData(address)
}

function hexData(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'))
}
