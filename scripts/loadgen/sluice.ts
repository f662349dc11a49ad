/**
 * Helpers for driving a Sluice rollup under load from the benches: funding the workload's accounts
 * on L2 (L1 deposit to a root funder, then the fan-out of funding.ts), reading a node's
 * Prometheus metrics, and the CPU a process group used (from /proc).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { bytesToHex } from '../../packages/core/src/bytes/index.ts'
import { devAccount, jsonRpc, waitFor } from '../../test/support/processes.ts'
import { deposit, type L1 } from '../../test/support/rollup.ts'
import { planFanOut } from './funding.ts'

/**
 * The rollup's l2BlockGasLimit for the benches: 800 transfers. A block must fit in one batch of at
 * most maxBatchBytes (90,000, protocol §8.4) and a transfer of the standard workload takes ~80–85
 * batch bytes (up to ~110 with a brand-new recipient and large values), so ~1,000 transfers is the
 * most a block can safely hold: the sequencer does not bound a block by its encoded size, and a
 * larger block halts the batcher (BatchEncodeError "the block alone makes a 126458-byte batch").
 * Throughput is then at most 800 transfers per block time: 3,200 tx/s at 250 ms, 8,000 at 100 ms.
 */
export const BENCH_L2_BLOCK_GAS_LIMIT = 800n * 21_000n

/** The anvil dev account the deposits come from (its L1 balance is raised first). */
const DEPOSITOR = 4

/**
 * Gives each of `addresses` `each` wei on the L2 served at `l2RpcUrl`: one deposit of the whole
 * amount to a root funder, then a fan-out tree of transfers, one JSON-RPC batch per level.
 */
export async function fundOnSluice(
  l1: L1,
  l2RpcUrl: string,
  addresses: readonly Uint8Array[],
  each: bigint,
  log: (m: string) => void = () => {},
): Promise<void> {
  const plan = planFanOut(addresses, each)
  const started = performance.now()
  await jsonRpc(l1.anvil.rpcUrl, 'anvil_setBalance', [
    devAccount(DEPOSITOR).address,
    `0x${(plan.rootAmount * 2n).toString(16)}`,
  ])
  await deposit(l1, DEPOSITOR, bytesToHex(plan.rootAddress) as `0x${string}`, plan.rootAmount)
  const root = bytesToHex(plan.rootAddress)
  await waitFor(
    'the funding deposit on L2',
    async () => BigInt((await jsonRpc(l2RpcUrl, 'eth_getBalance', [root, 'latest'])) as string) >= plan.rootAmount,
    { timeoutMs: 60_000, intervalMs: 100 },
  )
  log(`  deposit of the funding reached L2 in ${Math.round(performance.now() - started)} ms`)
  await plan.run({ rpcUrl: l2RpcUrl, chainId: l1.config.chainId, log: (m) => log(`  ${m}`) })
}

/** The value of an unlabelled metric in a Prometheus text exposition, or undefined. */
export function metricValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1))
      if (Number.isFinite(value)) return value
    }
  }
  return undefined
}

/** A histogram's mean in milliseconds (from its _sum and _count), or undefined when it has no observation. */
export function histogramMeanMs(text: string, name: string): number | undefined {
  const sum = metricValue(text, `${name}_sum`)
  const count = metricValue(text, `${name}_count`)
  if (sum === undefined || count === undefined || count === 0) return undefined
  return Math.round((sum / count) * 10_000) / 10
}

export async function fetchMetrics(rpcUrl: string): Promise<string> {
  const response = await fetch(`${rpcUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })
  return response.text()
}

const CLOCK_TICKS_PER_SECOND = 100

/**
 * CPU seconds (user + system) used so far by every live process of process group `pgid` (a node
 * started by test/support/processes.ts leads its own group; anvil's launcher and binary share one).
 */
export function groupCpuSeconds(pgid: number): number {
  let ticks = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // exited meanwhile
    }
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(fields[2]) !== pgid) continue // field 5: pgrp
    ticks += Number(fields[11]) + Number(fields[12]) // fields 14, 15: utime, stime
  }
  return ticks / CLOCK_TICKS_PER_SECOND
}
