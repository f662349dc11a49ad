/** Where the CLI writes, and how it renders results: one JSON document, or lines for people. */
export type CliIo = {
  /** Results. */
  stdout: (text: string) => void
  /** Progress and errors. */
  stderr: (text: string) => void
  /** Where relative paths (the devnet file) are resolved. */
  cwd: string
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
}

/** JSON with bigints as decimal strings (wei amounts do not fit a JSON number). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)
}
