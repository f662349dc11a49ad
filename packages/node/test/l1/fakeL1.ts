/**
 * An in-memory L1 for reader unit tests: blocks with hashes that change per fork, the logs and
 * transactions the Sluice contracts would produce (encoded with viem, independently of the node's
 * decoders), and the Portal/inbox bookkeeping they imply.
 */

import { claimManagerAbi, disputeGameAbi, portalAbi, sequencerInboxAbi } from '@sluice/contracts'
import {
  bytesToHex,
  type DelayedMessage,
  decodeBatchHeader,
  delayedMessageHash,
  encodeDepositPayload,
  encodeForcedBatch,
  type Hex,
} from '@sluice/core'
import {
  type Abi,
  type Address,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionData,
  encodePacked,
  keccak256,
  toHex,
} from 'viem'
import type { L1Header, L1Log, L1Source, L1Transaction } from '../../src/l1/source.ts'
import type { L1Addresses } from '../../src/l1/types.ts'

export const ADDRESSES: L1Addresses = {
  portal: '0x1000000000000000000000000000000000000001',
  sequencerInbox: '0x1000000000000000000000000000000000000002',
  claimManager: '0x1000000000000000000000000000000000000003',
  disputeGame: '0x1000000000000000000000000000000000000004',
  deployBlock: 1n,
}
const SEQUENCER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

type Block = L1Header & { logs: L1Log[]; transactions: L1Transaction[] }

function eventLog(
  abi: Abi,
  eventName: string,
  args: Record<string, unknown>,
  address: Address,
): Pick<L1Log, 'topics' | 'data' | 'address'> {
  const event = abi.find((e) => e.type === 'event' && e.name === eventName)
  if (event === undefined || event.type !== 'event') throw new Error(`no event ${eventName}`)
  const topics = encodeEventTopics({ abi, eventName, args } as Parameters<typeof encodeEventTopics>[0]) as Hex[]
  const dataInputs = event.inputs.filter((i) => !i.indexed)
  const data = encodeAbiParameters(
    dataInputs,
    dataInputs.map((i) => args[i.name as string]),
  )
  return { address, topics, data }
}

export class FakeL1 implements L1Source {
  blocks: Block[] = []
  /** Changes every block hash mined after a reorg. */
  private fork = 0
  /** The Portal's state. */
  delayed: DelayedMessage[] = []
  delayedHashes: Hex[] = []
  /** The inbox's state. */
  batchHashes: Hex[] = []
  private delayedCount = 0n
  private messageCount = 0n
  private accumulator: Hex = `0x${'00'.repeat(32)}`
  /** Calls that fail (temporarily) before the next succeeds, by method. */
  failures = new Map<string, number>()
  calls = new Map<string, number>()
  /** Runs once at the next `logs` call (e.g. a reorg while the reader reads a range). */
  beforeNextLogs: (() => void) | undefined
  /** Largest getLogs range the fake accepts (an RPC's limit). */
  maxLogRange = 1_000_000n
  private pending: { logs: Omit<L1Log, 'blockNumber' | 'blockHash' | 'logIndex'>[]; transactions: L1Transaction[] } = {
    logs: [],
    transactions: [],
  }

  constructor() {
    this.mine() // block 0
  }

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1)
    const left = this.failures.get(method) ?? 0
    if (left > 0) {
      this.failures.set(method, left - 1)
      const error = new Error('fetch failed: connection reset')
      error.name = 'HttpRequestError'
      throw error
    }
  }

  /** Mines one block holding everything queued since the last one. */
  mine(): Block {
    const number = BigInt(this.blocks.length)
    const parent = this.blocks[this.blocks.length - 1]
    const hash = keccak256(toHex(`block ${number} fork ${this.fork}`))
    const block: Block = {
      number,
      hash,
      parentHash: parent?.hash ?? `0x${'00'.repeat(32)}`,
      timestamp: 1_700_000_000n + number * 12n,
      logs: this.pending.logs.map((log, logIndex) => ({ ...log, blockNumber: number, blockHash: hash, logIndex })),
      transactions: this.pending.transactions.map((tx) => ({ ...tx, blockHash: hash })),
    }
    this.pending = { logs: [], transactions: [] }
    this.blocks.push(block)
    return block
  }

  mineEmpty(n: number): void {
    for (let i = 0; i < n; i++) this.mine()
  }

  private txHash(): Hex {
    return keccak256(
      toHex(`tx ${this.blocks.length} ${this.pending.transactions.length} ${this.fork} ${Math.random()}`),
    )
  }

  /** Queues a Portal deposit (kind 0). */
  deposit(recipient: Uint8Array, amount: bigint): DelayedMessage {
    const index = BigInt(this.delayed.length)
    const message: DelayedMessage = {
      kind: 0,
      index,
      l1Sender: new Uint8Array(20).fill(7),
      l1Timestamp: 1_700_000_000n + BigInt(this.blocks.length) * 12n,
      payload: encodeDepositPayload(recipient, amount),
    }
    this.delayed.push(message)
    this.delayedHashes.push(bytesToHex(delayedMessageHash(message)))
    const hash = this.txHash()
    this.pending.transactions.push({ hash, from: SEQUENCER, to: ADDRESSES.portal, input: '0x', blockHash: null })
    this.pending.logs.push({
      ...eventLog(
        portalAbi as Abi,
        'DelayedMessage',
        {
          index,
          kind: 0,
          l1Sender: bytesToHex(message.l1Sender),
          l1Timestamp: message.l1Timestamp,
          payload: bytesToHex(message.payload),
        },
        ADDRESSES.portal,
      ),
      transactionHash: hash,
    })
    return message
  }

  private appendLog(bytes: Uint8Array, transactionHash: Hex, batchHashOverride?: Hex): bigint {
    const header = decodeBatchHeader(bytes)
    if (header === undefined) throw new Error('fake inbox: no header')
    return this.appendEvent(
      keccak256(bytes),
      header.delayedCountAfter,
      header.slotCount,
      transactionHash,
      batchHashOverride,
    )
  }

  private appendEvent(
    batchHash: Hex,
    delayedCountAfter: bigint,
    slotCount: number,
    transactionHash: Hex,
    batchHashOverride?: Hex,
  ): bigint {
    const index = BigInt(this.batchHashes.length)
    this.messageCount += delayedCountAfter - this.delayedCount + BigInt(slotCount)
    this.delayedCount = delayedCountAfter
    this.accumulator = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'uint256' }],
        [this.accumulator, batchHash, this.delayedCount, this.messageCount],
      ),
    )
    this.batchHashes.push(batchHash)
    this.pending.logs.push({
      ...eventLog(
        sequencerInboxAbi as Abi,
        'BatchAppended',
        {
          index,
          batchHash: batchHashOverride ?? batchHash,
          accumulator: this.accumulator,
          messageCountAfter: this.messageCount,
          delayedCountAfter: this.delayedCount,
        },
        ADDRESSES.sequencerInbox,
      ),
      transactionHash,
    })
    return index
  }

  /**
   * Queues a sequencer batch: an `appendBatch` transaction and its event. `input` replaces the
   * calldata (e.g. with unusual ABI offsets); `batchHash` replaces the event's hash (a lying RPC).
   */
  appendBatch(bytes: Uint8Array, options: { input?: (index: bigint) => Hex; batchHash?: Hex } = {}): bigint {
    const hash = this.txHash()
    const index = this.appendLog(bytes, hash, options.batchHash)
    const input =
      options.input?.(index) ??
      encodeFunctionData({ abi: sequencerInboxAbi, functionName: 'appendBatch', args: [bytesToHex(bytes), index] })
    this.pending.transactions.push({ hash, from: SEQUENCER, to: ADDRESSES.sequencerInbox, input, blockHash: null })
    return index
  }

  /**
   * Queues a blob batch (§5.7): an `appendBlobBatch` transaction, its `BatchAppended` event with the
   * hash `keccak256(uint8(2) ‖ uint64 delayedCountAfter ‖ uint32 slotCount ‖ versioned hashes)` and its
   * `BlobBatchAppended` event. `kzgHints` is the call's hints argument (default none); `input`
   * replaces the calldata; `batchHash` replaces the event's hash (a lying RPC).
   */
  appendBlobBatch(
    delayedCountAfter: bigint,
    slotCount: number,
    versionedHashes: readonly Hex[],
    options: { batchHash?: Hex; kzgHints?: Hex; input?: Hex } = {},
  ): bigint {
    const hash = this.txHash()
    const batchHash = keccak256(
      encodePacked(['uint8', 'uint64', 'uint32', 'bytes32[]'], [2, delayedCountAfter, slotCount, [...versionedHashes]]),
    )
    const index = this.appendEvent(batchHash, delayedCountAfter, slotCount, hash, options.batchHash)
    this.pending.logs.push({
      ...eventLog(
        sequencerInboxAbi as Abi,
        'BlobBatchAppended',
        { index, blobHashes: [...versionedHashes] },
        ADDRESSES.sequencerInbox,
      ),
      transactionHash: hash,
    })
    const input =
      options.input ??
      encodeFunctionData({
        abi: sequencerInboxAbi,
        functionName: 'appendBlobBatch',
        args: [index, delayedCountAfter, slotCount, options.kzgHints ?? '0x'],
      })
    this.pending.transactions.push({ hash, from: SEQUENCER, to: ADDRESSES.sequencerInbox, input, blockHash: null })
    return index
  }

  /** Queues a `forceInclude` batch (its bytes are rebuilt from the header, the tx input is irrelevant). */
  forceInclude(upToDelayedCount: bigint): bigint {
    const hash = this.txHash()
    const index = this.appendLog(encodeForcedBatch(upToDelayedCount), hash)
    this.pending.logs.push({
      ...eventLog(sequencerInboxAbi as Abi, 'BatchForced', { index }, ADDRESSES.sequencerInbox),
      transactionHash: hash,
    })
    this.pending.transactions.push({
      hash,
      from: SEQUENCER,
      to: ADDRESSES.sequencerInbox,
      input: encodeFunctionData({ abi: sequencerInboxAbi, functionName: 'forceInclude', args: [upToDelayedCount] }),
      blockHash: null,
    })
    return index
  }

  /** Queues a ClaimManager event. */
  claimEvent(eventName: string, args: Record<string, unknown>): void {
    this.pending.logs.push({
      ...eventLog(claimManagerAbi as Abi, eventName, args, ADDRESSES.claimManager),
      transactionHash: this.txHash(),
    })
  }

  /** Queues a DisputeGame event. */
  gameEvent(eventName: string, args: Record<string, unknown>): void {
    this.pending.logs.push({
      ...eventLog(disputeGameAbi as Abi, eventName, args, ADDRESSES.disputeGame),
      transactionHash: this.txHash(),
    })
  }

  /**
   * Replaces the newest `depth` blocks by a new fork of empty blocks, as `anvil_reorg` does; the
   * Portal and inbox state is rolled back to what the kept blocks hold.
   */
  reorg(depth: number, replacement = depth): void {
    const kept = this.blocks.slice(0, this.blocks.length - depth)
    this.blocks = kept
    this.fork++
    // replay the contract state from the kept logs
    const delayedKept = kept.flatMap((b) => b.logs).filter((l) => l.address === ADDRESSES.portal).length
    this.delayed = this.delayed.slice(0, delayedKept)
    this.delayedHashes = this.delayedHashes.slice(0, delayedKept)
    const batchAppended = encodeEventTopics({ abi: sequencerInboxAbi, eventName: 'BatchAppended' })[0]
    const appended = kept
      .flatMap((b) => b.logs)
      .filter((l) => l.address === ADDRESSES.sequencerInbox && l.topics[0] === batchAppended)
    this.batchHashes = this.batchHashes.slice(0, appended.length)
    this.delayedCount = 0n
    this.messageCount = 0n
    this.accumulator = `0x${'00'.repeat(32)}`
    // recompute the inbox position from the kept events' data
    for (const log of appended) {
      const words = log.data.slice(2).match(/.{64}/g) as string[]
      this.accumulator = `0x${words[1]}` as Hex
      this.messageCount = BigInt(`0x${words[2]}`)
      this.delayedCount = BigInt(`0x${words[3]}`)
    }
    this.mineEmpty(replacement)
  }

  // L1Source

  async headNumber(): Promise<bigint> {
    this.count('headNumber')
    return BigInt(this.blocks.length - 1)
  }

  async header(number: bigint): Promise<L1Header | undefined> {
    this.count('header')
    const block = this.blocks[Number(number)]
    return block === undefined
      ? undefined
      : { number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp }
  }

  async logs(filter: { addresses: readonly Address[]; fromBlock: bigint; toBlock: bigint }): Promise<L1Log[]> {
    this.count('logs')
    const hook = this.beforeNextLogs
    this.beforeNextLogs = undefined
    hook?.()
    if (filter.toBlock - filter.fromBlock + 1n > this.maxLogRange) {
      const error = new Error(`block range too large: at most ${this.maxLogRange}`)
      error.name = 'InvalidParamsRpcError'
      throw error
    }
    const wanted = new Set(filter.addresses.map((a) => a.toLowerCase()))
    return this.blocks
      .filter((b) => b.number >= filter.fromBlock && b.number <= filter.toBlock)
      .flatMap((b) => b.logs)
      .filter((l) => wanted.has(l.address.toLowerCase()))
  }

  async transaction(hash: Hex): Promise<L1Transaction | undefined> {
    this.count('transaction')
    for (const block of this.blocks) {
      const tx = block.transactions.find((t) => t.hash === hash)
      if (tx !== undefined) return tx
    }
    return undefined
  }

  async delayedMessageHash(_portal: Address, index: bigint, _blockNumber: bigint): Promise<Hex> {
    this.count('delayedMessageHash')
    return this.delayedHashes[Number(index)] ?? `0x${'00'.repeat(32)}`
  }
}
