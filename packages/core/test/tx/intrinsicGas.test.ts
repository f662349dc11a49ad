import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { createTx } from '@ethereumjs/tx'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { intrinsicGas, type SignedTransaction } from '../../src/tx/index.ts'
import { transfer } from './support.ts'

const ADDRESS = new Uint8Array(20).fill(0xcc)
const KEY = new Uint8Array(32).fill(1)

describe('intrinsicGas', () => {
  it('is 21000 for a plain transfer', () => {
    expect(intrinsicGas(transfer())).toBe(21_000n)
  })
  it('prices calldata at 4 per zero byte and 16 per non-zero byte (EIP-2028)', () => {
    expect(intrinsicGas(transfer({ data: new Uint8Array([0, 0, 1, 2, 0]) }))).toBe(21_000n + 3n * 4n + 2n * 16n)
  })
  it('adds 2400 per access-list address and 1900 per storage key (EIP-2930)', () => {
    const accessList = [
      { address: ADDRESS, storageKeys: [KEY, KEY] },
      { address: ADDRESS, storageKeys: [] },
    ]
    expect(intrinsicGas(transfer({ accessList }))).toBe(21_000n + 2n * 2_400n + 2n * 1_900n)
  })
  it('adds 32000 and 2 per initcode word for contract creation (EIP-3860)', () => {
    expect(intrinsicGas(transfer({ to: undefined }))).toBe(53_000n)
    const data = new Uint8Array(33).fill(1)
    expect(intrinsicGas(transfer({ to: undefined, data }))).toBe(53_000n + 33n * 16n + 2n * 2n)
  })
  it('applies the EIP-7623 floor only when asked', () => {
    const data = new Uint8Array(1000).fill(0xff)
    const tx = transfer({ data })
    expect(intrinsicGas(tx)).toBe(21_000n + 16_000n)
    expect(intrinsicGas(tx, { eip7623Floor: true })).toBe(21_000n + 10n * 4n * 1000n)
    // Below the floor's break-even the standard cost stands.
    const withList = transfer({ data: new Uint8Array(4).fill(1), accessList: [{ address: ADDRESS, storageKeys: [] }] })
    expect(intrinsicGas(withList, { eip7623Floor: true })).toBe(intrinsicGas(withList))
  })
})

describe('intrinsicGas against @ethereumjs/tx (seeded)', () => {
  const cancun = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun })
  const prague = new Common({ chain: Mainnet, hardfork: Hardfork.Prague })
  const generated = fc.record({
    type: fc.constantFrom(0 as const, 1 as const, 2 as const),
    create: fc.boolean(),
    data: fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }).map((d) => d.map((b) => (b < 200 ? 0 : b))),
    ),
    accessList: fc.array(
      fc.record({
        address: fc.uint8Array({ minLength: 20, maxLength: 20 }),
        storageKeys: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 4 }),
      }),
      { maxLength: 4 },
    ),
  })

  it('agrees with getIntrinsicGas (Cancun) and, with the floor, getMinimumGasLimit (Prague)', () => {
    fc.assert(
      fc.property(generated, ({ type, create, data, accessList }) => {
        const tx: SignedTransaction = transfer({
          type,
          to: create ? undefined : ADDRESS,
          data,
          accessList: type === 0 ? [] : accessList,
        })
        const txData = {
          type,
          to: tx.to,
          data,
          gasLimit: 10_000_000n,
          ...(type === 0 ? {} : { accessList: tx.accessList.map((i) => [i.address, i.storageKeys]) }),
        }
        expect(intrinsicGas(tx)).toBe(createTx(txData as never, { common: cancun }).getIntrinsicGas())
        expect(intrinsicGas(tx, { eip7623Floor: true })).toBe(
          createTx(txData as never, { common: prague }).getMinimumGasLimit(),
        )
      }),
      { seed: 2028, numRuns: 1000 },
    )
  })
})
