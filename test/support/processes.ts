/**
 * Real processes for end-to-end tests: free ports, anvil, node executables, each started in its own
 * process group so that `stopAll` kills the whole group (children included), even after a failure.
 * Waits poll a condition until a deadline; no fixed sleeps.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'

export const REPO_ROOT = join(import.meta.dirname, '..', '..')
export const BIN = join(REPO_ROOT, 'node_modules', '.bin')
/** Node 24 from the `node` devDependency: the node executables need it whatever node runs vitest. */
export const NODE_BIN = join(BIN, 'node')

/**
 * The first `node` on PATH that is not the pinned one, with its major version: what a user's shell
 * runs for `#!/usr/bin/env node`. Throws when there is none, since the tests that need it are about
 * exactly that case (these machines have Node 20 in /usr/bin).
 */
export function systemNode(): { path: string; major: number; pathWithout: string } {
  const dirs = (process.env.PATH ?? '').split(':').filter((dir) => dir !== '' && !dir.includes('node_modules'))
  for (const dir of ['/usr/bin', '/usr/local/bin', ...dirs]) {
    const path = join(dir, 'node')
    if (!existsSync(path)) continue
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()
    return { path, major: Number(version.slice(1).split('.')[0]), pathWithout: [...new Set([dir, ...dirs])].join(':') }
  }
  throw new Error('no system node outside node_modules on PATH; these tests run an executable with it')
}

/** anvil's development accounts come from this mnemonic. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'
export function devAccount(index: number) {
  const account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index })
  return { account, address: account.address, privateKey: toHex(account.getHdKey().privateKey as Uint8Array) }
}

/** Ports this process handed out: the OS may give a just-closed port again to the next caller. */
const handedOut = new Set<number>()

/**
 * A loopback port free now and never returned before by this process: two calls in a row (a node's
 * RPC and p2p ports) once got the same port, and the node exited with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        const port = typeof address === 'object' && address !== null ? address.port : 0
        server.close(() => resolve(port))
      })
    })
    if (handedOut.has(port)) continue
    handedOut.add(port)
    return port
  }
}

export function tempDir(prefix = 'sluice-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Polls `condition` until it returns a value other than undefined/false, or throws at the deadline. */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const value = await condition()
      if (value !== undefined && value !== false) return value as T
    } catch (error) {
      lastError = error
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`)
}

export type Started = {
  name: string
  child: ChildProcess
  /** Where stdout and stderr go. */
  logFile: string
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | string>
  /** Kills the whole process group with `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>
}

const started = new Set<Started>()

/** Starts `command` in its own process group, logging to `<dir>/<name>.log`. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  { dir, env, cwd }: { dir: string; env?: Record<string, string>; cwd?: string },
): Started {
  const logFile = join(dir, `${name}.log`)
  const log = createWriteStream(logFile, { flags: 'a' })
  const child = spawn(command, args, {
    cwd: cwd ?? REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
  })
  const handle: Started = {
    name,
    child,
    logFile,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal)
        } catch {
          // already gone
        }
        const timeout = setTimeout(() => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
          } catch {
            // already gone
          }
        }, 10_000)
        await exited
        clearTimeout(timeout)
      }
      // The group may outlive its leader (grandchildren); kill what is left.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // none left
      }
      started.delete(handle)
    },
  }
  started.add(handle)
  return handle
}

/** Kills every process group started through this module. Call it in `afterAll`. */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((handle) => handle.stop('SIGKILL')))
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

export type Anvil = Started & { rpcUrl: string; port: number }

/** Starts anvil on a free port and waits until it answers. */
export async function startAnvil(
  dir: string,
  { blockTime, extraArgs = [] }: { blockTime?: number; extraArgs?: string[] } = {},
): Promise<Anvil> {
  const port = await freePort()
  const args = ['--port', String(port), '--host', '127.0.0.1', '--silent', ...extraArgs]
  if (blockTime !== undefined) args.push('--block-time', String(blockTime))
  const handle = startProcess(`anvil-${port}`, join(BIN, 'anvil'), args, { dir })
  const rpcUrl = `http://127.0.0.1:${port}`
  await waitFor('anvil to answer', () => rpc(rpcUrl, 'eth_chainId'), { timeoutMs: 20_000 })
  return Object.assign(handle, { rpcUrl, port })
}

export { rpc as jsonRpc }
