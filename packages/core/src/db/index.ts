export type { BatchOp, KeyValueStore, LevelStoreOptions } from './store.ts'
export { DEFAULT_LEVEL_OPTIONS, fileDescriptorLimit, LevelStore, MemoryStore, StoreError } from './store.ts'
