import {
  bytesToHex,
  checkSignature,
  decodeTransaction,
  encodeTransaction,
  MESSAGE_PASSER,
  NOOP_REASONS,
  parseSendRawTransactionBody,
  SECP256K1_N,
  type SignedTransaction,
  transactionHash,
  transactionRecords,
  unpackTransaction,
} from '@sluice/core'
import { TXPOOL_REFUSALS, TxPoolRefusalError } from '@sluice/node'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import { signTransaction, transfer } from '../../../../test/support/wallet.ts'
import {
  blockHashKeys,
  blockSenderKeys,
  MempoolError,
  type PoolTransaction,
  refusalForNoop,
  registerMempoolMetrics,
  type SenderRecovery,
} from '../../src/mempool/index.ts'
import { alice, bob, carol, closeRecovery, config, dave, ETH, FakeView, makePool, recipient, tx } from './support.ts'

afterAll(closeRecovery)

const gwei = 1_000_000_000n

/** The refusal an admission fails with, or 'accepted'. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'accepted'
  } catch (error) {
    if (error instanceof MempoolError) {
      expect(error).toBeInstanceOf(TxPoolRefusalError)
      expect(error.severity).toBe('invalidInput')
      expect(error.code).toBe(error.refusal)
      expect(error.shortMessage).toBe(TXPOOL_REFUSALS[error.refusal])
      return error.shortMessage
    }
    throw error
  }
}

/** The smallest x ≥ 1 with x³ + 7 not a square mod p (Euler's criterion): no secp256k1 point has it. */
function firstNonCurveX(): bigint {
  const p = 2n ** 256n - 2n ** 32n - 977n
  const power = (base: bigint, exponent: bigint): bigint => {
    let result = 1n
    let b = base % p
    for (let e = exponent; e > 0n; e >>= 1n) {
      if (e & 1n) result = (result * b) % p
      b = (b * b) % p
    }
    return result
  }
  for (let x = 1n; ; x++) if (power(x ** 3n + 7n, (p - 1n) / 2n) === p - 1n) return x
}

function costOf(raw: Uint8Array): bigint {
  const decoded = decodeTransaction(raw)
  return decoded.value + decoded.gasLimit * decoded.maxFeePerGas
}

function fields(overrides: Partial<Omit<SignedTransaction, 'v' | 'r' | 's'>> = {}) {
  return {
    type: 2 as const,
    chainId: config.chainId,
    nonce: 0n,
    maxFeePerGas: 3n * gwei,
    maxPriorityFeePerGas: gwei,
    gasLimit: 21_000n,
    to: recipient,
    value: 1n,
    data: new Uint8Array(0),
    accessList: [],
    ...overrides,
  }
}

describe('Mempool admission', () => {
  it('admits a valid transfer: get, pendingNonce, size', async () => {
    const view = new FakeView().set(alice, { balance: ETH, nonce: 3n })
    const { pool } = makePool(view)
    expect(pool.pendingNonce(alice.address)).toBe(3n)
    const raw = tx(alice, 3n)
    const pooled = await pool.add(raw)
    expect(pooled.sender).toEqual(alice.address)
    expect(pool.get(pooled.hash)?.raw).toEqual(raw)
    expect(pool.get(pooled.hashHex)?.tx.nonce).toBe(3n)
    expect(pool.size).toBe(1)
    expect(pool.pendingNonce(alice.addressHex)).toBe(4n)
  })

  it("keeps one copy of a sender's address and keys for all its pooled transactions", async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view)
    const first = await pool.add(tx(alice, 0n))
    const second = await pool.add(tx(alice, 1n))
    expect(second.sender).toEqual(alice.address)
    expect(second.senderHex).toBe(alice.addressHex.toLowerCase())
    expect(second.sender).toBe(first.sender)
    expect(second.senderKey).toBe(first.senderKey)
  })

  it('refuses without capturing a stack, and leaves the stack-trace limit as it was', async () => {
    const view = new FakeView().set(alice, { balance: ETH, nonce: 5n })
    const { pool } = makePool(view)
    const limit = Error.stackTraceLimit
    const refusal = await pool.add(tx(alice, 4n)).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refusal).toMatchObject({ refusal: 'nonceTooLow', shortMessage: TXPOOL_REFUSALS.nonceTooLow })
    expect((refusal as MempoolError).details).toBe(`address ${alice.addressHex.toLowerCase()}, tx: 4 state: 5`)
    expect((refusal as MempoolError).stack).not.toContain('\n    at ')
    expect(Error.stackTraceLimit).toBe(limit)
    expect(new Error('elsewhere').stack).toContain('\n    at ')
  })

  it('refuses every stateless no-op with its text', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view, { minTipPerGas: 1n })
    const sign = (overrides: Parameters<typeof fields>[0]) => signTransaction(fields(overrides), alice.privateKey).raw
    const good = transfer(alice, recipient, { chainId: config.chainId, nonce: 0n, value: 1n }).tx
    const highS = encodeTransaction({ ...good, s: SECP256K1_N - good.s, v: good.v ^ 1n })
    const zeroR = encodeTransaction({ ...good, r: 0n })
    // An r that is no point's x coordinate: every range rule holds, but the worker recovers no sender.
    const noPoint = encodeTransaction({ ...good, r: firstNonCurveX() })

    const cases: [string, Uint8Array][] = [
      [TXPOOL_REFUSALS.oversizedData, new Uint8Array(2_000).fill(0xc0)],
      [TXPOOL_REFUSALS.undecodable, Uint8Array.of(0xc0)],
      [TXPOOL_REFUSALS.typeNotSupported, Uint8Array.of(0x03, 0xc0)],
      [TXPOOL_REFUSALS.notReplayProtected, sign({ type: 0, chainId: undefined, maxPriorityFeePerGas: 3n * gwei })],
      [TXPOOL_REFUSALS.invalidChainId, sign({ chainId: 1n })],
      [TXPOOL_REFUSALS.invalidChainId, sign({ type: 0, chainId: 1n, maxPriorityFeePerGas: 3n * gwei })],
      [TXPOOL_REFUSALS.invalidSender, highS],
      [TXPOOL_REFUSALS.invalidSender, zeroR],
      [TXPOOL_REFUSALS.invalidSender, noPoint],
      [TXPOOL_REFUSALS.contractCreation, sign({ to: undefined })],
      [TXPOOL_REFUSALS.dataNotAllowed, sign({ data: Uint8Array.of(1), gasLimit: 30_000n })],
      [
        TXPOOL_REFUSALS.dataNotAllowed,
        sign({ to: MESSAGE_PASSER, data: new Uint8Array(32).fill(1), gasLimit: 30_000n }),
      ],
      [
        TXPOOL_REFUSALS.accessListNotSupported,
        sign({ type: 1, maxPriorityFeePerGas: 3n * gwei, accessList: [{ address: recipient, storageKeys: [] }] }),
      ],
      [TXPOOL_REFUSALS.nonceMax, sign({ nonce: 2n ** 64n - 1n })],
      [TXPOOL_REFUSALS.tipAboveFeeCap, sign({ maxPriorityFeePerGas: 4n * gwei })],
      [TXPOOL_REFUSALS.feeCapBelowBaseFee, sign({ maxFeePerGas: gwei - 1n, maxPriorityFeePerGas: 0n })],
      [TXPOOL_REFUSALS.intrinsicGasTooLow, sign({ gasLimit: 20_999n })],
      [TXPOOL_REFUSALS.gasLimitExceeded, sign({ gasLimit: config.l2BlockGasLimit + 1n })],
      [TXPOOL_REFUSALS.underpriced, sign({ maxFeePerGas: gwei, maxPriorityFeePerGas: 0n })],
    ]
    for (const [text, raw] of cases) expect({ text: await outcome(pool.add(raw)) }).toEqual({ text })
    expect(pool.size).toBe(0)
    expect(pool.stats().accepted).toBe(0)
  })

  it('admits and refuses a worker-prepared transaction (addRecovered, its packed decoded form) exactly as add', async () => {
    const sign = (overrides: Parameters<typeof fields>[0]) => signTransaction(fields(overrides), alice.privateKey).raw
    const withdrawal = new Uint8Array(32).fill(7).fill(0, 0, 12)
    // Every one recovers under the chain id, so the worker takes it; the last four are not packed
    // (an access list, data over 32 bytes, a value of 2^128 or a fee cap of 2^64 or more) and are decoded by the pool.
    const raws = [
      sign({ nonce: 0n }),
      sign({ nonce: 1n, type: 0, maxPriorityFeePerGas: 3n * gwei }),
      sign({ nonce: 2n, type: 1, maxPriorityFeePerGas: 3n * gwei }),
      sign({ nonce: 3n, to: MESSAGE_PASSER, data: withdrawal, gasLimit: 30_000n }),
      sign({ nonce: 3n, value: 2n }), // a replacement without a fee bump
      sign({ to: undefined }),
      sign({ data: Uint8Array.of(1), gasLimit: 30_000n }),
      sign({ to: MESSAGE_PASSER, data: new Uint8Array(32).fill(1), gasLimit: 30_000n }),
      sign({ nonce: 2n ** 64n - 1n }),
      sign({ maxPriorityFeePerGas: 4n * gwei }),
      sign({ maxFeePerGas: gwei - 1n, maxPriorityFeePerGas: 0n }),
      sign({ gasLimit: 20_999n }),
      sign({ gasLimit: config.l2BlockGasLimit + 1n }),
      sign({ maxFeePerGas: gwei, maxPriorityFeePerGas: 0n }),
      sign({ nonce: 40n }),
      sign({ nonce: 4n, value: 3n * ETH }),
      sign({ nonce: 4n, value: 2n ** 64n }), // packed: the value's high word
      sign({ type: 1, maxPriorityFeePerGas: 3n * gwei, accessList: [{ address: recipient, storageKeys: [] }] }),
      sign({ data: new Uint8Array(33), gasLimit: 40_000n }),
      sign({ nonce: 4n, value: 2n ** 128n }),
      sign({ nonce: 4n, maxFeePerGas: 2n ** 64n, maxPriorityFeePerGas: gwei }),
      sign({ nonce: 0n }), // already known
    ]
    const body = JSON.stringify(
      raws.map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [bytesToHex(raw)] })),
    )
    const prepared = parseSendRawTransactionBody(body, config.chainId, raws.length)
    if (prepared === undefined) throw new Error('the worker path refused the body')
    const records = transactionRecords(prepared.transactions)
    const hashes = new Uint8Array(prepared.hashes)
    const senders = new Uint8Array(prepared.senders)
    const known = raws.map((_, i) => ({
      hash: hashes.slice(i * 32, i * 32 + 32),
      sender: senders.slice(i * 20, i * 20 + 20),
      tx: unpackTransaction(records, i),
    }))
    expect(known.map((k) => k.tx !== undefined)).toEqual(
      raws.map((_, i) => i < raws.length - 5 || i === raws.length - 1),
    )

    const view = () => new FakeView().set(alice, { balance: 3n * ETH })
    const usual = makePool(view(), { minTipPerGas: 1n, now: () => 1_000 }).pool
    const prepares = makePool(view(), { minTipPerGas: 1n, now: () => 1_000 }).pool
    const settle = async (admit: () => Promise<PoolTransaction>) =>
      admit().then(
        (pooled) => ({ accepted: pooled }),
        (error: unknown) => ({ refused: { ...(error as MempoolError) }, message: (error as Error).message }),
      )
    const outcomes: string[] = []
    for (const [i, raw] of raws.entries()) {
      const expected = await settle(() => usual.add(raw))
      const got = await settle(async () => prepares.addRecovered(raw, known[i] as (typeof known)[number]))
      expect(got, `transaction ${i}`).toEqual(expected)
      outcomes.push('accepted' in got ? 'accepted' : got.refused.refusal)
    }
    expect(outcomes).toEqual([
      ...['accepted', 'accepted', 'accepted', 'accepted', 'replacementUnderpriced', 'contractCreation'],
      ...['dataNotAllowed', 'dataNotAllowed', 'nonceMax', 'tipAboveFeeCap', 'feeCapBelowBaseFee'],
      ...[
        'intrinsicGasTooLow',
        'gasLimitExceeded',
        'underpriced',
        'accepted',
        'insufficientFunds',
        'insufficientFunds',
      ],
      ...['accessListNotSupported', 'dataNotAllowed', 'insufficientFunds', 'insufficientFunds', 'alreadyKnown'],
    ])
    expect({ ...prepares.stats(), recoveryBatches: 0 }).toEqual({ ...usual.stats(), recoveryBatches: 0 })
  })

  it('admits a withdrawal to the message passer with one word whose top 12 bytes are zero', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view)
    const data = new Uint8Array(32).fill(7)
    data.fill(0, 0, 12)
    const raw = signTransaction(fields({ to: MESSAGE_PASSER, data, gasLimit: 30_000n }), alice.privateKey).raw
    expect(await outcome(pool.add(raw))).toBe('accepted')
  })

  it('refuses duplicates, concurrent or not, as already known', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view)
    const raw = tx(alice, 0n)
    const [first, second] = await Promise.all([outcome(pool.add(raw)), outcome(pool.add(raw))])
    expect([first, second]).toEqual(['accepted', TXPOOL_REFUSALS.alreadyKnown])
    expect(await outcome(pool.add(raw))).toBe(TXPOOL_REFUSALS.alreadyKnown)
  })

  it('refuses nonces below the account and too far ahead of the pending nonce', async () => {
    const view = new FakeView().set(alice, { balance: ETH, nonce: 5n })
    const { pool } = makePool(view, { maxNonceGap: 4 })
    expect(await outcome(pool.add(tx(alice, 4n)))).toBe(TXPOOL_REFUSALS.nonceTooLow)
    expect(await outcome(pool.add(tx(alice, 9n)))).toBe(TXPOOL_REFUSALS.nonceTooHigh)
    expect(await outcome(pool.add(tx(alice, 8n)))).toBe('accepted')
    // The gap is measured from the pending nonce: once 5 is pooled, 9 is within reach.
    expect(await outcome(pool.add(tx(alice, 5n)))).toBe('accepted')
    expect(await outcome(pool.add(tx(alice, 9n)))).toBe('accepted')
  })

  it('counts the sender’s other pooled transactions against the balance', async () => {
    const first = tx(alice, 0n)
    const second = tx(alice, 1n)
    const view = new FakeView().set(alice, { balance: costOf(first) + costOf(second) - 1n })
    const { pool } = makePool(view)
    expect(await outcome(pool.add(tx(bob, 0n)))).toBe(TXPOOL_REFUSALS.insufficientFunds)
    expect(await outcome(pool.add(first))).toBe('accepted')
    expect(await outcome(pool.add(second))).toBe(TXPOOL_REFUSALS.insufficientFunds)
    view.set(alice, { balance: costOf(first) + costOf(second) })
    expect(await outcome(pool.add(second))).toBe('accepted')
  })

  it('replaces only with a 10% bump of both fee caps, and reports the replaced one', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool, dropped } = makePool(view)
    const original = await pool.add(tx(alice, 0n, { tipGwei: 10n, feeCapGwei: 20n }))
    expect(await outcome(pool.add(tx(alice, 0n, { tipGwei: 10n, feeCapGwei: 22n })))).toBe(
      TXPOOL_REFUSALS.replacementUnderpriced,
    )
    expect(await outcome(pool.add(tx(alice, 0n, { tipGwei: 11n, feeCapGwei: 21n })))).toBe(
      TXPOOL_REFUSALS.replacementUnderpriced,
    )
    const replacement = await pool.add(tx(alice, 0n, { tipGwei: 11n, feeCapGwei: 22n }))
    expect(pool.size).toBe(1)
    expect(pool.get(original.hash)).toBeUndefined()
    expect(pool.get(replacement.hash)).toBe(replacement)
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([[original.hashHex, 'replaced']])
    expect(dropped[0]?.detail).toContain(replacement.hashHex)
  })

  it('batches the sender recoveries of concurrent submissions', async () => {
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    const { pool } = makePool(view)
    const raws = Array.from({ length: 40 }, (_, i) => tx(i % 2 === 0 ? alice : bob, BigInt(i >> 1)))
    const before = pool.stats().recoveryBatches
    const results = await Promise.all(raws.map((raw) => outcome(pool.add(raw))))
    expect(results.every((r) => r === 'accepted')).toBe(true)
    expect(pool.stats().recoveryBatches - before).toBe(1)
    expect(pool.pendingNonce(alice.address)).toBe(20n)
    expect(pool.pendingNonce(bob.address)).toBe(20n)
  })

  it("admits in arrival order when a later recovery call is answered before an earlier one's", async () => {
    // Two workers: the second call's chunk may come back while the first call's is still running.
    const answers: ((outcome: 'recover' | Error) => void)[] = []
    const recovery: SenderRecovery = {
      recover: (raws) =>
        new Promise((resolve, reject) => {
          answers.push((outcome) => {
            if (outcome instanceof Error) reject(outcome)
            else
              resolve(
                raws.map((raw) => checkSignature(decodeTransaction(raw), { expectedChainId: config.chainId }).sender),
              )
          })
        }),
    }
    const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    const { pool } = makePool(view, { recovery, maxQueued: 1 })
    const first = pool.add(tx(alice, 0n))
    await nextTurn()
    const second = pool.add(tx(alice, 1n))
    await nextTurn()
    expect(answers).toHaveLength(2)
    ;(answers[1] as (outcome: 'recover') => void)('recover')
    await nextTurn()
    // Nonce 1 must not go in (as non-executable) before nonce 0, whose recovery is still running.
    expect(pool.size).toBe(0)
    ;(answers[0] as (outcome: 'recover') => void)('recover')
    await Promise.all([first, second])
    expect(pool.stats()).toMatchObject({ size: 2, ready: 2, queued: 0 })

    // A failed call rejects its own admissions only, and still answers after the earlier calls.
    const third = pool.add(tx(alice, 2n))
    await nextTurn()
    const fourth = pool.add(tx(bob, 0n))
    await nextTurn()
    const failure = new Error('worker died')
    ;(answers[3] as (outcome: 'recover') => void)('recover')
    ;(answers[2] as (outcome: Error) => void)(failure)
    await expect(third).rejects.toBe(failure)
    await fourth
    expect(pool.pendingNonce(alice.address)).toBe(2n)
    expect(pool.pendingNonce(bob.address)).toBe(1n)
  })

  it('says in the details of an invalid sender which signature value is out of range', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view)
    const good = transfer(alice, recipient, { chainId: config.chainId, nonce: 0n, value: 1n }).tx
    const highS = encodeTransaction({ ...good, s: SECP256K1_N - good.s, v: good.v ^ 1n })
    const refusal = await pool.add(highS).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refusal).toBeInstanceOf(MempoolError)
    expect(refusal).toMatchObject({ refusal: 'invalidSender', shortMessage: TXPOOL_REFUSALS.invalidSender })
    expect((refusal as MempoolError).details).toContain(TXPOOL_REFUSALS.invalidSignature)
  })

  it('refuses a nonce mismatch of the STF as too low or too high, by its side', () => {
    expect(refusalForNoop('nonceMismatch', { transaction: 4n, account: 5n })).toBe('nonceTooLow')
    expect(refusalForNoop('nonceMismatch', { transaction: 6n, account: 5n })).toBe('nonceTooHigh')
    expect(refusalForNoop('nonceMismatch')).toBe('nonceTooLow')
    for (const reason of NOOP_REASONS) {
      if (reason !== 'nonceMismatch') {
        expect(refusalForNoop(reason, { transaction: 6n, account: 5n })).toBe(refusalForNoop(reason))
      }
    }
  })
})

describe('Mempool queues and ordering', () => {
  it('keeps future nonces queued until the gap is filled', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view)
    await pool.add(tx(alice, 2n))
    await pool.add(tx(alice, 1n))
    expect(pool.pendingNonce(alice.address)).toBe(0n)
    expect(pool.stats()).toMatchObject({ size: 2, ready: 0, queued: 2 })
    expect(pool.takeReady(10, config.l2BlockGasLimit)).toEqual([])
    await pool.add(tx(alice, 0n))
    expect(pool.pendingNonce(alice.address)).toBe(3n)
    expect(pool.stats()).toMatchObject({ ready: 3, queued: 0 })
    expect(pool.takeReady(10, config.l2BlockGasLimit).map((p) => p.nonce)).toEqual([0n, 1n, 2n])
  })

  it('keeps, orders, includes and drops nonces on both sides of 2^53 as any others', async () => {
    // The pool keys a sender's transactions by number below 2^53 and by bigint from there.
    const edge = 2n ** 53n
    const view = new FakeView().set(alice, { nonce: edge - 2n, balance: ETH })
    const { pool, dropped } = makePool(view)
    await pool.add(tx(alice, edge + 1n))
    await pool.add(tx(alice, edge - 1n))
    expect(pool.stats()).toMatchObject({ ready: 0, queued: 2 })
    expect(pool.pendingNonce(alice.address)).toBe(edge - 2n)
    await pool.add(tx(alice, edge - 2n))
    await pool.add(tx(alice, edge))
    expect(pool.stats()).toMatchObject({ ready: 4, queued: 0 })
    expect(pool.pendingNonce(alice.address)).toBe(edge + 2n)
    // A replacement at 2^53 finds the pooled one, and a copy at the same nonce is refused as underpriced.
    expect(await outcome(pool.add(tx(alice, edge, { value: 2n })))).toBe(TXPOOL_REFUSALS.replacementUnderpriced)
    const replacement = await pool.add(tx(alice, edge, { tipGwei: 2n, feeCapGwei: 4n }))
    expect(dropped.map((d) => [d.reason, d.transaction.nonce])).toEqual([['replaced', edge]])
    const ready = pool.takeReady(10, config.l2BlockGasLimit)
    expect(ready.map((p) => p.nonce)).toEqual([edge - 2n, edge - 1n, edge, edge + 1n])
    expect(ready[2]).toBe(replacement)
    pool.markIncluded(ready.slice(0, 3).map((p) => p.hash))
    pool.onNewHead(view.clone().set(alice, { nonce: edge + 1n }), [alice.address])
    expect(pool.takeReady(10, config.l2BlockGasLimit).map((p) => p.nonce)).toEqual([edge + 1n])
    expect(pool.stats()).toMatchObject({ size: 1, ready: 1, queued: 0 })
    expect(pool.pendingNonce(alice.address)).toBe(edge + 2n)
  })

  it('takes the highest tip first across senders, never a nonce before a lower one', async () => {
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH }).set(carol, { balance: ETH })
    const { pool } = makePool(view)
    const a0 = await pool.add(tx(alice, 0n, { tipGwei: 1n }))
    const a1 = await pool.add(tx(alice, 1n, { tipGwei: 9n }))
    const b0 = await pool.add(tx(bob, 0n, { tipGwei: 5n }))
    const c0 = await pool.add(tx(carol, 0n, { tipGwei: 3n }))
    const order = (txs: { hashHex: string }[]) => txs.map((t) => t.hashHex)
    expect(order(pool.takeReady(10, config.l2BlockGasLimit))).toEqual(order([b0, c0, a0, a1]))
    expect(order(pool.takeReady(2, config.l2BlockGasLimit))).toEqual(order([b0, c0]))
    expect(order(pool.takeReady(10, 3n * 21_000n))).toEqual(order([b0, c0, a0]))
    // Reading does not remove.
    expect(pool.size).toBe(4)
  })

  it('markIncluded removes sealed transactions and advances the sender', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool, dropped } = makePool(view)
    const a0 = await pool.add(tx(alice, 0n))
    const a1 = await pool.add(tx(alice, 1n))
    pool.markIncluded([a0.hash])
    pool.onNewHead(view.clone().set(alice, { nonce: 1n, balance: ETH - costOf(a0.raw) }), [alice.address])
    expect(pool.get(a0.hash)).toBeUndefined()
    expect(pool.takeReady(10, config.l2BlockGasLimit)).toEqual([a1])
    expect(pool.pendingNonce(alice.address)).toBe(2n)
    expect(dropped).toEqual([])
  })

  it('takes a sealed block by the pool keys of its taken and forced transactions as by their hashes and senders', async () => {
    const view = new FakeView()
      .set(alice, { balance: ETH })
      .set(bob, { balance: ETH })
      .set(carol, { balance: ETH })
      .set(dave, { balance: ETH })
    const raws = [tx(alice, 0n), tx(alice, 1n), tx(alice, 2n), tx(bob, 0n), tx(bob, 1n), tx(carol, 0n), tx(dave, 0n)]
    const byHashes = makePool(view)
    const byKeys = makePool(view)
    const pooledByHashes = await Promise.all(raws.map((raw) => byHashes.pool.add(raw)))
    const pooledByKeys = await Promise.all(raws.map((raw) => byKeys.pool.add(raw)))
    const [a0, a1, , b0, , c0] = pooledByKeys as PoolTransaction[]
    // Forced first: carol's pooled transaction itself, and a dave transaction the pool never saw,
    // which spends the nonce of dave's pooled one. Then what the builder took from the pool.
    const daveForced = transactionHash(tx(dave, 0n, { tipGwei: 3n }))
    const forced = [
      { hash: c0?.hash as Uint8Array, sender: carol.address },
      { hash: daveForced, sender: dave.address },
    ]
    const taken = [a0, a1, b0] as PoolTransaction[]
    const block = { transactions: [...forced, ...taken.map((t) => ({ hash: t.hash, sender: t.sender }))] }
    // The head after it; bob's balance went elsewhere too, down to nothing more than his nonce 0 took.
    const head = view
      .clone()
      .set(alice, { nonce: 2n })
      .set(bob, { nonce: 1n, balance: 0n })
      .set(carol, { nonce: 1n })
      .set(dave, { nonce: 1n })

    const hashKeys = blockHashKeys(block, taken)
    const senderKeys = blockSenderKeys(block, taken)
    expect(hashKeys).toEqual(block.transactions.map((t) => bytesToHex(t.hash).slice(2)))
    expect(senderKeys).toEqual(block.transactions.map((t) => bytesToHex(t.sender).slice(2)))
    byHashes.pool.markIncluded(block.transactions.map((t) => t.hash))
    byHashes.pool.onNewHead(
      head,
      block.transactions.map((t) => t.sender),
    )
    byKeys.pool.markIncludedByKey(hashKeys)
    byKeys.pool.onNewHeadByKey(head, senderKeys)

    const summary = ({ pool, dropped }: ReturnType<typeof makePool>) => ({
      dropped: dropped.map((d) => [d.transaction.hashHex, d.reason, d.detail]),
      pooled: [...pool.transactions()].map((t) => t.hashHex),
      ready: pool.takeReady(10, config.l2BlockGasLimit).map((t) => t.hashHex),
      pending: [alice, bob, carol, dave].map((who) => pool.pendingNonce(who.address)),
      stats: pool.stats(),
    })
    const expected = summary(byHashes)
    expect(summary(byKeys)).toEqual(expected)
    // What both did: alice's 0 and 1 and carol's 0 left as included; dave's 0 (nonce spent by the
    // forced one) and bob's 1 (no balance left) dropped with their reasons.
    expect(expected.pooled).toEqual([pooledByHashes[2]?.hashHex])
    expect(expected.dropped.map(([hash, reason]) => [hash, reason])).toEqual([
      [pooledByHashes[6]?.hashHex, 'nonceTooLow'],
      [pooledByHashes[4]?.hashHex, 'insufficientFunds'],
    ])
    expect(expected.pending).toEqual([3n, 1n, 1n, 1n])
  })

  it('drops, with the reason, what a new head made invalid', async () => {
    const view = new FakeView().set(alice, { balance: ETH }).set(bob, { balance: ETH })
    const { pool, dropped } = makePool(view)
    const a0 = await pool.add(tx(alice, 0n))
    const a1 = await pool.add(tx(alice, 1n))
    const b0 = await pool.add(tx(bob, 0n))
    const b1 = await pool.add(tx(bob, 1n))
    // A forced transaction used alice's nonce 0; bob's balance was spent elsewhere down to one transfer.
    const next = view
      .clone()
      .set(alice, { nonce: 1n })
      .set(bob, { balance: costOf(b0.raw) })
    pool.onNewHead(next, [alice.address, bob.address])
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason, d.message])).toEqual([
      [a0.hashHex, 'nonceTooLow', TXPOOL_REFUSALS.nonceTooLow],
      [b1.hashHex, 'insufficientFunds', TXPOOL_REFUSALS.insufficientFunds],
    ])
    expect(
      pool
        .takeReady(10, config.l2BlockGasLimit)
        .map((p) => p.hashHex)
        .sort(),
    ).toEqual([a1.hashHex, b0.hashHex].sort())
  })

  it('remove drops a transaction with the caller’s reason and reopens the nonce', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool, dropped } = makePool(view)
    const a0 = await pool.add(tx(alice, 0n))
    const a1 = await pool.add(tx(alice, 1n))
    expect([...pool.transactions()]).toEqual([a0, a1])
    expect(
      pool.remove(a0.hashHex.toUpperCase().replace('0X', '0x') as `0x${string}`, 'insufficientFunds', 'no-op'),
    ).toBe(true)
    expect(pool.remove(a0.hash, 'removed')).toBe(false)
    expect(dropped.map((d) => [d.transaction, d.reason, d.message, d.detail])).toEqual([
      [a0, 'insufficientFunds', TXPOOL_REFUSALS.insufficientFunds, 'no-op'],
    ])
    expect(pool.has(a0.hash)).toBe(false)
    expect(pool.pendingNonce(alice.address)).toBe(0n)
    expect(pool.takeReady(10, config.l2BlockGasLimit)).toEqual([])
    expect(pool.stats()).toMatchObject({ size: 1, ready: 0, queued: 1 })
  })

  it('still drops a nonce left below a block that included a higher one of the same sender', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool, dropped } = makePool(view)
    const a0 = await pool.add(tx(alice, 0n))
    const a1 = await pool.add(tx(alice, 1n))
    // A forced transaction spent nonce 0 and the block then included the pooled nonce 1: the head's
    // nonce (2) is where markIncluded left the sender, and its balance covers everything pooled.
    pool.markIncluded([a1.hash])
    pool.onNewHead(view.clone().set(alice, { nonce: 2n }), [alice.address])
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([[a0.hashHex, 'nonceTooLow']])
    expect(pool.size).toBe(0)
    expect(pool.pendingNonce(alice.address)).toBe(2n)
  })

  it('still drops a nonce admitted below the sender against a view that was behind the pool', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool, dropped } = makePool(view)
    const [a0, a1] = [await pool.add(tx(alice, 0n)), await pool.add(tx(alice, 1n))]
    await pool.add(tx(alice, 2n))
    pool.markIncluded([a0.hash, a1.hash])
    view.set(alice, { nonce: 2n })
    pool.onNewHead(view, [alice.address])
    // The view reads an older head for a moment (a rebuild), and a nonce 0 is admitted against it.
    view.set(alice, { nonce: 0n })
    const late = await pool.add(tx(alice, 0n, { value: 2n }))
    view.set(alice, { nonce: 2n })
    pool.onNewHead(view, [alice.address])
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([[late.hashHex, 'nonceTooLow']])
    expect(pool.pendingNonce(alice.address)).toBe(3n)
  })

  it('re-checks every sender when onNewHead gets no sender list', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool, dropped } = makePool(view)
    const a0 = await pool.add(tx(alice, 0n))
    pool.onNewHead(view.clone().set(alice, { balance: 0n }))
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([[a0.hashHex, 'insufficientFunds']])
    expect(pool.size).toBe(0)
  })
})

describe('Mempool limits', () => {
  it('refuses a sender beyond its limit, unless it fills a gap below its highest nonce', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool, dropped } = makePool(view, { maxPerSender: 3 })
    await pool.add(tx(alice, 1n))
    await pool.add(tx(alice, 2n))
    const a3 = await pool.add(tx(alice, 3n))
    expect(await outcome(pool.add(tx(alice, 4n)))).toBe(TXPOOL_REFUSALS.accountLimitExceeded)
    expect(await outcome(pool.add(tx(alice, 0n)))).toBe('accepted')
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([[a3.hashHex, 'evicted']])
    expect(pool.pendingNonce(alice.address)).toBe(3n)
  })

  it('evicts the cheapest tail when full, never a lower nonce of a sender it keeps', async () => {
    const view = new FakeView()
    for (const who of [alice, bob, carol, dave]) view.set(who, { balance: ETH })
    const { pool, dropped } = makePool(view, { maxExecutable: 3 })
    await pool.add(tx(alice, 0n, { tipGwei: 1n })) // cheapest, but below alice's nonce 1
    await pool.add(tx(alice, 1n, { tipGwei: 10n }))
    const b0 = await pool.add(tx(bob, 0n, { tipGwei: 5n }))
    expect(await outcome(pool.add(tx(carol, 0n, { tipGwei: 5n })))).toBe(TXPOOL_REFUSALS.underpriced)
    const c0 = await pool.add(tx(carol, 0n, { tipGwei: 6n }))
    expect(dropped.map((d) => [d.transaction.hashHex, d.reason])).toEqual([[b0.hashHex, 'evicted']])
    expect(pool.size).toBe(3)
    expect(pool.get(c0.hash)).toBe(c0)
    // alice's nonce 1 (tip 10) protects her nonce 0 (tip 1); carol's 6 is now the cheapest tail.
    expect(await outcome(pool.add(tx(dave, 0n, { tipGwei: 6n })))).toBe(TXPOOL_REFUSALS.underpriced)
    expect(pool.stats()).toMatchObject({ size: 3, senders: 2, dropped: { evicted: 1 } })
  })

  it('says the pool is full when only the sender’s own lower nonce could make room', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view, { maxExecutable: 1 })
    await pool.add(tx(alice, 0n, { tipGwei: 1n }))
    expect(await outcome(pool.add(tx(alice, 1n, { tipGwei: 9n })))).toBe(TXPOOL_REFUSALS.txpoolFull)
  })

  it('reports refusals in stats', async () => {
    const view = new FakeView()
    const { pool } = makePool(view)
    await outcome(pool.add(tx(alice, 0n)))
    expect(pool.stats().refused).toEqual({ insufficientFunds: 1 })
  })
})

describe('Mempool metrics', () => {
  it('exports sizes, admissions, refusals and drops on a registry', async () => {
    const view = new FakeView().set(alice, { balance: ETH })
    const { pool } = makePool(view)
    const registry = new Registry()
    registerMempoolMetrics(registry, pool)
    await pool.add(tx(alice, 0n, { tipGwei: 1n }))
    await pool.add(tx(alice, 2n))
    await pool.add(tx(alice, 0n, { tipGwei: 2n }))
    await outcome(pool.add(tx(bob, 0n)))
    const text = await registry.metrics()
    expect(text).toContain('sluice_mempool_transactions{state="ready"} 1')
    expect(text).toContain('sluice_mempool_transactions{state="queued"} 1')
    expect(text).toContain('sluice_mempool_admitted_total 3')
    expect(text).toContain('sluice_mempool_refused_total{reason="insufficientFunds"} 1')
    expect(text).toContain('sluice_mempool_dropped_total{reason="replaced"} 1')
    // A second scrape reports the same totals (mirrored, not added up).
    expect(await registry.metrics()).toContain('sluice_mempool_admitted_total 3')
  })
})
