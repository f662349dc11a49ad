/**
 * API keys for the JSON-RPC server: a heavy trusted client (a bench, an indexer) gets its own
 * allowance instead of sharing its IP's per-client rate limit. The operator lists keys in a JSON file
 * `[{ "name": "bench", "key": "…", "unitsPerSecond": 0 }]` (0 = unlimited). Only names are ever logged.
 */
export type ApiKey = { readonly name: string; readonly key: string; readonly unitsPerSecond: number }

/** Shortest key accepted: shorter ones are guessable and would let anyone past the per-IP limit. */
export const minApiKeyLength = 16

export class ApiKeyFileError extends Error {
  override readonly name = 'ApiKeyFileError'
  readonly severity = 'fatal'
}

/** Parses and validates the key file's text; throws `ApiKeyFileError` naming the entry at fault. */
export const parseApiKeys = (text: string, source: string): readonly ApiKey[] => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ApiKeyFileError(
      `${source}: not JSON (${(error as Error).message}); expected [{ "name", "key", "unitsPerSecond" }]`,
    )
  }
  if (!Array.isArray(parsed))
    throw new ApiKeyFileError(`${source}: expected a JSON array of { "name", "key", "unitsPerSecond" }`)
  const names = new Set<string>()
  const keys = new Set<string>()
  return parsed.map((entry: unknown, index): ApiKey => {
    const where = `${source}: entry ${index}`
    if (typeof entry !== 'object' || entry === null) throw new ApiKeyFileError(`${where}: expected an object`)
    const { name, key, unitsPerSecond } = entry as Record<string, unknown>
    if (typeof name !== 'string' || !/^[\w.-]{1,64}$/.test(name)) {
      throw new ApiKeyFileError(
        `${where}: "name" must be 1-64 letters, digits, '_', '.' or '-' (it labels logs and metrics)`,
      )
    }
    if (typeof key !== 'string' || !/^[\w-]+$/.test(key) || key.length < minApiKeyLength) {
      throw new ApiKeyFileError(
        `${where} (${name}): "key" must be at least ${minApiKeyLength} URL-safe characters (letters, digits, '_', '-')`,
      )
    }
    if (typeof unitsPerSecond !== 'number' || !Number.isFinite(unitsPerSecond) || unitsPerSecond < 0) {
      throw new ApiKeyFileError(`${where} (${name}): "unitsPerSecond" must be a number ≥ 0 (0 = unlimited)`)
    }
    if (names.has(name)) throw new ApiKeyFileError(`${where}: duplicate name ${name}`)
    if (keys.has(key)) throw new ApiKeyFileError(`${where} (${name}): duplicate key (already given to another entry)`)
    names.add(name)
    keys.add(key)
    return { name, key, unitsPerSecond }
  })
}
