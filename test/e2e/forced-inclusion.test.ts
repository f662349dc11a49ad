/**
 * A sequencer that ignores deposits (fault `skip-deposit`) cannot censor: after
 * `forceInclusionDelay` anyone calls `forceInclude()`, the deposit enters L2 through the forced
 * batch, the sequencer rebuilds its unsafe chain on it, and every node agrees on the state.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { portalAbi, sequencerInboxAbi } from '@sluice/contracts'
import { createPublicClient, createWalletClient, http, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { devAccount, stopAll, tempDir, waitFor } from '../support/processes.ts'
import {
  deposit,
  e2eConfig,
  type L1,
  type NodeProcess,
  startL1,
  startSequencerProcess,
  startVerifierProcess,
} from '../support/rollup.ts'
import { testAccount, transfer } from '../support/wallet.ts'

type Status = { unsafe: { number: string; hash: string }; safe: { number: string; hash: string } }

/** Batches a node derived back from L1, by mode: `adopted` (its own, not executed again) or `executed`. */
async function derivedBatches(url: string, mode: 'adopted' | 'executed'): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`sluice_derive_batches_total{mode="${mode}"}`))
  return line === undefined ? 0 : Number(line.split(' ').pop())
}

describe('forced inclusion against a censoring sequencer', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess
  let verifier: NodeProcess

  beforeAll(async () => {
    dir = tempDir()
    l1 = await startL1(dir, { config: e2eConfig({ forceInclusionDelay: 8n }) })
    sequencer = await startSequencerProcess(dir, l1, { extraArgs: ['--enable-faults', '--fault', 'skip-deposit'] })
    const info = JSON.parse(readFileSync(join(sequencer.dataDir, 'node.json'), 'utf8')) as { p2p: string[] }
    verifier = await startVerifierProcess(dir, l1, { extraArgs: ['--peer', info.p2p[0] as string] })
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('forces a deposit in after the delay; the sequencer rebuilds and every node agrees', async () => {
    const alice = testAccount(61)
    await deposit(l1, 3, alice.addressHex, parseEther('3'))
    const balance = () => rpcCall<string>(sequencer.rpcUrl, 'eth_getBalance', [alice.addressHex, 'latest'])
    // The sequencer ignores it while it keeps sealing blocks.
    const sealedBefore = BigInt(await rpcCall<string>(sequencer.rpcUrl, 'eth_blockNumber'))
    await waitFor(
      'more blocks',
      async () => BigInt(await rpcCall<string>(sequencer.rpcUrl, 'eth_blockNumber')) > sealedBefore + 2n,
      { timeoutMs: 20_000 },
    )
    expect(BigInt(await balance())).toBe(0n)

    const l1Client = createPublicClient({ transport: http(l1.anvil.rpcUrl) })
    const anyone = createWalletClient({ account: devAccount(8).account, transport: http(l1.anvil.rpcUrl) })
    const delayedCount = await l1Client.readContract({
      address: l1.deployment.portal,
      abi: portalAbi,
      functionName: 'delayedMessageCount',
    })
    // Anyone may force the delayed messages in once the oldest is older than the delay.
    await waitFor(
      'forceInclude to be allowed and to land',
      async () => {
        try {
          const hash = await anyone.writeContract({
            address: l1.deployment.sequencerInbox,
            abi: sequencerInboxAbi,
            functionName: 'forceInclude',
            args: [delayedCount],
            chain: null,
          })
          return (await l1Client.waitForTransactionReceipt({ hash, pollingInterval: 100 })).status === 'success'
        } catch {
          return false
        }
      },
      { timeoutMs: 40_000, intervalMs: 1_000 },
    )
    await waitFor('the forced deposit on the sequencer', async () => BigInt(await balance()) === parseEther('3'), {
      timeoutMs: 40_000,
      intervalMs: 200,
    })
    // The forced batch is not one the sequencer posted: it was executed, which is how the deposit got in.
    expect(await derivedBatches(sequencer.rpcUrl, 'executed')).toBeGreaterThanOrEqual(1)
    await waitFor(
      'the forced deposit on the verifier',
      async () =>
        BigInt(await rpcCall<string>(verifier.rpcUrl, 'eth_getBalance', [alice.addressHex, 'safe'])) ===
        parseEther('3'),
      { timeoutMs: 40_000, intervalMs: 200 },
    )

    // The sequencer goes on, on the rebuilt chain: alice's transfer lands on both nodes.
    const [answer] = await sendBatch(sequencer.rpcUrl, [
      transfer(alice, testAccount(62).address, { chainId: l1.config.chainId, nonce: 0n, value: 1n }).raw,
    ])
    expect(answer?.error).toBeUndefined()
    await waitForReceipts(sequencer.rpcUrl, [answer?.result as string], 20_000)
    const receipt = await rpcCall<{ blockNumber: string; blockHash: string }>(
      sequencer.rpcUrl,
      'eth_getTransactionReceipt',
      [answer?.result],
    )
    await waitFor(
      'the verifier to derive the transfer',
      async () =>
        BigInt((await rpcCall<Status>(verifier.rpcUrl, 'sluice_syncStatus')).safe.number) >=
        BigInt(receipt.blockNumber),
      { timeoutMs: 60_000, intervalMs: 250 },
    )
    const onVerifier = await rpcCall<{ hash: string; stateRoot: string }>(verifier.rpcUrl, 'eth_getBlockByNumber', [
      receipt.blockNumber,
      false,
    ])
    const onSequencer = await rpcCall<{ hash: string; stateRoot: string }>(sequencer.rpcUrl, 'eth_getBlockByNumber', [
      receipt.blockNumber,
      false,
    ])
    expect(onVerifier.hash).toBe(receipt.blockHash)
    expect(onVerifier.stateRoot).toBe(onSequencer.stateRoot)
    // It derives its own batch of the transfer back from L1 without executing it again.
    await waitFor(
      'the sequencer to derive the transfer back',
      async () =>
        BigInt((await rpcCall<Status>(sequencer.rpcUrl, 'sluice_syncStatus')).safe.number) >=
        BigInt(receipt.blockNumber),
      { timeoutMs: 60_000, intervalMs: 250 },
    )
    expect(await derivedBatches(sequencer.rpcUrl, 'adopted')).toBeGreaterThanOrEqual(1)
    const safeBlock = await rpcCall<{ hash: string }>(sequencer.rpcUrl, 'eth_getBlockByNumber', [
      receipt.blockNumber,
      false,
    ])
    expect(safeBlock.hash).toBe(receipt.blockHash)
  }, 180_000)
})
