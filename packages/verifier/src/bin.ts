#!/usr/bin/env node
/**
 * `sluice-verifier`: re-derives the L2 chain from L1 alone and checks every claim.
 * Run `sluice-verifier --help` for the options.
 */
import { helpText, NodeConfigError } from '@sluice/node'
import { parseVerifierOptions, VERIFIER_OPTIONS } from './options.ts'
import { startVerifier } from './verifierNode.ts'

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText('sluice-verifier', 'the Sluice verifier node', VERIFIER_OPTIONS))
    return
  }
  const node = await startVerifier(parseVerifierOptions(argv, process.env))
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
    console.error(`sluice-verifier: ${error.message}`)
  } else {
    console.error('sluice-verifier: failed to start:', error)
  }
  process.exit(1)
})
