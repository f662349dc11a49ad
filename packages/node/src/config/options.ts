import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { SluiceError } from '@sluice/core'

/**
 * One option of a node executable: where it comes from (flag, environment, config file) and how it
 * parses. Precedence: flag > environment > config file > default.
 */
export type OptionSpec = {
  /** camelCase name: the config-file key and the parsed field. */
  name: string
  /** The flag without dashes, kebab-case. */
  flag: string
  env?: string
  kind: 'string' | 'url' | 'port' | 'integer' | 'privateKey' | 'boolean' | 'list'
  required?: boolean
  default?: string | number | boolean | string[]
  help: string
  /** Not printed in logs or errors. */
  secret?: boolean
}

export type ParsedOptions = Record<string, string | number | boolean | string[] | undefined>

/** A flag, environment variable or config-file field is missing or wrong; the message names it. */
export class NodeConfigError extends SluiceError {
  override name = 'NodeConfigError'
  readonly field: string
  constructor(field: string, problem: string, hint?: string) {
    super(`invalid configuration: ${field}: ${problem}`, { details: hint, severity: 'critical', code: 'CONFIG' })
    this.field = field
  }
}

function describe(spec: OptionSpec): string {
  return `--${spec.flag}${spec.env ? ` (env ${spec.env})` : ''}`
}

function parseValue(spec: OptionSpec, raw: unknown): string | number | boolean | string[] {
  const where = describe(spec)
  switch (spec.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw
      if (raw === 'true' || raw === '1') return true
      if (raw === 'false' || raw === '0') return false
      throw new NodeConfigError(where, `expected true or false, got ${JSON.stringify(raw)}`)
    case 'list':
      if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw
      if (typeof raw === 'string') return raw === '' ? [] : raw.split(',').map((item) => item.trim())
      throw new NodeConfigError(where, 'expected a list of strings')
    case 'port':
    case 'integer': {
      const value =
        typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new NodeConfigError(where, `expected a non-negative integer, got ${JSON.stringify(raw)}`)
      }
      if (spec.kind === 'port' && value > 65_535) throw new NodeConfigError(where, `port ${value} is above 65535`)
      return value
    }
    case 'url': {
      if (typeof raw !== 'string') throw new NodeConfigError(where, 'expected a URL')
      let url: URL
      try {
        url = new URL(raw)
      } catch {
        throw new NodeConfigError(
          where,
          `${JSON.stringify(raw)} is not a URL`,
          'Give a full URL such as http://127.0.0.1:8545.',
        )
      }
      if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
        throw new NodeConfigError(where, `unsupported protocol ${url.protocol}`, 'Use http(s):// or ws(s)://.')
      }
      return raw
    }
    case 'privateKey':
      if (typeof raw !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(raw)) {
        throw new NodeConfigError(where, 'expected a 32-byte private key as 0x followed by 64 hex digits')
      }
      return raw.toLowerCase()
    case 'string':
      if (typeof raw !== 'string' || raw === '') throw new NodeConfigError(where, 'expected a non-empty string')
      return raw
  }
}

/**
 * Parses `argv` (flags), `env` and an optional `--config <file.json>` against `specs`. Unknown flags,
 * unknown config-file keys and malformed values are refused with a `NodeConfigError` naming them.
 */
export function parseOptions(
  specs: readonly OptionSpec[],
  argv: readonly string[],
  env: Record<string, string | undefined>,
): ParsedOptions {
  const parseSpec: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    config: { type: 'string' },
  }
  for (const spec of specs) {
    parseSpec[spec.flag] =
      spec.kind === 'boolean'
        ? { type: 'boolean' }
        : spec.kind === 'list'
          ? { type: 'string', multiple: true }
          : { type: 'string' }
  }
  let values: Record<string, unknown>
  try {
    values = parseArgs({ args: [...argv], options: parseSpec, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new NodeConfigError('command line', (error as Error).message, 'Run with --help to list the flags.')
  }
  let file: Record<string, unknown> = {}
  if (typeof values.config === 'string') {
    try {
      file = JSON.parse(readFileSync(values.config, 'utf8')) as Record<string, unknown>
    } catch (error) {
      throw new NodeConfigError('--config', `cannot read ${values.config} as JSON: ${(error as Error).message}`)
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) {
      throw new NodeConfigError('--config', 'the config file must hold a JSON object')
    }
    const known = new Set(specs.map((spec) => spec.name))
    for (const name of Object.keys(file)) {
      if (!known.has(name)) throw new NodeConfigError(`--config ${values.config}`, `unknown field "${name}"`)
    }
  }
  const out: ParsedOptions = {}
  for (const spec of specs) {
    const fromFlag = values[spec.flag]
    const fromEnv = spec.env === undefined ? undefined : env[spec.env]
    const raw =
      fromFlag ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv) ?? file[spec.name] ?? spec.default
    if (raw === undefined) {
      if (spec.required) throw new NodeConfigError(describe(spec), 'is required', spec.help)
      out[spec.name] = undefined
      continue
    }
    out[spec.name] = parseValue(spec, raw)
  }
  return out
}

/** `--help` text for `specs`. */
export function helpText(program: string, summary: string, specs: readonly OptionSpec[]): string {
  const lines = [`${program}: ${summary}`, '', 'Options (flag > environment > --config file.json > default):']
  for (const spec of specs) {
    const def = spec.default === undefined ? '' : ` [default: ${JSON.stringify(spec.default)}]`
    lines.push(
      `  --${spec.flag.padEnd(22)} ${spec.help}${spec.required ? ' (required)' : ''}${def}${spec.env ? `  env ${spec.env}` : ''}`,
    )
  }
  lines.push(`  --${'config'.padEnd(22)} a JSON file with any of the options above, by camelCase name`)
  return lines.join('\n')
}
