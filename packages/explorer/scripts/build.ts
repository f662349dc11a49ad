/**
 * Builds the explorer into `dist/` (served by every node at `/`): one bundle of the app with Preact
 * and uPlot, one stylesheet, and `index.html`. No CDN, nothing fetched at run time. Run by
 * `npm run explorer:build` (and so by `npm ci`'s `prepare`, `npm test` and `npm run devnet`).
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

const here = join(import.meta.dirname, '..')
const out = join(here, 'dist')
rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, 'assets'), { recursive: true })
const result = await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  outfile: join(out, 'assets', 'app.js'),
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
})
copyFileSync(join(here, 'src', 'index.html'), join(out, 'index.html'))
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0)
console.log(`explorer: built ${out} (${Math.round(bytes / 1024)} KiB)`)
