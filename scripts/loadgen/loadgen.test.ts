/**
 * The load generator against a real anvil: in a process of its own (as the e2e figure runs it) and
 * in-process (as `npm run loadgen` does), following blocks and polling receipts, and what it reports
 * of its own CPU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Anvil, freePort, startAnvil, stopAll, tempDir, waitFor } from '../../test/support/processes.ts'
import { addressAt, FUNDED_BALANCE, GWEI, standardWorkload, type Workload } from '../bench/workload.ts'
import { fundOnAnvil } from './funding.ts'
import { runLoad } from './loadgen.ts'
import { startLoadProcess } from './loadProcess.ts'

const CHAIN_ID = 31_337n
let anvil: Anvil
let workload: Workload

beforeAll(async () => {
  anvil = await startAnvil(tempDir('sluice-loadgen-test-'), { blockTime: 1 })
  workload = standardWorkload({ accounts: 40, txs: 600, chainId: CHAIN_ID, baseFeePerGas: GWEI })
  const accounts = Array.from({ length: workload.params.accounts }, (_, i) => addressAt(workload, i))
  await fundOnAnvil(anvil.rpcUrl, accounts, FUNDED_BALANCE)
})

afterAll(async () => {
  await stopAll()
})

describe('load generator', () => {
  it('in a process of its own: sends every transfer, sees each in a block and reports its own CPU', async () => {
    const raws = workload.raws.slice(0, 300)
    const logs: string[] = []
    const generator = await startLoadProcess({
      rpcUrl: anvil.rpcUrl,
      raws,
      durationMs: 60_000,
      batchSize: 50,
      concurrency: 2,
      log: (message) => logs.push(message),
    })
    expect(generator.pid).not.toBe(process.pid)
    const report = await generator.run()
    expect(report.ranOut).toBe(true)
    expect(report.sent).toBe(raws.length)
    expect(report.accepted).toBe(raws.length)
    expect(report.included).toBe(raws.length)
    expect(report.missing).toBe(0)
    expect(report.hashMismatches).toBe(0)
    expect(report.spotCheck.checked).toBeGreaterThan(0)
    expect(report.spotCheck.ok).toBe(report.spotCheck.checked)
    expect(report.latencyMs.p99).toBeGreaterThan(0)
    // one block read per call, at least one per block that held ours
    expect(report.following.calls).toBe(report.following.requests)
    expect(report.following.requests).toBeGreaterThanOrEqual(report.blocks.count)
    expect(report.generatorCpu.loadSeconds).toBeGreaterThan(0)
    // per included transfer, of the load's seconds (rounded to hundredths)
    expect(Math.abs((report.generatorCpu.usPerTx * raws.length) / 1e6 - report.generatorCpu.loadSeconds)).toBeLessThan(
      0.01,
    )
    expect(report.generatorCpu.threadsUsPerTx?.main).toBeGreaterThan(0)
    // the child's log lines come back to the parent
    expect(logs.some((line) => line.startsWith(`loadgen: sent ${raws.length}`))).toBe(true)
  })

  it('in-process, polling receipts as a plain client does, sees every transfer in the block its receipt names', async () => {
    // the first test's transfers are in blocks: these go on from the senders' next nonces
    const raws = workload.raws.slice(300)
    const report = await runLoad({
      rpcUrl: anvil.rpcUrl,
      raws,
      durationMs: 60_000,
      batchSize: 100,
      concurrency: 2,
      watch: 'receipts',
      receiptPollIntervalMs: 100,
    })
    expect(report.accepted).toBe(raws.length)
    expect(report.included).toBe(raws.length)
    expect(report.hashMismatches).toBe(0)
    expect(report.spotCheck.ok).toBe(report.spotCheck.checked)
    expect(report.blocks.count).toBeGreaterThan(0)
    // every transfer's receipt was asked for at least once, in batches of at most 100
    expect(report.following.calls).toBeGreaterThanOrEqual(raws.length)
    expect(report.following.requests).toBeGreaterThanOrEqual(Math.ceil(report.following.calls / 100))
    expect(report.generatorCpu.usPerTx).toBeGreaterThan(0)
  })

  it('fails with the reason when the node cannot be reached, and its process ends', async () => {
    const generator = await startLoadProcess({
      rpcUrl: `http://127.0.0.1:${await freePort()}`,
      raws: workload.raws.slice(0, 10),
      durationMs: 1_000,
    })
    await expect(generator.run()).rejects.toThrow(/the load generator failed: .*ECONNREFUSED/)
    await waitFor('the generator process to exit', () => {
      try {
        process.kill(generator.pid, 0)
        return false
      } catch {
        return true
      }
    })
  })
})
