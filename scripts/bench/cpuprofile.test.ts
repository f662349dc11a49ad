/**
 * `cpuprofile.ts --by stage` on a small synthetic profile: each sample goes to the stage of its
 * innermost repository frame, and start-up work called from a stage's folder is start-up.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from './harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'sluice-cpuprofile-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = (path: string) => `file://${join(repoRoot, path)}`
const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 })

/** root → warmKzg (beacon.ts) → kzg (crypto) ; root → fetchBlobs (beacon.ts) → kzg ; root → applyBlock (stf). */
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 6] },
    { id: 2, callFrame: frame('warmKzg', file('packages/node/src/l1/beacon.ts')), children: [3] },
    { id: 3, callFrame: frame('kzg', file('packages/core/src/crypto/kzg.ts')) },
    { id: 4, callFrame: frame('fetchBlobs', file('packages/node/src/l1/beacon.ts')), children: [5] },
    { id: 5, callFrame: frame('kzg', file('packages/core/src/crypto/kzg.ts')) },
    { id: 6, callFrame: frame('applyBlock', file('packages/core/src/stf/apply.ts')) },
  ],
  // 6 samples of set-up, 3 of reading blobs, 1 of execution, 1 ms each
  samples: [3, 3, 3, 3, 3, 3, 5, 5, 5, 6],
  timeDeltas: Array(10).fill(1000),
  startTime: 0,
  endTime: 10_000,
}

function stages(...args: string[]): string {
  const path = join(dir, 'synthetic.cpuprofile')
  writeFileSync(path, JSON.stringify(profile))
  return execFileSync(
    process.execPath,
    [join(repoRoot, 'scripts/bench/cpuprofile.ts'), path, '--by', 'stage', ...args],
    {
      encoding: 'utf8',
    },
  )
}

describe('cpuprofile --by stage', () => {
  it('charges the KZG set-up at start to start-up and blob reading to L1 reading', () => {
    const out = stages()
    expect(out).toMatch(/\| start-up \(KZG trusted setup\) \| 6 \| 60\.0% \|/)
    expect(out).toMatch(/\| L1 reading \(RPC, calldata, records\) \| 3 \| 30\.0% \|/)
    expect(out).toMatch(/\| state transition rules \| 1 \| 10\.0% \|/)
  })

  it('leaves start-up out of the µs per transaction it spreads with --scale', () => {
    const out = stages('--scale', '100')
    expect(out).toContain('0.00 s of busy samples')
    expect(out).toMatch(/\| L1 reading \(RPC, calldata, records\) \| 75\.0 \| 75\.0% \|/)
    expect(out).toMatch(/\| state transition rules \| 25\.0 \| 25\.0% \|/)
    expect(out).not.toContain('KZG trusted setup')
  })
})
