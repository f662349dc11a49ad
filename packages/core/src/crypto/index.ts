export { keccak256, keccak256Noble, keccakBackend, keccakWasmPath } from './keccak.ts'
export { BLOB_COMMITMENT_VERSION_KZG, type Kzg, kzg, kzgCommitmentToVersionedHash } from './kzg.ts'
export {
  publicKeyToAddress,
  recoverAddress,
  recoverPublicKey,
  recoverPublicKeyNoble,
  SECP256K1_HALF_N,
  SECP256K1_N,
  secp256k1Backend,
  signRecoverable,
  signRecoverableNoble,
} from './secp256k1.ts'
