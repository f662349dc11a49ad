import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the public test vectors live: `SLUICE_VECTORS`, or `../shared/vectors` beside the checkout.
 * They are read in place, never copied into the repository. Tests that need them skip with a
 * message where they are absent (a user's machine); in CI (`CI=true`) their absence is an error.
 */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const vectorsDir = process.env.SLUICE_VECTORS
  ? resolve(process.env.SLUICE_VECTORS)
  : resolve(repoRoot, '..', 'shared', 'vectors')

export const vectorsPresent = existsSync(vectorsDir)

if (!vectorsPresent && process.env.CI === 'true') {
  throw new Error(`public test vectors not found at ${vectorsDir}; CI must have them (set SLUICE_VECTORS)`)
}
if (!vectorsPresent) {
  console.warn(
    `public test vectors not found at ${vectorsDir}: the tests that replay them are skipped (set SLUICE_VECTORS)`,
  )
}

export function vectorPath(...parts: string[]): string {
  return join(vectorsDir, ...parts)
}
