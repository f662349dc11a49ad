/**
 * Issue 17 item 3, mempool parking, against a real sequencer on anvil with lowered limits: many
 * senders park gapped transactions (nonce 0 never sent, tip 1 wei) up to the queued limit; honest
 * legacy and EIP-1559 transfers at the node's suggested fees are still accepted and confirm; a
 * SIGKILL restart comes back without the evicted ones; the parked ones expire after the lifetime and
 * a second restart does not bring them back.
 */
import { readFileSync } from 'node:fs'
import { bytesToHex } from '@sluice/core'
import { createPublicClient, createWalletClient, defineChain, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fundAccounts, hashOf, rpcCall, sendBatch, waitForReceipts } from '../support/load.ts'
import { stopAll, tempDir, waitFor } from '../support/processes.ts'
import { type L1, type NodeProcess, startL1, startSequencerProcess } from '../support/rollup.ts'
import { type TestAccount, transfer } from '../support/wallet.ts'

const MAX_QUEUED = 48
const QUEUED_PER_SENDER = 4
const LIFETIME_SECONDS = 25
const LIMIT_FLAGS = [
  '--txpool-max-queued',
  String(MAX_QUEUED),
  '--txpool-max-queued-per-sender',
  String(QUEUED_PER_SENDER),
  '--txpool-lifetime',
  String(LIFETIME_SECONDS),
]

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  if (line === undefined) throw new Error(`no ${series} in /metrics`)
  return Number(line.slice(series.length + 1))
}

type Status = { status: string; reason?: string } | null
const statusOf = (url: string, hash: string) => rpcCall<Status>(url, 'sluice_getTransactionStatus', [hash])

/** The `intake log replayed` summary a sequencer logged last, from its log file. */
function lastReplay(logFile: string): Record<string, number> | undefined {
  const lines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('intake log replayed'))
  const last = lines.at(-1)
  return last === undefined ? undefined : (JSON.parse(last) as Record<string, number>)
}

describe('mempool parking', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess
  let parkers: TestAccount[]
  let honest: TestAccount
  const parked: string[] = []
  const evicted: string[] = []

  beforeAll(async () => {
    dir = tempDir()
    l1 = await startL1(dir)
    const started = performance.now()
    sequencer = await startSequencerProcess(dir, l1, { extraArgs: LIMIT_FLAGS })
    console.log(`mempool parking: first start to healthy in ${(performance.now() - started).toFixed(0)} ms`)
    const accounts = await fundAccounts(l1, sequencer.rpcUrl, { count: MAX_QUEUED / QUEUED_PER_SENDER + 3 })
    honest = accounts.pop() as TestAccount
    parkers = accounts
  }, 180_000)

  afterAll(async () => {
    await stopAll()
  })

  it('holds parked transactions to the queued limit and still takes honest ones at the suggested fees', async () => {
    const { chainId } = l1.config
    const baseFee = l1.config.baseFeePerGas
    // Every parker sends nonces 1..4 (nonce 0 never comes) at a 1 wei tip: the attack of the issue.
    const attempts = parkers.flatMap((parker) =>
      Array.from(
        { length: QUEUED_PER_SENDER },
        (_, i) =>
          transfer(parker, parker.address, {
            chainId,
            nonce: BigInt(1 + i),
            value: 1n,
            maxFeePerGas: baseFee + 1n,
            maxPriorityFeePerGas: 1n,
          }).raw,
      ),
    )
    const answers = await sendBatch(sequencer.rpcUrl, attempts)
    const accepted = answers.filter((a) => typeof a.result === 'string').map((a) => a.result as string)
    expect(accepted.length).toBeGreaterThanOrEqual(MAX_QUEUED)
    expect(await metric(sequencer.rpcUrl, 'sluice_mempool_transactions{state="queued"}')).toBe(MAX_QUEUED)
    const pendingOf = new Map<TestAccount, number>()
    for (const [i, answer] of answers.entries()) {
      if (typeof answer.result !== 'string') continue
      const status = await statusOf(sequencer.rpcUrl, answer.result)
      if (status?.status === 'pending') {
        parked.push(answer.result)
        const parker = parkers[Math.floor(i / QUEUED_PER_SENDER)] as TestAccount
        pendingOf.set(parker, (pendingOf.get(parker) ?? 0) + 1)
      } else {
        // Room for later parkers was made from those holding the most: never silent.
        expect(status).toMatchObject({ status: 'dropped', reason: 'evicted' })
        evicted.push(answer.result)
      }
    }
    // Beyond its share, a parker is refused with geth's text and what to do.
    const full = [...pendingOf].find(([, count]) => count === QUEUED_PER_SENDER)?.[0] as TestAccount
    const beyond = await sendBatch(sequencer.rpcUrl, [
      transfer(full, honest.address, { chainId, nonce: 9n, value: 1n, maxPriorityFeePerGas: 1n }).raw,
    ])
    expect(beyond[0]?.error?.message).toMatch(/account limit exceeded/)
    expect(parked.length).toBe(MAX_QUEUED)

    // The honest sender uses what the node suggests, as wallets do: legacy at eth_gasPrice, then
    // EIP-1559 with viem's defaults (eth_maxPriorityFeePerGas and the latest base fee).
    const chain = defineChain({
      id: Number(chainId),
      name: 'sluice-e2e',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [sequencer.rpcUrl] } },
    })
    const account = privateKeyToAccount(bytesToHex(honest.privateKey))
    const wallet = createWalletClient({ account, chain, transport: http(sequencer.rpcUrl) })
    const client = createPublicClient({ chain, transport: http(sequencer.rpcUrl), pollingInterval: 200 })
    const gasPrice = await client.getGasPrice()
    const legacy = await wallet.sendTransaction({
      to: honest.addressHex,
      value: 1n,
      type: 'legacy',
      gasPrice,
      gas: 21_000n,
    })
    const eip1559 = await wallet.sendTransaction({ to: honest.addressHex, value: 2n, gas: 21_000n })
    for (const hash of [legacy, eip1559]) {
      const receipt = await client.waitForTransactionReceipt({ hash, timeout: 60_000 })
      expect(receipt.status).toBe('success')
    }
    expect(await metric(sequencer.rpcUrl, 'sluice_mempool_transactions{state="queued"}')).toBe(MAX_QUEUED)
  }, 120_000)

  it('comes back from a SIGKILL with the parked transactions it acknowledged, not the evicted ones', async () => {
    await sequencer.stop('SIGKILL')
    const started = performance.now()
    sequencer = await startSequencerProcess(dir, l1, {
      dataDir: sequencer.dataDir,
      extraArgs: LIMIT_FLAGS,
      name: 'sequencer-restart-1',
    })
    const restartMs = performance.now() - started
    const replay = lastReplay(sequencer.logFile)
    console.log(`mempool parking: restart to healthy in ${restartMs.toFixed(0)} ms; replay ${JSON.stringify(replay)}`)
    // Nothing evicted is admitted again; the parked ones are (unless the lifetime ran out meanwhile).
    expect(replay).toMatchObject({ refused: 0 })
    expect((replay?.readmitted ?? 0) + (replay?.expired ?? 0)).toBeGreaterThanOrEqual(MAX_QUEUED)
    for (const hash of evicted) {
      expect(await statusOf(sequencer.rpcUrl, hash)).toMatchObject({ status: 'dropped', reason: 'evicted' })
    }
    const queued = await metric(sequencer.rpcUrl, 'sluice_mempool_transactions{state="queued"}')
    expect(queued).toBeLessThanOrEqual(MAX_QUEUED)
  }, 120_000)

  it('expires parked transactions after the lifetime, and a restart does not resurrect them', async () => {
    await waitFor(
      'the parked transactions to expire',
      async () => (await metric(sequencer.rpcUrl, 'sluice_mempool_transactions{state="queued"}')) === 0,
      { timeoutMs: (LIFETIME_SECONDS + 30) * 1000, intervalMs: 250 },
    )
    for (const hash of parked) {
      expect(await statusOf(sequencer.rpcUrl, hash)).toMatchObject({ status: 'dropped', reason: 'expired' })
    }
    await sequencer.stop('SIGKILL')
    sequencer = await startSequencerProcess(dir, l1, {
      dataDir: sequencer.dataDir,
      extraArgs: LIMIT_FLAGS,
      name: 'sequencer-restart-2',
    })
    expect(await metric(sequencer.rpcUrl, 'sluice_mempool_transactions{state="queued"}')).toBe(0)
    expect(await statusOf(sequencer.rpcUrl, parked[0] as string)).toMatchObject({
      status: 'dropped',
      reason: 'expired',
    })
    // The chain goes on: an honest transfer confirms after all of it.
    const raw = transfer(honest, honest.address, { chainId: l1.config.chainId, nonce: 2n, value: 3n }).raw
    const [after] = await sendBatch(sequencer.rpcUrl, [raw])
    expect(after?.result).toBe(hashOf(raw))
    await waitForReceipts(sequencer.rpcUrl, [after?.result as string], 60_000)
  }, 180_000)
})
