import { keccak256 } from '../crypto/index.ts'
import type { Log } from '../stf/withdrawal.ts'

export const BLOOM_BYTES = 256

/** Sets the three bloom bits of `item` (Yellow Paper §4.3.1, M3:2048). */
function addToBloom(bloom: Uint8Array, item: Uint8Array): void {
  const hash = keccak256(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = (((hash[i] as number) << 8) | (hash[i + 1] as number)) & 2047
    const index = BLOOM_BYTES - 1 - (bit >> 3)
    bloom[index] = (bloom[index] as number) | (1 << (bit & 7))
  }
}

/** The bloom of a list of logs: each log's address and every topic. */
export function logsBloom(logs: readonly Log[], into: Uint8Array = new Uint8Array(BLOOM_BYTES)): Uint8Array {
  for (const log of logs) {
    addToBloom(into, log.address)
    for (const topic of log.topics) addToBloom(into, topic)
  }
  return into
}

export function orBloom(into: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < BLOOM_BYTES; i++) into[i] = (into[i] as number) | (other[i] as number)
}
