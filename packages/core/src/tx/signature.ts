import { recoverAddress, SECP256K1_HALF_N, SECP256K1_N } from '../crypto/index.ts'
import { decodeTransaction } from './decode.ts'
import { signingHash } from './hash.ts'
import type { SignatureProblem, SignedTransaction } from './types.ts'

export type CheckSignatureOptions = {
  /** When given, the transaction's chain id must equal it (`wrongChainId` otherwise). */
  expectedChainId?: bigint | undefined
  /** Accept a pre-EIP-155 legacy transaction (v 27/28) instead of reporting `preEip155`. */
  allowPreEip155?: boolean | undefined
}

/** The sender, or the first signature rule that fails. */
export type SignatureCheck =
  | { sender: Uint8Array; problem: undefined }
  | { sender: undefined; problem: SignatureProblem }

/** True for a legacy transaction signed without a chain id (v 27/28). */
export function isPreEip155(tx: SignedTransaction): boolean {
  return tx.type === 0 && (tx.v === 27n || tx.v === 28n)
}

/**
 * Checks every signature rule and recovers the sender in one pass (one secp256k1 recovery).
 * Rules, in the order reported (protocol.md §7.3 rules 2–8): legacy `v ∈ {27, 28}` (pre-EIP-155, only
 * with `allowPreEip155`) or `v ∈ {2·chainId+35, 2·chainId+36}`; the chain id is the expected one (a
 * typed transaction must have one); typed `yParity ∈ {0,1}`;
 * `1 ≤ r < n`; `1 ≤ s ≤ n/2`; recovery succeeds.
 */
export function checkSignature(tx: SignedTransaction, options: CheckSignatureOptions = {}): SignatureCheck {
  const problem = ruleProblem(tx, options)
  if (problem !== undefined) return { sender: undefined, problem }
  const recoveryId =
    tx.type === 0 ? Number(tx.v === 27n || tx.v === 28n ? tx.v - 27n : (tx.v - 35n) & 1n) : Number(tx.v)
  const rs = new Uint8Array(64)
  writeWord(rs, 0, tx.r)
  writeWord(rs, 32, tx.s)
  const sender = recoverAddress(signingHash(tx), rs, recoveryId)
  return sender === undefined ? { sender: undefined, problem: 'recoveryFailed' } : { sender, problem: undefined }
}

/**
 * The first signature rule the transaction breaks, or undefined (see `checkSignature`; this
 * includes a secp256k1 recovery, so when you also need the sender call `checkSignature` once).
 */
export function signatureProblem(tx: SignedTransaction, expectedChainId?: bigint): SignatureProblem | undefined {
  return checkSignature(tx, { expectedChainId }).problem
}

/** The 20-byte sender, or undefined if any signature rule fails (see `checkSignature`). */
export function recoverSender(
  tx: SignedTransaction,
  options: { allowPreEip155?: boolean | undefined; expectedChainId?: bigint | undefined } = {},
): Uint8Array | undefined {
  return checkSignature(tx, options).sender
}

function ruleProblem(tx: SignedTransaction, options: CheckSignatureOptions): SignatureProblem | undefined {
  const { v, chainId } = tx
  if (tx.type === 0) {
    if (v === 27n || v === 28n) {
      if (chainId !== undefined) return 'invalidV'
      if (!options.allowPreEip155) return 'preEip155'
    } else {
      if (chainId === undefined) return 'invalidV'
      const base = chainId * 2n + 35n
      if (v !== base && v !== base + 1n) return 'invalidV'
      if (options.expectedChainId !== undefined && chainId !== options.expectedChainId) return 'wrongChainId'
    }
  } else {
    // §7.3 checks the chain id (rule 3) before yParity (rule 4), as the one-step prover does.
    if (chainId === undefined) return 'wrongChainId'
    if (options.expectedChainId !== undefined && chainId !== options.expectedChainId) return 'wrongChainId'
    if (v !== 0n && v !== 1n) return 'invalidYParity'
  }
  if (tx.r < 1n || tx.r >= SECP256K1_N) return 'rOutOfRange'
  if (tx.s < 1n || tx.s >= SECP256K1_N) return 'sOutOfRange'
  if (tx.s > SECP256K1_HALF_N) return 'highS'
  return undefined
}

/** Writes a value below 2^256 as 32 big-endian bytes at `offset`, 64 bits at a time (≈6× faster than per byte). */
function writeWord(out: Uint8Array, offset: number, value: bigint): void {
  let rest = value
  for (let limb = 3; limb >= 0; limb--) {
    const word = BigInt.asUintN(64, rest)
    rest >>= 64n
    const high = Number(word >> 32n)
    const low = Number(word & 0xffffffffn)
    const at = offset + limb * 8
    out[at] = high >>> 24
    out[at + 1] = (high >>> 16) & 0xff
    out[at + 2] = (high >>> 8) & 0xff
    out[at + 3] = high & 0xff
    out[at + 4] = low >>> 24
    out[at + 5] = (low >>> 16) & 0xff
    out[at + 6] = (low >>> 8) & 0xff
    out[at + 7] = low & 0xff
  }
}

/**
 * The signature rules without the recovery: for callers that already hold a sender recovered by
 * `checkSignature` (the sequencer's intake, the block pipeline's worker threads).
 */
export function signatureRuleProblem(tx: SignedTransaction, expectedChainId?: bigint): SignatureProblem | undefined {
  return ruleProblem(tx, { expectedChainId })
}

/**
 * The sender of raw signed transaction bytes that decode and pass every signature rule
 * (`decodeTransaction` + `checkSignature`); undefined otherwise. What the sender workers run.
 */
export function recoverRawSender(raw: Uint8Array, options: CheckSignatureOptions): Uint8Array | undefined {
  return recoverRawTransaction(raw, options)?.sender
}

/** `recoverRawSender` with the decoded transaction, for a caller that hands both on. */
export function recoverRawTransaction(
  raw: Uint8Array,
  options: CheckSignatureOptions,
): { tx: SignedTransaction; sender: Uint8Array } | undefined {
  try {
    const tx = decodeTransaction(raw)
    const { sender } = checkSignature(tx, options)
    return sender === undefined ? undefined : { tx, sender }
  } catch {
    return undefined
  }
}
