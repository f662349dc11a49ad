import { HEX_DIGIT_VALUES } from '../bytes/index.ts'
import { RlpEncodeError } from './errors.ts'
import type { RlpInput } from './types.ts'
import { RLP_LIST, RLP_STRING, rlpHeaderLength, safeByteLength, writeRlpHeader } from './write.ts'

/*
 * A two-pass encoder: the first pass measures every item (recording each list's payload length in
 * pre-order), the second writes into one buffer of the exact size. No intermediate buffers and no
 * hex strings, unlike @ethereumjs/rlp's recursive concatenation, which was a tenth of a verifier's
 * main thread (blocks, receipts, transactions and trie nodes are all RLP).
 */

/** Payload lengths of the lists of the value being encoded, in pre-order (reused; encoding is synchronous). */
const listLengths: number[] = []
let listCursor = 0

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function bigintByteLength(value: bigint): number {
  if (value <= MAX_SAFE) return safeByteLength(Number(value))
  return (value.toString(16).length + 1) >> 1
}

function measure(input: RlpInput): number {
  if (input instanceof Uint8Array) {
    const n = input.length
    if (n === 1 && (input[0] as number) < 0x80) return 1
    return rlpHeaderLength(n) + n
  }
  if (typeof input === 'bigint') {
    if (input < 0n) throw new RlpEncodeError(`Cannot RLP-encode the value: the integer ${input} is negative`)
    if (input < 0x80n) return 1
    const n = bigintByteLength(input)
    return rlpHeaderLength(n) + n
  }
  if (Array.isArray(input)) {
    const slot = listLengths.length
    listLengths.push(0)
    let payload = 0
    for (let i = 0; i < input.length; i++) payload += measure(input[i] as RlpInput)
    listLengths[slot] = payload
    return rlpHeaderLength(payload) + payload
  }
  throw new RlpEncodeError(`Cannot RLP-encode the value: unsupported type ${typeof input}`)
}

function writeBigint(out: Uint8Array, pos: number, value: bigint, n: number): void {
  if (value <= MAX_SAFE) {
    let v = Number(value)
    for (let i = n - 1; i >= 0; i--) {
      out[pos + i] = v & 0xff
      v = Math.floor(v / 256)
    }
    return
  }
  // through its hex string: a byte at a time took 64 BigInt operations (each allocating) for a
  // 256-bit value, ~1.2 µs against ~0.15 µs, and a signed transaction has two (r and s)
  const hex = value.toString(16)
  let h = hex.length
  let i = n
  while (h > 0) {
    const low = HEX_DIGIT_VALUES[hex.charCodeAt(--h)] as number
    const high = h > 0 ? (HEX_DIGIT_VALUES[hex.charCodeAt(--h)] as number) : 0
    out[pos + --i] = high * 16 + low
  }
}

function write(input: RlpInput, out: Uint8Array, pos: number): number {
  if (input instanceof Uint8Array) {
    const n = input.length
    if (n === 1 && (input[0] as number) < 0x80) {
      out[pos] = input[0] as number
      return pos + 1
    }
    pos = writeRlpHeader(out, pos, n, RLP_STRING)
    out.set(input, pos)
    return pos + n
  }
  if (typeof input === 'bigint') {
    if (input < 0x80n) {
      out[pos] = input === 0n ? 0x80 : Number(input)
      return pos + 1
    }
    const n = bigintByteLength(input)
    pos = writeRlpHeader(out, pos, n, RLP_STRING)
    writeBigint(out, pos, input, n)
    return pos + n
  }
  const list = input as readonly RlpInput[]
  pos = writeRlpHeader(out, pos, listLengths[listCursor++] as number, RLP_LIST)
  for (let i = 0; i < list.length; i++) pos = write(list[i] as RlpInput, out, pos)
  return pos
}

/**
 * RLP-encodes `input` after `prefix` leading bytes left zero for the caller (a typed transaction's
 * type byte), in one allocation.
 */
export function encodeRlpAfter(prefix: number, input: RlpInput): Uint8Array {
  listLengths.length = 0
  const out = new Uint8Array(prefix + measure(input))
  listCursor = 0
  write(input, out, prefix)
  return out
}

/**
 * RLP-encodes a byte string, a non-negative integer (minimal big-endian; 0 is the empty string) or
 * a nested list of those. Throws `RlpEncodeError` for a negative integer.
 *
 * @example encodeRlp([new Uint8Array([1]), 1000n]) // 0xc4018203e8
 */
export function encodeRlp(input: RlpInput): Uint8Array {
  return encodeRlpAfter(0, input)
}

/**
 * The RLP item of a non-negative integer: its minimal big-endian bytes as an RLP string.
 *
 * @example encodeRlpInteger(0n) // 0x80
 */
export function encodeRlpInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RlpEncodeError(`Cannot RLP-encode the negative integer ${value}`)
  return encodeRlp(value)
}
