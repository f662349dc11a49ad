import {
  ADDRESS_BYTES,
  FEE_ENTRY_BYTES,
  MAX_ADDRESSES,
  MAX_FEE_ENTRIES,
  PRELUDE_FIXED_BYTES,
  UINT64_LIMIT,
  UINT128_LIMIT,
} from './constants.ts'
import { BatchEncodeError } from './errors.ts'
import { readUint, readUintNumber, writeUint } from './fixed.ts'

/** One entry of the fee dictionary. Legacy and EIP-2930 slots use `maxFeePerGas` as gasPrice. */
export type BatchFeeEntry = {
  /** uint128 */
  maxFeePerGas: bigint
  /** uint128; encoders write it equal to maxFeePerGas for entries that legacy/EIP-2930 slots use */
  maxPriorityFeePerGas: bigint
  /** uint64 */
  gasLimit: bigint
}

/**
 * The decoded prelude of a version-1 body (docs/protocol.md §5.4). `addresses` is a view of the
 * batch bytes holding `addressCount` 20-byte entries back to back.
 */
export type BatchPrelude = {
  baseTimestamp: bigint
  addressCount: number
  addresses: Uint8Array
  fees: BatchFeeEntry[]
}

/** The address dictionary entry `index` (a view into the batch), or undefined when out of range. */
export function preludeAddress(prelude: BatchPrelude, index: number): Uint8Array | undefined {
  if (index < 0 || index >= prelude.addressCount) return undefined
  return prelude.addresses.subarray(index * ADDRESS_BYTES, (index + 1) * ADDRESS_BYTES)
}

/** Bytes of a prelude with these dictionary sizes. */
export function preludeLength(addressCount: number, feeCount: number): number {
  return PRELUDE_FIXED_BYTES + addressCount * ADDRESS_BYTES + feeCount * FEE_ENTRY_BYTES
}

/**
 * Reads the prelude at `offset`; undefined when the bytes end inside it (the body then has no
 * blocks, §5.6 step 2). Never throws.
 */
export function readPrelude(
  bytes: Uint8Array,
  offset: number,
  end: number = bytes.length,
): { prelude: BatchPrelude; next: number } | undefined {
  if (end - offset < PRELUDE_FIXED_BYTES) return undefined
  const baseTimestamp = readUint(bytes, offset, 8)
  const addressCount = readUintNumber(bytes, offset + 8, 2)
  const addressStart = offset + 10
  const feeCountAt = addressStart + addressCount * ADDRESS_BYTES
  if (feeCountAt + 1 > end) return undefined
  const feeCount = bytes[feeCountAt] as number
  const feeStart = feeCountAt + 1
  const next = feeStart + feeCount * FEE_ENTRY_BYTES
  if (next > end) return undefined
  const fees: BatchFeeEntry[] = new Array(feeCount)
  for (let i = 0; i < feeCount; i++) {
    const at = feeStart + i * FEE_ENTRY_BYTES
    fees[i] = {
      maxFeePerGas: readUint(bytes, at, 16),
      maxPriorityFeePerGas: readUint(bytes, at + 16, 16),
      gasLimit: readUint(bytes, at + 32, 8),
    }
  }
  return {
    prelude: { baseTimestamp, addressCount, addresses: bytes.subarray(addressStart, feeCountAt), fees },
    next,
  }
}

/**
 * Writes the prelude at `offset`; returns the offset after it. Throws `BatchEncodeError` when a
 * field does not fit its width.
 */
export function writePrelude(
  baseTimestamp: bigint,
  addresses: readonly Uint8Array[],
  fees: readonly BatchFeeEntry[],
  out: Uint8Array,
  offset: number,
): number {
  if (baseTimestamp < 0n || baseTimestamp >= UINT64_LIMIT) {
    throw new BatchEncodeError('blockOrder', `timestamp ${baseTimestamp} is not a uint64`)
  }
  if (addresses.length > MAX_ADDRESSES) {
    throw new BatchEncodeError('tooLarge', `${addresses.length} dictionary addresses; at most ${MAX_ADDRESSES}`)
  }
  if (fees.length > MAX_FEE_ENTRIES) {
    throw new BatchEncodeError('tooLarge', `${fees.length} fee entries; at most ${MAX_FEE_ENTRIES}`)
  }
  writeUint(baseTimestamp, out, offset, 8)
  writeUint(addresses.length, out, offset + 8, 2)
  let at = offset + 10
  for (const address of addresses) {
    if (address.length !== ADDRESS_BYTES) {
      throw new BatchEncodeError('recipient', `a dictionary address is ${address.length} bytes, not 20`)
    }
    out.set(address, at)
    at += ADDRESS_BYTES
  }
  out[at++] = fees.length
  for (const fee of fees) {
    checkFeeEntry(fee)
    writeUint(fee.maxFeePerGas, out, at, 16)
    writeUint(fee.maxPriorityFeePerGas, out, at + 16, 16)
    writeUint(fee.gasLimit, out, at + 32, 8)
    at += FEE_ENTRY_BYTES
  }
  return at
}

/** Throws `BatchEncodeError` unless the entry's fields fit their widths. */
export function checkFeeEntry(fee: BatchFeeEntry): void {
  if (fee.maxFeePerGas < 0n || fee.maxFeePerGas >= UINT128_LIMIT) {
    throw new BatchEncodeError('fee', `maxFeePerGas ${fee.maxFeePerGas} is not below 2^128`)
  }
  if (fee.maxPriorityFeePerGas < 0n || fee.maxPriorityFeePerGas >= UINT128_LIMIT) {
    throw new BatchEncodeError('fee', `maxPriorityFeePerGas ${fee.maxPriorityFeePerGas} is not below 2^128`)
  }
  if (fee.gasLimit < 0n || fee.gasLimit >= UINT64_LIMIT) {
    throw new BatchEncodeError('gasLimit', `gasLimit ${fee.gasLimit} is not below 2^64`)
  }
}

/** The prelude bytes alone (for tests and tools). */
export function encodePrelude(
  baseTimestamp: bigint,
  addresses: readonly Uint8Array[],
  fees: readonly BatchFeeEntry[],
): Uint8Array {
  const out = new Uint8Array(preludeLength(addresses.length, fees.length))
  writePrelude(baseTimestamp, addresses, fees, out, 0)
  return out
}
