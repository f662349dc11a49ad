import { SluiceError } from '@sluice/core'
import { describe, expect, it } from 'vitest'
import { RPC_ERROR_CODES, RpcError, TXPOOL_REFUSALS, TxPoolRefusalError, toJsonRpcError } from '../../src/rpc/errors.ts'
import {
  bytesQuantity,
  data,
  paddedQuantity,
  parseData,
  parseQuantity,
  parseSlot,
  quantity,
} from '../../src/rpc/hex.ts'
import { RateLimiter } from '../../src/rpc/rateLimit.ts'

describe('RateLimiter', () => {
  it('admits a burst, lets a batch go into debt, and refills at the configured rate', () => {
    let now = 0
    const limiter = new RateLimiter({ unitsPerSecond: 10, burst: 20 }, () => now)
    expect(limiter.take('a', 15)).toBe(true)
    expect(limiter.take('a', 15)).toBe(true) // 5 tokens left: admitted, 10 in debt
    expect(limiter.take('a', 1)).toBe(false)
    expect(limiter.retryAfterSeconds('a')).toBe(2) // 11 tokens to earn at 10/s
    expect(limiter.take('b', 1)).toBe(true) // clients are independent
    now += 1_000
    expect(limiter.mayProceed('a')).toBe(false) // -10 + 10 = 0
    now += 100
    expect(limiter.take('a', 1)).toBe(true)
  })

  it('caps the refill at the burst and forgets idle clients', () => {
    let now = 0
    const limiter = new RateLimiter({ unitsPerSecond: 1, burst: 2 }, () => now)
    limiter.take('a', 2)
    now += 60_000
    expect(limiter.take('a', 2)).toBe(true)
    expect(limiter.take('a', 1)).toBe(false) // an hour idle does not bank more than the burst
    now += 60_000
    limiter.sweep()
    expect(limiter.clientCount).toBe(0)
  })

  it('refuses a nonsensical configuration', () => {
    expect(() => new RateLimiter({ unitsPerSecond: 0, burst: 1 })).toThrow(RangeError)
  })
})

describe('hex at the boundary', () => {
  it('writes minimal quantities and full data', () => {
    expect(quantity(0n)).toBe('0x0')
    expect(quantity(255)).toBe('0xff')
    expect(data(new Uint8Array([0, 1]))).toBe('0x0001')
    expect(bytesQuantity(new Uint8Array([0, 0, 1, 0]))).toBe('0x100')
    expect(bytesQuantity(new Uint8Array(32))).toBe('0x0')
    expect(paddedQuantity(5n, 8)).toBe('0x0000000000000005')
  })

  it('parses quantities strictly', () => {
    expect(parseQuantity('0x0', 0, 'n')).toBe(0n)
    expect(parseQuantity('0xFF', 0, 'n')).toBe(255n)
    for (const bad of ['0x', '0x01', '12', 12, null, `0x1${'0'.repeat(64)}`]) {
      expect(() => parseQuantity(bad, 3, 'n')).toThrow(/invalid argument 3 \(n\)/)
    }
    expect(() => parseQuantity('0x10', 0, 'n', 15n)).toThrow(/above the maximum 0xf/)
  })

  it('parses data into memory the caller owns', () => {
    const bytes = parseData('0xdeadBEEF', 0, 'raw')
    expect([...bytes]).toEqual([0xde, 0xad, 0xbe, 0xef])
    expect(bytes.buffer.byteLength).toBe(4) // not a view into Node's shared Buffer pool
    expect(() => parseData('0xdeadbeeg', 0, 'raw')).toThrow(/not hex/)
    expect(() => parseData('deadbeef', 0, 'raw')).toThrow(/0x-prefixed/)
    expect(parseSlot('0x1', 0)).toEqual(Uint8Array.from([...new Uint8Array(31), 1]))
    expect(() => parseSlot(`0x${'0'.repeat(65)}`, 0)).toThrow(/1 to 64 hex digits/)
  })
})

describe('error mapping', () => {
  it('keeps RPC codes, sends refusals as -32000 with their short message, hides internal failures', () => {
    expect(toJsonRpcError(new RpcError(-32602, 'bad'))).toEqual({
      error: { code: -32602, message: 'bad' },
      internal: false,
    })
    expect(toJsonRpcError(new TxPoolRefusalError('nonceTooLow', { details: 'account nonce 5' }))).toEqual({
      error: { code: RPC_ERROR_CODES.server, message: 'nonce too low' },
      internal: false,
    })
    expect(toJsonRpcError(new SluiceError('the node is catching up', { severity: 'temporary' })).error.code).toBe(
      -32000,
    )
    const critical = toJsonRpcError(new SluiceError('database corrupt', { severity: 'critical' }))
    expect(critical).toMatchObject({ error: { code: RPC_ERROR_CODES.internal }, internal: true })
    expect(critical.error.message).not.toContain('database')
    expect(toJsonRpcError(new TypeError('x is undefined')).internal).toBe(true)
  })

  it('words every refusal geth also makes exactly as geth, which wallets match on', () => {
    // go-ethereum: core/txpool/errors.go, core/error.go, core/types (chain id, v r s), internal/ethapi (EIP-155).
    expect(TXPOOL_REFUSALS).toMatchObject({
      nonceTooLow: 'nonce too low',
      nonceTooHigh: 'nonce too high',
      nonceMax: 'nonce has max value',
      insufficientFunds: 'insufficient funds for gas * price + value',
      underpriced: 'transaction underpriced',
      replacementUnderpriced: 'replacement transaction underpriced',
      alreadyKnown: 'already known',
      invalidSender: 'invalid sender',
      intrinsicGasTooLow: 'intrinsic gas too low',
      feeCapBelowBaseFee: 'max fee per gas less than block base fee',
      tipAboveFeeCap: 'max priority fee per gas higher than max fee per gas',
      oversizedData: 'oversized data',
      txpoolFull: 'txpool is full',
      accountLimitExceeded: 'account limit exceeded',
      gasLimitExceeded: 'exceeds block gas limit',
      typeNotSupported: 'transaction type not supported',
      invalidChainId: 'invalid chain id for signer',
      invalidSignature: 'invalid transaction v, r, s values',
      notReplayProtected: 'only replay-protected (EIP-155) transactions allowed over RPC',
    })
  })
})
