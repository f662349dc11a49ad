import type { ChainReader } from '../chain/types.ts'
import { findBlock, parseBlockSelector } from './blockTag.ts'
import type { RpcLimits } from './types.ts'

/**
 * What a call costs, in units of about one block read (a few tens of microseconds): the rate limit
 * and the per-request cap count these, not calls, so that a batch of 1,000 `eth_feeHistory(1024, …)`
 * is what it is — a million block reads — and not 1,000 calls. Estimated from the params before the
 * call runs (a malformed call costs 1 and is refused by its method); what is known only afterwards
 * (the logs a query returned) is charged by the method through `CallContext.charge`.
 */
export type CostModel = (method: string, params: readonly unknown[]) => number

/** Flat costs of calls that do more than one read or keep state for the client. */
const FLAT_COSTS: Readonly<Record<string, number>> = {
  eth_sendRawTransaction: 2,
  eth_getBlockReceipts: 4,
  eth_subscribe: 10,
  eth_newFilter: 10,
  eth_newBlockFilter: 10,
  eth_newPendingTransactionFilter: 10,
  // Their scan is charged afterwards by what it read.
  eth_getFilterChanges: 1,
  eth_getFilterLogs: 1,
}

/** Logs returned per unit charged after a log query (formatting and sending them). */
export const LOGS_PER_UNIT = 10

/** A block number from a selector, leniently: tags at the current heads, undefined when malformed. */
function blockNumberOf(chain: ChainReader, value: unknown): bigint | undefined {
  try {
    return findBlock(chain, parseBlockSelector(value ?? 'latest', 0, false))?.header.number
  } catch {
    return undefined
  }
}

export function createCostModel(chain: ChainReader, limits: RpcLimits): CostModel {
  const feeHistory = (params: readonly unknown[]): number => {
    const raw = params[0]
    const requested =
      typeof raw === 'number' ? raw : typeof raw === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(raw) ? Number(raw) : 1
    const blocks = Math.max(1, Math.min(requested, limits.maxFeeHistoryBlocks))
    const percentiles = Array.isArray(params[2]) ? Math.min(params[2].length, 100) : 0
    // Each block: one read, plus sorting its tips once and a lookup per percentile.
    return blocks * (1 + Math.ceil(percentiles / 10))
  }
  const logRange = (filter: unknown): number => {
    if (typeof filter !== 'object' || filter === null) return 1
    const { blockHash, fromBlock, toBlock } = filter as Record<string, unknown>
    if (blockHash !== undefined && blockHash !== null) return 1
    const from = blockNumberOf(chain, fromBlock)
    const to = blockNumberOf(chain, toBlock) ?? chain.head('unsafe').header.number
    if (from === undefined || from > to) return 1
    const range = to - from + 1n
    return range > BigInt(limits.maxLogBlockRange) ? 1 : Number(range)
  }
  return (method, params) => {
    switch (method) {
      case 'eth_feeHistory':
        return feeHistory(params)
      case 'eth_getLogs':
        return 1 + logRange(params[0])
      case 'eth_getProof':
        return 1 + (Array.isArray(params[1]) ? Math.min(params[1].length, limits.maxStorageKeys) : 0)
      case 'eth_getBlockByNumber':
      case 'eth_getBlockByHash':
        return params[1] === true ? 2 : 1
      default:
        return FLAT_COSTS[method] ?? 1
    }
  }
}
