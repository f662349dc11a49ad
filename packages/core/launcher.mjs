/**
 * Starts a Sluice executable written in TypeScript however it is invoked. Plain JavaScript that any
 * Node since 14 can run: a `bin` entry runs this with whatever `node` comes first on PATH (the
 * system's, often older than the project's). Node 24.11+ strips the types itself, so the entry is
 * imported in this process; an older Node re-executes it with the project's pinned Node
 * (`node_modules/.bin/node`, found from this file's location, not the working directory); without
 * one it refuses with what to do.
 */
import { spawn } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The Node the TypeScript sources need (package.json `engines`). */
const REQUIRED = [24, 11]
/** Set on a re-executed child: a pinned Node that still cannot run the sources must not loop. */
const REEXEC_MARK = 'SLUICE_LAUNCHER_REEXEC'

function canRunTypeScript() {
  const [major, minor] = process.versions.node.split('.').map(Number)
  const recent = major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1])
  return recent && Boolean(process.features?.typescript)
}

/** The nearest `node_modules/.bin/node` above this file, or undefined. */
function pinnedNode() {
  for (let dir = dirname(realpathSync(fileURLToPath(import.meta.url))); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'node')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

function refuse(name, why) {
  process.stderr.write(
    `${name}: needs Node ${REQUIRED.join('.')} or later (it runs TypeScript sources); ${why}.\n` +
      `Run it through npm so that the project's pinned Node is used: \`npx ${name} …\` from the project ` +
      'directory, or run `npm ci` there so that node_modules/.bin/node exists.\n',
  )
  process.exit(1)
}

/**
 * Runs `entry` (a URL of the executable's `.ts` main) as program `name`, with this process's
 * arguments, environment and standard streams.
 *
 * @param {string} name
 * @param {URL} entry
 */
export async function launch(name, entry) {
  if (canRunTypeScript()) {
    await import(entry.href)
    return
  }
  const here = `this is Node ${process.versions.node} (${process.execPath})`
  if (process.env[REEXEC_MARK] !== undefined) refuse(name, here)
  const node = pinnedNode()
  if (node === undefined) refuse(name, `${here}, and no node_modules/.bin/node was found above ${fileURLToPath(entry)}`)
  const child = spawn(node, [fileURLToPath(entry), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [REEXEC_MARK]: '1' },
  })
  // The child does the work; this process only passes signals on and exits as it does.
  const forward = (signal) => child.kill(signal)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward)
  child.on('error', (error) => refuse(name, `${here}, and ${node} could not be started (${error.message})`))
  child.on('exit', (code, signal) => {
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(name, forward)
    if (signal !== null) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
