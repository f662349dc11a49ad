import { bigintToBytes32, bytesToBigint } from '../bytes/index.ts'
import type { Kzg } from '../crypto/kzg.ts'
import { BLS_MODULUS, BYTES_PER_FIELD_ELEMENT, FIELD_ELEMENTS_PER_BLOB } from './codec.ts'

/** EIP-4844's primitive root: ω = 7^((r − 1) / 4096) mod r generates the blob's evaluation domain. */
const PRIMITIVE_ROOT = 7n
const DOMAIN_BITS = 12

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  let b = base % modulus
  let e = exponent
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus
    b = (b * b) % modulus
    e >>= 1n
  }
  return result
}

export const BLOB_ROOT_OF_UNITY = modPow(
  PRIMITIVE_ROOT,
  (BLS_MODULUS - 1n) / BigInt(FIELD_ELEMENTS_PER_BLOB),
  BLS_MODULUS,
)

/** `i` with its low 12 bits reversed (EIP-4844's bit-reversal permutation of the domain). */
export function bitReverse12(i: number): number {
  let out = 0
  for (let bit = 0; bit < DOMAIN_BITS; bit++) out |= ((i >> bit) & 1) << (DOMAIN_BITS - 1 - bit)
  return out
}

let domain: bigint[] | undefined

/**
 * The point `z` at which a blob's polynomial equals element `element`: `ω^{bitrev12(element)}`
 * (EIP-4844 stores blob element i as the evaluation at the i-th point of the bit-reversed domain).
 */
export function evaluationPoint(element: number): bigint {
  if (!Number.isInteger(element) || element < 0 || element >= FIELD_ELEMENTS_PER_BLOB) {
    throw new RangeError(`element ${element} is not in 0..${FIELD_ELEMENTS_PER_BLOB - 1}`)
  }
  if (domain === undefined) {
    const powers: bigint[] = new Array(FIELD_ELEMENTS_PER_BLOB)
    let x = 1n
    for (let i = 0; i < FIELD_ELEMENTS_PER_BLOB; i++) {
      powers[i] = x
      x = (x * BLOB_ROOT_OF_UNITY) % BLS_MODULUS
    }
    domain = powers
  }
  return domain[bitReverse12(element)] as bigint
}

/** An element's opening: the point, the value (the element's 32 bytes) and the KZG proof. */
export type ElementOpening = { z: Uint8Array; y: Uint8Array; proof: Uint8Array }

/**
 * Opens `element` of `blob` for the point-evaluation precompile (`0x0a`): `y` equals the element's
 * 32 bytes for any element below the modulus (every blob the L1 accepted).
 */
export function openElement(kzg: Kzg, blob: Uint8Array, element: number): ElementOpening {
  const z = bigintToBytes32(evaluationPoint(element))
  const { proof, y } = kzg.computeProof(blob, z)
  return { z, y, proof }
}

/** `openElement` off the event loop, on the KZG library's threads (for a dispute agent building many openings). */
export async function openElementAsync(kzg: Kzg, blob: Uint8Array, element: number): Promise<ElementOpening> {
  const z = bigintToBytes32(evaluationPoint(element))
  const { proof, y } = await kzg.computeProofAsync(blob, z)
  return { z, y, proof }
}

/** Element `element` of `blob` as a field value (its 32 bytes, big-endian). */
export function elementValue(blob: Uint8Array, element: number): bigint {
  const at = element * BYTES_PER_FIELD_ELEMENT
  return bytesToBigint(blob.subarray(at, at + BYTES_PER_FIELD_ELEMENT))
}
