import type { WorldState } from '@sluice/core'
import { MempoolConfigError } from './errors.ts'
import { plainHex } from './keys.ts'
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
  #newer = new Map<string, AccountState>()
  #older = new Map<string, AccountState>()
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
    return this.#newer.size + this.#older.size
  }

  account(address: Uint8Array): AccountState {
    const key = plainHex(address)
    const held = this.#newer.get(key)
    if (held !== undefined) {
      this.hits++
      return held
    }
    const old = this.#older.get(key)
    if (old !== undefined) {
      this.hits++
      this.#older.delete(key)
      this.#hold(key, old)
      return old
    }
    this.misses++
    const account = this.#read(address)
    this.#hold(key, account)
    return account
  }

  /** `state` with every write of a held account also applied here: what the builder executes a block on. */
  recording(state: WorldState): WorldState {
    return {
      getAccount: (address) => state.getAccount(address),
      putAccount: (address, account) => {
        state.putAccount(address, account)
        const key = plainHex(address)
        if (this.#newer.has(key)) this.#newer.set(key, account)
        else if (this.#older.has(key)) this.#older.set(key, account)
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
  }

  #hold(key: string, account: AccountState): void {
    this.#newer.set(key, account)
    if (this.#newer.size >= this.#generation) {
      this.#older = this.#newer
      this.#newer = new Map()
    }
  }
}
