import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../src/bytes/index.ts'
import { SECP256K1_HALF_N, SECP256K1_N } from '../../src/crypto/index.ts'
import { decodeRlp, encodeRlpInteger, type RlpDecoded } from '../../src/rlp/index.ts'
import {
  checkSignature,
  checkTransactionStatic,
  decodeTransaction,
  encodeTransaction,
  isPreEip155,
  recoverSender,
  type SignedTransaction,
  signatureProblem,
  signingHash,
  signingPayload,
  TransactionInvalidError,
  validateTransactionStatic,
} from '../../src/tx/index.ts'
import { sign, TEST_ADDRESS, transfer } from './support.ts'

const legacy = (overrides: Partial<SignedTransaction> = {}) =>
  transfer({ type: 0, maxPriorityFeePerGas: 5n, maxFeePerGas: 5n, ...overrides })

describe('signature rules', () => {
  it('accepts a valid signature of each type and recovers its sender', () => {
    for (const tx of [
      sign(legacy()),
      sign(transfer({ type: 1, maxPriorityFeePerGas: 5n, maxFeePerGas: 5n })),
      sign(transfer()),
    ]) {
      expect(signatureProblem(tx, 901n)).toBeUndefined()
      expect(recoverSender(tx)).toEqual(TEST_ADDRESS)
      expect(checkSignature(tx, { expectedChainId: 901n })).toEqual({ sender: TEST_ADDRESS, problem: undefined })
    }
  })

  it('flags pre-EIP-155 legacy transactions; recovers them only when allowed', () => {
    const tx = decodeTransaction(encodeTransaction(sign(legacy({ chainId: undefined }))))
    expect(tx.chainId).toBeUndefined()
    expect([27n, 28n]).toContain(tx.v)
    expect(isPreEip155(tx)).toBe(true)
    expect(signatureProblem(tx)).toBe('preEip155')
    expect(recoverSender(tx)).toBeUndefined()
    expect(recoverSender(tx, { allowPreEip155: true })).toEqual(TEST_ADDRESS)
    // Signed over the six-field payload; an EIP-155 one over nine fields ending in chainId, 0, 0.
    expect(decodeRlp(signingPayload(tx))).toHaveLength(6)
    const eip155 = decodeRlp(signingPayload(sign(legacy()))) as RlpDecoded[]
    expect(eip155.slice(6)).toEqual([encodeRlpInteger(901n).subarray(1), new Uint8Array(0), new Uint8Array(0)])
  })

  it('reports a wrong chain id, for legacy and typed', () => {
    expect(signatureProblem(sign(legacy()), 1n)).toBe('wrongChainId')
    expect(signatureProblem(sign(transfer()), 1n)).toBe('wrongChainId')
    expect(recoverSender(sign(transfer()), { expectedChainId: 1n })).toBeUndefined()
    expect(signatureProblem({ ...sign(transfer()), chainId: undefined })).toBe('wrongChainId')
  })

  it('reports a legacy v that is neither 27/28 nor 2·chainId+35/36', () => {
    const tx = sign(legacy())
    // Decoded, v 29..34 or below 27 names no chain.
    for (const v of [0n, 1n, 26n, 29n, 34n]) {
      const decoded = decodeTransaction(encodeTransaction({ ...tx, v, chainId: undefined }))
      expect(decoded.chainId).toBeUndefined()
      expect(isPreEip155(decoded)).toBe(false)
      expect(signatureProblem(decoded)).toBe('invalidV')
    }
    // An object whose v and chainId disagree.
    expect(signatureProblem({ ...tx, v: 37n })).toBe('invalidV')
    expect(signatureProblem({ ...tx, v: 27n })).toBe('invalidV')
  })

  it('reports a typed yParity other than 0 or 1', () => {
    expect(signatureProblem({ ...sign(transfer()), v: 2n })).toBe('invalidYParity')
    expect(signatureProblem({ ...sign(transfer()), v: 27n })).toBe('invalidYParity')
  })

  it('checks the chain id before yParity (rule 3 before rule 4, as the one-step prover)', () => {
    const tx = sign(transfer())
    expect(signatureProblem({ ...tx, v: 2n }, tx.chainId)).toBe('invalidYParity')
    expect(signatureProblem({ ...tx, v: 2n }, (tx.chainId ?? 0n) + 1n)).toBe('wrongChainId')
    expect(signatureProblem({ ...tx, v: 2n, chainId: undefined })).toBe('wrongChainId')
  })

  it('requires 1 ≤ r < n', () => {
    const tx = sign(transfer())
    expect(signatureProblem({ ...tx, r: 0n })).toBe('rOutOfRange')
    expect(signatureProblem({ ...tx, r: SECP256K1_N })).toBe('rOutOfRange')
    expect(signatureProblem({ ...tx, r: 2n ** 256n - 1n })).toBe('rOutOfRange')
    expect(signatureProblem({ ...tx, r: SECP256K1_N - 1n })).not.toBe('rOutOfRange')
  })

  it('requires 1 ≤ s ≤ n/2, reporting the malleable high-s twin as highS', () => {
    const tx = sign(transfer())
    expect(signatureProblem({ ...tx, s: 0n })).toBe('sOutOfRange')
    expect(signatureProblem({ ...tx, s: SECP256K1_N })).toBe('sOutOfRange')
    expect(signatureProblem({ ...tx, s: SECP256K1_HALF_N + 1n })).toBe('highS')
    const boundary = signatureProblem({ ...tx, s: SECP256K1_HALF_N })
    expect(boundary === undefined || boundary === 'recoveryFailed').toBe(true)
    // EIP-2: (r, n − s) with the other parity recovers the same key, and is refused.
    const twin = { ...tx, s: SECP256K1_N - tx.s, v: 1n - tx.v }
    expect(signatureProblem(twin)).toBe('highS')
  })

  it('reports a signature that recovers nothing', () => {
    // x = 5 is not on secp256k1, so no point has it.
    expect(signatureProblem({ ...sign(transfer()), r: 5n })).toBe('recoveryFailed')
    expect(recoverSender({ ...sign(transfer()), r: 5n })).toBeUndefined()
  })

  it('binds every field: changing one changes the sender', () => {
    const tx = sign(transfer())
    for (const changed of [
      { ...tx, nonce: 8n },
      { ...tx, value: 1n },
      { ...tx, chainId: 902n },
      { ...tx, data: new Uint8Array([1]) },
    ]) {
      expect(bytesToHex(signingHash(changed))).not.toBe(bytesToHex(signingHash(tx)))
      expect(recoverSender(changed)).not.toEqual(TEST_ADDRESS)
    }
  })
})

describe('validateTransactionStatic', () => {
  const reasonOf = (tx: SignedTransaction, options = {}) => {
    try {
      validateTransactionStatic(tx, options)
      return undefined
    } catch (error) {
      expect(error).toBeInstanceOf(TransactionInvalidError)
      expect((error as TransactionInvalidError).severity).toBe('invalidInput')
      return (error as TransactionInvalidError).reason
    }
  }

  it('returns the sender of a valid transaction', () => {
    expect(validateTransactionStatic(sign(transfer()), { expectedChainId: 901n })).toEqual(TEST_ADDRESS)
  })
  it('refuses a nonce of 2^64−1 (EIP-2681) but not 2^64−2', () => {
    expect(reasonOf(sign(transfer({ nonce: 2n ** 64n - 1n })))).toBe('nonceMax')
    expect(reasonOf(sign(transfer({ nonce: 2n ** 64n - 2n })))).toBeUndefined()
  })
  it('refuses gasLimit × maxFeePerGas over 2^256−1, exactly at the boundary', () => {
    const maxFeePerGas = (2n ** 256n - 1n) / 21_000n
    expect(reasonOf(sign(transfer({ maxFeePerGas })))).toBeUndefined()
    expect(reasonOf(sign(transfer({ maxFeePerGas: maxFeePerGas + 1n })))).toBe('gasLimitPriceProductOverflow')
  })
  it('refuses a tip above the fee cap', () => {
    expect(reasonOf(sign(transfer({ maxPriorityFeePerGas: 3n, maxFeePerGas: 2n })))).toBe('priorityFeeAboveMaxFee')
  })
  it('refuses a gas limit below the intrinsic gas, with or without the EIP-7623 floor', () => {
    expect(reasonOf(sign(transfer({ gasLimit: 20_999n })))).toBe('intrinsicGasTooLow')
    const data = new Uint8Array(100).fill(1)
    const tx = sign(transfer({ data, gasLimit: 21_000n + 1_600n }))
    expect(reasonOf(tx)).toBeUndefined()
    expect(reasonOf(tx, { eip7623Floor: true })).toBe('intrinsicGasTooLow')
  })
  it('refuses initcode over 49,152 bytes', () => {
    const data = new Uint8Array(49_153)
    expect(reasonOf(sign(transfer({ to: undefined, data, gasLimit: 10_000_000n })))).toBe('initcodeTooLarge')
    expect(reasonOf(sign(transfer({ to: undefined, data: data.subarray(1), gasLimit: 10_000_000n })))).toBeUndefined()
  })
  it('refuses signature problems and names them in the message', () => {
    expect(() => validateTransactionStatic({ ...sign(transfer()), s: SECP256K1_N - 1n })).toThrow(/above n\/2/)
    expect(checkTransactionStatic(sign(legacy({ chainId: undefined }))).reason).toBe('preEip155')
    expect(checkTransactionStatic(sign(legacy({ chainId: undefined })), { allowPreEip155: true }).sender).toEqual(
      TEST_ADDRESS,
    )
  })
})
