#!/usr/bin/env node
/**
 * `sluice-sequencer`: orders L2 transactions, seals blocks, posts batches and claims to L1.
 * Run `sluice-sequencer --help` for the options.
 */
import { runNode } from '@sluice/node'
import { parseSequencerOptions, SEQUENCER_OPTIONS } from './options.ts'
import { SEQUENCER_PROCESS_DEFAULTS } from './processDefaults.ts'
import { startSequencer } from './sequencerNode.ts'

runNode({
  name: 'sluice-sequencer',
  summary: 'the Sluice sequencer node',
  options: SEQUENCER_OPTIONS,
  parse: parseSequencerOptions,
  start: startSequencer,
  processDefaults: SEQUENCER_PROCESS_DEFAULTS,
})
