import { describe, expect, it } from 'vitest'
import { ApiKeyFileError, parseApiKeys } from '../../src/rpc/apiKeys.ts'

const key = 'k'.repeat(16)

describe('parseApiKeys', () => {
  it('reads a valid file', () => {
    expect(parseApiKeys(JSON.stringify([{ name: 'bench', key, unitsPerSecond: 0 }]), 'f')).toEqual([
      { name: 'bench', key, unitsPerSecond: 0 },
    ])
  })
  it.each([
    ['not JSON', '{', /not JSON/],
    ['not an array', '{}', /JSON array/],
    ['short key', JSON.stringify([{ name: 'a', key: 'short', unitsPerSecond: 1 }]), /at least 16/],
    ['negative rate', JSON.stringify([{ name: 'a', key, unitsPerSecond: -1 }]), /≥ 0/],
    ['bad name', JSON.stringify([{ name: 'a b', key, unitsPerSecond: 1 }]), /"name"/],
    [
      'duplicate key',
      JSON.stringify([
        { name: 'a', key, unitsPerSecond: 1 },
        { name: 'b', key, unitsPerSecond: 1 },
      ]),
      /duplicate key/,
    ],
    [
      'duplicate name',
      JSON.stringify([
        { name: 'a', key, unitsPerSecond: 1 },
        { name: 'a', key: `${key}x`, unitsPerSecond: 1 },
      ]),
      /duplicate name/,
    ],
  ])('refuses %s', (_label, text, message) => {
    expect(() => parseApiKeys(text, 'f')).toThrow(ApiKeyFileError)
    expect(() => parseApiKeys(text, 'f')).toThrow(message)
  })
  it('never puts the key in an error message', () => {
    const text = JSON.stringify([
      { name: 'a', key, unitsPerSecond: 1 },
      { name: 'b', key, unitsPerSecond: 1 },
    ])
    expect(() => parseApiKeys(text, 'f')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(key) }),
    )
  })
})
