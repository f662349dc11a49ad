import { describe, expect, it } from 'vitest'
import { createGossipValidator, type GossipVerdict, type HeadNumbers } from '../../src/p2p/index.ts'
import { CHAIN_ID, makeBlock, nowSeconds, SEQUENCER, STRANGER, sign } from './helpers.ts'

function validator(heads: HeadNumbers = { unsafe: 10n, safe: 5n }, extra: { seenBlocks?: number } = {}) {
  return createGossipValidator({
    chainId: CHAIN_ID,
    sequencerAddress: SEQUENCER.addressHex,
    heads: () => heads,
    ...extra,
  })
}

function outcome(verdict: GossipVerdict): string {
  return verdict.result === 'accept' ? 'accept' : `${verdict.result}:${verdict.reason}`
}

describe('gossip validation', () => {
  it('accepts a signed block between the safe head and the far-future bound', () => {
    const check = validator()
    const block = makeBlock(11n)
    const verdict = check.validate(sign(block))
    expect(verdict.result).toBe('accept')
    expect(verdict.result === 'accept' && verdict.block).toEqual(block)
    // a block at or below the unsafe head is accepted too: it may replace an unsafe block (sequencer reorg)
    expect(outcome(check.validate(sign(makeBlock(6n))))).toBe('accept')
  })

  it('rejects what the sender is at fault for', () => {
    const check = validator()
    const block = makeBlock(11n)
    expect(outcome(check.validate(new Uint8Array(0)))).toBe('reject:unsigned')
    expect(outcome(check.validate(sign(block).subarray(65)))).toBe('reject:unsigned')
    expect(outcome(check.validate(sign(block, STRANGER)))).toBe('reject:wrong_signer')
    const garbage = sign(block)
    garbage.fill(0xc1, 65)
    expect(outcome(check.validate(garbage))).toBe('reject:malformed')
    const badParity = sign(block)
    badParity[64] = 28
    expect(outcome(check.validate(badParity))).toBe('reject:bad_signature')
  })

  it('rejects before ignoring: a stale block signed by someone else is wrong_signer', () => {
    expect(outcome(validator().validate(sign(makeBlock(1n), STRANGER)))).toBe('reject:wrong_signer')
  })

  it('ignores stale, far-future and already-seen blocks', () => {
    const check = validator({ unsafe: 10n, safe: 5n })
    expect(outcome(check.validate(sign(makeBlock(5n))))).toBe('ignore:stale')
    expect(outcome(check.validate(sign(makeBlock(0n))))).toBe('ignore:stale')
    expect(outcome(check.validate(sign(makeBlock(10n + 1024n))))).toBe('accept')
    expect(outcome(check.validate(sign(makeBlock(10n + 1025n))))).toBe('ignore:future_number')
    expect(outcome(check.validate(sign(makeBlock(12n, { timestamp: nowSeconds() + 55n }))))).toBe('accept')
    expect(outcome(check.validate(sign(makeBlock(13n, { timestamp: nowSeconds() + 120n }))))).toBe(
      'ignore:future_timestamp',
    )
    const block = makeBlock(14n)
    expect(outcome(check.validate(sign(block)))).toBe('accept')
    expect(outcome(check.validate(sign(block)))).toBe('ignore:duplicate')
  })

  it('reads the heads at every message', () => {
    const heads = { unsafe: 10n, safe: 5n }
    const check = validator(heads)
    heads.safe = 20n
    heads.unsafe = 20n
    expect(outcome(check.validate(sign(makeBlock(11n))))).toBe('ignore:stale')
  })

  it('does not remember refused blocks, forgets the oldest beyond capacity, and clears on request', () => {
    const check = validator({ unsafe: 100n, safe: 0n }, { seenBlocks: 2 })
    const [a, b, c] = [makeBlock(1n), makeBlock(2n), makeBlock(3n)]
    // a forged copy of `a` must not make the real `a` a duplicate
    expect(outcome(check.validate(sign(a, STRANGER)))).toBe('reject:wrong_signer')
    expect(outcome(check.validate(sign(a)))).toBe('accept')
    expect(outcome(check.validate(sign(b)))).toBe('accept')
    expect(outcome(check.validate(sign(c)))).toBe('accept') // a is forgotten
    expect(outcome(check.validate(sign(a)))).toBe('accept')
    expect(outcome(check.validate(sign(c)))).toBe('ignore:duplicate')
    check.clearSeen()
    expect(outcome(check.validate(sign(c)))).toBe('accept')
  })
})
