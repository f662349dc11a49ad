/**
 * @sluice/contracts: ABIs and bytecode of the Sluice L1 contracts, generated from forge's artifacts
 * by `npm run contracts:build` (typed `as const`, so viem infers argument and return types).
 */
export * from './generated/index.ts'
