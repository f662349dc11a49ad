import type { Account } from '../trie/account.ts'

/**
 * What the state transition needs from the state: accounts by address and storage slots by
 * (address, slot). Reads of absent accounts return the empty account; writes create accounts and
 * never delete them (protocol.md §3.2). Implemented on LevelDB by `StateDb`; any implementation
 * that gives the same roots is a valid double for tests.
 */
export interface WorldState {
  getAccount(address: Uint8Array): Account
  putAccount(address: Uint8Array, account: Account): void
  /** The 32-byte word at `slot` of `address`'s storage (zero when unset). */
  getStorage(address: Uint8Array, slot: Uint8Array): Uint8Array
  /** Sets `slot` to the 32-byte `value` and returns the account's new storage root. */
  putStorage(address: Uint8Array, slot: Uint8Array, value: Uint8Array): Uint8Array
  /** The state root with every write so far applied. */
  stateRoot(): Uint8Array
}
