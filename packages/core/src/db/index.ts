export type { BatchOp, KeyValueStore, LevelStoreOptions } from './store.ts'
export { DEFAULT_LEVEL_OPTIONS, LevelStore, MemoryStore, StoreError } from './store.ts'
