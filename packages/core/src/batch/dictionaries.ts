import { ADDRESS_BYTES, MAX_ADDRESSES, MAX_FEE_ENTRIES } from './constants.ts'
import { BatchEncodeError } from './errors.ts'
import { type BatchFeeEntry, checkFeeEntry } from './prelude.ts'

/** The two dictionaries of a batch, with their lookups, as `encodeSlot` uses them. */
export type BatchDictionaries = {
  /** recipients that slots refer to by index (others are written inline) */
  addresses: readonly Uint8Array[]
  /** every fee entry a slot uses */
  fees: readonly BatchFeeEntry[]
  /** `addressKey(address)` → index */
  addressIndex: ReadonlyMap<string, number>
  /** `feeKey(entry)` → index */
  feeIndex: ReadonlyMap<string, number>
}

/** A Map key for a 20-byte address (one char per byte; no hex). */
export function addressKey(bytes: Uint8Array, offset = 0): string {
  let key = ''
  for (let i = offset; i < offset + ADDRESS_BYTES; i++) key += String.fromCharCode(bytes[i] as number)
  return key
}

/** The inverse of `addressKey`. */
export function addressFromKey(key: string): Uint8Array {
  const out = new Uint8Array(ADDRESS_BYTES)
  for (let i = 0; i < ADDRESS_BYTES; i++) out[i] = key.charCodeAt(i)
  return out
}

/** A Map key for a fee entry. */
export function feeKey(maxFeePerGas: bigint, maxPriorityFeePerGas: bigint, gasLimit: bigint): string {
  return `${maxFeePerGas}/${maxPriorityFeePerGas}/${gasLimit}`
}

/** Dictionaries from explicit lists (index = position). Throws `BatchEncodeError` on duplicates or size limits. */
export function createDictionaries(
  addresses: readonly Uint8Array[],
  fees: readonly BatchFeeEntry[],
): BatchDictionaries {
  if (addresses.length > MAX_ADDRESSES) {
    throw new BatchEncodeError('tooLarge', `${addresses.length} dictionary addresses; at most ${MAX_ADDRESSES}`)
  }
  if (fees.length > MAX_FEE_ENTRIES) {
    throw new BatchEncodeError('tooLarge', `${fees.length} fee entries; at most ${MAX_FEE_ENTRIES}`)
  }
  const addressIndex = new Map<string, number>()
  addresses.forEach((address, index) => {
    if (address.length !== ADDRESS_BYTES) {
      throw new BatchEncodeError('recipient', `a dictionary address is ${address.length} bytes, not 20`)
    }
    const key = addressKey(address)
    if (addressIndex.has(key)) throw new BatchEncodeError('dictionary', 'an address occurs twice in the dictionary')
    addressIndex.set(key, index)
  })
  const feeIndex = new Map<string, number>()
  fees.forEach((fee, index) => {
    checkFeeEntry(fee)
    const key = feeKey(fee.maxFeePerGas, fee.maxPriorityFeePerGas, fee.gasLimit)
    if (feeIndex.has(key)) throw new BatchEncodeError('dictionary', 'a fee entry occurs twice in the dictionary')
    feeIndex.set(key, index)
  })
  return { addresses, fees, addressIndex, feeIndex }
}
