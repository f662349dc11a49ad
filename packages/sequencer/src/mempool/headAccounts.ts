import type { WorldState } from '@sluice/core'
import { MempoolConfigError } from './errors.ts'
import { plainHex } from './keys.ts'
import type { AccountState, AccountView } from './types.ts'

/**
 * The accounts of the unsafe head that the mempool admits against, kept resident: every account a
 * block writes, with its value after the block (the builder executes through `recording`), and every
 * account read since. An admission then reads a Map instead of walking the trie and LevelDB
 * (`StateDb.getAccount`), which it did for every transaction. Exact by construction: the builder's
 * state changes only through the blocks it executes, each of which passes its writes here, and
 * `clear` drops everything when that state is re-read (`BlockBuilder.reset`, after a reorg).
 * At most `capacity` accounts (first in, first out; a write moves an account to the back).
 *
 * @example
 * const accounts = new HeadAccounts((address) => builder.headState.getAccount(address))
 * const builder = new BlockBuilder({ ..., accountWrites: accounts })
 * const pool = new Mempool({ ..., view: accounts })
 */
export class HeadAccounts implements AccountView {
  readonly #read: (address: Uint8Array) => AccountState
  readonly #capacity: number
  readonly #entries = new Map<string, AccountState>()
  /** Admission reads answered from memory, and those that went to the state. */
  hits = 0
  misses = 0

  constructor(read: (address: Uint8Array) => AccountState, capacity = 65_536) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new MempoolConfigError(`the head account cache's capacity must be a positive integer, not ${capacity}`)
    }
    this.#read = read
    this.#capacity = capacity
  }

  /** Accounts held. */
  get size(): number {
    return this.#entries.size
  }

  account(address: Uint8Array): AccountState {
    const key = plainHex(address)
    const held = this.#entries.get(key)
    if (held !== undefined) {
      this.hits++
      return held
    }
    this.misses++
    const account = this.#read(address)
    this.#hold(key, account)
    return account
  }

  /** `state` with every account write also kept here: what the builder executes a block on. */
  recording(state: WorldState): WorldState {
    return {
      getAccount: (address) => state.getAccount(address),
      putAccount: (address, account) => {
        state.putAccount(address, account)
        const key = plainHex(address)
        this.#entries.delete(key)
        this.#hold(key, account)
      },
      getStorage: (address, slot) => state.getStorage(address, slot),
      putStorage: (address, slot, value) => state.putStorage(address, slot, value),
      stateRoot: () => state.stateRoot(),
    }
  }

  /** Forgets every account: the head's state was re-read from another root. */
  reset(): void {
    this.#entries.clear()
  }

  #hold(key: string, account: AccountState): void {
    this.#entries.set(key, account)
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
  }
}
