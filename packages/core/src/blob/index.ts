export * from './codec.ts'
export * from './point.ts'
