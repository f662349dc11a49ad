/**
 * Enforces the package layering of DESIGN.md: core ← contracts (ABIs only) ← node ← sequencer,
 * verifier; sdk ← core, contracts. A package imports only packages below it, and the sequencer and verifier never import each
 * other. Run by `npm run lint`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const allowed: Record<string, readonly string[]> = {
  core: [],
  contracts: ['core'],
  node: ['core', 'contracts'],
  sequencer: ['core', 'contracts', 'node'],
  verifier: ['core', 'contracts', 'node'],
  sdk: ['core', 'contracts'],
}

const root = new URL('..', import.meta.url).pathname
const importPattern = /(?:from\s+|import\s*\(\s*|import\s+)['"]@sluice\/([a-z-]+)/g
const violations: string[] = []

function walk(dir: string, visit: (file: string) => void): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'out' || name === 'cache') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path, visit)
    else if (path.endsWith('.ts')) visit(path)
  }
}

for (const [pkg, deps] of Object.entries(allowed)) {
  walk(join(root, 'packages', pkg), (file) => {
    for (const match of readFileSync(file, 'utf8').matchAll(importPattern)) {
      const target = match[1] as string
      if (target !== pkg && !deps.includes(target)) {
        violations.push(
          `${relative(root, file)} imports @sluice/${target}; ${pkg} may import only ${deps.join(', ') || 'nothing'}`,
        )
      }
    }
  })
}

if (violations.length > 0) {
  console.error(`package layering violated:\n  ${violations.join('\n  ')}`)
  process.exit(1)
}
console.log('package layering: ok')
