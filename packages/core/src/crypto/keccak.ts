import { Buffer } from 'node:buffer'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak } from 'hash-wasm'

/**
 * keccak256 on bytes, with hash-wasm's WebAssembly keccak (~6× faster than noble's on 32–532-byte
 * inputs, ../shared/TOOLCHAIN.md); noble stays as the portable fallback.
 *
 * The module is called directly, not through hash-wasm's hasher object: one `Hash_Calculate` (init,
 * absorb, pad, squeeze) per hash on the input written into the module's buffer, and the 32 bytes
 * copied out once. The hasher's `init` / `update` / `digest('binary')` cost ~250–400 ns more per
 * call (three calls into the module, a view and a `subarray` per `update`, type checks), ~8–10
 * hashes per transfer on the STF's main thread (trie nodes, secure keys, the ordered roots) and two in
 * the sender workers. JavaScript is single-threaded and a hash never yields, so one instance per
 * thread is safe.
 */

/** The exports of hash-wasm's `sha3` module (keccak is its padding byte 0x01). */
type Sha3Exports = {
  memory: { buffer: ArrayBuffer }
  Hash_GetBuffer(): number
  Hash_Init(bits: number): void
  Hash_Update(length: number): void
  Hash_Final(padding: number): void
  Hash_Calculate(length: number, bits: number, padding: number): void
}

/** The part of the WebAssembly API used here (the project's `lib` has no WebAssembly types). */
type WasmApi = {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: object }
}

/** The module's input buffer (hash-wasm's `MAX_HEAP`); longer inputs are absorbed in chunks. */
const BUFFER_BYTES = 16 * 1024
const KECCAK_PADDING = 0x01

/**
 * hash-wasm embeds its modules as base64 in its bundles and exports no instance; the `sha3` one is
 * read from its package (the version package-lock pins) and instantiated here, synchronously (~5 KB).
 */
function loadSha3Module(): Sha3Exports {
  const require = createRequire(import.meta.url)
  const bundle = readFileSync(require.resolve('hash-wasm/dist/sha3.umd.min.js'), 'utf8')
  const match = /name:"sha3",data:"([A-Za-z0-9+/=]+)"/.exec(bundle)
  if (match === null) throw new Error('no sha3 module in hash-wasm/dist/sha3.umd.min.js')
  const binary = Buffer.from(match[1] as string, 'base64')
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
  const instance = new wasm.Instance(new wasm.Module(binary), {})
  return instance.exports as unknown as Sha3Exports
}

/** keccak256 returning a new array, and writing into the caller's (`keccak256Into`). */
type KeccakPair = {
  keccak: (data: Uint8Array) => Uint8Array
  into: (data: Uint8Array, out: Uint8Array, offset: number) => void
}

/** keccak256 through the module's exports; checked against noble on load. */
function directKeccak(exports: Sha3Exports): KeccakPair {
  // keccak's state is fixed-size: the module never grows its memory, so these views stay attached
  const buffer = new Uint8Array(exports.memory.buffer, exports.Hash_GetBuffer(), BUFFER_BYTES)
  const digest = buffer.subarray(0, 32)
  const calculate = exports.Hash_Calculate
  /** Leaves the hash of `data` in `digest`. */
  const hash = (data: Uint8Array): void => {
    if (data.length < BUFFER_BYTES) {
      buffer.set(data)
      calculate(data.length, 256, KECCAK_PADDING)
      return
    }
    exports.Hash_Init(256)
    for (let read = 0; read < data.length; read += BUFFER_BYTES) {
      const chunk = data.subarray(read, read + BUFFER_BYTES)
      buffer.set(chunk)
      exports.Hash_Update(chunk.length)
    }
    exports.Hash_Final(KECCAK_PADDING)
  }
  const keccak = (data: Uint8Array): Uint8Array => {
    hash(data)
    return buffer.slice(0, 32)
  }
  const into = (data: Uint8Array, out: Uint8Array, offset: number): void => {
    hash(data)
    out.set(digest, offset)
  }
  for (const length of [0, 31, 32, 135, 136, 137, 532, BUFFER_BYTES + 200]) {
    const sample = new Uint8Array(length).map((_, i) => (i * 131 + length) & 0xff)
    const got = keccak(sample)
    const gotInto = new Uint8Array(33)
    into(sample, gotInto, 1)
    const want = keccak_256(sample)
    for (let i = 0; i < 32; i++)
      if (got[i] !== want[i] || gotInto[i + 1] !== want[i])
        throw new Error(`keccak of ${length} bytes differs from noble's`)
  }
  return { keccak, into }
}

type SyncHasher = {
  init(): unknown
  update(data: Uint8Array): unknown
  digest(format: 'binary'): Uint8Array
}

/** hash-wasm's own hasher: the fallback when its module cannot be read directly (another bundle layout). */
async function hasherKeccak(): Promise<(data: Uint8Array) => Uint8Array> {
  const hasher = (await createKeccak(256)) as unknown as SyncHasher
  return (data) => {
    hasher.init()
    hasher.update(data)
    return hasher.digest('binary')
  }
}

let wasmKeccak: ((data: Uint8Array) => Uint8Array) | undefined
let wasmKeccakInto: KeccakPair['into'] | undefined
let wasmPath: 'direct' | 'hasher' | undefined
try {
  const direct = directKeccak(loadSha3Module())
  wasmKeccak = direct.keccak
  wasmKeccakInto = direct.into
  wasmPath = 'direct'
} catch (directError) {
  try {
    wasmKeccak = await hasherKeccak()
    wasmPath = 'hasher'
    process.emitWarning(`hash-wasm's sha3 module not usable directly; using its hasher: ${String(directError)}`)
  } catch (error) {
    process.emitWarning(`hash-wasm keccak failed to load; using @noble/hashes (about 6x slower): ${String(error)}`)
  }
}

export const keccakBackend: 'hash-wasm' | 'noble' = wasmKeccak ? 'hash-wasm' : 'noble'

/** How the hash-wasm backend is called: its module's exports (`direct`) or its hasher object. */
export const keccakWasmPath: 'direct' | 'hasher' | undefined = wasmPath

/** keccak256 of `data`: a new 32-byte array (the caller may keep or modify it). */
export const keccak256: (data: Uint8Array) => Uint8Array = wasmKeccak ?? ((data) => keccak_256(data))

/**
 * keccak256 of `data` written to `out[offset, offset + 32)`: no array of its own, for a caller that
 * copies the hash somewhere at once (a 32-byte array costs ~250 bytes of young generation, and the
 * scavenger copies the ones still alive).
 */
export const keccak256Into: (data: Uint8Array, out: Uint8Array, offset: number) => void =
  wasmKeccakInto ?? ((data, out, offset) => out.set(keccak256(data), offset))

/** keccak256 with noble, for tests that compare the two backends. */
export const keccak256Noble = (data: Uint8Array): Uint8Array => keccak_256(data)
