/**
 * The load generator in a process of its own, for the benches: it shares the cores with the node it
 * measures, so it gets only what the window needs (the raw transactions, once, as one buffer) and
 * none of the bench's heap — the whole signed workload, results, metrics scrapes — which every full
 * GC of the bench process marks. Its CPU is then the generator's alone (`LoadReport.generatorCpu`).
 *
 * `startLoadProcess(options)` spawns this file, which reads the transactions from a temp file, builds
 * the requests (prepareLoad) and says so;
 * `run()` then opens the window and resolves with the report. The child's log lines come back
 * through `options.log`; it exits when the parent goes away.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LoadOptions, type LoadReport, prepareLoad } from './loadgen.ts'

type ChildOptions = Omit<LoadOptions, 'raws' | 'log'>

type ToChild = { kind: 'prepare'; options: ChildOptions; rawsFile: string; lengths: Uint32Array } | { kind: 'run' }
type FromChild =
  | { kind: 'log'; message: string }
  | { kind: 'prepared' }
  | { kind: 'report'; report: LoadReport }
  | { kind: 'failed'; message: string }

export type LoadProcess = {
  /** The generator's process id (for /proc). */
  pid: number
  /** Opens the window; resolves with the report when the load is done, and the process exits. */
  run(): Promise<LoadReport>
  /** Ends the process if it is still running (after a failure). */
  kill(): void
}

/** Starts the generator in a child process and waits until its requests are built. */
export async function startLoadProcess(options: LoadOptions): Promise<LoadProcess> {
  const { raws, log = () => {}, ...rest } = options
  // The raw transactions go through a file: a message of tens of MB over the IPC channel is
  // reassembled with a copy per chunk received.
  const dir = mkdtempSync(join(tmpdir(), 'sluice-loadgen-'))
  const rawsFile = join(dir, 'raws.bin')
  const lengths = new Uint32Array(raws.length)
  for (let i = 0; i < raws.length; i++) lengths[i] = (raws[i] as Uint8Array).length
  writeFileSync(rawsFile, Buffer.concat(raws as Uint8Array[]))
  // BENCH_LOADGEN_CPU_PROF=<dir>: the generator runs under --cpu-prof (its preparation and its load)
  const profileDir = process.env.BENCH_LOADGEN_CPU_PROF
  const child = fork(import.meta.filename, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const next = listen(child, log)
  child.send({ kind: 'prepare', options: rest, rawsFile, lengths } satisfies ToChild)
  try {
    await next('prepared')
  } catch (error) {
    child.kill()
    throw error
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return {
    pid: child.pid as number,
    async run() {
      const done = next('report')
      child.send({ kind: 'run' } satisfies ToChild)
      const message = await done
      // it exits by itself (writing its profile, if any)
      await exited
      return (message as Extract<FromChild, { kind: 'report' }>).report
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill()
    },
  }
}

/** `next(kind)` resolves with the child's next message of that kind; rejects when it fails or exits first. */
function listen(child: ChildProcess, log: (message: string) => void) {
  let waiter: { kind: string; resolve: (m: FromChild) => void; reject: (e: Error) => void } | undefined
  let ended: Error | undefined
  const fail = (error: Error) => {
    ended ??= error
    waiter?.reject(error)
    waiter = undefined
  }
  child.on('message', (message: FromChild) => {
    if (message.kind === 'log') log(message.message)
    else if (message.kind === 'failed') fail(new Error(`the load generator failed: ${message.message}`))
    else if (waiter?.kind === message.kind) {
      waiter.resolve(message)
      waiter = undefined
    }
  })
  child.on('error', fail)
  child.on('exit', (code, signal) => fail(new Error(`the load generator exited (${signal ?? `code ${code}`})`)))
  return (kind: FromChild['kind']) =>
    new Promise<FromChild>((resolve, reject) => {
      if (ended !== undefined) reject(ended)
      else waiter = { kind, resolve, reject }
    })
}

async function child(): Promise<void> {
  const send = (message: FromChild) => process.send?.(message)
  // the parent gone, nobody reads the report
  process.on('disconnect', () => process.exit(0))
  const first = await nextMessage()
  if (first.kind !== 'prepare') throw new Error(`expected the load first, got ${first.kind}`)
  const packed = readFileSync(first.rawsFile)
  const raws: Uint8Array[] = new Array(first.lengths.length)
  let offset = 0
  for (let i = 0; i < raws.length; i++) {
    const length = first.lengths[i] as number
    raws[i] = packed.subarray(offset, offset + length)
    offset += length
  }
  const prepared = prepareLoad({ ...first.options, raws, log: (message) => send({ kind: 'log', message }) })
  send({ kind: 'prepared' })
  await nextMessage()
  const report = await prepared.run()
  send({ kind: 'report', report })
  process.disconnect()
}

function nextMessage(): Promise<ToChild> {
  return new Promise((resolve) => process.once('message', resolve))
}

if (process.send !== undefined && import.meta.filename === process.argv[1]) {
  try {
    await child()
  } catch (error) {
    process.send({
      kind: 'failed',
      message: error instanceof Error ? error.message : String(error),
    } satisfies FromChild)
    process.exitCode = 1
    process.disconnect()
  }
}
