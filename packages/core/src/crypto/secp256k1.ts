import { createRequire } from 'node:module'
import { secp256k1 as nobleSecp } from '@noble/curves/secp256k1.js'
import { keccak256 } from './keccak.ts'

/**
 * Public-key recovery. The native libsecp256k1 binding recovers ~25× faster than noble here
 * (../shared/TOOLCHAIN.md). The `secp256k1` package silently falls back to a slow JavaScript
 * implementation when its binding fails to load, so the binding is required explicitly and a
 * failure is reported once, loudly, before noble takes over.
 */
type NativeSecp = {
  ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed: boolean): Uint8Array
  ecdsaSign(message: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
}

let native: NativeSecp | undefined
try {
  const require = createRequire(import.meta.url)
  native = require('secp256k1/bindings.js') as NativeSecp
} catch (error) {
  process.emitWarning(
    `native secp256k1 binding failed to load; sender recovery uses @noble/curves (about 25x slower): ${String(error)}`,
  )
}

export const secp256k1Backend: 'native' | 'noble' = native ? 'native' : 'noble'

/** The curve order n and n/2, for the signature range rules (`1 ≤ r < n`, `1 ≤ s ≤ n/2`). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
export const SECP256K1_HALF_N = SECP256K1_N >> 1n

/**
 * Recovers the 64-byte uncompressed public key (without the 0x04 prefix) from a 32-byte message
 * hash and a signature given as r ‖ s (64 bytes) with recovery id 0 or 1. Returns undefined when
 * recovery fails; never throws on a well-sized input. Range checks on r and s are the caller's
 * (they are protocol rules, not curve facts).
 */
export function recoverPublicKey(messageHash: Uint8Array, rs: Uint8Array, recoveryId: number): Uint8Array | undefined {
  if (messageHash.length !== 32 || rs.length !== 64 || (recoveryId !== 0 && recoveryId !== 1)) return undefined
  if (native) {
    try {
      return native.ecdsaRecover(rs, recoveryId, messageHash, false).subarray(1)
    } catch {
      return undefined
    }
  }
  return recoverPublicKeyNoble(messageHash, rs, recoveryId)
}

/**
 * Signs a 32-byte message hash: r ‖ s ‖ recovery id (65 bytes), with the RFC 6979 nonce and a low s,
 * the same bytes from either backend (native: ~40 µs, noble: ~700 µs here). Throws for a private
 * key that is not a valid secp256k1 scalar.
 */
export function signRecoverable(messageHash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  if (native && messageHash.length === 32 && privateKey.length === 32) {
    const { signature, recid } = native.ecdsaSign(messageHash, privateKey)
    const out = new Uint8Array(65)
    out.set(signature, 0)
    out[64] = recid
    return out
  }
  return signRecoverableNoble(messageHash, privateKey)
}

/** noble's `signRecoverable`, exported for the tests that compare backends. */
export function signRecoverableNoble(messageHash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  // noble's recovered format is recovery id ‖ r ‖ s
  const recovered = nobleSecp.sign(messageHash, privateKey, { prehash: false, format: 'recovered' })
  const out = new Uint8Array(65)
  out.set(recovered.subarray(1, 65), 0)
  out[64] = recovered[0] as number
  return out
}

/** noble's recovery, exported for the tests that compare backends. */
export function recoverPublicKeyNoble(
  messageHash: Uint8Array,
  rs: Uint8Array,
  recoveryId: number,
): Uint8Array | undefined {
  try {
    const signature = new Uint8Array(65)
    signature[0] = recoveryId
    signature.set(rs, 1)
    const point = nobleSecp.Signature.fromBytes(signature, 'recovered').recoverPublicKey(messageHash)
    return point.toBytes(false).subarray(1)
  } catch {
    return undefined
  }
}

/** The address of a 64-byte public key: the last 20 bytes of its keccak256. */
export function publicKeyToAddress(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey).subarray(12)
}

/** Recovers the signer's 20-byte address, or undefined. */
export function recoverAddress(messageHash: Uint8Array, rs: Uint8Array, recoveryId: number): Uint8Array | undefined {
  const publicKey = recoverPublicKey(messageHash, rs, recoveryId)
  return publicKey ? publicKeyToAddress(publicKey) : undefined
}
