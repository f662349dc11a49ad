/**
 * Enforces the package layering of DESIGN.md: core ← contracts (ABIs only) ← node ← sequencer,
 * verifier; sdk ← core, contracts; explorer ← sdk. A package imports only packages below it, and the sequencer and verifier never import each
 * other. The explorer (a browser app) reaches nothing of ours by a relative path either, and the
 * nodes only serve its built files, never import it. Run by `npm run lint`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const allowed: Record<string, readonly string[]> = {
  core: [],
  contracts: ['core'],
  node: ['core', 'contracts'],
  sequencer: ['core', 'contracts', 'node'],
  verifier: ['core', 'contracts', 'node'],
  sdk: ['core', 'contracts'],
  explorer: ['sdk'],
}

const root = new URL('..', import.meta.url).pathname
const importPattern = /(?:from\s+|import\s*\(\s*|import\s+)['"]@sluice\/([a-z-]+)/g
const relativeImportPattern = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.\.?\/[^'"]+)['"]/g
const violations: string[] = []

function walk(dir: string, visit: (file: string) => void): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'out' || name === 'cache' || name === 'dist') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path, visit)
    else if (path.endsWith('.ts') || path.endsWith('.tsx')) visit(path)
  }
}

for (const [pkg, deps] of Object.entries(allowed)) {
  const packageDir = join(root, 'packages', pkg)
  walk(packageDir, (file) => {
    const source = readFileSync(file, 'utf8')
    for (const match of source.matchAll(relativeImportPattern)) {
      const target = relative(join(root, 'packages'), resolve(dirname(file), match[1] as string))
      const targetPackage = target.startsWith('..') ? undefined : target.split('/')[0]
      if (targetPackage === 'explorer' && pkg !== 'explorer') {
        violations.push(`${relative(root, file)} imports the explorer's code; nodes only serve its built files`)
      } else if (pkg === 'explorer' && targetPackage !== 'explorer') {
        violations.push(
          `${relative(root, file)} imports ${match[1]} outside packages/explorer; it may import only the sdk`,
        )
      }
    }
    for (const match of source.matchAll(importPattern)) {
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
