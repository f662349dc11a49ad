import { equalBytes, keccak256 } from '@sluice/core'
import type { ChainReader, StoredBlock } from '../chain/types.ts'
import { findBlock, parseBlockSelector } from './blockTag.ts'
import { invalidParam, RPC_ERROR_CODES, RpcError } from './errors.ts'
import { formatLog } from './format.ts'
import { describeValue, parseAddress, parseHash } from './hex.ts'
import type { RpcJson } from './types.ts'

/** Which logs a query, a filter or a `logs` subscription wants: addresses (any of) and topics by position. */
export type LogCriteria = {
  addresses: Uint8Array[] | undefined
  /** Per position: null for any, else any of the listed topics. */
  topics: (Uint8Array[] | null)[]
}

/** A filter object as `eth_getLogs` and `eth_newFilter` take it. */
export type LogQuery = LogCriteria & {
  blockHash: Uint8Array | undefined
  fromBlock: unknown
  toBlock: unknown
}

function parseAddresses(value: unknown, index: number): Uint8Array[] | undefined {
  if (value === undefined || value === null) return undefined
  if (Array.isArray(value)) return value.map((a, i) => parseAddress(a, index, `filter.address[${i}]`))
  return [parseAddress(value, index, 'filter.address')]
}

function parseTopics(value: unknown, index: number): (Uint8Array[] | null)[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || value.length > 4)
    throw invalidParam(index, 'filter.topics', 'expected an array of at most 4 entries')
  return value.map((entry: unknown, i) => {
    if (entry === null) return null
    if (Array.isArray(entry)) return entry.map((t, j) => parseHash(t, index, `filter.topics[${i}][${j}]`))
    return [parseHash(entry, index, `filter.topics[${i}]`)]
  })
}

/** The address and topics of a filter object (`logs` subscriptions take only these). */
export function parseLogCriteria(value: unknown, index: number): LogCriteria {
  if (value === undefined || value === null) return { addresses: undefined, topics: [] }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParam(index, 'filter', `expected a filter object, got ${describeValue(value)}`)
  }
  const { address, topics } = value as Record<string, unknown>
  return { addresses: parseAddresses(address, index), topics: parseTopics(topics, index) }
}

/** A whole filter object: criteria, and a block hash or a range (tags kept, resolved when it runs). */
export function parseLogQuery(value: unknown, index: number): LogQuery {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParam(index, 'filter', `expected a filter object, got ${describeValue(value)}`)
  }
  const { blockHash, fromBlock, toBlock } = value as Record<string, unknown>
  const criteria = parseLogCriteria(value, index)
  if (blockHash !== undefined && blockHash !== null) {
    if (fromBlock !== undefined || toBlock !== undefined) {
      throw invalidParam(index, 'filter', 'blockHash cannot be combined with fromBlock/toBlock')
    }
    return { ...criteria, blockHash: parseHash(blockHash, index, 'filter.blockHash'), fromBlock, toBlock }
  }
  // Checked now, so a filter with a bad range is refused at install time.
  parseBlockSelector(fromBlock, index, false, 'filter.fromBlock')
  parseBlockSelector(toBlock, index, false, 'filter.toBlock')
  return { ...criteria, blockHash: undefined, fromBlock, toBlock }
}

/** A selector's block number; a block beyond the head counts as the head, as geth cuts ranges. */
export function rangeEnd(chain: ChainReader, value: unknown, name: string): bigint {
  const block = findBlock(chain, parseBlockSelector(value, 0, false, name))
  return block === undefined ? chain.head('unsafe').header.number : block.header.number
}

/** Bloom bits of a value (Ethereum's 2048-bit log bloom). */
function bloomHas(bloom: Uint8Array, value: Uint8Array): boolean {
  const hash = keccak256(value)
  for (let i = 0; i < 6; i += 2) {
    const bit = (((hash[i] as number) << 8) | (hash[i + 1] as number)) & 2047
    if (((bloom[255 - (bit >> 3)] as number) & (1 << (bit & 7))) === 0) return false
  }
  return true
}

function blockMayMatch(block: StoredBlock, criteria: LogCriteria): boolean {
  const bloom = block.header.logsBloom
  if (bloom.every((b) => b === 0)) return false
  if (criteria.addresses !== undefined && !criteria.addresses.some((a) => bloomHas(bloom, a))) return false
  return criteria.topics.every((options) => options === null || options.some((t) => bloomHas(bloom, t)))
}

function logMatches(log: { address: Uint8Array; topics: Uint8Array[] }, criteria: LogCriteria): boolean {
  const { addresses, topics } = criteria
  if (addresses !== undefined && !addresses.some((a) => equalBytes(a, log.address))) return false
  for (let i = 0; i < topics.length; i++) {
    const options = topics[i]
    if (options === null || options === undefined) continue
    const topic = log.topics[i]
    if (topic === undefined || !options.some((t) => equalBytes(t, topic))) return false
  }
  return true
}

/** The logs of `block` that match, formatted, appended to `out`; refuses past `maxResults`. */
export function collectBlockLogs(
  block: StoredBlock,
  criteria: LogCriteria,
  out: Record<string, RpcJson>[],
  maxResults: number,
): void {
  if (!blockMayMatch(block, criteria)) return
  let logIndex = 0
  for (const stored of block.transactions) {
    for (const log of stored.logs) {
      if (logMatches(log, criteria)) {
        if (out.length >= maxResults) {
          throw new RpcError(
            RPC_ERROR_CODES.limitExceeded,
            `query returns more than ${maxResults} results: narrow the block range or the filter`,
          )
        }
        out.push(formatLog(log, block, stored, logIndex))
      }
      logIndex++
    }
  }
}

/** The matching logs of blocks `from..to` (inclusive), after checking the range against `maxRange`. */
export function logsInRange(
  chain: ChainReader,
  criteria: LogCriteria,
  from: bigint,
  to: bigint,
  limits: { maxLogBlockRange: number; maxLogResults: number },
): Record<string, RpcJson>[] {
  if (to - from + 1n > BigInt(limits.maxLogBlockRange)) {
    throw new RpcError(
      RPC_ERROR_CODES.limitExceeded,
      `query exceeds max block range ${limits.maxLogBlockRange}: ask for fewer blocks`,
    )
  }
  const out: Record<string, RpcJson>[] = []
  for (let n = from; n <= to; n++) {
    const block = chain.blockByNumber(n)
    if (block !== undefined) collectBlockLogs(block, criteria, out, limits.maxLogResults)
  }
  return out
}
