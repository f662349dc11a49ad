/**
 * Settings a node gives its own process that only take effect when the process starts: V8's flags
 * (the young generation is sized when V8's heap is set up) and environment variables the C library
 * reads before any JavaScript runs (glibc's `MALLOC_ARENA_MAX`). A node applies them by replacing its
 * process image once, in place (`process.execve`: same pid, same arguments, same environment plus
 * these), before it opens anything. The operator's own choice always wins: a flag already given in
 * `NODE_OPTIONS` or on node's command line, or a variable already set, is left as it is; with
 * `SLUICE_PROCESS_DEFAULTS` set (e.g. to `off`) the node applies none.
 */

export type ProcessDefaults = {
  /** Node/V8 flags, each `--name=value`. */
  readonly nodeFlags: readonly string[]
  /** Environment variables. */
  readonly env: Readonly<Record<string, string>>
}

/** Set by the operator to apply none; set to `applied` in the replaced process, so that it does not replace itself again. */
export const PROCESS_DEFAULTS_MARK = 'SLUICE_PROCESS_DEFAULTS'

/** `--max_semi_space_size=32` and `--max-semi-space-size 32` name the same flag. */
function flagName(arg: string): string {
  return (arg.split('=')[0] as string).replaceAll('_', '-')
}

/** The defaults that the operator has not set in `execArgv`, `NODE_OPTIONS` or the environment. */
export function missingProcessDefaults(
  defaults: ProcessDefaults,
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ProcessDefaults {
  const given = new Set(
    [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].filter((arg) => arg.startsWith('--')).map(flagName),
  )
  return {
    nodeFlags: defaults.nodeFlags.filter((flag) => !given.has(flagName(flag))),
    env: Object.fromEntries(Object.entries(defaults.env).filter(([name]) => env[name] === undefined)),
  }
}

/**
 * Replaces this process with itself plus the missing defaults, once; returns without doing anything
 * when none is missing, when it already did or the operator turned them off, or where
 * `process.execve` does not exist (Windows).
 */
export function applyProcessDefaults(defaults: ProcessDefaults): void {
  if (process.env[PROCESS_DEFAULTS_MARK] !== undefined || typeof process.execve !== 'function') return
  const missing = missingProcessDefaults(defaults, process.execArgv, process.env)
  if (missing.nodeFlags.length === 0 && Object.keys(missing.env).length === 0) return
  process.execve(
    process.execPath,
    [process.execPath, ...missing.nodeFlags, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, ...missing.env, [PROCESS_DEFAULTS_MARK]: 'applied' },
  )
}
