export * from './constants.ts'
export * from './rollupConfig.ts'
