/** 0: legacy (EIP-155 or, flagged, pre-EIP-155); 1: EIP-2930; 2: EIP-1559. */
export type TransactionType = 0 | 1 | 2

export type AccessListItem = {
  /** 20 bytes */
  address: Uint8Array
  /** 32 bytes each */
  storageKeys: Uint8Array[]
}

/** A signed Ethereum transaction of one of the three types Sluice accepts, fields as integers and bytes. */
export type SignedTransaction = {
  type: TransactionType
  /**
   * undefined only for a pre-EIP-155 legacy transaction (v 27/28) — or, decoded, a legacy one whose
   * v names no chain (below 35, not 27/28), which `signatureProblem` reports as `invalidV`
   */
  chainId: bigint | undefined
  nonce: bigint
  /** legacy and EIP-2930: gasPrice */
  maxPriorityFeePerGas: bigint
  /** legacy and EIP-2930: gasPrice */
  maxFeePerGas: bigint
  gasLimit: bigint
  /** 20 bytes; undefined = contract creation */
  to: Uint8Array | undefined
  value: bigint
  data: Uint8Array
  /** always empty for legacy */
  accessList: AccessListItem[]
  /** legacy: the raw v (27/28 or chainId*2+35/36); typed: yParity 0/1 */
  v: bigint
  r: bigint
  s: bigint
}

/** Why a signature is not accepted; `undefined` where a function returns one means none. */
export type SignatureProblem =
  /** legacy v 27/28: no chain id, so it could be replayed from another chain */
  | 'preEip155'
  /** the chain id is not the expected one (or a typed transaction has none) */
  | 'wrongChainId'
  /** legacy v is neither 27/28 nor 2·chainId+35/36 */
  | 'invalidV'
  /** typed yParity is neither 0 nor 1 */
  | 'invalidYParity'
  /** r is 0 or ≥ n */
  | 'rOutOfRange'
  /** s is 0 or ≥ n */
  | 'sOutOfRange'
  /** n/2 < s < n (EIP-2: the malleable twin of a valid signature) */
  | 'highS'
  /** secp256k1 recovers no public key from this hash and signature */
  | 'recoveryFailed'

/** EIP-2681: a nonce (and gas limit) is at most 2^64−1; a nonce of 2^64−1 can never be used. */
export const MAX_UINT64 = 2n ** 64n - 1n
export const MAX_UINT256 = 2n ** 256n - 1n
/** EIP-3860: the largest initcode a contract-creation transaction may carry. */
export const MAX_INITCODE_SIZE = 49_152
