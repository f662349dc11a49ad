#!/usr/bin/env node
/**
 * `sluice-verifier`: re-derives the L2 chain from L1 alone and checks every claim.
 * Run `sluice-verifier --help` for the options.
 */
import { runNode } from '@sluice/node'
import { parseVerifierOptions, VERIFIER_OPTIONS } from './options.ts'
import { startVerifier } from './verifierNode.ts'

runNode({
  name: 'sluice-verifier',
  summary: 'the Sluice verifier node',
  options: VERIFIER_OPTIONS,
  parse: parseVerifierOptions,
  start: (options) => startVerifier(options),
})
