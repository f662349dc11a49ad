/**
 * l1.costPerTransfer: L1 gas per L2 transfer at full load, everything included — the batch
 * transactions' execution gas and blob gas (blob gas priced like execution gas: pessimistic, mainnet
 * blob gas is usually far cheaper) and the claims' gas shared over the transfers they cover — as a
 * percentage of an L1 transfer's 21,000 gas. Measured, not computed: a real anvil (1 s blocks), the
 * real sequencer with its batcher and proposer (a claim per batch), the standard workload pushed by
 * the load generator; the gas comes from the receipts (`gasUsed`, `blobGasUsed`) of the batch and
 * claim transactions the node reports (`sluice_getBatches`, `sluice_getClaims`). Blob batches
 * (`--da blobs`, 6 blobs at most) are the figure; calldata batches (`--da calldata`) are beside it
 * as the peer. Only full batches count (at least 80% of the slots of the run's largest batch): the
 * last, partly filled batch of a run says nothing about full load.
 *
 * Also reported: l1.blobFill (body bytes ÷ the blobs' 131,072 bytes, full blob batches) and
 * l1.largestBlock (transactions in the largest L2 block of the blob run: a block is no longer capped
 * at one 90,000-byte calldata batch).
 */
import { loadavg } from 'node:os'
import type { Hex } from 'viem'
import { jsonRpc, stopAll, tempDir, waitFor } from '../../../test/support/processes.ts'
import { e2eConfig, startL1, startSequencerProcess } from '../../../test/support/rollup.ts'
import { runLoad } from '../../loadgen/loadgen.ts'
import { fundOnSluice } from '../../loadgen/sluice.ts'
import { type FigureGroup, type FigureResult, log, removeDir } from '../harness.ts'
import { addressAt, FUNDED_BALANCE, standardWorkload, type Workload } from '../workload.ts'

const L1_TRANSFER_GAS = 21_000
const TARGET_PERCENT = 1
/** Room for blocks of a whole 6-blob batch (~9,500 transfers). */
const L2_BLOCK_GAS_LIMIT = 12_000n * 21_000n
/** A batch counts as full when it has at least this share of the largest batch's slots. */
const FULL_SHARE = 0.8

type Sizes = { accounts: number; rate: number; durationS: number }
const sizes = (quick: boolean): Sizes => ({ accounts: 2_000, rate: 3_000, durationS: quick ? 10 : 30 })

type BatchJson = {
  index: Hex
  dataAvailability: { kind: string; blobCount: number }
  bytes: number | null
  blobFill: number | null
  transactionSlots: Hex
  l1GasUsed: Hex | null
  l1BlobGasUsed: Hex | null
}
type ClaimJson = { claimId: Hex; batchIndex: Hex; l1TransactionHash: Hex }

export type DaRun = {
  da: 'blobs' | 'calldata'
  /** Full batches counted. */
  batches: number
  transfers: number
  /** Gas per transfer: batch execution, blob gas, claims. */
  executionGasPerTransfer: number
  blobGasPerTransfer: number
  claimGasPerTransfer: number
  /** All of it as a percentage of 21,000. */
  percentOfL1Transfer: number
  bytesPerTransfer: number
  /** Median over the full batches (blobs only). */
  blobFill: number | undefined
  blobsPerBatch: number | undefined
  largestBlockTxs: number
  included: number
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor(sorted.length / 2)] as number)
}

async function pages<T>(url: string, method: string, key: string): Promise<T[]> {
  const out: T[] = []
  let before: Hex | null | undefined
  do {
    const page = (await jsonRpc(url, method, [{ limit: 100, ...(before ? { before } : {}) }])) as Record<
      string,
      unknown
    >
    out.push(...(page[key] as T[]))
    before = page.nextBefore as Hex | null
  } while (before)
  return out
}

async function runDa(da: 'blobs' | 'calldata', workload: Workload, s: Sizes): Promise<DaRun> {
  const dir = tempDir(`sluice-bench-l1-${da}-`)
  let ok = false
  try {
    const config = e2eConfig({ chainId: workload.params.chainId, l2BlockGasLimit: L2_BLOCK_GAS_LIMIT })
    const l1 = await startL1(dir, { config, blockTime: 1 })
    const sequencer = await startSequencerProcess(dir, l1, {
      // Batches fill before they age out at this load; 1 s blocks let the mempool make big blocks.
      extraArgs: ['--da', da, '--block-time', '1000', '--batch-age', '15000', '--propose-every', '1'],
    })
    log(`  ${da}: sequencer up (log ${sequencer.logFile}); funding ${s.accounts} senders`)
    const accounts = Array.from({ length: workload.params.accounts }, (_, i) => addressAt(workload, i))
    await fundOnSluice(l1, sequencer.rpcUrl, accounts, FUNDED_BALANCE, log)
    const report = await runLoad({
      rpcUrl: sequencer.rpcUrl,
      raws: workload.raws,
      durationMs: s.durationS * 1000,
      rate: s.rate,
      batchSize: 200,
      concurrency: 8,
      log: (m) => log(`    ${m}`),
    })
    log(`  ${da}: ${report.included} transfers included, largest block ${report.blocks.maxTxs} transactions`)
    // Every block on L1, derived back (safe), and a claim on the last batch.
    const unsafe = BigInt(
      ((await jsonRpc(sequencer.rpcUrl, 'sluice_syncStatus')) as { unsafe: { number: Hex } }).unsafe.number,
    )
    await waitFor(
      `${da}: the load's batches to be safe and claimed`,
      async () => {
        const status = (await jsonRpc(sequencer.rpcUrl, 'sluice_syncStatus')) as {
          safe: { number: Hex }
          batches: { lastIndex: Hex | null }
        }
        if (BigInt(status.safe.number) < unsafe || status.batches.lastIndex === null) return undefined
        const claims = await pages<ClaimJson>(sequencer.rpcUrl, 'sluice_getClaims', 'claims')
        return claims.some((c) => BigInt(c.batchIndex) >= BigInt(status.batches.lastIndex as Hex)) ? true : undefined
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    )
    const batches = (await pages<BatchJson>(sequencer.rpcUrl, 'sluice_getBatches', 'batches')).sort((a, b) =>
      Number(BigInt(a.index) - BigInt(b.index)),
    )
    const claims = await pages<ClaimJson>(sequencer.rpcUrl, 'sluice_getClaims', 'claims')
    const claimGas = new Map<bigint, number>()
    for (const claim of claims) {
      const receipt = (await jsonRpc(l1.anvil.rpcUrl, 'eth_getTransactionReceipt', [claim.l1TransactionHash])) as {
        gasUsed: Hex
      }
      claimGas.set(BigInt(claim.batchIndex), Number(BigInt(receipt.gasUsed)))
    }
    const largest = Math.max(...batches.map((b) => Number(BigInt(b.transactionSlots))))
    let lastClaimed = -1n
    let execution = 0
    let blob = 0
    let claimShare = 0
    let transfers = 0
    let bytes = 0
    const fills: number[] = []
    const blobCounts: number[] = []
    let counted = 0
    for (const batch of batches) {
      const index = BigInt(batch.index)
      const slots = Number(BigInt(batch.transactionSlots))
      // The claim at this batch covers the batches since the previous claim.
      const covering = [...claimGas.keys()].filter((b) => b >= index).sort((a, b) => (a < b ? -1 : 1))[0]
      const coveredSlots = batches
        .filter((b) => BigInt(b.index) > lastClaimed && covering !== undefined && BigInt(b.index) <= covering)
        .reduce((sum, b) => sum + Number(BigInt(b.transactionSlots)), 0)
      if (covering === index) lastClaimed = index
      if (slots < FULL_SHARE * largest || batch.l1GasUsed === null || covering === undefined) continue
      counted++
      execution += Number(BigInt(batch.l1GasUsed))
      blob += Number(BigInt(batch.l1BlobGasUsed ?? '0x0'))
      // This batch's share of its claim: its slots over all the slots the claim covers.
      claimShare += ((claimGas.get(covering) as number) * slots) / coveredSlots
      transfers += slots
      bytes += batch.bytes ?? 0
      if (batch.blobFill !== null) fills.push(batch.blobFill)
      if (batch.dataAvailability.kind === 'blobs') blobCounts.push(batch.dataAvailability.blobCount)
    }
    if (counted === 0) throw new Error(`${da}: no full batch with its receipt and claim`)
    ok = true
    const perTransfer = (execution + blob + claimShare) / transfers
    return {
      da,
      batches: counted,
      transfers,
      executionGasPerTransfer: Math.round(execution / transfers),
      blobGasPerTransfer: Math.round(blob / transfers),
      claimGasPerTransfer: Number((claimShare / transfers).toFixed(1)),
      percentOfL1Transfer: Number(((100 * perTransfer) / L1_TRANSFER_GAS).toFixed(3)),
      bytesPerTransfer: Number((bytes / transfers).toFixed(2)),
      blobFill: fills.length === 0 ? undefined : Number(median(fills).toFixed(3)),
      blobsPerBatch: blobCounts.length === 0 ? undefined : median(blobCounts),
      largestBlockTxs: report.blocks.maxTxs,
      included: report.included,
    }
  } finally {
    await stopAll()
    if (ok && process.env.BENCH_KEEP_DIRS === undefined) removeDir(dir)
    else log(`  ${da}: logs kept in ${dir}`)
  }
}

const l1Group: FigureGroup = {
  names: ['l1.costPerTransfer', 'l1.blobFill', 'l1.largestBlock'],
  async run({ quick }): Promise<FigureResult[]> {
    const s = sizes(quick)
    const load = loadavg()[0] as number
    const workload = standardWorkload({
      accounts: s.accounts,
      txs: Math.ceil(s.rate * s.durationS * 1.05),
      chainId: e2eConfig().chainId,
      baseFeePerGas: e2eConfig().baseFeePerGas,
    })
    const blobs = await runDa('blobs', workload, s)
    const calldata = await runDa('calldata', workload, s)
    log(`  l1: ${JSON.stringify({ blobs, calldata })}`)
    const note = (run: DaRun) =>
      `${run.da}: ${run.batches} full batches, ${run.transfers} transfers; gas per transfer ${run.executionGasPerTransfer} execution + ${run.blobGasPerTransfer} blob + ${run.claimGasPerTransfer} claim; ${run.bytesPerTransfer} bytes/transfer${run.blobFill === undefined ? '' : `; blob fill ${run.blobFill} (${run.blobsPerBatch} blobs/batch)`}; largest block ${run.largestBlockTxs} txs`
    const common = `load average ${load.toFixed(2)} at start; ${s.durationS} s at ${s.rate} tx/s offered, 1 s L2 blocks, 1 s anvil blocks`
    return [
      {
        name: 'l1.costPerTransfer',
        unit: '% of 21,000 gas',
        value: blobs.percentOfL1Transfer,
        peer: 'calldata batches',
        peerValue: calldata.percentOfL1Transfer,
        ratio: blobs.percentOfL1Transfer / calldata.percentOfL1Transfer,
        size: blobs.transfers,
        peerSize: calldata.transfers,
        samples: [blobs.percentOfL1Transfer],
        peerSamples: [calldata.percentOfL1Transfer],
        target: TARGET_PERCENT,
        note: `blob gas priced like execution gas. ${note(blobs)}. ${note(calldata)}. ${common}`,
      },
      {
        name: 'l1.blobFill',
        unit: 'body bytes / blob bytes',
        value: blobs.blobFill ?? Number.NaN,
        size: blobs.batches,
        samples: blobs.blobFill === undefined ? [] : [blobs.blobFill],
        note: `median over full blob batches (${blobs.blobsPerBatch} blobs each); ${blobs.bytesPerTransfer} body bytes per transfer`,
      },
      {
        name: 'l1.largestBlock',
        unit: 'transactions',
        value: blobs.largestBlockTxs,
        peer: 'calldata batches',
        peerValue: calldata.largestBlockTxs,
        ratio: blobs.largestBlockTxs / calldata.largestBlockTxs,
        samples: [blobs.largestBlockTxs],
        peerSamples: [calldata.largestBlockTxs],
        note: `the largest L2 block of each run (1 s blocks; ${s.rate} tx/s offered): with blobs a block is capped by one blob batch, with calldata by one ${e2eConfig().maxBatchBytes}-byte batch`,
      },
    ]
  },
}

export const figures: FigureGroup[] = [l1Group]
