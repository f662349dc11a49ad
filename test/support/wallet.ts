import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bigintToBytes32, bytesToHex, type Hex, hexToBytes } from '../../packages/core/src/bytes/index.ts'
import { keccak256, publicKeyToAddress } from '../../packages/core/src/crypto/index.ts'
import { decodeTransaction, encodeTransaction, signingHash } from '../../packages/core/src/tx/index.ts'
import type { SignedTransaction } from '../../packages/core/src/tx/types.ts'

/** A deterministic test key: keccak256 of the index, as a private key, and its address. */
export type TestAccount = { privateKey: Uint8Array; address: Uint8Array; addressHex: Hex }

export function testAccount(index: number): TestAccount {
  const privateKey = keccak256(bigintToBytes32(BigInt(index) + 1n))
  const address = publicKeyToAddress(secp256k1.getPublicKey(privateKey, false).subarray(1))
  return { privateKey, address, addressHex: bytesToHex(address) }
}

export type UnsignedFields = Omit<SignedTransaction, 'v' | 'r' | 's'>

/**
 * Signs with noble (RFC 6979, low-s), sets v/yParity by type, and round-trips through the network
 * encoding so the result is exactly what a wallet would send.
 */
export function signTransaction(
  fields: UnsignedFields,
  privateKey: Uint8Array,
): { tx: SignedTransaction; raw: Uint8Array } {
  const draft: SignedTransaction = { ...fields, v: 0n, r: 0n, s: 0n }
  const signature = secp256k1.sign(signingHash(draft), privateKey, { prehash: false, format: 'recovered' })
  const yParity = BigInt(signature[0] as number)
  const r = BigInt(bytesToHex(signature.subarray(1, 33)))
  const s = BigInt(bytesToHex(signature.subarray(33, 65)))
  const v =
    fields.type === 0 ? (fields.chainId === undefined ? 27n + yParity : fields.chainId * 2n + 35n + yParity) : yParity
  const raw = encodeTransaction({ ...draft, v, r, s })
  return { tx: decodeTransaction(raw), raw }
}

/** An EIP-1559 transfer with wallet-like defaults. */
export function transfer(
  from: TestAccount,
  to: Uint8Array,
  options: {
    chainId: bigint
    nonce: bigint
    value: bigint
    maxFeePerGas?: bigint
    maxPriorityFeePerGas?: bigint
    gasLimit?: bigint
    data?: Uint8Array
    type?: 0 | 1 | 2
  },
): { tx: SignedTransaction; raw: Uint8Array } {
  const maxFeePerGas = options.maxFeePerGas ?? 2_000_000_000n
  const type = options.type ?? 2
  return signTransaction(
    {
      type,
      chainId: options.chainId,
      nonce: options.nonce,
      maxFeePerGas,
      maxPriorityFeePerGas: type === 2 ? (options.maxPriorityFeePerGas ?? 1_000_000_000n) : maxFeePerGas,
      gasLimit: options.gasLimit ?? 21_000n,
      to,
      value: options.value,
      data: options.data ?? new Uint8Array(0),
      accessList: [],
    },
    from.privateKey,
  )
}

export const hex = hexToBytes
