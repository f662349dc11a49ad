import { NodeConfigError } from '@sluice/node'
import { describe, expect, it } from 'vitest'
import { parseSequencerOptions } from '../src/options.ts'

const KEY = `0x${'11'.repeat(32)}`
const base = [
  '--l1-rpc',
  'http://127.0.0.1:8545',
  '--deployment',
  '/tmp/deployment.json',
  '--data-dir',
  '/tmp/sluice-seq',
  '--sequencer-key',
  KEY,
]

describe('sequencer data-availability options', () => {
  it('defaults to auto with 6 blobs, and takes --da and --max-blobs from flags or the environment', () => {
    expect(parseSequencerOptions(base, {})).toMatchObject({ da: 'auto', maxBlobs: 6 })
    expect(parseSequencerOptions([...base, '--da', 'calldata', '--max-blobs', '2'], {})).toMatchObject({
      da: 'calldata',
      maxBlobs: 2,
    })
    expect(parseSequencerOptions(base, { SLUICE_DA: 'blobs', SLUICE_MAX_BLOBS: '3' })).toMatchObject({
      da: 'blobs',
      maxBlobs: 3,
    })
  })

  it('refuses an unknown DA mode and a blob count the inbox would refuse, naming the flag', () => {
    expect(() => parseSequencerOptions([...base, '--da', 'blob'], {})).toThrow(NodeConfigError)
    expect(() => parseSequencerOptions([...base, '--da', 'blob'], {})).toThrow(
      /--da: "blob" is not one of auto, blobs, calldata/,
    )
    expect(() => parseSequencerOptions([...base, '--max-blobs', '7'], {})).toThrow(/--max-blobs: 7 is outside 1 … 6/)
    expect(() => parseSequencerOptions([...base, '--max-blobs', '0'], {})).toThrow(/--max-blobs/)
  })
})

describe('sequencer max-safe-lag', () => {
  it('defaults to a bound, takes --max-safe-lag or SLUICE_MAX_SAFE_LAG (0: none), and refuses a negative one', () => {
    expect(parseSequencerOptions(base, {}).maxSafeLag).toBe(1_800)
    expect(parseSequencerOptions([...base, '--max-safe-lag', '0'], {}).maxSafeLag).toBe(0)
    expect(parseSequencerOptions(base, { SLUICE_MAX_SAFE_LAG: '600' }).maxSafeLag).toBe(600)
    expect(() => parseSequencerOptions([...base, '--max-safe-lag', '-1'], {})).toThrow(/max-safe-lag/)
  })
})
