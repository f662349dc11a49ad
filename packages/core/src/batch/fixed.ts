/** Fixed-width big-endian unsigned integers on byte arrays with offsets (the batch's uintN fields). */

function read32(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] as number) * 0x100_0000 +
    (((bytes[offset + 1] as number) << 16) | ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number))
  )
}

/** Reads `size` bytes (a multiple of 4, or 1/2) at `offset` as a big-endian unsigned integer. */
export function readUint(bytes: Uint8Array, offset: number, size: number): bigint {
  if (size % 4 !== 0) {
    let n = 0
    for (let i = 0; i < size; i++) n = n * 256 + (bytes[offset + i] as number)
    return BigInt(n)
  }
  if (size === 4) return BigInt(read32(bytes, offset))
  if (size % 8 !== 0) {
    let out = 0n
    for (let i = 0; i < size; i += 4) out = (out << 32n) | BigInt(read32(bytes, offset + i))
    return out
  }
  // 64 bits at a time: a 32-byte field (every slot's r and s) makes 10 BigInts, not 24
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size)
  let out = view.getBigUint64(0)
  for (let i = 8; i < size; i += 8) out = (out << 64n) | view.getBigUint64(i)
  return out
}

/** A uint32 (or narrower) as a number. */
export function readUintNumber(bytes: Uint8Array, offset: number, size: 1 | 2 | 4): number {
  if (size === 4) return read32(bytes, offset)
  if (size === 2) return ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number)
  return bytes[offset] as number
}

/** Writes `value` (0 ≤ value < 2^(8·size)) as `size` big-endian bytes at `offset`. */
export function writeUint(value: bigint | number, out: Uint8Array, offset: number, size: number): void {
  if (typeof value === 'number') {
    let v = value
    for (let i = offset + size - 1; i >= offset; i--) {
      out[i] = v % 256
      v = Math.floor(v / 256)
    }
    return
  }
  let v = value
  for (let i = offset + size - 8; i >= offset; i -= 8) {
    const low = Number(v & 0xffff_ffffn)
    const high = Number((v >> 32n) & 0xffff_ffffn)
    out[i + 4] = low >>> 24
    out[i + 5] = (low >>> 16) & 0xff
    out[i + 6] = (low >>> 8) & 0xff
    out[i + 7] = low & 0xff
    out[i] = high >>> 24
    out[i + 1] = (high >>> 16) & 0xff
    out[i + 2] = (high >>> 8) & 0xff
    out[i + 3] = high & 0xff
    v >>= 64n
  }
  // sizes that are not a multiple of 8 (none in the format besides those written as numbers)
  const rest = size % 8
  for (let i = offset + rest - 1; i >= offset; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
}
