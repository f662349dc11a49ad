import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak } from 'hash-wasm'

/**
 * keccak256 on bytes. hash-wasm's reusable synchronous hasher is ~6× faster than noble's on
 * 32–532-byte inputs (../shared/TOOLCHAIN.md); noble stays as the portable fallback. JavaScript is
 * single-threaded and `keccak256` never yields, so one shared hasher instance is safe.
 */
type SyncHasher = {
  init(): unknown
  update(data: Uint8Array): unknown
  digest(format: 'binary'): Uint8Array
}

let wasmHasher: SyncHasher | undefined
try {
  wasmHasher = (await createKeccak(256)) as unknown as SyncHasher
} catch (error) {
  process.emitWarning(`hash-wasm keccak failed to load; using @noble/hashes (about 6x slower): ${String(error)}`)
}

export const keccakBackend: 'hash-wasm' | 'noble' = wasmHasher ? 'hash-wasm' : 'noble'

export const keccak256: (data: Uint8Array) => Uint8Array = wasmHasher
  ? (data) => {
      const hasher = wasmHasher as SyncHasher
      hasher.init()
      hasher.update(data)
      return hasher.digest('binary')
    }
  : (data) => keccak_256(data)

/** keccak256 with noble, for tests that compare the two backends. */
export const keccak256Noble = (data: Uint8Array): Uint8Array => keccak_256(data)
