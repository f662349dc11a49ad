import type { WorldState } from '@sluice/core'
import { MempoolConfigError } from './errors.ts'
import { drawOddMultipliers } from './hashIndex.ts'
import type { AccountState, AccountView } from './types.ts'

/**
 * The accounts of the unsafe head that the mempool admits against, kept resident: an account read
 * once (from the builder's state, on a miss) is held, and every block the builder executes through
 * `recording` replaces the held accounts it writes with their value after the write. An admission
 * then reads a Map instead of walking the trie and LevelDB (`StateDb.getAccount`), which it did for
 * every transaction. Exact by construction: the builder's state changes only through the blocks it
 * executes, each of which passes its writes here, and `reset` drops everything when that state is
 * re-read (`BlockBuilder.reset`, after a reorg). Accounts it does not hold (a block's recipients,
 * the fee vault) are not added by writes: the state answers them when first read.
 *
 * At most `capacity` accounts, in two generations: when the newer one holds half, it becomes the
 * older and the previous older one is dropped; a hit in the older generation moves the account
 * back to the newer one: no per-write eviction. (The first version held every written account in
 * one first-in-first-out Map, evicting through `keys().next()` after each delete; the builder spent
 * ~9 µs per transaction in it under e2e load, more than the read it saved.)
 *
 * @example
 * const accounts = new HeadAccounts((address) => builder.headState.getAccount(address))
 * const builder = new BlockBuilder({ ..., accountWrites: accounts })
 * const pool = new Mempool({ ..., view: accounts })
 */
export class HeadAccounts implements AccountView {
  readonly #read: (address: Uint8Array) => AccountState
  readonly #generation: number
  // Keyed by a small integer made from the address's first six bytes (`addressKey`), not by its
  // hex: a block's writes (three per transfer) and an admission's read then cost no string encoding
  // (measured: ~0.3 against ~0.9 µs per transfer's writes, ~90 against ~200 ns per read). Addresses
  // with the same key chain behind one another, compared in full.
  #newer = new Map<number, Held>()
  #older = new Map<number, Held>()
  /** Accounts in `#newer` (a chain holds more than one per key). */
  #newerCount = 0
  #olderCount = 0
  /** Admission reads answered from memory, and those that went to the state. */
  hits = 0
  misses = 0

  constructor(read: (address: Uint8Array) => AccountState, capacity = 65_536) {
    if (!Number.isSafeInteger(capacity) || capacity < 2) {
      throw new MempoolConfigError(
        `the head account cache's capacity must be an integer of at least 2, not ${capacity}`,
      )
    }
    this.#read = read
    this.#generation = Math.floor(capacity / 2)
  }

  /** Accounts held. */
  get size(): number {
    return this.#newerCount + this.#olderCount
  }

  account(address: Uint8Array): AccountState {
    const key = addressKey(address)
    const held = find(this.#newer, key, address)
    if (held !== undefined) {
      this.hits++
      return held.account
    }
    const old = find(this.#older, key, address)
    if (old !== undefined) {
      this.hits++
      unlink(this.#older, key, old)
      this.#olderCount--
      this.#hold(key, old.address, old.account)
      return old.account
    }
    this.misses++
    const account = this.#read(address)
    // A copy: the caller's array may be a view it reuses.
    this.#hold(key, address.slice(), account)
    return account
  }

  /** `state` with every write of a held account also applied here: what the builder executes a block on. */
  recording(state: WorldState): WorldState {
    return {
      getAccount: (address) => state.getAccount(address),
      putAccount: (address, account) => {
        state.putAccount(address, account)
        const key = addressKey(address)
        const held = find(this.#newer, key, address) ?? find(this.#older, key, address)
        if (held !== undefined) held.account = account
      },
      getStorage: (address, slot) => state.getStorage(address, slot),
      putStorage: (address, slot, value) => state.putStorage(address, slot, value),
      stateRoot: () => state.stateRoot(),
    }
  }

  /** Forgets every account: the head's state was re-read from another root. */
  reset(): void {
    this.#newer = new Map()
    this.#older = new Map()
    this.#newerCount = 0
    this.#olderCount = 0
  }

  #hold(key: number, address: Uint8Array, account: AccountState): void {
    this.#newer.set(key, { address, account, next: this.#newer.get(key) })
    this.#newerCount++
    if (this.#newerCount >= this.#generation) {
      this.#older = this.#newer
      this.#olderCount = this.#newerCount
      this.#newer = new Map()
      this.#newerCount = 0
    }
  }
}

/** A held account, and the next one whose address has the same key. */
type Held = { readonly address: Uint8Array; account: AccountState; next: Held | undefined }

/** Which addresses share a key cannot be foreseen. */
const KEY_MULTIPLIERS = drawOddMultipliers(2)
const HIGH_MULTIPLIER = KEY_MULTIPLIERS[0] as number
const KEY_MULTIPLIER = KEY_MULTIPLIERS[1] as number

/**
 * The key of an address's chain: its first six bytes mixed (multiply-shift, seeded per process)
 * into 30 bits. A small integer, which a `Map` hashes and compares without a heap number per key
 * (the six bytes as one number, above 2^31, cost one at every lookup, ~25% of a lookup's time).
 * Chains stay short: 65,536 random addresses give one or two shared keys, a client cannot aim
 * addresses at one key without the multipliers, and addresses that share all six bytes cost ~2^48
 * key pairs to grind.
 */
export function addressKey(address: Uint8Array): number {
  const low =
    (address[0] as number) |
    ((address[1] as number) << 8) |
    ((address[2] as number) << 16) |
    ((address[3] as number) << 24)
  const high = (address[4] as number) | ((address[5] as number) << 8)
  return Math.imul(low ^ Math.imul(high, HIGH_MULTIPLIER), KEY_MULTIPLIER) >>> 2
}

function find(held: Map<number, Held>, key: number, address: Uint8Array): Held | undefined {
  for (let entry = held.get(key); entry !== undefined; entry = entry.next)
    if (sameBytes(entry.address, address)) return entry
  return undefined
}

function unlink(held: Map<number, Held>, key: number, entry: Held): void {
  const first = held.get(key) as Held
  if (first === entry) {
    if (entry.next === undefined) held.delete(key)
    else held.set(key, entry.next)
    return
  }
  let previous = first
  while (previous.next !== entry) previous = previous.next as Held
  previous.next = entry.next
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
