import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToBigint, hexToBytes } from '../../src/bytes/index.ts'
import { publicKeyToAddress } from '../../src/crypto/index.ts'
import { type SignedTransaction, signingHash } from '../../src/tx/index.ts'

/** A fixed test key and its address. */
export const TEST_KEY = hexToBytes(`0x${'42'.repeat(32)}`)
export const TEST_ADDRESS = publicKeyToAddress(secp256k1.getPublicKey(TEST_KEY, false).subarray(1))

/** An unsigned EIP-1559 transfer; override any field. */
export function transfer(overrides: Partial<SignedTransaction> = {}): SignedTransaction {
  return {
    type: 2,
    chainId: 901n,
    nonce: 7n,
    maxPriorityFeePerGas: 1_000_000n,
    maxFeePerGas: 2_000_000_000n,
    gasLimit: 21_000n,
    to: hexToBytes(`0x${'ab'.repeat(20)}`),
    value: 10n ** 18n,
    data: new Uint8Array(0),
    accessList: [],
    v: 0n,
    r: 0n,
    s: 0n,
    ...overrides,
  }
}

/** Signs with noble (low s); legacy transactions get v per EIP-155, or 27/28 when chainId is undefined. */
export function sign(tx: SignedTransaction, key: Uint8Array = TEST_KEY): SignedTransaction {
  const signature = secp256k1.sign(signingHash(tx), key, { prehash: false, format: 'recovered' })
  const recid = BigInt(signature[0] as number)
  const r = bytesToBigint(signature.subarray(1, 33))
  const s = bytesToBigint(signature.subarray(33, 65))
  const v = tx.type !== 0 ? recid : tx.chainId === undefined ? 27n + recid : tx.chainId * 2n + 35n + recid
  return { ...tx, v, r, s }
}
