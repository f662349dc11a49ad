import { Buffer } from 'node:buffer'
import type { Hex } from '@sluice/core'

/**
 * Lower-case hex without `0x`: the pool's map keys. Node's native encoder gives a flat string;
 * `bytesToHex` builds a rope (a concatenation per byte), and a Map keyed by ropes costs about 2 µs
 * per lookup-and-delete instead of 0.5 (measured), which the builder pays for every included hash.
 */
export function plainHex(bytes: Uint8Array): string {
  if (bytes.length > HEX_SCRATCH.length)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
  // Copying into one reused Buffer is cheaper than wrapping each array in a new Buffer view.
  HEX_SCRATCH.set(bytes)
  return HEX_SCRATCH.toString('hex', 0, bytes.length)
}

/** Hashes and addresses are at most 32 bytes. */
const HEX_SCRATCH = Buffer.allocUnsafe(32)

/** The map key of a hash or address given as bytes or as `0x` hex (any case). */
export function keyOf(value: Uint8Array | Hex): string {
  return typeof value === 'string' ? value.slice(2).toLowerCase() : plainHex(value)
}
