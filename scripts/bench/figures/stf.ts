/**
 * stf.transfer: signed EIP-1559 transfers of the standard workload (workload.ts) through the state
 * transition, state on LevelDB, roots committed per block of 1,000 (../shared/DESIGN.md,
 * Performance). Ours: raw bytes → sender recovery and transaction hashes in a worker pool, as the
 * verifier's planner does (overlapping the previous block's execution, as a node does) → decode →
 * `applyBlock` → `StateDb.commit`. Peer:
 * @ethereumjs/vm in its fastest configuration (Cancun, native ecrecover and hash-wasm keccak
 * through `customCrypto`, `Caches`, `runTx` per transaction, one checkpoint/commit and root per
 * block) on the same transactions over the same pre-state. Each side runs in its own process
 * (stf/subject.ts); the per-block rates are the samples, the figures their medians.
 *
 * The peer runs a prefix of the same transactions (it is ~20× slower); its root after that prefix,
 * with the base fee it burned credited to the fee vault (we pay all fees to the vault), must equal
 * our root after the same block: `rootsAgree`.
 */
import { availableParallelism, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { type FigureGroup, type FigureResult, log, median, type RunOptions, runChild } from '../harness.ts'
import type { SubjectResult } from '../stf/subject.ts'

const SUBJECT = fileURLToPath(new URL('../stf/subject.ts', import.meta.url))
const BLOCK = 1000

export type StfTransferSizes = { accounts: number; txs: number; peerTxs: number; threads: number }

export function stfSizes(quick: boolean): StfTransferSizes {
  return quick
    ? { accounts: 100_000, txs: 20_000, peerTxs: 3_000, threads: availableParallelism() }
    : { accounts: 1_000_000, txs: 100_000, peerTxs: 10_000, threads: availableParallelism() }
}

export type StfTransferResult = FigureResult & {
  txs: number
  peerTxs: number
  threads: number
  /**
   * Ours over the same blocks the peer ran (the first ones, where both sides still load trie
   * nodes from LevelDB) ÷ the peer: the strictest comparison.
   */
  ratioSameBlocks: number
  rootsAgree: boolean
  noops: number | undefined
  peerFailed: number | undefined
  loadAverage: number
  /** CPU µs per transfer (main thread; whole process incl. recovery workers and LevelDB threads). */
  cpuUsPerTx: SubjectResult['cpuUsPerTx']
  peerCpuUsPerTx: SubjectResult['cpuUsPerTx']
  /** peer process CPU per transfer ÷ ours: the ratio with the machine's other load taken out. */
  cpuRatio: number | undefined
}

/** Measures ours and the peer on the standard workload at the given sizes. */
export async function measureStfTransfer(sizes: StfTransferSizes): Promise<StfTransferResult> {
  const common = ['--accounts', String(sizes.accounts), '--txs', String(sizes.txs), '--block', String(BLOCK)]
  log(`  stf.transfer: ours, ${sizes.txs} transfers over ${sizes.accounts} accounts, ${sizes.threads} recovery threads`)
  const ours = await runChild<SubjectResult>(SUBJECT, [...common, '--impl', 'ours', '--threads', String(sizes.threads)])
  log(`  stf.transfer: @ethereumjs/vm, first ${sizes.peerTxs} of the same transfers`)
  const peer = await runChild<SubjectResult>(SUBJECT, [
    ...common,
    '--impl',
    'ethereumjs',
    '--run-txs',
    String(sizes.peerTxs),
  ])
  const peerBlocks = Math.ceil(sizes.peerTxs / BLOCK)
  const ourRootThere = ours.blockRoots?.[peerBlocks - 1]
  const rootsAgree = ourRootThere !== undefined && ourRootThere === peer.root
  if (!rootsAgree) {
    log(`  WARNING stf.transfer: roots differ after block ${peerBlocks}: ours ${ourRootThere}, ethereumjs ${peer.root}`)
  }
  const value = median(ours.rates)
  const peerValue = median(peer.rates)
  const load = loadavg()[0] ?? 0
  return {
    name: 'stf.transfer',
    unit: 'tx/s',
    value,
    peer: '@ethereumjs/vm',
    peerValue,
    ratio: value / peerValue,
    ratioSameBlocks: Number((median(ours.rates.slice(0, peer.rates.length)) / peerValue).toFixed(2)),
    size: sizes.accounts,
    txs: ours.txs,
    peerTxs: peer.txs,
    samples: ours.rates,
    peerSamples: peer.rates,
    target: 10_000,
    threads: sizes.threads,
    rootsAgree,
    noops: ours.noops,
    peerFailed: peer.failed,
    loadAverage: Number(load.toFixed(2)),
    cpuUsPerTx: ours.cpuUsPerTx,
    peerCpuUsPerTx: peer.cpuUsPerTx,
    // the same numbers under the names every figure uses
    cpuUsPerOp: ours.cpuUsPerTx,
    peerCpuUsPerOp: peer.cpuUsPerTx,
    peakRssMiB: ours.peakRssMiB,
    peerPeakRssMiB: peer.peakRssMiB,
    cpuRatio:
      ours.cpuUsPerTx && peer.cpuUsPerTx
        ? Number((peer.cpuUsPerTx.process / ours.cpuUsPerTx.process).toFixed(2))
        : undefined,
    note:
      `size = funded accounts; blocks of ${BLOCK} transfers, root + LevelDB commit per block (ours pipelined: block n+1 executes, its accounts prefetched, while block n's batch is written; each batch is written before the next is submitted); medians of per-block rates. ` +
      `The peer runs the first ${peer.txs} of our ${ours.txs} transfers; rootsAgree compares the roots after that block ` +
      '(ethereumjs burns the base fee, so it is credited back to the vault before comparing). ' +
      'Signing and pre-state building are not timed. Rates are wall-clock and drop when other processes share the cores; ' +
      `cpuUsPerTx/cpuRatio do not. 1-minute load average at the end: ${load.toFixed(2)} on ${availableParallelism()} cores.`,
  }
}

const stfGroup: FigureGroup = {
  names: ['stf.transfer'],
  async run(options: RunOptions): Promise<FigureResult[]> {
    return [await measureStfTransfer(stfSizes(options.quick))]
  },
}

export const figures: FigureGroup[] = [stfGroup]
