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
 * The rollup's l2BlockGasLimit for the benches: 6,000 transfers. The benches post blob batches (the
 * sequencer's default `--da auto` picks blobs on anvil), and the sequencer caps a block at what one
 * six-blob batch carries (761,852 body bytes, protocol §5.7): ~9,500 transfers of the standard
 * workload at ~80 bytes, ~6,900 at the ~110 bytes of a brand-new recipient with a large value. 6,000
 * leaves that margin, and lets a block catch up when sealing falls behind the block time (7,000 tx/s
 * is 700 transfers per 100 ms block). With calldata batches (`--da calldata`) a block must fit one
 * 90,000-byte batch instead, ~800 transfers.
 */
export const BENCH_L2_BLOCK_GAS_LIMIT = 6_000n * 21_000n

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

/** The value of one labelled series, e.g. `metricWithLabels(text, 'sluice_event_loop_delay_seconds', 'stat="max"')`. */
export function metricWithLabels(text: string, name: string, labels: string): number | undefined {
  const prefix = `${name}{${labels}} `
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue
    const value = Number(line.slice(prefix.length))
    if (Number.isFinite(value)) return value
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
