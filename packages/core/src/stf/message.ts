import type { SignedTransaction } from '../tx/types.ts'
import type { NoopReason } from './noopReason.ts'
import type { Log, Withdrawal } from './withdrawal.ts'

/** One message of the canonical list, as the state transition sees it (protocol.md §4). */
export type StfMessage =
  | { kind: 'deposit'; recipient: Uint8Array; amount: bigint }
  | {
      kind: 'transaction'
      tx: SignedTransaction
      /** A sender already recovered from this transaction by `checkSignature` (optional). */
      sender?: Uint8Array | undefined
      /** The signed encoding, when the caller has it (forced transactions, RPC intake). */
      raw?: Uint8Array | undefined
      /** keccak256 of `raw` (the transaction hash), when the caller computed it already (with `raw` only). */
      hash?: Uint8Array | undefined
    }
  /** A slot or forced transaction that failed to decode, or a malformed deposit payload. */
  | { kind: 'undecodable'; reason: 'slotDecode' | 'forcedDecode' | 'depositMalformed'; detail: string }

export type AppliedTransaction = {
  tx: SignedTransaction
  sender: Uint8Array
  gasUsed: bigint
  effectiveGasPrice: bigint
  fee: bigint
  logs: Log[]
  withdrawal: (Withdrawal & { hash: Uint8Array }) | undefined
}

export type MessageOutcome =
  | { applied: true; kind: 'deposit'; recipient: Uint8Array; amount: bigint }
  | ({ applied: true; kind: 'transaction' } & AppliedTransaction)
  | { applied: false; reason: NoopReason; detail?: string | undefined }
