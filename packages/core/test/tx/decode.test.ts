import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, hexToBytes } from '../../src/bytes/index.ts'
import { encodeRlp, type RlpInput } from '../../src/rlp/index.ts'
import {
  decodeTransaction,
  encodeTransaction,
  hashTransaction,
  recoverSender,
  type SignedTransaction,
  TransactionDecodeError,
  TransactionEncodeError,
  transactionHash,
  UnsupportedTransactionTypeError,
} from '../../src/tx/index.ts'
import { sign, TEST_ADDRESS, transfer } from './support.ts'

const TO = hexToBytes(`0x${'ab'.repeat(20)}`)
const R = 2n ** 255n + 12345n
const S = 2n ** 200n + 6789n

/** Field lists as RLP inputs, to build bytes our encoder would never produce. */
function eip1559Fields(): RlpInput[] {
  return [1n, 7n, 1n, 2n, 21000n, TO, 5n, new Uint8Array(0), [], 1n, R, S]
}
function legacyFields(): RlpInput[] {
  return [7n, 2n, 21000n, TO, 5n, new Uint8Array(0), 37n, R, S]
}
const typed = (type: number, fields: RlpInput) => concatBytes(new Uint8Array([type]), encodeRlp(fields))
const withField = (fields: RlpInput[], index: number, value: RlpInput) =>
  fields.map((f, i) => (i === index ? value : f))

function decodeError(bytes: Uint8Array): TransactionDecodeError {
  try {
    decodeTransaction(bytes)
  } catch (error) {
    expect(error).toBeInstanceOf(TransactionDecodeError)
    expect((error as TransactionDecodeError).severity).toBe('invalidInput')
    return error as TransactionDecodeError
  }
  throw new Error(`decoded ${bytesToHex(bytes)}`)
}

describe('decodeTransaction accepts each type', () => {
  it('decodes an EIP-1559 transaction field by field', () => {
    const tx = decodeTransaction(typed(2, eip1559Fields()))
    expect(tx).toEqual({
      type: 2,
      chainId: 1n,
      nonce: 7n,
      maxPriorityFeePerGas: 1n,
      maxFeePerGas: 2n,
      gasLimit: 21000n,
      to: TO,
      value: 5n,
      data: new Uint8Array(0),
      accessList: [],
      v: 1n,
      r: R,
      s: S,
    })
  })
  it('decodes an EIP-2930 transaction with its access list, gasPrice in both fee fields', () => {
    const key = new Uint8Array(32).fill(9)
    const raw = typed(1, [5n, 0n, 3n, 30000n, new Uint8Array(0), 0n, hexToBytes('0x6000'), [[TO, [key]]], 0n, R, S])
    const tx = decodeTransaction(raw)
    expect(tx.type).toBe(1)
    expect(tx.chainId).toBe(5n)
    expect(tx.maxFeePerGas).toBe(3n)
    expect(tx.maxPriorityFeePerGas).toBe(3n)
    expect(tx.to).toBeUndefined()
    expect(tx.accessList).toEqual([{ address: TO, storageKeys: [key] }])
    expect(encodeTransaction(tx)).toEqual(raw)
  })
  it('derives the chain id of a legacy transaction from v, and leaves it undefined before EIP-155', () => {
    expect(decodeTransaction(encodeRlp(legacyFields())).chainId).toBe(1n)
    expect(decodeTransaction(encodeRlp(withField(legacyFields(), 6, 2n * 10n ** 30n + 36n))).chainId).toBe(10n ** 30n)
    expect(decodeTransaction(encodeRlp(withField(legacyFields(), 6, 27n))).chainId).toBeUndefined()
    expect(decodeTransaction(encodeRlp(withField(legacyFields(), 6, 28n))).chainId).toBeUndefined()
  })
  it('accepts the widest values each field allows', () => {
    const max64 = 2n ** 64n - 1n
    const max256 = 2n ** 256n - 1n
    const fields = [max256, max64, max256, max256, max64, TO, max256, new Uint8Array(0), [], max256, max256, max256]
    const tx = decodeTransaction(typed(2, fields))
    expect([tx.chainId, tx.nonce, tx.maxFeePerGas, tx.gasLimit, tx.value, tx.s]).toEqual([
      max256,
      max64,
      max256,
      max64,
      max256,
      max256,
    ])
  })
})

describe('decodeTransaction refuses, naming the field and the problem', () => {
  it('refuses empty bytes and an RLP string as the envelope', () => {
    expect(decodeError(new Uint8Array(0)).field).toBe('envelope')
    expect(decodeError(hexToBytes('0x820102')).message).toMatch(/RLP string/)
  })
  it.each([
    [0x00, /type 0/],
    [0x03, /EIP-4844/],
    [0x04, /EIP-7702/],
    [0x05, /unknown/],
    [0x7f, /unknown/],
  ])('refuses typed envelope 0x%s, naming the type', (type, text) => {
    const error = decodeError(typed(type, eip1559Fields()))
    expect(error).toBeInstanceOf(UnsupportedTransactionTypeError)
    expect((error as UnsupportedTransactionTypeError).transactionType).toBe(type)
    expect(error.message).toContain(`type ${type} (`)
    expect(error.message).toMatch(text)
  })
  it('refuses wrong field counts', () => {
    expect(decodeError(typed(2, eip1559Fields().slice(0, 11))).message).toMatch(/count is 11.*exactly 12/)
    expect(decodeError(typed(2, [...eip1559Fields(), 0n])).field).toBe('fields')
    expect(decodeError(typed(1, eip1559Fields())).message).toMatch(/exactly 11/)
    expect(decodeError(encodeRlp(legacyFields().slice(0, 6))).message).toMatch(/exactly 9/)
  })
  it('refuses non-canonical RLP, trailing bytes, and a typed payload that is not a list', () => {
    const raw = typed(2, eip1559Fields())
    expect(decodeError(concatBytes(raw, new Uint8Array([0]))).field).toBe('rlp')
    expect(decodeError(raw.subarray(0, raw.length - 1)).field).toBe('rlp')
    expect(decodeError(new Uint8Array([2])).field).toBe('rlp')
    expect(decodeError(typed(2, hexToBytes('0x0102'))).field).toBe('payload')
    // The nonce 7 written as 0x8107 (a wrapped single byte) instead of 0x07.
    const items = eip1559Fields().map((f) => encodeRlp(f))
    items[1] = hexToBytes('0x8107')
    const body = concatBytes(...items)
    expect(body.length).toBeGreaterThan(55)
    const nonCanonical = concatBytes(new Uint8Array([2, 0xf8, body.length]), body)
    expect(decodeError(nonCanonical).message).toMatch(/single byte below 0x80/)
  })
  it.each([
    ['chainId', 0],
    ['nonce', 1],
    ['maxPriorityFeePerGas', 2],
    ['maxFeePerGas', 3],
    ['gasLimit', 4],
    ['value', 6],
    ['yParity', 9],
    ['r', 10],
    ['s', 11],
  ])('refuses a leading zero byte in %s', (field, index) => {
    const error = decodeError(typed(2, withField(eip1559Fields(), index, hexToBytes('0x0001'))))
    expect(error.field).toBe(field)
    expect(error.message).toMatch(/leading zero/)
    // A lone zero byte is a non-canonical 0 too.
    expect(decodeError(typed(2, withField(eip1559Fields(), index, hexToBytes('0x00')))).field).toBe(field)
  })
  it.each([
    ['nonce', 1, 8],
    ['gasLimit', 4, 8],
    ['chainId', 0, 32],
    ['maxFeePerGas', 3, 32],
    ['value', 6, 32],
    ['r', 10, 32],
    ['s', 11, 32],
  ])('refuses %s wider than its limit', (field, index, width) => {
    const tooWide = new Uint8Array(width + 1).fill(1)
    const error = decodeError(typed(2, withField(eip1559Fields(), index, tooWide)))
    expect(error.field).toBe(field)
    expect(error.message).toContain(`it must fit in ${width}`)
  })
  it('refuses legacy v, gasPrice and nonce problems', () => {
    expect(decodeError(encodeRlp(withField(legacyFields(), 6, hexToBytes('0x0025')))).field).toBe('v')
    expect(decodeError(encodeRlp(withField(legacyFields(), 1, new Uint8Array(33).fill(1)))).field).toBe('gasPrice')
    expect(decodeError(encodeRlp(withField(legacyFields(), 0, [1n]))).message).toMatch(/nonce is a list/)
  })
  it('refuses a `to` that is neither empty nor 20 bytes', () => {
    expect(decodeError(typed(2, withField(eip1559Fields(), 5, new Uint8Array(19)))).message).toMatch(/to is 19 bytes/)
    expect(decodeError(typed(2, withField(eip1559Fields(), 5, new Uint8Array(21)))).field).toBe('to')
    expect(decodeError(typed(2, withField(eip1559Fields(), 5, [TO]))).field).toBe('to')
  })
  it('refuses data that is a list', () => {
    expect(decodeError(typed(2, withField(eip1559Fields(), 7, []))).field).toBe('data')
  })
  it('refuses malformed access lists', () => {
    const key = new Uint8Array(32)
    const cases: [RlpInput, string][] = [
      [new Uint8Array(0), 'accessList'],
      [[[TO]], 'accessList[0]'],
      [[[TO, [], []]], 'accessList[0]'],
      [[TO], 'accessList[0]'],
      [[[new Uint8Array(19), []]], 'accessList[0].address'],
      [[[[TO], []]], 'accessList[0].address'],
      [[[TO, key]], 'accessList[0].storageKeys'],
      [[[TO, [key, new Uint8Array(31)]]], 'accessList[0].storageKeys[1]'],
      [
        [
          [TO, [key]],
          [TO, [[key]]],
        ],
        'accessList[1].storageKeys[0]',
      ],
    ]
    for (const [list, field] of cases) {
      expect(decodeError(typed(2, withField(eip1559Fields(), 8, list))).field).toBe(field)
    }
  })
})

describe('encodeTransaction', () => {
  it('refuses objects no decoder produces', () => {
    expect(() => encodeTransaction(transfer({ chainId: undefined }))).toThrow(TransactionEncodeError)
    expect(() => encodeTransaction(transfer({ type: 1 }))).toThrow(/one gasPrice/)
    expect(() => encodeTransaction(transfer({ to: new Uint8Array(19) }))).toThrow(/to is 19 bytes/)
    expect(() =>
      encodeTransaction(transfer({ accessList: [{ address: TO, storageKeys: [new Uint8Array(31)] }] })),
    ).toThrow(TransactionEncodeError)
  })
  it('hashTransaction is the hash of the raw form', () => {
    const tx = sign(transfer())
    expect(hashTransaction(tx)).toEqual(transactionHash(encodeTransaction(tx)))
  })
})

describe('large chain ids, nonces and v (self-signed; beyond what viem takes)', () => {
  it('round-trips and recovers for chain ids up to the widest each type allows', () => {
    for (const chainId of [0n, 1n, 2n ** 53n + 1n, 2n ** 64n + 3n, 2n ** 128n, 2n ** 255n - 19n]) {
      for (const type of [0, 1, 2] as const) {
        const base = transfer({ type, chainId, nonce: 2n ** 64n - 2n })
        const tx = sign(type === 2 ? base : { ...base, maxPriorityFeePerGas: base.maxFeePerGas })
        const raw = encodeTransaction(tx)
        const decoded = decodeTransaction(raw)
        expect(decoded).toEqual(tx)
        expect(recoverSender(decoded)).toEqual(TEST_ADDRESS)
      }
    }
    const widest = sign(transfer({ chainId: 2n ** 256n - 1n }))
    expect(recoverSender(decodeTransaction(encodeTransaction(widest)))).toEqual(TEST_ADDRESS)
  })
})

describe('mutations of valid transactions never crash the decoder (seeded)', () => {
  const valid: Uint8Array[] = []
  for (const type of [0, 1, 2] as const) {
    for (const [i, data] of [new Uint8Array(0), new Uint8Array(60).fill(7)].entries()) {
      const base = transfer({
        type,
        chainId: 10n ** BigInt(i * 10),
        data,
        accessList: type === 0 ? [] : [{ address: TO, storageKeys: [new Uint8Array(32).fill(1)] }],
      })
      valid.push(encodeTransaction(sign(type === 2 ? base : { ...base, maxPriorityFeePerGas: base.maxFeePerGas })))
    }
  }
  const mutation = fc
    .tuple(
      fc.constantFrom(...valid),
      fc.array(
        fc.record({
          kind: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'delete'),
          at: fc.nat(),
          byte: fc.integer({ min: 0, max: 255 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([raw, edits]) => {
      let bytes: Uint8Array = raw.slice()
      for (const { kind, at, byte } of edits) {
        const i = bytes.length === 0 ? 0 : at % bytes.length
        if (kind === 'flip') bytes[i] = (bytes[i] as number) ^ (1 << (byte % 8))
        else if (kind === 'set') bytes[i] = byte
        else if (kind === 'truncate') bytes = bytes.slice(0, i)
        else if (kind === 'insert') bytes = concatBytes(bytes.subarray(0, i), new Uint8Array([byte]), bytes.subarray(i))
        else bytes = concatBytes(bytes.subarray(0, i), bytes.subarray(i + 1))
      }
      return bytes
    })

  it('either decodes (to a transaction that re-encodes to the same bytes) or throws TransactionDecodeError', () => {
    let decodedCount = 0
    fc.assert(
      fc.property(mutation, (bytes) => {
        let tx: SignedTransaction
        try {
          tx = decodeTransaction(bytes)
        } catch (error) {
          expect(error).toBeInstanceOf(TransactionDecodeError)
          return
        }
        decodedCount++
        // Strictness: whatever decodes is the canonical encoding of what it decodes to.
        expect(encodeTransaction(tx)).toEqual(bytes)
        // Sender recovery is total on anything that decodes.
        const sender = recoverSender(tx, { allowPreEip155: true })
        expect(sender === undefined || sender.length === 20).toBe(true)
      }),
      { seed: 0x7a11, numRuns: 20_000 },
    )
    // The mutations reach both outcomes (single flips in values and signatures still decode).
    expect(decodedCount).toBeGreaterThan(100)
  })

  it('random bytes behind each envelope byte never crash it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 120 }), (first, rest) => {
        try {
          decodeTransaction(concatBytes(new Uint8Array([first]), rest))
        } catch (error) {
          expect(error).toBeInstanceOf(TransactionDecodeError)
        }
      }),
      { seed: 0x7a12, numRuns: 20_000 },
    )
  })
})
