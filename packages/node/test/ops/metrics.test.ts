import { describe, expect, it } from 'vitest'
import { createNodeMetrics } from '../../src/ops/metrics.ts'

describe('node metrics', () => {
  it("names the process's own metrics once under sluice_ (memory is what operators and the verifier bench read)", async () => {
    const text = await createNodeMetrics().registry.metrics()
    expect(text).toMatch(/^sluice_process_resident_memory_bytes \d+/m)
    expect(text).toMatch(/^sluice_nodejs_heap_size_used_bytes \d+/m)
    expect(text).not.toContain('sluice_process_process_')
    expect(text).not.toContain('sluice_process_nodejs_')
  })
})
