import type { SignedTransaction } from './types.ts'

export type IntrinsicGasOptions = {
  /**
   * Apply Prague's EIP-7623 calldata floor: the result is at least 21000 + 10 × tokens, where
   * tokens = zero bytes + 4 × non-zero bytes. Sluice's protocol uses no floor; this exists to
   * compare with Ethereum's Prague-and-later vectors.
   */
  eip7623Floor?: boolean | undefined
}

/**
 * The gas a transaction pays before execution: 21000; EIP-2028 calldata (4 per zero byte, 16 per
 * non-zero byte); EIP-2930 access list (2400 per address, 1900 per storage key); for contract
 * creation 32000 plus EIP-3860's 2 per 32-byte initcode word.
 */
export function intrinsicGas(tx: SignedTransaction, options: IntrinsicGasOptions = {}): bigint {
  const data = tx.data
  let zeros = 0
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++
  const nonZeros = data.length - zeros
  let gas = 21_000 + 4 * zeros + 16 * nonZeros
  if (tx.to === undefined) gas += 32_000 + 2 * Math.ceil(data.length / 32)
  for (const item of tx.accessList) gas += 2_400 + 1_900 * item.storageKeys.length
  if (options.eip7623Floor) gas = Math.max(gas, 21_000 + 10 * (zeros + 4 * nonZeros))
  return BigInt(gas)
}
