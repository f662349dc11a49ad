import type { Hex, L2BlockHeader, Log, NoopReason, SignedTransaction, TransactionType } from '@sluice/core'
import type { DataAvailability } from '../l1/types.ts'

/**
 * What the chain store keeps per L2 block (beside the state trie, in the same LevelDB). Shared by
 * the sequencer (which seals blocks) and the verifier (which derives them); the RPC server, the
 * derivation driver and the p2p host read it through `ChainReader`.
 */

/** One included transaction with everything its receipt and `eth_getTransactionByHash` need. */
export type StoredTransaction = {
  /** keccak256 of `raw`. */
  hash: Uint8Array
  /** The ordinary signed encoding (EIP-2718 envelope for typed transactions). */
  raw: Uint8Array
  /** Decoded form of `raw`. */
  tx: SignedTransaction
  type: TransactionType
  sender: Uint8Array
  /** Position in the block. */
  index: number
  gasUsed: bigint
  cumulativeGasUsed: bigint
  effectiveGasPrice: bigint
  logs: Log[]
  logsBloom: Uint8Array
  /** true when it came from L1 as a forced transaction (it is not a batch slot). */
  forced: boolean
}

/** A sealed L2 block as the store keeps it. */
export type StoredBlock = {
  hash: Uint8Array
  header: L2BlockHeader
  transactions: StoredTransaction[]
  /** Messages (delayed + slots) applied up to and including this block: `n` in `root_n`. */
  messageCountAfter: bigint
  /** Batch slots this block takes (the sequencer's transactions, no-ops of derivation included). */
  slotCount: number
}

/** The heads of protocol.md §10. `unsafe ≥ safe ≥ finalized` by number at all times. */
export type HeadName = 'unsafe' | 'safe' | 'finalized'

export type Heads = Record<HeadName, StoredBlock>

/** Where in the L2 chain an acknowledged transaction ended, or why it never will. */
export type TransactionLocation =
  | { status: 'included'; blockNumber: bigint; blockHash: Uint8Array; index: number }
  | { status: 'pending' }
  /** Acknowledged, then made invalid (e.g. by a forced message) and dropped; never silent. */
  | { status: 'dropped'; reason: NoopReason | string; detail?: string | undefined; at: number }

/** An L2 block's place in L1: the batch that carries it (set once derived from L1). */
export type BatchRef = {
  batchIndex: bigint
  l1BlockNumber: bigint
  l1BlockHash: Hex
  l1TransactionHash: Hex | undefined
}

/** Read side of the chain store: everything the RPC server and p2p need. Synchronous where LevelDB allows. */
export interface ChainReader {
  readonly chainId: bigint
  head(name: HeadName): StoredBlock
  blockByNumber(number: bigint): StoredBlock | undefined
  blockByHash(hash: Uint8Array): StoredBlock | undefined
  /** The block and index of an included transaction, or undefined if the store never saw it. */
  transactionLocation(hash: Uint8Array): TransactionLocation | undefined
  /** Account state at a block's state root (archive: any stored block). */
  account(
    blockNumber: bigint,
    address: Uint8Array,
  ): { nonce: bigint; balance: bigint; storageRoot: Uint8Array; codeHash: Uint8Array }
  storageAt(blockNumber: bigint, address: Uint8Array, slot: Uint8Array): Uint8Array
  /** EIP-1186 proof at a block's state root. */
  proof(
    blockNumber: bigint,
    address: Uint8Array,
    slots: readonly Uint8Array[],
  ): { accountProof: Uint8Array[]; storageProofs: { key: Uint8Array; value: Uint8Array; proof: Uint8Array[] }[] }
  /** Called with every new unsafe head (for `eth_subscribe newHeads`); returns an unsubscribe. */
  onNewHead(listener: (block: StoredBlock) => void): () => void
}

/** A batch as this node derived it from L1: where it is and which L2 blocks it gave. */
export type BatchRecord = {
  index: bigint
  l1BlockNumber: bigint
  l1BlockHash: Uint8Array
  l1TransactionHash: Uint8Array | undefined
  forced: boolean
  /** The first L2 block of the batch (`lastBlock + 1` of the previous batch). */
  firstBlock: bigint
  /** The tip after the batch; equal to the previous batch's when the batch gave no block. */
  lastBlock: bigint
  messageCountAfter: bigint
  delayedCountAfter: bigint
  /** `root_n` for `n = messageCountAfter`: what a claim on this batch must say. */
  stateRoot: Uint8Array
  accumulator: Uint8Array
  /** Calldata, or the blobs (versioned hashes) the batch was derived from; the node keeps those blobs. */
  dataAvailability: DataAvailability
}
