import { EMPTY_OMMERS_HASH, encodeBlockHeader, type Log, type SignedTransaction } from '@sluice/core'
import type { StoredBlock, StoredTransaction } from '../chain/types.ts'
import { data, type HexString, paddedQuantity, quantity } from './hex.ts'
import type { PendingTransaction, RpcJson } from './types.ts'

/**
 * Ethereum JSON-RPC objects (execution-apis schemas) from stored blocks. Sluice blocks are London
 * headers (protocol.md §6.3): the header's `mixHash` carries the delayed accumulator and its 8-byte
 * `nonce` the delayed message count; there are no ommers, no withdrawals and no difficulty.
 */

const EMPTY_OMMERS_HASH_HEX = data(EMPTY_OMMERS_HASH)
const ZERO_QUANTITY = '0x0'

/** Length of an RLP prefix for a payload of `length` bytes (string or list alike). */
function rlpPrefixLength(length: number): number {
  if (length < 56) return 1
  let bytes = 0
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes++
  return 1 + bytes
}

/** `rlp([header, transactions, ommers])` length: the block's `size` as geth reports it. */
export function blockSize(block: StoredBlock): number {
  const header = encodeBlockHeader(block.header).length
  let transactions = 0
  for (const { raw, type } of block.transactions) {
    // A legacy transaction is itself an RLP list; a typed one is an RLP string holding its envelope.
    transactions += type === 0 ? raw.length : raw.length + rlpPrefixLength(raw.length)
  }
  const payload = header + transactions + rlpPrefixLength(transactions) + 1 // + empty ommers list 0xc0
  return payload + rlpPrefixLength(payload)
}

/** Header fields as geth's `newHeads` notification carries them. */
export function formatHeader(block: StoredBlock): Record<string, RpcJson> {
  const header = block.header
  return {
    hash: data(block.hash),
    parentHash: data(header.parentHash),
    sha3Uncles: EMPTY_OMMERS_HASH_HEX,
    miner: data(header.beneficiary),
    stateRoot: data(header.stateRoot),
    transactionsRoot: data(header.transactionsRoot),
    receiptsRoot: data(header.receiptsRoot),
    logsBloom: data(header.logsBloom),
    difficulty: ZERO_QUANTITY,
    number: quantity(header.number),
    gasLimit: quantity(header.gasLimit),
    gasUsed: quantity(header.gasUsed),
    timestamp: quantity(header.timestamp),
    extraData: '0x',
    mixHash: data(header.delayedAccumulator),
    nonce: paddedQuantity(header.delayedCountAfter, 8),
    baseFeePerGas: quantity(header.baseFeePerGas),
  }
}

export type TransactionDetail = 'hashes' | 'full'

export function formatBlock(block: StoredBlock, detail: TransactionDetail): Record<string, RpcJson> {
  const transactions: RpcJson[] =
    detail === 'full'
      ? block.transactions.map((stored) => formatIncludedTransaction(block, stored))
      : block.transactions.map((stored) => data(stored.hash))
  return { ...formatHeader(block), size: quantity(blockSize(block)), transactions, uncles: [] }
}

/** Where an included transaction is: the fields a pending one has as `null`. */
type InclusionFields = {
  blockHash: HexString | null
  blockNumber: HexString | null
  blockTimestamp?: HexString
  transactionIndex: HexString | null
}

function transactionFields(
  tx: SignedTransaction,
  hash: Uint8Array,
  sender: Uint8Array,
  inclusion: InclusionFields,
  gasPrice: bigint,
): Record<string, RpcJson> {
  const out: Record<string, RpcJson> = {
    ...inclusion,
    hash: data(hash),
    from: data(sender),
    to: tx.to === undefined ? null : data(tx.to),
    nonce: quantity(tx.nonce),
    gas: quantity(tx.gasLimit),
    gasPrice: quantity(gasPrice),
    value: quantity(tx.value),
    input: data(tx.data),
    type: quantity(tx.type),
  }
  if (tx.type === 2) {
    out.maxFeePerGas = quantity(tx.maxFeePerGas)
    out.maxPriorityFeePerGas = quantity(tx.maxPriorityFeePerGas)
  }
  if (tx.type !== 0) {
    out.accessList = tx.accessList.map((item) => ({
      address: data(item.address),
      storageKeys: item.storageKeys.map((key) => data(key)),
    }))
  }
  if (tx.chainId !== undefined) out.chainId = quantity(tx.chainId)
  out.v = quantity(tx.v)
  out.r = quantity(tx.r)
  out.s = quantity(tx.s)
  if (tx.type !== 0) out.yParity = quantity(tx.v)
  return out
}

/** An included transaction; `gasPrice` is what it paid (geth's answer for EIP-1559 ones too). */
export function formatIncludedTransaction(block: StoredBlock, stored: StoredTransaction): Record<string, RpcJson> {
  return transactionFields(
    stored.tx,
    stored.hash,
    stored.sender,
    {
      blockHash: data(block.hash),
      blockNumber: quantity(block.header.number),
      blockTimestamp: quantity(block.header.timestamp),
      transactionIndex: quantity(stored.index),
    },
    stored.effectiveGasPrice,
  )
}

/** A pending transaction: no block fields (null, as geth), `gasPrice` is its fee cap. */
export function formatPendingTransaction(pending: PendingTransaction): Record<string, RpcJson> {
  return transactionFields(
    pending.tx,
    pending.hash,
    pending.sender,
    { blockHash: null, blockNumber: null, transactionIndex: null },
    pending.tx.maxFeePerGas,
  )
}

export function formatLog(
  log: Log,
  block: StoredBlock,
  stored: StoredTransaction,
  logIndex: number,
): Record<string, RpcJson> {
  return {
    address: data(log.address),
    topics: log.topics.map((topic) => data(topic)),
    data: data(log.data),
    blockNumber: quantity(block.header.number),
    blockHash: data(block.hash),
    blockTimestamp: quantity(block.header.timestamp),
    transactionHash: data(stored.hash),
    transactionIndex: quantity(stored.index),
    logIndex: quantity(logIndex),
    removed: false,
  }
}

/** Index in the block of the first log of the transaction at `index` (log indices are block-wide). */
export function firstLogIndex(block: StoredBlock, index: number): number {
  let count = 0
  for (let i = 0; i < index; i++) count += (block.transactions[i] as StoredTransaction).logs.length
  return count
}

/** A receipt: applied transactions always succeed (`status` 1) and never create contracts. */
export function formatReceipt(block: StoredBlock, stored: StoredTransaction, logIndexBase?: number): RpcJson {
  let logIndex = logIndexBase ?? firstLogIndex(block, stored.index)
  return {
    type: quantity(stored.type),
    status: '0x1',
    cumulativeGasUsed: quantity(stored.cumulativeGasUsed),
    logs: stored.logs.map((log) => formatLog(log, block, stored, logIndex++)),
    logsBloom: data(stored.logsBloom),
    transactionHash: data(stored.hash),
    transactionIndex: quantity(stored.index),
    blockHash: data(block.hash),
    blockNumber: quantity(block.header.number),
    gasUsed: quantity(stored.gasUsed),
    effectiveGasPrice: quantity(stored.effectiveGasPrice),
    from: data(stored.sender),
    to: stored.tx.to === undefined ? null : data(stored.tx.to),
    contractAddress: null,
  }
}

/** Provider values to JSON: bigint → quantity, bytes → hex data, recursively; `undefined` fields dropped. */
export function toJson(value: RpcJson): unknown {
  if (value === undefined) return null
  if (typeof value === 'bigint') return quantity(value)
  if (value instanceof Uint8Array) return data(value)
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item: RpcJson) => toJson(item))
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value as Record<string, RpcJson>)) {
    if (field !== undefined) out[key] = toJson(field)
  }
  return out
}
