/**
 * `npm run vectors`: writes the vectors the Solidity side replays (protocol.md §11) to
 * packages/contracts/test/vectors/. Generated, not committed: `npm test` runs this first.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { testConfig } from '../../test/support/config.ts'
import { generateBlobVectors } from './blob.ts'
import { generateStfVectors } from './stf.ts'

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'contracts', 'test', 'vectors')
mkdirSync(outDir, { recursive: true })
const started = performance.now()
const stf = generateStfVectors(testConfig())
const path = join(outDir, 'stf.json')
writeFileSync(path, `${JSON.stringify(stf, null, 1)}\n`)
const reasons = new Set(stf.cases.map((c) => c.reason))
console.error(
  `wrote ${stf.cases.length} state-transition vectors (${reasons.size} outcomes: ${[...reasons].join(', ')}) to ${path} in ${Math.round(performance.now() - started)} ms`,
)

const blobStarted = performance.now()
const blob = generateBlobVectors(testConfig())
const blobPath = join(outDir, 'blob.json')
writeFileSync(blobPath, `${JSON.stringify(blob.file, null, 1)}\n`)
console.error(
  `wrote ${blob.file.cases.length} blob-batch vectors (real KZG openings) to ${blobPath} in ${Math.round(performance.now() - blobStarted)} ms`,
)
