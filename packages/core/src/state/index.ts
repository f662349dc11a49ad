export { genesisStateRoot, writeGenesisState } from './genesis.ts'
export { StateDb } from './stateDb.ts'
export type { WorldState } from './types.ts'
