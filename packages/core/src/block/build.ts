import { hexToBytes } from '../bytes/index.ts'
import type { RollupConfig } from '../config/rollupConfig.ts'
import { keccak256 } from '../crypto/index.ts'
import { EMPTY_DELAYED_ACCUMULATOR } from '../messages/delayed.ts'
import type { WorldState } from '../state/types.ts'
import { applyMessage, type PreparedStfConfig } from '../stf/apply.ts'
import type { AppliedTransaction, MessageOutcome, StfMessage } from '../stf/message.ts'
import { orderedTrieRoot, orderedTrieRootOf } from '../trie/ordered.ts'
import { encodeTransaction } from '../tx/index.ts'
import { BLOOM_BYTES, logsBloom, orBloom } from './bloom.ts'
import { blockHash, type L2BlockHeader } from './header.ts'
import { type Receipt, ReceiptItems } from './receipt.ts'

export type PreparedBlockConfig = PreparedStfConfig & { l2BlockGasLimit: bigint }

export function prepareBlockConfig(
  config: Pick<RollupConfig, 'chainId' | 'baseFeePerGas' | 'feeVault' | 'l2BlockGasLimit'>,
): PreparedBlockConfig {
  return {
    chainId: config.chainId,
    baseFeePerGas: config.baseFeePerGas,
    feeVault: hexToBytes(config.feeVault),
    l2BlockGasLimit: config.l2BlockGasLimit,
  }
}

/** What a block is built from: its place in the chain and its messages (protocol.md §6.3). */
export type BlockInput = {
  parentHash: Uint8Array
  number: bigint
  timestamp: bigint
  /** Delayed messages taken up to and including this block. */
  delayedCountAfter: bigint
  /** The delayed accumulator after this block's delayed messages (protocol.md §6.3). */
  delayedAccumulator: Uint8Array
  messages: readonly StfMessage[]
}

export type IncludedTransaction = AppliedTransaction & {
  raw: Uint8Array
  hash: Uint8Array
  /** Position in the block. */
  index: number
  receipt: Receipt
}

export type L2Block = {
  header: L2BlockHeader
  hash: Uint8Array
  transactions: IncludedTransaction[]
  /** One outcome per message, no-ops included, in message order. */
  outcomes: MessageOutcome[]
}

const EMPTY_BLOOM = new Uint8Array(BLOOM_BYTES)

/** Root of the plain trie `rlp(index) → item`, as Ethereum's transactions and receipts roots. */
export { orderedTrieRoot }

/**
 * Applies a block's messages in order to `state` and seals the block. No-op messages change
 * nothing and are not in the block; deposits change state but are not transactions.
 */
export function applyBlock(state: WorldState, input: BlockInput, config: PreparedBlockConfig): L2Block {
  const outcomes: MessageOutcome[] = []
  const transactions: IncludedTransaction[] = []
  const bloom = new Uint8Array(BLOOM_BYTES)
  let gasUsed = 0n
  for (const message of input.messages) {
    const outcome = applyMessage(state, message, config)
    outcomes.push(outcome)
    if (!outcome.applied || outcome.kind !== 'transaction') continue
    gasUsed += outcome.gasUsed
    // Transfers have no logs: they share one empty bloom and skip the OR.
    const hasLogs = outcome.logs.length > 0
    const receipt: Receipt = {
      type: outcome.tx.type,
      cumulativeGasUsed: gasUsed,
      logsBloom: hasLogs ? logsBloom(outcome.logs) : EMPTY_BLOOM,
      logs: outcome.logs,
    }
    if (hasLogs) orBloom(bloom, receipt.logsBloom)
    const given = message.kind === 'transaction' && message.raw !== undefined ? message : undefined
    const raw = given?.raw ?? encodeTransaction(outcome.tx)
    // field by field, not by spreading the outcome (an object spread is slower on this path)
    const included: IncludedTransaction & { applied: true; kind: 'transaction' } = {
      applied: true,
      kind: 'transaction',
      tx: outcome.tx,
      sender: outcome.sender,
      gasUsed: outcome.gasUsed,
      effectiveGasPrice: outcome.effectiveGasPrice,
      fee: outcome.fee,
      logs: outcome.logs,
      withdrawal: outcome.withdrawal,
      raw,
      hash: given?.hash ?? keccak256(raw),
      index: transactions.length,
      receipt,
    }
    // the same object as the message's outcome: a block keeps one record per transaction, not two
    outcomes[outcomes.length - 1] = included
    transactions.push(included)
  }
  const receipts: Receipt[] = new Array(transactions.length)
  const raws: Uint8Array[] = new Array(transactions.length)
  for (let i = 0; i < transactions.length; i++) {
    const t = transactions[i] as IncludedTransaction
    receipts[i] = t.receipt
    raws[i] = t.raw
  }
  const header: L2BlockHeader = {
    parentHash: input.parentHash,
    beneficiary: config.feeVault,
    stateRoot: state.stateRoot(),
    transactionsRoot: orderedTrieRoot(raws),
    // each receipt written straight into its leaf: no encoded array per transaction
    receiptsRoot: orderedTrieRootOf(new ReceiptItems(receipts)),
    logsBloom: bloom,
    number: input.number,
    gasLimit: config.l2BlockGasLimit,
    gasUsed,
    timestamp: input.timestamp,
    delayedCountAfter: input.delayedCountAfter,
    delayedAccumulator: input.delayedAccumulator,
    baseFeePerGas: config.baseFeePerGas,
  }
  return { header, hash: blockHash(header), transactions, outcomes }
}

/** The genesis block (number 0, no transactions, parent hash zero) for a config. */
export function genesisBlock(
  config: Pick<RollupConfig, 'genesisStateRoot' | 'l2GenesisTimestamp'> & PreparedBlockConfigSource,
): { header: L2BlockHeader; hash: Uint8Array } {
  const empty = orderedTrieRoot([])
  const header: L2BlockHeader = {
    parentHash: new Uint8Array(32),
    beneficiary: hexToBytes(config.feeVault),
    stateRoot: hexToBytes(config.genesisStateRoot),
    transactionsRoot: empty,
    receiptsRoot: empty,
    logsBloom: new Uint8Array(BLOOM_BYTES),
    number: 0n,
    gasLimit: config.l2BlockGasLimit,
    gasUsed: 0n,
    timestamp: config.l2GenesisTimestamp,
    delayedCountAfter: 0n,
    delayedAccumulator: EMPTY_DELAYED_ACCUMULATOR,
    baseFeePerGas: config.baseFeePerGas,
  }
  return { header, hash: blockHash(header) }
}

type PreparedBlockConfigSource = Pick<RollupConfig, 'feeVault' | 'l2BlockGasLimit' | 'baseFeePerGas'>
