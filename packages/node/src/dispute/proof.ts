import { bytesToHex, type DelayedMessage, type Hex } from '@sluice/core'
import { encodeAbiParameters } from 'viem'

/**
 * The `proof` argument of `DisputeGame.proveStep` / `OneStepProver.proveMessage` (protocol.md §8.3):
 * `abi.encode(OneStepProof)` — ONE tuple parameter, so the bytes start with a 0x20 offset word —
 * with
 * ```
 * (uint256 batchIndex,                    // b: the batch holding message i
 *  bytes   batch,                         // its bytes (keccak256 = batchHash[b])
 *  (uint8 kind, address l1Sender, uint64 l1Timestamp, bytes payload) delayed,
 *                                         // message i when it is a delayed message, else zeros
 *  bytes[][] accountProofs,               // §7.4 order, each against the running root
 *  bytes[]  storageProof)                 // withdrawal: the passer's storage proof, else []
 * ```
 * exactly as `OneStepProverTestBase._encodeProof` builds it in the forge tests.
 */
export type OneStepProofInput = {
  batchIndex: bigint
  batch: Uint8Array
  /** Message `i` when it is a delayed message; undefined for a batch slot. */
  delayed: DelayedMessage | undefined
  accountProofs: readonly (readonly Uint8Array[])[]
  storageProof: readonly Uint8Array[]
}

const ONE_STEP_PROOF = [
  {
    type: 'tuple',
    components: [
      { name: 'batchIndex', type: 'uint256' },
      { name: 'batch', type: 'bytes' },
      {
        name: 'delayed',
        type: 'tuple',
        components: [
          { name: 'kind', type: 'uint8' },
          { name: 'l1Sender', type: 'address' },
          { name: 'l1Timestamp', type: 'uint64' },
          { name: 'payload', type: 'bytes' },
        ],
      },
      { name: 'accountProofs', type: 'bytes[][]' },
      { name: 'storageProof', type: 'bytes[]' },
    ],
  },
] as const

const ZERO_ADDRESS: Hex = `0x${'00'.repeat(20)}`

/** The ABI layout above, for decoding in tests and tools. */
export const ONE_STEP_PROOF_ABI = ONE_STEP_PROOF

/** Encodes the one-step proof of one message for `proveStep` (the only encoder of it in the node). */
export function encodeOneStepProof(input: OneStepProofInput): Hex {
  const delayed = input.delayed
  return encodeAbiParameters(ONE_STEP_PROOF, [
    {
      batchIndex: input.batchIndex,
      batch: bytesToHex(input.batch),
      delayed:
        delayed === undefined
          ? { kind: 0, l1Sender: ZERO_ADDRESS, l1Timestamp: 0n, payload: '0x' }
          : {
              kind: delayed.kind,
              l1Sender: bytesToHex(delayed.l1Sender),
              l1Timestamp: delayed.l1Timestamp,
              payload: bytesToHex(delayed.payload),
            },
      accountProofs: input.accountProofs.map((proof) => proof.map((node) => bytesToHex(node))),
      storageProof: input.storageProof.map((node) => bytesToHex(node)),
    },
  ])
}
