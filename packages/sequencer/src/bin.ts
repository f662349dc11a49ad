#!/usr/bin/env node
/**
 * `sluice-sequencer`: orders L2 transactions, seals blocks, posts batches and claims to L1.
 * Run `sluice-sequencer --help` for the options.
 */
import { helpText, NodeConfigError } from '@sluice/node'
import { parseSequencerOptions, SEQUENCER_OPTIONS } from './options.ts'
import { startSequencer } from './sequencerNode.ts'

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText('sluice-sequencer', 'the Sluice sequencer node', SEQUENCER_OPTIONS))
    return
  }
  const node = await startSequencer(parseSequencerOptions(argv, process.env))
  let stopping = false
  const stop = async (signal: string, code: number) => {
    if (stopping) return
    stopping = true
    node.logger.info({ signal }, 'stopping')
    try {
      await node.stop()
    } finally {
      node.logger.info('stopped')
      process.exit(code)
    }
  }
  process.on('SIGTERM', () => void stop('SIGTERM', 0))
  process.on('SIGINT', () => void stop('SIGINT', 0))
  void node.fatal.then(() => stop('fatal', 1))
}

main().catch((error: unknown) => {
  if (error instanceof NodeConfigError) {
    console.error(`sluice-sequencer: ${error.message}`)
  } else {
    console.error('sluice-sequencer: failed to start:', error)
  }
  process.exit(1)
})
