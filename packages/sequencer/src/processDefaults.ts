import type { ProcessDefaults } from '@sluice/node'

/**
 * What the sequencer restarts itself with at start-up unless the operator set it (docs/operator.md,
 * "Threads, memory and V8's heap"): over 60 s at saturation they held its peak RSS ~500 MiB lower,
 * mostly old-generation garbage V8 had not collected yet, for more work in V8's GC threads.
 */
export const SEQUENCER_PROCESS_DEFAULTS: ProcessDefaults = {
  nodeFlags: ['--max-semi-space-size=32', '--heap-growing-percent=100'],
  env: { MALLOC_ARENA_MAX: '2' },
}
