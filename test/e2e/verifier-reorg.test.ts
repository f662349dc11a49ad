/**
 * An L1 reorg removes a batch after the verifier already had its blocks as its unsafe head (from
 * p2p). The verifier never called them safe before they were `l1Confirmations` deep; once the
 * sequencer re-posts the batch the verifier derives it, and nothing it ever reported as safe
 * turns out wrong. The batch is a blob batch (the default): the reorg drops its blobs with it, and the
 * re-posted one is derived from the new blobs the beacon API serves.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sequencerInboxAbi } from '@sluice/contracts'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fundAccounts, presign, rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { jsonRpc, stopAll, tempDir, waitFor } from '../support/processes.ts'
import {
  e2eConfig,
  type L1,
  type NodeProcess,
  startL1,
  startSequencerProcess,
  startVerifierProcess,
} from '../support/rollup.ts'

type Head = { number: string; hash: string }
type Status = { unsafe: Head; safe: Head }

describe('verifier and L1 reorgs', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess
  let verifier: NodeProcess

  beforeAll(async () => {
    dir = tempDir()
    l1 = await startL1(dir, { config: e2eConfig({ l1Confirmations: 4n }) })
    sequencer = await startSequencerProcess(dir, l1)
    const info = JSON.parse(readFileSync(join(sequencer.dataDir, 'node.json'), 'utf8')) as { p2p: string[] }
    verifier = await startVerifierProcess(dir, l1, { extraArgs: ['--peer', info.p2p[0] as string] })
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('never reports as safe what a reorg removes, and derives the re-posted batch', async () => {
    // Every safe head the verifier reports, as it reports it.
    const reportedSafe = new Map<string, string>()
    let watching = true
    const watcher = (async () => {
      while (watching) {
        const status = await rpcCall<Status>(verifier.rpcUrl, 'sluice_syncStatus').catch(() => undefined)
        if (status) reportedSafe.set(status.safe.number, status.safe.hash)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })()

    const accounts = await fundAccounts(l1, sequencer.rpcUrl, { count: 8 })
    const l1Client = createPublicClient({ transport: http(l1.anvil.rpcUrl) })
    const before = await l1Client.readContract({
      address: l1.deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'batchCount',
    })
    const answers = await sendBatch(sequencer.rpcUrl, presign(accounts, 5, l1.config.chainId))
    const hashes = answers.map((a) => a.result as string)
    // The verifier has the blocks as its unsafe head (p2p) before the batch is on L1.
    await waitForReceipts(verifier.rpcUrl, hashes, 10_000)
    const unsafeBefore = await rpcCall<Status>(verifier.rpcUrl, 'sluice_syncStatus')
    const landed = await waitFor(
      'the batch on L1',
      async () => {
        const logs = await l1Client.getContractEvents({
          address: l1.deployment.sequencerInbox,
          abi: sequencerInboxAbi,
          eventName: 'BatchAppended',
          fromBlock: l1.deployment.deployBlock,
        })
        return logs.find((log) => (log.args as { index: bigint }).index >= before)
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    )
    const index = (landed.args as { index: bigint }).index
    const blobHashesAt = (i: bigint) =>
      l1Client.readContract({
        address: l1.deployment.sequencerInbox,
        abi: sequencerInboxAbi,
        functionName: 'batchBlobHashes',
        args: [i],
      })
    expect((await blobHashesAt(index)).length).toBeGreaterThan(0)
    const depth = Number((await l1Client.getBlockNumber()) - landed.blockNumber + 1n)
    expect(depth).toBeLessThan(Number(l1.config.l1Confirmations))
    await jsonRpc(l1.anvil.rpcUrl, 'anvil_reorg', [depth, []])

    // Re-posted by the sequencer, derived by the verifier.
    const target = BigInt(unsafeBefore.unsafe.number)
    await waitFor(
      'the verifier to derive the re-posted batch',
      async () => BigInt((await rpcCall<Status>(verifier.rpcUrl, 'sluice_syncStatus')).safe.number) >= target,
      {
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    )
    watching = false
    await watcher
    // and the safe head the wait above saw: under load the watcher can sleep through the last step
    const last = await rpcCall<Status>(verifier.rpcUrl, 'sluice_syncStatus')
    reportedSafe.set(last.safe.number, last.safe.hash)
    // re-posted as a blob batch at the same index
    const reposted = await l1Client.getContractEvents({
      address: l1.deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      eventName: 'BlobBatchAppended',
      args: { index },
      fromBlock: l1.deployment.deployBlock,
    })
    expect(reposted.length).toBe(1)
    expect(reposted[0]?.blockNumber).toBeGreaterThanOrEqual(landed.blockNumber)
    expect((await blobHashesAt(index)).length).toBeGreaterThan(0)
    // Nothing reported safe was wrong: every (number, hash) the verifier ever called safe is canonical.
    for (const [number, hash] of reportedSafe) {
      const block = await rpcCall<{ hash: string }>(sequencer.rpcUrl, 'eth_getBlockByNumber', [number, false])
      expect(block.hash).toBe(hash)
    }
    expect(reportedSafe.size).toBeGreaterThan(1)
    // The unsafe blocks it had before the reorg are the ones L1 derived.
    const sameBlock = await rpcCall<{ hash: string }>(verifier.rpcUrl, 'eth_getBlockByNumber', [
      unsafeBefore.unsafe.number,
      false,
    ])
    expect(sameBlock.hash).toBe(unsafeBefore.unsafe.hash)
  }, 180_000)
})
