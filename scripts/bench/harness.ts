/**
 * Shared benchmark machinery: timing, medians, temp LevelDB directories, child-process subjects
 * and the standard workloads (a seeded PRNG, account-shaped values).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One reported figure (one object of the `--json` array). */
export type FigureResult = {
  name: string
  unit: string
  /** Our median. */
  value: number
  peer?: string
  /** The peer's median. */
  peerValue?: number
  /** value / peerValue. */
  ratio?: number
  /** Work size for our side (e.g. accounts in the trie). */
  size?: number
  /** Work size for the peer when it differs from `size`. */
  peerSize?: number
  /** Our per-window rates, all runs pooled. */
  samples: number[]
  peerSamples?: number[]
  /** What we aim for (same unit). */
  target?: number
  /** Anything a reader needs to interpret the numbers. */
  note?: string
  /**
   * CPU time per operation of `unit` (transaction, trie op), µs: the whole process (main thread,
   * workers, LevelDB and V8 threads) and its main thread alone. Independent of the machine's other
   * load, unlike the rates: the number to compare between runs on a shared machine.
   */
  cpuUsPerOp?: CpuPerOp | undefined
  peerCpuUsPerOp?: CpuPerOp | undefined
  /** Peak resident set size of our process (and the peer's), MiB. */
  peakRssMiB?: number | undefined
  peerPeakRssMiB?: number | undefined
}

/** CPU µs per operation: the process and its main thread. */
export type CpuPerOp = { process: number; mainThread: number }

/** CPU time used so far, µs, and the peak RSS so far, MiB. */
export type CpuSample = { processUs: number; mainThreadUs: number; peakRssMiB: number }

/** This process: `process.cpuUsage()` (all threads), `process.threadCpuUsage()` (the main thread), max RSS. */
export function selfCpu(): CpuSample {
  const all = process.cpuUsage()
  const main = process.threadCpuUsage()
  return {
    processUs: all.user + all.system,
    mainThreadUs: main.user + main.system,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }
}

const CLOCK_TICKS_PER_SECOND = 100

function statTicks(path: string): number {
  const stat = readFileSync(path, 'utf8')
  // fields after the command name (which may hold spaces) start after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // fields 14, 15: utime, stime
}

/**
 * Another process, from /proc: CPU of all its threads (including those that exited), of its main
 * thread (the task whose id is the pid), and its peak RSS (VmHWM). 10 ms resolution. Read it
 * before the process exits.
 */
export function processCpu(pid: number): CpuSample {
  const tick = 1e6 / CLOCK_TICKS_PER_SECOND
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status)
  return {
    processUs: statTicks(`/proc/${pid}/stat`) * tick,
    mainThreadUs: statTicks(`/proc/${pid}/task/${pid}/stat`) * tick,
    peakRssMiB: hwm === null ? Number.NaN : Math.round(Number(hwm[1]) / 1024),
  }
}

/**
 * A process group (a node started by test/support/processes.ts, or anvil behind its Node wrapper):
 * CPU of all its processes, the main thread of its busiest process, the largest peak RSS among them.
 */
export function processGroupCpu(pgid: number): CpuSample {
  const out: CpuSample = { processUs: 0, mainThreadUs: 0, peakRssMiB: 0 }
  let busiest = -1
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) !== pgid) continue // field 5: pgrp
      const sample = processCpu(Number(entry))
      out.processUs += sample.processUs
      out.peakRssMiB = Math.max(out.peakRssMiB, sample.peakRssMiB)
      if (sample.processUs > busiest) {
        busiest = sample.processUs
        out.mainThreadUs = sample.mainThreadUs
      }
    } catch {
      // exited meanwhile
    }
  }
  return out
}

/** CPU µs per thread name of a live process (threads that exited are not listed), for profiling notes. */
export function threadCpuByName(pid: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      const name = tid === String(pid) ? 'main' : comm
      out[name] = (out[name] ?? 0) + (statTicks(`/proc/${pid}/task/${tid}/stat`) * 1e6) / CLOCK_TICKS_PER_SECOND
    } catch {
      // exited meanwhile
    }
  }
  return out
}

/** Per-thread CPU µs per operation between two `threadCpuByName` samples (threads under 0.5 µs left out). */
export function threadCpuPerOp(
  before: Record<string, number>,
  after: Record<string, number>,
  ops: number,
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, us] of Object.entries(after)) {
    const per = (us - (before[name] ?? 0)) / ops
    if (per >= 0.5) out[name] = Number(per.toFixed(1))
  }
  return out
}

/** CPU per operation between two samples. */
export function cpuPerOp(before: CpuSample, after: CpuSample, ops: number): CpuPerOp {
  return {
    process: Number(((after.processUs - before.processUs) / ops).toFixed(2)),
    mainThread: Number(((after.mainThreadUs - before.mainThreadUs) / ops).toFixed(2)),
  }
}

export type RunOptions = { quick: boolean }

/** A group of figures measured together (e.g. inserts then updates on the same database). */
export type FigureGroup = {
  /** Names of the figures this group produces; `--only` matches them by prefix. */
  names: string[]
  run(options: RunOptions): Promise<FigureResult[]>
}

export function log(...parts: unknown[]): void {
  process.stderr.write(`${parts.map(String).join(' ')}\n`)
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function nowMs(): number {
  return performance.now()
}

/** Records ops/s per window of `windowOps` operations. */
export class WindowTimer {
  readonly windowOps: number
  readonly rates: number[] = []
  private start = nowMs()
  private ops = 0

  constructor(windowOps: number) {
    this.windowOps = windowOps
  }

  /** Resets the clock (call right before the measured loop). */
  restart(): void {
    this.start = nowMs()
    this.ops = 0
  }

  /** Call after each unit of work is complete (e.g. after a commit of `count` operations). */
  add(count: number): void {
    this.ops += count
    if (this.ops >= this.windowOps) {
      const t = nowMs()
      this.rates.push((this.ops * 1000) / (t - this.start))
      this.start = t
      this.ops = 0
    }
  }
}

/** A fresh temp directory under os.tmpdir(); remove it with `removeDir`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sluice-bench-${prefix}-`))
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

import { Prng } from '../../test/support/prng.ts'

export { Prng }

const EMPTY_TRIE_ROOT = Uint8Array.from(
  Buffer.from('56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421', 'hex'),
)
const EMPTY_CODE_HASH = Uint8Array.from(
  Buffer.from('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470', 'hex'),
)

function rlpInt(bytes: Uint8Array): Uint8Array {
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  const v = bytes.subarray(i)
  if (v.length === 1 && (v[0] as number) < 0x80) return v
  const out = new Uint8Array(v.length + 1)
  out[0] = 0x80 + v.length
  out.set(v, 1)
  return out
}

/**
 * An account-shaped value, `rlp([nonce, balance, EMPTY_TRIE_ROOT, EMPTY_CODE_HASH])`, with a random
 * nonce (up to 3 bytes) and balance (up to 12 bytes): 70–85 bytes, like a real account.
 */
export function accountValue(prng: Prng): Uint8Array {
  const nonce = rlpInt(prng.bytes(1 + prng.int(3)))
  const balance = rlpInt(prng.bytes(1 + prng.int(12)))
  const payload = nonce.length + balance.length + 66
  const out = new Uint8Array(2 + payload)
  out[0] = 0xf8
  out[1] = payload
  let o = 2
  out.set(nonce, o)
  o += nonce.length
  out.set(balance, o)
  o += balance.length
  out[o++] = 0xa0
  out.set(EMPTY_TRIE_ROOT, o)
  o += 32
  out[o++] = 0xa0
  out.set(EMPTY_CODE_HASH, o)
  return out
}

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const nodeBinary = join(repoRoot, 'node_modules', '.bin', 'node')

/**
 * Runs `script` (a .ts file) in a fresh Node process, so GC state, caches and JIT warm-up of one
 * subject never bias another. The child prints one JSON value on its last stdout line; its stderr
 * is passed through.
 */
export function runChild<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(nodeBinary, ['--max-old-space-size=8192', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      out += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${script} ${args.join(' ')} exited with ${code}`))
        return
      }
      const lines = out.trim().split('\n')
      try {
        resolvePromise(JSON.parse(lines[lines.length - 1] ?? '') as T)
      } catch (error) {
        reject(new Error(`${script} printed no JSON result: ${String(error)}`))
      }
    })
  })
}

/** Parses `--name value` pairs of a subject's argv. */
export function parseArgs(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a.startsWith('--')) {
      const next = argv[i + 1]
      if (next !== undefined && !next.startsWith('--')) {
        out[a.slice(2)] = next
        i++
      } else {
        out[a.slice(2)] = 'true'
      }
    }
  }
  return out
}
