import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, EMPTY_BYTES, hexToBytes } from '../../src/bytes/index.ts'
import { encodeRlp, type RlpInput } from '../../src/rlp/index.ts'
import { decodeCommon, decodeTransactionGeneral } from '../../src/tx/decode.ts'
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

  it('gives a transfer the shared empty data, and other data as a copy', () => {
    const bytes = typed(2, eip1559Fields())
    expect(decodeTransaction(bytes).data).toBe(EMPTY_BYTES)
    const withData = eip1559Fields()
    withData[7] = Uint8Array.of(1, 2, 3)
    const raw = typed(2, withData)
    const tx = decodeTransaction(raw)
    expect(tx.data).toEqual(Uint8Array.of(1, 2, 3))
    expect(tx.data.buffer).not.toBe(raw.buffer)
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

describe('the direct reader of common transactions (decodeCommon) agrees with the general decoder', () => {
  const withItem = (items: Uint8Array[], index: number, item: Uint8Array) =>
    items.map((x, i) => (i === index ? item : x))
  /** The RLP items of a typed payload small enough (< 56 bytes) for the short list form. */
  const shortPayloadItems = () =>
    [1n, 0n, 0n, 0n, 21000n, TO, 0n, new Uint8Array(0), [], 0n, 1n, 1n].map((f) => encodeRlp(f))
  /** Mostly minimal integers (of any width, past 2^256 too); sometimes raw bytes (leading zeros) or a list. */
  const integer = fc.oneof(
    { weight: 40, arbitrary: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 20n }), fc.bigInt({ min: 0n, max: 2n ** 64n })) },
    { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 264n }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 34 }) },
    { weight: 1, arbitrary: fc.constantFrom<RlpInput>([], [1n]) },
  )
  const to = fc.oneof(
    { weight: 8, arbitrary: fc.constant<RlpInput>(TO) },
    { weight: 2, arbitrary: fc.constant<RlpInput>(new Uint8Array(0)) },
    { weight: 1, arbitrary: fc.constantFrom<RlpInput>(new Uint8Array(19).fill(3), new Uint8Array(21).fill(4), []) },
  )
  const data = fc.oneof(
    { weight: 8, arbitrary: fc.uint8Array({ maxLength: 70 }) },
    { weight: 1, arbitrary: fc.constant<RlpInput>([]) },
  )
  const accessList = fc.oneof(
    { weight: 8, arbitrary: fc.constant<RlpInput>([]) },
    { weight: 2, arbitrary: fc.constant<RlpInput>([[TO, [new Uint8Array(32)]]]) },
    { weight: 1, arbitrary: fc.constantFrom<RlpInput>(new Uint8Array(0), [[]]) },
  )
  /** A field list of the type's shape, sometimes with a field missing or one too many. */
  const fieldsOf = (shape: fc.Arbitrary<RlpInput>[]) =>
    fc
      .tuple(fc.tuple(...shape), fc.constantFrom('exact', 'exact', 'exact', 'short', 'long'))
      .map(([fields, count]) => (count === 'short' ? fields.slice(1) : count === 'long' ? [...fields, 0n] : fields))
  const envelope = fc.oneof(
    fieldsOf([integer, integer, integer, to, integer, data, integer, integer, integer]).map((f) => encodeRlp(f)),
    fieldsOf([integer, integer, integer, integer, to, integer, data, accessList, integer, integer, integer]).map((f) =>
      typed(1, f),
    ),
    fieldsOf([
      integer,
      integer,
      integer,
      integer,
      integer,
      to,
      integer,
      data,
      accessList,
      integer,
      integer,
      integer,
    ]).map((f) => typed(2, f)),
  )
  /** One byte changed, cut or added, to reach the non-canonical forms too. */
  const mutated = fc
    .tuple(
      envelope,
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom('none', 'none', 'none', 'set', 'cut', 'append'),
    )
    .map(([bytes, at, byte, kind]) => {
      const i = at % bytes.length
      if (kind === 'set') return concatBytes(bytes.subarray(0, i), new Uint8Array([byte]), bytes.subarray(i + 1))
      if (kind === 'cut') return bytes.subarray(0, i)
      if (kind === 'append') return concatBytes(bytes, new Uint8Array([byte]))
      return bytes
    })

  it('accepts only what the general path accepts, with the same transaction; takes the common shapes itself', () => {
    let direct = 0
    let general = 0
    fc.assert(
      fc.property(mutated, (bytes) => {
        const fast = decodeCommon(bytes)
        let reference: SignedTransaction | undefined
        try {
          reference = decodeTransactionGeneral(bytes)
        } catch (error) {
          expect(error).toBeInstanceOf(TransactionDecodeError)
        }
        if (fast !== null) {
          direct++
          expect(fast).toEqual(reference)
        } else if (reference !== undefined) {
          general++
          // only access lists take the general path among what decodes
          expect(reference.accessList.length).toBeGreaterThan(0)
        }
      }),
      { seed: 0x7a13, numRuns: 30_000 },
    )
    expect(direct).toBeGreaterThan(300)
    expect(general).toBeGreaterThan(10)
  })

  it('leaves every non-canonical length form to the general path, which refuses it', () => {
    const items = eip1559Fields().map((f) => encodeRlp(f))
    const envelope = (parts: Uint8Array[], longList: boolean) => {
      const body = concatBytes(...parts)
      const header = longList || body.length > 55 ? [0xf8, body.length] : [0xc0 + body.length]
      return concatBytes(new Uint8Array([2, ...header]), body)
    }
    const cases = [
      // data of 10 bytes in the long string form (0xb8 0x0a), which is for 56 bytes and more
      envelope(withItem(items, 7, concatBytes(hexToBytes('0xb80a'), new Uint8Array(10).fill(1))), false),
      // a long string form whose length has a leading zero
      envelope(withItem(items, 7, concatBytes(hexToBytes('0xb90040'), new Uint8Array(64).fill(1))), false),
      // the nonce 7 wrapped (0x8107)
      envelope(withItem(items, 1, hexToBytes('0x8107')), false),
      // a short field list in the long list form (only possible for a transaction under 56 bytes)
      envelope(shortPayloadItems(), true),
    ]
    for (const bytes of cases) {
      expect(decodeCommon(bytes)).toBeNull()
      expect(() => decodeTransactionGeneral(bytes)).toThrow(TransactionDecodeError)
    }
  })

  it('reads signed transactions of every type as the general path does, and copies their byte fields', () => {
    for (const type of [0, 1, 2] as const) {
      const base = transfer({ type, chainId: 2n ** 60n + 5n, data: new Uint8Array(80).fill(9) })
      const raw = encodeTransaction(sign(type === 2 ? base : { ...base, maxPriorityFeePerGas: base.maxFeePerGas }))
      const fast = decodeCommon(raw)
      expect(fast).toEqual(decodeTransactionGeneral(raw))
      expect(fast?.to?.buffer).not.toBe(raw.buffer)
      expect(fast?.data.buffer).not.toBe(raw.buffer)
    }
  })
})
