import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_NODE_CACHE_BYTES } from '@sluice/core'
import { afterAll, describe, expect, it } from 'vitest'
import { commonNodeOptionSpecs, commonNodeOptions } from '../../src/config/nodeOptions.ts'
import { NodeConfigError, parseOptions } from '../../src/config/options.ts'

const specs = commonNodeOptionSpecs({ rpcPort: 1, p2pPort: 2, l1PollInterval: 1000, faults: [] })
const required = ['--l1-rpc', 'http://127.0.0.1:8545', '--deployment', 'd.json', '--data-dir', '/tmp/x']
const parse = (argv: string[], env: Record<string, string> = {}) =>
  commonNodeOptions(parseOptions(specs, [...required, ...argv], env))

describe('--l1-beacon', () => {
  it('is optional, and taken from the flag or SLUICE_L1_BEACON (the flag first)', () => {
    expect(parse([]).l1Beacon).toBeUndefined()
    expect(parse(['--l1-beacon', 'http://127.0.0.1:5052/']).l1Beacon).toBe('http://127.0.0.1:5052')
    expect(parse([], { SLUICE_L1_BEACON: 'https://beacon.example' }).l1Beacon).toBe('https://beacon.example')
    expect(parse(['--l1-beacon', 'http://a:1'], { SLUICE_L1_BEACON: 'http://b:2' }).l1Beacon).toBe('http://a:1')
  })

  it('refuses what is not an HTTP URL, naming the option', () => {
    for (const bad of ['beacon', 'ws://127.0.0.1:5052']) {
      const error = (() => {
        try {
          parse(['--l1-beacon', bad])
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(NodeConfigError)
      expect((error as NodeConfigError).message).toContain('--l1-beacon')
    }
  })
})

describe('--trie-cache-mib', () => {
  it("defaults to core's node cache size, and is taken from the flag or SLUICE_TRIE_CACHE_MIB; 0 disables it", () => {
    expect(parse([]).trieCacheBytes).toBe(DEFAULT_NODE_CACHE_BYTES)
    expect(parse(['--trie-cache-mib', '32']).trieCacheBytes).toBe(32 * 1024 * 1024)
    expect(parse([], { SLUICE_TRIE_CACHE_MIB: '256' }).trieCacheBytes).toBe(256 * 1024 * 1024)
    expect(parse(['--trie-cache-mib', '0']).trieCacheBytes).toBe(0)
  })

  it('refuses a size the cache cannot take, naming the option', () => {
    for (const bad of ['4096', '-1', 'lots']) {
      expect(() => parse(['--trie-cache-mib', bad])).toThrow(NodeConfigError)
      expect(() => parse(['--trie-cache-mib', bad])).toThrow('--trie-cache-mib')
    }
    expect(() => parse([], { SLUICE_TRIE_CACHE_MIB: '2048' })).toThrow('SLUICE_TRIE_CACHE_MIB')
  })
})

describe('--rpc-api-keys', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })
  const keyFile = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-keys-'))
    dirs.push(dir)
    const file = join(dir, 'keys.json')
    writeFileSync(file, text)
    return file
  }

  it('reads the key file into the RPC limits; without it there are no keys', () => {
    expect(parse([]).rpcLimits.apiKeys).toEqual([])
    const file = keyFile(JSON.stringify([{ name: 'bench', key: 'bench-0123456789abcdef', unitsPerSecond: 0 }]))
    expect(parse(['--rpc-api-keys', file]).rpcLimits.apiKeys).toEqual([
      { name: 'bench', key: 'bench-0123456789abcdef', unitsPerSecond: 0 },
    ])
    expect(parse([], { SLUICE_RPC_API_KEYS: file }).rpcLimits.apiKeys).toHaveLength(1)
  })

  it('refuses a missing or invalid file at start-up, naming the option and never the key', () => {
    expect(() => parse(['--rpc-api-keys', '/nonexistent/keys.json'])).toThrow(NodeConfigError)
    expect(() => parse(['--rpc-api-keys', '/nonexistent/keys.json'])).toThrow('--rpc-api-keys')
    const short = keyFile(JSON.stringify([{ name: 'bench', key: 'short', unitsPerSecond: 0 }]))
    expect(() => parse(['--rpc-api-keys', short])).toThrow(/--rpc-api-keys.*entry 0 \(bench\)/)
    const twice = keyFile(
      JSON.stringify([
        { name: 'a', key: 'same-key-0123456789', unitsPerSecond: 1 },
        { name: 'b', key: 'same-key-0123456789', unitsPerSecond: 1 },
      ]),
    )
    const error = (() => {
      try {
        parse(['--rpc-api-keys', twice])
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toContain('duplicate key')
    expect(error?.message).not.toContain('same-key-0123456789')
  })
})
