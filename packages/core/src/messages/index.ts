export * from './delayed.ts'
