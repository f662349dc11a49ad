/**
 * An L1 reorg (anvil_reorg) removes a batch the sequencer posted, before it is `l1Confirmations`
 * deep: the batcher re-posts it once; no transaction is lost and no block is posted twice.
 */
import { sequencerInboxAbi } from '@sluice/contracts'
import { bytesToHex } from '@sluice/core'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deriveWithCore } from '../support/coreDerive.ts'
import { fundAccounts, hashOf, presign, rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { jsonRpc, stopAll, tempDir, waitFor } from '../support/processes.ts'
import { e2eConfig, type L1, type NodeProcess, startL1, startSequencerProcess } from '../support/rollup.ts'

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(name))
  return line === undefined ? 0 : Number(line.split(' ').pop())
}

describe('sequencer and L1 reorgs', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess

  beforeAll(async () => {
    dir = tempDir()
    l1 = await startL1(dir, { config: e2eConfig({ l1Confirmations: 4n }) })
    sequencer = await startSequencerProcess(dir, l1)
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('re-posts a batch that a reorg removed, once, and loses nothing', async () => {
    const accounts = await fundAccounts(l1, sequencer.rpcUrl, { count: 10 })
    const l1Client = createPublicClient({ transport: http(l1.anvil.rpcUrl) })
    const batchCountBefore = await l1Client.readContract({
      address: l1.deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'batchCount',
    })
    const raws = presign(accounts, 5, l1.config.chainId)
    const answers = await sendBatch(sequencer.rpcUrl, raws)
    expect(answers.every((a) => a.result === hashOf(raws[a.id] as Uint8Array))).toBe(true)
    // The batch carrying them lands on L1 …
    const landed = await waitFor(
      'a new batch on L1',
      async () => {
        const logs = await l1Client.getContractEvents({
          address: l1.deployment.sequencerInbox,
          abi: sequencerInboxAbi,
          eventName: 'BatchAppended',
          fromBlock: l1.deployment.deployBlock,
        })
        return logs.find((log) => (log.args as { index: bigint }).index >= batchCountBefore)
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    )
    // … and a reorg removes its block (and everything after it) before it is confirmed.
    const head = await l1Client.getBlockNumber()
    const depth = Number(head - landed.blockNumber + 1n)
    expect(depth).toBeLessThan(Number(l1.config.l1Confirmations))
    const repostedBefore = await metric(sequencer.rpcUrl, 'sluice_batcher_batches_total{outcome="reposted"}')
    await jsonRpc(l1.anvil.rpcUrl, 'anvil_reorg', [depth, []])
    const removedIndex = (landed.args as { index: bigint }).index
    const afterReorg = await l1Client.readContract({
      address: l1.deployment.sequencerInbox,
      abi: sequencerInboxAbi,
      functionName: 'batchCount',
    })
    expect(afterReorg).toBeLessThanOrEqual(removedIndex)

    await waitForReceipts(
      sequencer.rpcUrl,
      answers.map((a) => a.result as string),
      30_000,
    )
    const receipts = await Promise.all(
      answers.map((a) => rpcCall<{ blockNumber: string }>(sequencer.rpcUrl, 'eth_getTransactionReceipt', [a.result])),
    )
    const l2Head = receipts.reduce((max, r) => (BigInt(r.blockNumber) > max ? BigInt(r.blockNumber) : max), 0n)
    await waitFor(
      'the head to be safe again',
      async () =>
        BigInt(((await jsonRpc(sequencer.rpcUrl, 'sluice_syncStatus')) as { safe: { number: string } }).safe.number) >=
        l2Head,
      { timeoutMs: 60_000, intervalMs: 200 },
    )
    const reposted =
      (await metric(sequencer.rpcUrl, 'sluice_batcher_batches_total{outcome="reposted"}')) - repostedBefore
    expect(reposted).toBeGreaterThanOrEqual(1)
    // The re-posted batch holds the bytes it posted before: the sequencer adopts it like its others,
    // executing none of its own batches a second time.
    expect(await metric(sequencer.rpcUrl, 'sluice_derive_batches_total{mode="adopted"}')).toBeGreaterThanOrEqual(1)
    expect(await metric(sequencer.rpcUrl, 'sluice_derive_batches_total{mode="executed"}')).toBe(0)
    // Every sealed block derives from L1 exactly once, in order, with the sequencer's hash.
    const derived = await deriveWithCore(l1.anvil.rpcUrl, l1.deployment, l1.config)
    const numbers = derived.blocks.map((b) => b.header.number)
    expect(numbers.length).toBeGreaterThanOrEqual(Number(l2Head))
    expect(numbers).toEqual(numbers.map((_, i) => BigInt(i + 1)))
    for (const block of derived.blocks) {
      const ours = await rpcCall<{ hash: string }>(sequencer.rpcUrl, 'eth_getBlockByNumber', [
        `0x${block.header.number.toString(16)}`,
        false,
      ])
      expect(ours.hash).toBe(bytesToHex(block.hash))
    }
    const included = new Set(derived.blocks.flatMap((b) => b.transactions.map((t) => bytesToHex(t.hash))))
    for (const answer of answers) expect(included.has(answer.result as `0x${string}`)).toBe(true)
    console.log(
      `reorg test: removed ${depth} L1 block(s) holding batch ${removedIndex}; ${reposted} batch(es) re-posted`,
    )
  }, 180_000)
})
