import { MESSAGE_PASSER } from '../config/constants.ts'
import { MemoryStore } from '../db/store.ts'
import { emptyAccount } from '../trie/account.ts'
import { StateDb } from './stateDb.ts'

/**
 * Writes the genesis state (protocol.md §3.3): the message passer alone, nonce 0, balance 0.
 * Returns root_0.
 */
export function writeGenesisState(state: StateDb): Uint8Array {
  state.putAccount(MESSAGE_PASSER, emptyAccount())
  return state.stateRoot()
}

/** root_0, computed in memory; the value `genesisStateRoot` must hold in every rollup config. */
export function genesisStateRoot(): Uint8Array {
  return writeGenesisState(new StateDb(new MemoryStore()))
}
