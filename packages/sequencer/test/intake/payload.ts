import { keccak256 } from '@sluice/core'

/** A deterministic payload for a sequence, of varying length (1–200 bytes) so records straddle blocks. */
export function payloadFor(sequence: bigint): Uint8Array {
  const seed = new Uint8Array(8)
  new DataView(seed.buffer).setBigUint64(0, sequence, true)
  const digest = keccak256(seed)
  const length = 1 + (((digest[0] as number) * 256 + (digest[1] as number)) % 200)
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = digest[i % 32] as number
  return out
}
