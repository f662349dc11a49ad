export { genesisStateRoot, writeGenesisState } from './genesis.ts'
export { CommitInFlightError, StateDb } from './stateDb.ts'
export type { WorldState } from './types.ts'
