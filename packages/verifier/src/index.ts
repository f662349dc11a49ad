export { ClaimChecker, type InvalidClaimHandler } from './claims/claimChecker.ts'
export { parseVerifierOptions, VERIFIER_OPTIONS, type VerifierOptions } from './options.ts'
export { UnsafeFollower, type UnsafeFollowerOptions } from './unsafe/unsafeFollower.ts'
export { startVerifier, VERIFIER_VERSION, type VerifierNode } from './verifierNode.ts'
