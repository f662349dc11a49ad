/**
 * The devnet's child processes: each in its own process group (so a stop reaches its children),
 * its output appended to a log file, stopped with SIGTERM and, after a grace period, SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { createServer } from 'node:net'
import { SluiceError } from '@sluice/core'

/** A devnet step failed; the message says what to do. */
export class DevnetError extends SluiceError {
  override name = 'DevnetError'
  constructor(shortMessage: string, details?: string) {
    super(shortMessage, { details, severity: 'critical', code: 'DEVNET' })
  }
}

export type Component = {
  name: string
  command: string[]
  cwd: string
  logFile: string
  child: ChildProcess
  /** Resolves with the exit code or signal once the process has exited. */
  exited: Promise<number | string>
}

/** Starts `command` in `cwd` in a new process group, appending its output to `logFile`. */
export function startComponent(name: string, command: string[], cwd: string, logFile: string): Component {
  const log = createWriteStream(logFile, { flags: 'a' })
  const [file, ...args] = command
  const child = spawn(file as string, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
    child.once('error', () => resolve(-1))
  })
  return { name, command, cwd, logFile, child, exited }
}

function running(component: Component): boolean {
  return component.child.exitCode === null && component.child.signalCode === null
}

function signalGroup(component: Component, signal: NodeJS.Signals): void {
  const pid = component.child.pid
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // The group is gone.
  }
}

/** SIGTERM to the component's group; SIGKILL after `graceMs`; waits for the exit. */
export async function stopComponent(component: Component, graceMs = 10_000): Promise<void> {
  if (running(component)) {
    signalGroup(component, 'SIGTERM')
    const timer = setTimeout(() => signalGroup(component, 'SIGKILL'), graceMs)
    await component.exited
    clearTimeout(timer)
  }
  // Children the leader left behind.
  signalGroup(component, 'SIGKILL')
}

/** Throws a `DevnetError` naming the flag to change when `port` on `host` is taken. */
export async function assertPortFree(host: string, port: number, flag: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new DevnetError(
          `Port ${port} on ${host} is in use (${error.code ?? error.message}): stop what uses it (is a devnet already running?) or pass ${flag} <port>.`,
        ),
      ),
    )
    server.listen(port, host, () => server.close(() => resolve()))
  })
}

/** Polls `condition` every `intervalMs` until it returns a value; throws `DevnetError` at the deadline. */
export async function waitUntil<T>(
  what: string,
  condition: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 250, component }: { timeoutMs: number; intervalMs?: number; component?: Component },
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    if (component !== undefined && !running(component)) {
      throw new DevnetError(
        `${component.name} exited while waiting for ${what}; see ${component.logFile}.`,
        `command: ${component.command.join(' ')}`,
      )
    }
    try {
      const value = await condition()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new DevnetError(
    `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}.`,
    [component ? `log: ${component.logFile}` : undefined, lastError ? `last error: ${String(lastError)}` : undefined]
      .filter(Boolean)
      .join('\n'),
  )
}

/** GET `url`/health answers 200. */
export async function healthy(rpcUrl: string): Promise<true | undefined> {
  const response = await fetch(new URL('/health', rpcUrl), { signal: AbortSignal.timeout(2000) })
  return response.status === 200 ? true : undefined
}
