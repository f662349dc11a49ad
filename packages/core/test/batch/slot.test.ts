import { describe, expect, it } from 'vitest'
import {
  BatchEncodeError,
  type BatchEncodeProblem,
  type BatchFeeEntry,
  type BatchPrelude,
  createDictionaries,
  decodeSlot,
  encodePrelude,
  encodeSlot,
  readPrelude,
  type SlotResult,
} from '../../src/batch/index.ts'
import { concatBytes, hexToBytes } from '../../src/bytes/index.ts'
import type { SignedTransaction } from '../../src/tx/index.ts'
import { CHAIN_ID, MESSAGE_PASSER, transfer } from './support.ts'

const RECIPIENT = hexToBytes(`0x${'ab'.repeat(20)}`)
const FEES: BatchFeeEntry[] = Array.from({ length: 9 }, (_, i) => ({
  maxFeePerGas: 2_000_000_000n + BigInt(i),
  maxPriorityFeePerGas: 1_000_000n,
  gasLimit: 21_000n,
}))
const DICT = createDictionaries([RECIPIENT], FEES)
const PRELUDE: BatchPrelude = readPrelude(encodePrelude(0n, [RECIPIENT], FEES), 0)!.prelude
const SIG = new Uint8Array(64).fill(7)
const b = (...values: number[]) => Uint8Array.from(values)

function failure(result: SlotResult): string {
  expect(result.ok).toBe(false)
  if (result.ok) return ''
  expect(result.reason).toBe('slotDecode')
  return result.detail
}

describe('decodeSlot (§5.5)', () => {
  it('decodes a hand-written slot: flags, nonce, dictionary recipient, value, signature', () => {
    // type 2, yParity 1, fee index 2 folded, recipient index 0, value 0.05 ETH = (16, 5)
    const slot = concatBytes(b(0x05 | (2 << 5), 0x07, 0x00, 16, 5), SIG)
    const result = decodeSlot(slot, PRELUDE, CHAIN_ID)
    expect(result).toEqual({
      ok: true,
      tx: {
        type: 2,
        chainId: CHAIN_ID,
        nonce: 7n,
        maxPriorityFeePerGas: 1_000_000n,
        maxFeePerGas: 2_000_000_002n,
        gasLimit: 21_000n,
        to: RECIPIENT,
        value: 5n * 10n ** 16n,
        data: new Uint8Array(0),
        accessList: [],
        v: 1n,
        r: BigInt(`0x${'07'.repeat(32)}`),
        s: BigInt(`0x${'07'.repeat(32)}`),
      },
    })
  })

  it('rebuilds legacy v = 2·chainId + 35 + yParity, gasPrice = the entry maxFee, and the withdrawal word', () => {
    const tail = new Uint8Array(20).fill(0xcd)
    const slot = concatBytes(b(0x01 | 0x08 | 0x10, 0x00), MESSAGE_PASSER, b(0, 0), tail, SIG)
    const result = decodeSlot(slot, PRELUDE, CHAIN_ID)
    if (!result.ok) throw new Error(result.detail)
    expect(result.tx.type).toBe(0)
    expect(result.tx.v).toBe(2n * CHAIN_ID + 36n)
    expect(result.tx.maxFeePerGas).toBe(2_000_000_000n)
    expect(result.tx.maxPriorityFeePerGas).toBe(2_000_000_000n)
    expect(result.tx.to).toEqual(MESSAGE_PASSER)
    expect(result.tx.data).toEqual(concatBytes(new Uint8Array(12), tail))
  })

  it('names each decode failure', () => {
    const ok = concatBytes(b(0x04, 0x00, 0x00, 0, 0), SIG)
    expect(decodeSlot(ok, PRELUDE, CHAIN_ID).ok).toBe(true)
    expect(failure(decodeSlot(b(), PRELUDE, CHAIN_ID))).toMatch(/empty/)
    expect(failure(decodeSlot(concatBytes(b(0x06, 0x00, 0x00, 0, 0), SIG), PRELUDE, CHAIN_ID))).toMatch(/type 3/)
    // nonce: padded, too long, ≥ 2^64, cut off
    expect(failure(decodeSlot(concatBytes(b(0x04, 0x80, 0x00, 0x00, 0, 0), SIG), PRELUDE, CHAIN_ID))).toMatch(
      /nonce varint is invalid: .*padding/,
    )
    expect(
      failure(
        decodeSlot(concatBytes(b(0x04), new Uint8Array(10).fill(0xff), b(0x01, 0x00, 0, 0), SIG), PRELUDE, CHAIN_ID),
      ),
    ).toMatch(/nonce varint is invalid: .*longer than its width allows \(10 bytes/)
    expect(
      failure(
        decodeSlot(concatBytes(b(0x04), new Uint8Array(9).fill(0xff), b(0x02, 0x00, 0, 0), SIG), PRELUDE, CHAIN_ID),
      ),
    ).toMatch(/nonce varint is invalid: .*too large for its width \(2\^64/)
    expect(failure(decodeSlot(b(0x04, 0x80), PRELUDE, CHAIN_ID))).toMatch(/nonce varint is invalid: the bytes end/)
    // fee index: folded out of range (a 2-entry dictionary), varint out of range, varint bad
    const twoFees = readPrelude(encodePrelude(0n, [RECIPIENT], FEES.slice(0, 2)), 0)!.prelude
    expect(failure(decodeSlot(concatBytes(b(0x04 | (5 << 5), 0x00, 0x00, 0, 0), SIG), twoFees, CHAIN_ID))).toMatch(
      /fee index 5 is out of range/,
    )
    expect(failure(decodeSlot(concatBytes(b(0xe4, 0x00, 0x09, 0x00, 0, 0), SIG), PRELUDE, CHAIN_ID))).toMatch(
      /fee index 9 is out of range \(the fee dictionary has 9 entries\)/,
    )
    expect(decodeSlot(concatBytes(b(0xe4, 0x00, 0x08, 0x00, 0, 0), SIG), PRELUDE, CHAIN_ID).ok).toBe(true)
    expect(failure(decodeSlot(concatBytes(b(0xe4, 0x00, 0x88, 0x00, 0x00, 0, 0), SIG), PRELUDE, CHAIN_ID))).toMatch(
      /feeIndex varint is invalid/,
    )
    // recipient: index out of range, inline cut off
    expect(failure(decodeSlot(concatBytes(b(0x04, 0x00, 0x01, 0, 0), SIG), PRELUDE, CHAIN_ID))).toMatch(
      /recipient index 1 is out of range/,
    )
    expect(failure(decodeSlot(b(0x0c, 0x00, 1, 2, 3), PRELUDE, CHAIN_ID))).toMatch(/inside the inline recipient/)
    // value: exponent > 77, value ≥ 2^256, mantissa cut off
    expect(failure(decodeSlot(concatBytes(b(0x04, 0x00, 0x00, 78, 1), SIG), PRELUDE, CHAIN_ID))).toMatch(
      /exponent 78 is above 77/,
    )
    expect(failure(decodeSlot(concatBytes(b(0x04, 0x00, 0x00, 77, 2), SIG), PRELUDE, CHAIN_ID))).toMatch(
      /2\^256 or more/,
    )
    expect(failure(decodeSlot(b(0x04, 0x00, 0x00, 16), PRELUDE, CHAIN_ID))).toMatch(/mantissa varint is invalid/)
    expect(failure(decodeSlot(b(0x04, 0x00, 0x00), PRELUDE, CHAIN_ID))).toMatch(/before its exponent/)
    // withdrawal tail and signature cut off, leftover bytes
    expect(failure(decodeSlot(concatBytes(b(0x14, 0x00, 0x00, 0, 0), new Uint8Array(19)), PRELUDE, CHAIN_ID))).toMatch(
      /inside the withdrawal tail/,
    )
    expect(failure(decodeSlot(ok.subarray(0, ok.length - 1), PRELUDE, CHAIN_ID))).toMatch(
      /inside the signature \(63 of 64 bytes\)/,
    )
    expect(failure(decodeSlot(concatBytes(ok, b(0)), PRELUDE, CHAIN_ID))).toMatch(/1 bytes are left over after s/)
  })
})

describe('encodeSlot', () => {
  it('writes a dictionary recipient by index and a folded fee index', () => {
    const tx = transfer({ maxFeePerGas: 2_000_000_003n, nonce: 7n, v: 1n, r: 1n, s: 2n })
    const slot = encodeSlot(tx, DICT, CHAIN_ID)
    expect(Array.from(slot.subarray(0, 5))).toEqual([0x05 | (3 << 5), 7, 0, 16, 5])
    expect(slot).toHaveLength(5 + 64)
    expect(decodeSlot(slot, PRELUDE, CHAIN_ID)).toEqual({ ok: true, tx })
  })

  it('writes a recipient outside the dictionary inline and a fee index ≥ 7 as a varint', () => {
    const tx = transfer({ maxFeePerGas: 2_000_000_008n, to: new Uint8Array(20).fill(1) })
    const slot = encodeSlot(tx, DICT, CHAIN_ID)
    expect(slot[0]).toBe(0x04 | 0x08 | 0x01 | (7 << 5))
    expect(slot[2]).toBe(8)
    expect(decodeSlot(slot, PRELUDE, CHAIN_ID)).toEqual({ ok: true, tx })
  })

  const refusals: [string, Partial<SignedTransaction>, BatchEncodeProblem, RegExp][] = [
    ['pre-EIP-155 legacy', { type: 0, v: 27n, maxPriorityFeePerGas: 2_000_000_000n }, 'preEip155', /pre-EIP-155/],
    ['legacy v of another chain', { type: 0, v: 37n, maxPriorityFeePerGas: 2_000_000_000n }, 'wrongChainId', /v 37/],
    ['typed, another chain', { chainId: 1n }, 'wrongChainId', /chain 1, not 901/],
    ['yParity 2', { v: 2n }, 'invalidYParity', /yParity 2/],
    ['access list', { accessList: [{ address: RECIPIENT, storageKeys: [] }] }, 'accessList', /access list/],
    ['data of 4 bytes', { data: b(1, 2, 3, 4) }, 'data', /4 bytes/],
    ['data word with non-zero top bytes', { data: new Uint8Array(32).fill(1) }, 'data', /12 zero bytes/],
    ['contract creation', { to: undefined }, 'recipient', /contract creation/],
    ['maxFeePerGas ≥ 2^128', { maxFeePerGas: 2n ** 128n }, 'fee', /maxFeePerGas .* 2\^128/],
    ['maxPriorityFeePerGas ≥ 2^128', { maxPriorityFeePerGas: 2n ** 128n }, 'fee', /2\^128/],
    ['gasLimit ≥ 2^64', { gasLimit: 2n ** 64n }, 'gasLimit', /gasLimit .* 2\^64/],
    ['nonce ≥ 2^64', { nonce: 2n ** 64n }, 'nonce', /nonce .* 2\^64/],
    ['value ≥ 2^256', { value: 2n ** 256n }, 'value', /2\^256/],
    ['legacy with two different fees', { type: 0, v: 2n * CHAIN_ID + 35n }, 'fee', /gasPrice/],
  ]
  for (const [name, overrides, problem, message] of refusals) {
    it(`refuses ${name}`, () => {
      let error: unknown
      try {
        encodeSlot(transfer(overrides), DICT, CHAIN_ID)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(BatchEncodeError)
      const batchError = error as BatchEncodeError
      expect(batchError.problem).toBe(problem)
      expect(batchError.severity).toBe('invalidInput')
      expect(batchError.shortMessage).toMatch(message)
    })
  }

  it('refuses a fee entry missing from the dictionary', () => {
    expect(() => encodeSlot(transfer({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }), DICT, CHAIN_ID)).toThrow(
      /not in the fee dictionary/,
    )
  })
})
