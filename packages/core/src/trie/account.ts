import { RLP } from '@ethereumjs/rlp'
import { bigintToBytes, bytesToBigint } from '../bytes/index.ts'
import { SluiceError } from '../errors/base.ts'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT } from './constants.ts'

export { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT }

/** An account as the state trie stores it: `rlp([nonce, balance, storageRoot, codeHash])`. */
export type Account = {
  nonce: bigint
  balance: bigint
  storageRoot: Uint8Array
  codeHash: Uint8Array
}

export class InvalidAccountError extends SluiceError {
  override name = 'InvalidAccountError'
  constructor(reason: string) {
    super(`invalid account encoding: ${reason}`, {
      details:
        'An account is rlp([nonce, balance, storageRoot (32 bytes), codeHash (32 bytes)]) with minimal integers.',
      severity: 'critical',
    })
  }
}

/** A new account: zero nonce and balance, empty storage, no code. */
export function emptyAccount(): Account {
  return { nonce: 0n, balance: 0n, storageRoot: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH }
}

/** Minimal big-endian bytes of a non-negative integer (0 → empty); a Number path for small ones. */
function uintBytes(value: bigint): Uint8Array {
  if (value < 0n || value > 0xffffffffffffn) return bigintToBytes(value)
  let n = Number(value)
  let len = 0
  for (let m = n; m > 0; m = Math.floor(m / 256)) len++
  const out = new Uint8Array(len)
  for (let i = len - 1; i >= 0; i--) {
    out[i] = n % 256
    n = Math.floor(n / 256)
  }
  return out
}

/** Integers below this are encoded straight into the account's buffer (at most 36 bytes each). */
const DIRECT_LIMIT = 1n << 288n

/** A hex digit's value (lower-case, as `bigint.toString(16)` writes them). */
function hexDigit(code: number): number {
  return code <= 57 ? code - 48 : code - 87
}

/**
 * Writes the RLP string item of a non-negative integer at `pos`, from `hex` (its `toString(16)`;
 * '' when it is below 0x80, which is then its own byte, or 0x80 for zero); returns the position
 * after it. One BigInt call per integer: limbs cut with BigInt shifts cost twice as much.
 */
function writeUintItem(out: Uint8Array, pos: number, value: bigint, hex: string): number {
  if (hex === '') {
    out[pos] = value === 0n ? 0x80 : Number(value)
    return pos + 1
  }
  const odd = hex.length & 1
  out[pos++] = 0x80 + ((hex.length + odd) >> 1)
  let j = 0
  if (odd === 1) {
    out[pos++] = hexDigit(hex.charCodeAt(0))
    j = 1
  }
  for (; j < hex.length; j += 2) out[pos++] = (hexDigit(hex.charCodeAt(j)) << 4) | hexDigit(hex.charCodeAt(j + 1))
  return pos
}

/** The length of that item. */
function uintItemLength(hex: string): number {
  return hex === '' ? 1 : 1 + ((hex.length + 1) >> 1)
}

/** Length of the RLP string item for `b` (at most 55 bytes). */
function shortItemLength(b: Uint8Array): number {
  return b.length === 1 && (b[0] as number) < 0x80 ? 1 : 1 + b.length
}

/** Writes the RLP string item for `b` (at most 55 bytes) at `pos`; returns the position after it. */
function writeShortItem(out: Uint8Array, pos: number, b: Uint8Array): number {
  if (b.length !== 1 || (b[0] as number) >= 0x80) out[pos++] = 0x80 + b.length
  out.set(b, pos)
  return pos + b.length
}

/**
 * `rlp([nonce, balance, storageRoot, codeHash])`, written into one buffer from `allocate` (default a
 * fresh array; the state passes the trie's slab allocator for the leaves it writes).
 */
export function encodeAccount(
  account: Account,
  allocate: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): Uint8Array {
  if (account.storageRoot.length !== 32) throw new InvalidAccountError('storageRoot is not 32 bytes')
  if (account.codeHash.length !== 32) throw new InvalidAccountError('codeHash is not 32 bytes')
  const { nonce, balance } = account
  if (nonce >= 0n && nonce < DIRECT_LIMIT && balance >= 0n && balance < DIRECT_LIMIT) {
    // integers of at most 36 bytes: the payload is 68..140 bytes, a 2-byte list header
    const nonceHex = nonce < 0x80n ? '' : nonce.toString(16)
    const balanceHex = balance < 0x80n ? '' : balance.toString(16)
    const payload = uintItemLength(nonceHex) + uintItemLength(balanceHex) + 66
    const out = allocate(2 + payload)
    out[0] = 0xf8
    out[1] = payload
    let pos = writeUintItem(out, 2, nonce, nonceHex)
    pos = writeUintItem(out, pos, balance, balanceHex)
    out[pos++] = 0xa0
    out.set(account.storageRoot, pos)
    out[pos + 32] = 0xa0
    out.set(account.codeHash, pos + 33)
    return out
  }
  const nonceBytes = uintBytes(nonce)
  const balanceBytes = uintBytes(balance)
  if (nonceBytes.length > 55 || balanceBytes.length > 55) {
    return RLP.encode([nonceBytes, balanceBytes, account.storageRoot, account.codeHash])
  }
  const payload = shortItemLength(nonceBytes) + shortItemLength(balanceBytes) + 66
  const out = new Uint8Array(2 + payload)
  out[0] = 0xf8
  out[1] = payload
  let pos = writeShortItem(out, 2, nonceBytes)
  pos = writeShortItem(out, pos, balanceBytes)
  out[pos++] = 0xa0
  out.set(account.storageRoot, pos)
  out[pos + 32] = 0xa0
  out.set(account.codeHash, pos + 33)
  return out
}

/**
 * Reads a canonical minimal integer item at `pos` (at most 32 bytes): [value, next position], or
 * null when it is anything else (the generic decoder then accepts or rejects it).
 */
function readUintItem(data: Uint8Array, pos: number): [bigint, number] | null {
  const b0 = data[pos]
  if (b0 === undefined) return null
  if (b0 < 0x80) return b0 === 0 ? null : [BigInt(b0), pos + 1]
  const len = b0 - 0x80
  if (len > 32 || pos + 1 + len > data.length) return null
  if (len === 0) return [0n, pos + 1]
  const first = data[pos + 1] as number
  if (first === 0 || (len === 1 && first < 0x80)) return null
  const end = pos + 1 + len
  return [len <= 12 ? uintOf(data, pos + 1, end) : bytesToBigint(data.subarray(pos + 1, end)), end]
}

/** `data[start, end)` (at most 12 bytes) as an unsigned integer, in two 48-bit halves (balances are 8–10 bytes). */
function uintOf(data: Uint8Array, start: number, end: number): bigint {
  const split = end - 6 > start ? end - 6 : start
  let high = 0
  for (let i = start; i < split; i++) high = high * 256 + (data[i] as number)
  let low = 0
  for (let i = split; i < end; i++) low = low * 256 + (data[i] as number)
  return high === 0 ? BigInt(low) : (BigInt(high) << 48n) | BigInt(low)
}

/** True when `data[at, at + 32)` is `hash`. */
function hashAt(data: Uint8Array, at: number, hash: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (data[at + i] !== hash[i]) return false
  return true
}

/** The usual shape (a 2-byte list header, 32-byte hashes) decoded directly; null for anything else. */
function decodeAccountFast(data: Uint8Array): Account | null {
  if (data[0] !== 0xf8 || data[1] !== data.length - 2 || data.length < 58) return null
  const nonce = readUintItem(data, 2)
  if (nonce === null) return null
  const balance = readUintItem(data, nonce[1])
  if (balance === null) return null
  const pos = balance[1]
  if (pos + 66 !== data.length || data[pos] !== 0xa0 || data[pos + 33] !== 0xa0) return null
  // an account without storage or code (every one but the message passer) shares the constants:
  // no views that would keep the node's bytes alive as long as the account
  return {
    nonce: nonce[0],
    balance: balance[0],
    storageRoot: hashAt(data, pos + 1, EMPTY_TRIE_ROOT) ? EMPTY_TRIE_ROOT : data.subarray(pos + 1, pos + 33),
    codeHash: hashAt(data, pos + 34, EMPTY_CODE_HASH) ? EMPTY_CODE_HASH : data.subarray(pos + 34, pos + 66),
  }
}

export function decodeAccount(data: Uint8Array): Account {
  const fast = decodeAccountFast(data)
  if (fast !== null) return fast
  let decoded: unknown
  try {
    decoded = RLP.decode(data)
  } catch (error) {
    throw new InvalidAccountError(`not RLP (${String(error)})`)
  }
  if (!Array.isArray(decoded) || decoded.length !== 4) throw new InvalidAccountError('not a list of 4 items')
  const [nonce, balance, storageRoot, codeHash] = decoded as unknown[]
  for (const item of [nonce, balance, storageRoot, codeHash]) {
    if (!(item instanceof Uint8Array)) throw new InvalidAccountError('an item is a list')
  }
  const n = nonce as Uint8Array
  const b = balance as Uint8Array
  if ((n.length > 0 && n[0] === 0) || (b.length > 0 && b[0] === 0)) {
    throw new InvalidAccountError('an integer has a leading zero byte')
  }
  if ((storageRoot as Uint8Array).length !== 32) throw new InvalidAccountError('storageRoot is not 32 bytes')
  if ((codeHash as Uint8Array).length !== 32) throw new InvalidAccountError('codeHash is not 32 bytes')
  return {
    nonce: bytesToBigint(n),
    balance: bytesToBigint(b),
    storageRoot: storageRoot as Uint8Array,
    codeHash: codeHash as Uint8Array,
  }
}
