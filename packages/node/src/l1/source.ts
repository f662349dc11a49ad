import { portalAbi } from '@sluice/contracts'
import type { Hex } from '@sluice/core'
import type { Address, PublicClient } from 'viem'

/** The header fields the reader needs from an L1 block. */
export type L1Header = {
  number: bigint
  hash: Hex
  parentHash: Hex
  timestamp: bigint
}

/** A raw log as `eth_getLogs` returns it (mined: every position field is set). */
export type L1Log = {
  address: Address
  topics: readonly Hex[]
  data: Hex
  blockNumber: bigint
  blockHash: Hex
  transactionHash: Hex
  logIndex: number
}

/** The fields of an L1 transaction that carry a batch. */
export type L1Transaction = {
  hash: Hex
  from: Address
  to: Address | null
  input: Hex
  blockHash: Hex | null
}

/**
 * The small read-only view of L1 the reader needs. `viemL1Source` implements it over a viem
 * `PublicClient`; unit tests implement it over an in-memory chain.
 */
export interface L1Source {
  /** The current L1 head number. */
  headNumber(): Promise<bigint>
  /** The canonical block at `number`, or undefined when L1 has no such block (yet). */
  header(number: bigint): Promise<L1Header | undefined>
  /** Every log of `addresses` in blocks `[fromBlock, toBlock]`, in chain order. */
  logs(filter: { addresses: readonly Address[]; fromBlock: bigint; toBlock: bigint }): Promise<L1Log[]>
  /** A mined transaction by hash, or undefined when the node does not know it. */
  transaction(hash: Hex): Promise<L1Transaction | undefined>
  /** `Portal.delayedMessageHash(index)` as of `blockNumber`. */
  delayedMessageHash(portal: Address, index: bigint, blockNumber: bigint): Promise<Hex>
}

/** An `L1Source` over a viem `PublicClient` (HTTP or WebSocket transport). */
export function viemL1Source(client: PublicClient): L1Source {
  return {
    headNumber: () => client.getBlockNumber({ cacheTime: 0 }),
    async header(number) {
      try {
        const block = await client.getBlock({ blockNumber: number, includeTransactions: false })
        if (block.hash === null || block.number === null) return undefined
        return { number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp }
      } catch (error) {
        if (error instanceof Error && error.name === 'BlockNotFoundError') return undefined
        throw error
      }
    },
    async logs({ addresses, fromBlock, toBlock }) {
      const logs = await client.getLogs({ address: [...addresses], fromBlock, toBlock })
      const out: L1Log[] = []
      for (const log of logs) {
        if (
          log.blockHash === null ||
          log.transactionHash === null ||
          log.logIndex === null ||
          log.blockNumber === null
        ) {
          continue // pending logs never come back for a mined range; skip rather than trust them
        }
        out.push({
          address: log.address,
          topics: log.topics as readonly Hex[],
          data: log.data,
          blockNumber: log.blockNumber,
          blockHash: log.blockHash,
          transactionHash: log.transactionHash,
          logIndex: log.logIndex,
        })
      }
      return out
    },
    async transaction(hash) {
      try {
        const tx = await client.getTransaction({ hash })
        return { hash: tx.hash, from: tx.from, to: tx.to, input: tx.input, blockHash: tx.blockHash }
      } catch (error) {
        if (error instanceof Error && error.name === 'TransactionNotFoundError') return undefined
        throw error
      }
    },
    delayedMessageHash: (portal, index, blockNumber) =>
      client.readContract({
        address: portal,
        abi: portalAbi,
        functionName: 'delayedMessageHash',
        args: [index],
        blockNumber,
      }),
  }
}
