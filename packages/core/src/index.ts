export * from './bytes/index.ts'
export * from './crypto/index.ts'
export * from './errors/index.ts'
