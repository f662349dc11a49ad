import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBigint, bytesToHex } from '../../src/bytes/index.ts'
import { keccak256, SECP256K1_N } from '../../src/crypto/index.ts'
import {
  checkSignature,
  createSenderPool,
  decodeTransaction,
  encodeTransaction,
  type SenderPool,
  SenderPoolError,
  type SignedTransaction,
  signingHash,
  transactionRecords,
  unpackTransaction,
} from '../../src/tx/index.ts'

const secp = createRequire(import.meta.url)('secp256k1/bindings.js') as {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number }
}

const CHAIN_ID = 1_337_901n

/** A deterministic byte source for the test transactions. */
function stream(seed: number): (n: number) => Uint8Array {
  let counter = 0
  return (n) => {
    const out = new Uint8Array(n)
    for (let o = 0; o < n; o += 32) {
      const block = keccak256(
        Uint8Array.of(seed & 0xff, (seed >> 8) & 0xff, ...new Uint8Array(Uint32Array.of(counter++).buffer)),
      )
      out.set(block.subarray(0, Math.min(32, n - o)), o)
    }
    return out
  }
}

/** 2,000 raw transactions: valid ones of all three types, and every way a signature can be bad. */
function mixedTransactions(): Uint8Array[] {
  const bytes = stream(7)
  const raws: Uint8Array[] = []
  for (let i = 0; i < 2000; i++) {
    const key = keccak256(Uint8Array.of(1, i & 0xff, i >> 8))
    const kind = i % 10
    const type = kind === 1 ? 0 : kind === 2 ? 1 : 2
    const chainId = kind === 3 ? CHAIN_ID + 1n : CHAIN_ID
    const fields: SignedTransaction = {
      type,
      chainId,
      nonce: BigInt(i),
      maxPriorityFeePerGas: type === 2 ? 1_000_000n : 2_000_000_000n,
      maxFeePerGas: 2_000_000_000n,
      gasLimit: 21_000n,
      to: bytes(20),
      value: bytesToBigint(bytes(8)),
      data: new Uint8Array(0),
      accessList: [],
      v: 0n,
      r: 0n,
      s: 0n,
    }
    const { signature, recid } = secp.ecdsaSign(signingHash(fields), key)
    fields.r = bytesToBigint(signature.subarray(0, 32))
    fields.s = bytesToBigint(signature.subarray(32))
    fields.v = type === 0 ? chainId * 2n + 35n + BigInt(recid) : BigInt(recid)
    if (kind === 4) fields.s = SECP256K1_N - fields.s // high s
    if (kind === 5) fields.r = bytesToBigint(bytes(32)) % SECP256K1_N // random r: often no point, else a wrong sender
    if (kind === 6) fields.r = 0n
    if (kind === 7 && type === 2) fields.v = 1n - fields.v // the other recovery id: a different sender
    let raw = encodeTransaction(fields)
    if (kind === 8 && i % 20 === 8) raw = raw.subarray(0, raw.length - 3) // truncated: does not decode
    if (kind === 9 && i % 20 === 9) raw = bytes(40 + (i % 60)) // garbage
    raws.push(raw)
  }
  return raws
}

function recoverOnMainThread(raw: Uint8Array): Uint8Array | undefined {
  try {
    return checkSignature(decodeTransaction(raw), { expectedChainId: CHAIN_ID }).sender
  } catch {
    return undefined
  }
}

const hexOrUndefined = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : bytesToHex(b))

describe('createSenderPool', () => {
  let pool: SenderPool
  let raws: Uint8Array[]

  beforeAll(() => {
    pool = createSenderPool({ threads: 2, chunkSize: 300 })
    raws = mixedTransactions()
  })
  afterAll(async () => {
    await pool.close()
  })

  it('recovers exactly what the main thread recovers, failures included', async () => {
    const expected = raws.map(recoverOnMainThread)
    const got = await pool.recover(raws, CHAIN_ID)
    expect(got.length).toBe(raws.length)
    expect(got.map(hexOrUndefined)).toEqual(expected.map(hexOrUndefined))
    // the mix really holds both outcomes
    const recovered = expected.filter((s) => s !== undefined).length
    expect(recovered).toBeGreaterThan(1000)
    expect(recovered).toBeLessThan(2000)
  })

  it('keeps order across concurrent calls and answers an empty call', async () => {
    const [a, b, empty] = await Promise.all([
      pool.recover(raws.slice(0, 700), CHAIN_ID),
      pool.recover(raws.slice(700, 1000), CHAIN_ID),
      pool.recover([], CHAIN_ID),
    ])
    const expected = raws.slice(0, 1000).map(recoverOnMainThread).map(hexOrUndefined)
    expect([...a, ...b].map(hexOrUndefined)).toEqual(expected)
    expect(empty).toEqual([])
  })

  it('with hashes, gives the same senders and the hash of every transaction, undecodable ones included', async () => {
    const { senders, hashes } = await pool.recoverWithHashes(raws, CHAIN_ID)
    expect(senders.map(hexOrUndefined)).toEqual(raws.map(recoverOnMainThread).map(hexOrUndefined))
    expect(hashes.map(bytesToHex)).toEqual(raws.map((raw) => bytesToHex(keccak256(raw))))
    const undecodable = raws.filter((raw) => {
      try {
        decodeTransaction(raw)
        return false
      } catch {
        return true
      }
    })
    expect(undecodable.length).toBeGreaterThan(10)
    expect(await pool.recoverWithHashes([], CHAIN_ID)).toEqual({ senders: [], hashes: [] })
  })

  it('checks the chain id it is given', async () => {
    const valid = raws[0] as Uint8Array
    expect(recoverOnMainThread(valid)).toBeDefined()
    const [other] = await pool.recover([valid], CHAIN_ID + 5n)
    expect(other).toBeUndefined()
  })
})

describe('createSenderPool lifecycle', () => {
  it('closes cleanly, and refuses work after close', async () => {
    const pool = createSenderPool({ threads: 2 })
    expect(pool.threads).toBe(2)
    await pool.close()
    await expect(pool.recover([new Uint8Array([1])], CHAIN_ID)).rejects.toBeInstanceOf(SenderPoolError)
    await pool.close()
  })

  it('rejects calls still pending when closed', async () => {
    const pool = createSenderPool({ threads: 1 })
    const pending = pool.recover(mixedTransactions(), CHAIN_ID).catch((e: unknown) => e)
    await pool.close()
    expect(await pending).toBeInstanceOf(SenderPoolError)
  })

  it('rejects with a SenderPoolError when a worker throws, instead of hanging', async () => {
    const workerUrl = new URL(
      'data:text/javascript,import{parentPort}from"node:worker_threads";parentPort.on("message",()=>{throw new Error("boom")})',
    )
    const pool = createSenderPool({ threads: 2, workerUrl })
    const error = await pool.recover([new Uint8Array([1]), new Uint8Array([2])], CHAIN_ID).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SenderPoolError)
    expect((error as SenderPoolError).message).toMatch(/crashed: boom/)
    // the pool stays failed
    await expect(pool.recover([new Uint8Array([1])], CHAIN_ID)).rejects.toBeInstanceOf(SenderPoolError)
    await pool.close()
  })

  it('rejects with a SenderPoolError when a worker exits', async () => {
    const workerUrl = new URL(
      'data:text/javascript,import{parentPort}from"node:worker_threads";parentPort.on("message",()=>process.exit(3))',
    )
    const pool = createSenderPool({ threads: 1, workerUrl })
    await expect(pool.recover([new Uint8Array([1])], CHAIN_ID)).rejects.toThrow(/exited unexpectedly with code 3/)
    await pool.close()
  })

  it('refuses a thread count below one', () => {
    expect(() => createSenderPool({ threads: 0 })).toThrow(SenderPoolError)
  })
})

describe('prepareSendBody', () => {
  let pool: SenderPool
  let valid: Uint8Array[]
  let invalid: Uint8Array[]

  const request = (id: unknown, hex: string): Record<string, unknown> => ({
    jsonrpc: '2.0',
    id,
    method: 'eth_sendRawTransaction',
    params: [hex],
  })
  const body = (raws: readonly Uint8Array[]): string =>
    JSON.stringify(raws.map((raw, i) => request(i % 3 === 0 ? i : i % 3 === 1 ? `id-${i}` : null, bytesToHex(raw))))

  beforeAll(() => {
    pool = createSenderPool({ threads: 2 })
    const raws = mixedTransactions()
    valid = raws.filter((raw) => recoverOnMainThread(raw) !== undefined)
    invalid = raws.filter((raw) => recoverOnMainThread(raw) === undefined)
  })
  afterAll(async () => {
    await pool.close()
  })

  it('gives each call its id, bytes, hash and sender, in order', async () => {
    const raws = valid.slice(0, 150)
    const prepared = await pool.prepareSendBody(body(raws), CHAIN_ID, 1000)
    if (prepared === undefined) throw new Error('a body of valid transactions was not prepared')
    expect(prepared.batch).toBe(true)
    expect(prepared.ids).toEqual(raws.map((_, i) => (i % 3 === 0 ? i : i % 3 === 1 ? `id-${i}` : null)))
    const bytes = new Uint8Array(prepared.bytes)
    const offsets = new Uint32Array(prepared.offsets)
    const hashes = new Uint8Array(prepared.hashes)
    const senders = new Uint8Array(prepared.senders)
    const transactions = transactionRecords(prepared.transactions)
    raws.forEach((raw, i) => {
      expect(bytesToHex(bytes.subarray(offsets[i], offsets[i + 1]))).toBe(bytesToHex(raw))
      expect(bytesToHex(hashes.subarray(i * 32, i * 32 + 32))).toBe(bytesToHex(keccak256(raw)))
      expect(bytesToHex(senders.subarray(i * 20, i * 20 + 20))).toBe(hexOrUndefined(recoverOnMainThread(raw)))
      expect(unpackTransaction(transactions, i)).toEqual(decodeTransaction(raw))
    })
  })

  it('prepares a single request object, upper-case hex included', async () => {
    const raw = valid[0] as Uint8Array
    const prepared = await pool.prepareSendBody(
      JSON.stringify(request('one', `0X${bytesToHex(raw).slice(2).toUpperCase()}`)),
      CHAIN_ID,
      1,
    )
    expect(prepared?.batch).toBe(false)
    expect(prepared?.ids).toEqual(['one'])
    expect(bytesToHex(new Uint8Array(prepared?.hashes ?? new ArrayBuffer(0)))).toBe(bytesToHex(keccak256(raw)))
  })

  it('leaves every other body to the caller', async () => {
    const good = bytesToHex(valid[0] as Uint8Array)
    const others: [string, string, number][] = [
      ['not JSON', `[${JSON.stringify(request(1, good))}`, 10],
      ['an empty batch', '[]', 10],
      ['more calls than allowed', body(valid.slice(0, 4)), 3],
      [
        'a notification',
        JSON.stringify([request(1, good), { jsonrpc: '2.0', method: 'eth_sendRawTransaction', params: [good] }]),
        10,
      ],
      ['another method', JSON.stringify([request(1, good), { ...request(2, good), method: 'eth_chainId' }]), 10],
      ['an object id', JSON.stringify(request({ a: 1 }, good)), 10],
      ['a wrong version', JSON.stringify({ ...request(1, good), jsonrpc: '1.0' }), 10],
      ['two arguments', JSON.stringify({ ...request(1, good), params: [good, 'latest'] }), 10],
      ['named params', JSON.stringify({ ...request(1, good), params: { transaction: good } }), 10],
      ['odd-length hex', JSON.stringify(request(1, `${good}0`)), 10],
      ['a bad digit', JSON.stringify(request(1, `${good.slice(0, -2)}zz`)), 10],
      ['no 0x', JSON.stringify(request(1, good.slice(2))), 10],
      ['empty bytes', JSON.stringify(request(1, '0x')), 10],
      ['a sender that does not recover', body([valid[1] as Uint8Array, invalid[0] as Uint8Array]), 10],
      ['bytes that do not decode', JSON.stringify(request(1, '0x02c0')), 10],
    ]
    for (const [what, text, maxCalls] of others) {
      expect(await pool.prepareSendBody(text, CHAIN_ID, maxCalls), what).toBeUndefined()
    }
    expect(await pool.prepareSendBody(body(valid.slice(0, 2)), CHAIN_ID + 1n, 10)).toBeUndefined()
  })

  it('answers bodies in the order they were handed over, whichever worker finishes first', async () => {
    const answered: string[] = []
    const large = pool.prepareSendBody(body(valid.slice(0, 900)), CHAIN_ID, 1000).then((p) => {
      answered.push('large')
      return p
    })
    const small = pool.prepareSendBody(body(valid.slice(0, 1)), CHAIN_ID, 1000).then((p) => {
      answered.push('small')
      return p
    })
    const [a, b] = await Promise.all([large, small])
    expect(answered).toEqual(['large', 'small'])
    expect(a?.ids.length).toBe(900)
    expect(b?.ids.length).toBe(1)
  })
})
