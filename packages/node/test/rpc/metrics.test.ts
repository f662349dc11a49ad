import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createRpcMetrics } from '../../src/rpc/metrics.ts'

/** `sluice_rpc_calls_total`'s value for one method and outcome, as a scrape reads it. */
async function callsTotal(registry: Registry, method: string, outcome: 'ok' | 'error'): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('sluice_rpc_calls_total')?.get()
  return metric?.values.find((v) => v.labels.method === method && v.labels.outcome === outcome)?.value
}

describe('RPC call counts', () => {
  it('counts calls by method and outcome, unknown methods as unknown, and keeps counting across scrapes', async () => {
    const registry = new Registry()
    const metrics = createRpcMetrics(registry, ['eth_chainId', 'eth_sendRawTransaction'])
    for (let i = 0; i < 3; i++) metrics.call('eth_sendRawTransaction', true)
    metrics.call('eth_sendRawTransaction', false)
    metrics.call('eth_noSuchMethod', false)
    expect(await callsTotal(registry, 'eth_sendRawTransaction', 'ok')).toBe(3)
    expect(await callsTotal(registry, 'eth_sendRawTransaction', 'error')).toBe(1)
    expect(await callsTotal(registry, 'unknown', 'error')).toBe(1)
    expect(await callsTotal(registry, 'eth_chainId', 'ok')).toBeUndefined()
    metrics.call('eth_sendRawTransaction', true)
    expect(await callsTotal(registry, 'eth_sendRawTransaction', 'ok')).toBe(4)
    expect(await callsTotal(registry, 'eth_sendRawTransaction', 'ok')).toBe(4)
    expect(await registry.metrics()).toMatch(/sluice_rpc_calls_total\{method="eth_sendRawTransaction",outcome="ok"\} 4/)
  })

  it('adds up the calls of two servers on one registry', async () => {
    const registry = new Registry()
    const first = createRpcMetrics(registry, ['eth_chainId'])
    const second = createRpcMetrics(registry, ['eth_chainId', 'eth_blockNumber'])
    first.call('eth_chainId', true)
    second.call('eth_chainId', true)
    second.call('eth_blockNumber', true)
    first.call('eth_blockNumber', true) // unknown to the first server
    expect(await callsTotal(registry, 'eth_chainId', 'ok')).toBe(2)
    expect(await callsTotal(registry, 'eth_blockNumber', 'ok')).toBe(1)
    expect(await callsTotal(registry, 'unknown', 'ok')).toBe(1)
  })
})
