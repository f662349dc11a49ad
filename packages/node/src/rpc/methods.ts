import { equalBytes, keccak256, MESSAGE_PASSER, MESSAGE_PASSER_ADDRESS, protocolIntrinsicGas } from '@sluice/core'
import type { ChainReader, StoredBlock, StoredTransaction } from '../chain/types.ts'
import { type BlockSelector, findBlock, parseBlockSelector, stateBlock } from './blockTag.ts'
import { invalidParam, methodNotFound, RPC_ERROR_CODES, RpcError, TxPoolRefusalError } from './errors.ts'
import { createExplorerMethods } from './explorerMethods.ts'
import {
  formatBlock,
  formatIncludedTransaction,
  formatLog,
  formatPendingTransaction,
  formatReceipt,
  toJson,
} from './format.ts'
import {
  bytesQuantity,
  data,
  describeValue,
  parseAddress,
  parseBoolean,
  parseData,
  parseHash,
  parseQuantity,
  parseSlot,
  quantity,
} from './hex.ts'
import type { PendingPool, RollupRpcProvider, RpcLimits } from './types.ts'

/** How a call arrived; WebSocket calls carry the connection's subscriptions. */
export type CallContext = { transport: 'http' } | { transport: 'ws'; subscriptions: SubscriptionHost }

/** Subscriptions of one WebSocket connection. */
export interface SubscriptionHost {
  /** Starts a `newHeads` subscription and returns its id. */
  subscribe(kind: 'newHeads'): string
  /** Ends a subscription; false when the connection has no such id. */
  unsubscribe(id: string): boolean
}

/** A method: params as sent (an array), the answer as JSON or a promise of it. Throws to refuse. */
export type MethodHandler = (params: readonly unknown[], context: CallContext) => unknown

export type MethodDependencies = {
  chain: ChainReader
  submit: ((raw: Uint8Array) => Promise<Uint8Array>) | undefined
  pending: PendingPool | undefined
  rollup: RollupRpcProvider | undefined
  clientVersion: string
  limits: RpcLimits
  suggestedPriorityFeePerGas: bigint
}

/** Checks the number of params: the names are those of the required ones, then the optional ones. */
function arity(params: readonly unknown[], required: readonly string[], optional: readonly string[] = []): void {
  const max = required.length + optional.length
  if (params.length > max) {
    throw new RpcError(
      RPC_ERROR_CODES.invalidParams,
      `too many arguments: ${params.length} given, at most ${max} (${[...required, ...optional].join(', ') || 'none'})`,
    )
  }
  for (let i = 0; i < required.length; i++) {
    if (params[i] === undefined) {
      throw new RpcError(RPC_ERROR_CODES.invalidParams, `missing value for required argument ${i} (${required[i]})`)
    }
  }
}

const CONTRACTS_UNSUPPORTED =
  'Sluice has no contracts: a transaction is a transfer (no data) or a withdrawal to the message passer ' +
  `${MESSAGE_PASSER_ADDRESS} (no data, or a 32-byte L1 recipient)`

/** The call object of `eth_call`/`eth_estimateGas`, reduced to what a transfer reads. */
type CallRequest = {
  from: Uint8Array | undefined
  to: Uint8Array | undefined
  gas: bigint | undefined
  feeCap: bigint | undefined
  value: bigint
  input: Uint8Array
}

function parseCallRequest(value: unknown, index: number): CallRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParam(index, 'transaction', `expected a transaction call object, got ${describeValue(value)}`)
  }
  const call = value as Record<string, unknown>
  const field = <T>(key: string, parse: (v: unknown, i: number, name: string) => T): T | undefined =>
    call[key] === undefined || call[key] === null ? undefined : parse(call[key], index, `transaction.${key}`)
  const input = field('input', parseData)
  const legacyData = field('data', parseData)
  if (input !== undefined && legacyData !== undefined && !equalBytes(input, legacyData)) {
    throw invalidParam(
      index,
      'transaction',
      'both "data" and "input" are set and not equal; please use "input" to pass transaction call data',
    )
  }
  const gasPrice = field('gasPrice', parseQuantity)
  const maxFeePerGas = field('maxFeePerGas', parseQuantity)
  if (gasPrice !== undefined && maxFeePerGas !== undefined) {
    throw invalidParam(index, 'transaction', 'both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified')
  }
  field('maxPriorityFeePerGas', parseQuantity)
  field('nonce', parseQuantity)
  const accessList = call.accessList
  if (accessList !== undefined && accessList !== null && (!Array.isArray(accessList) || accessList.length > 0)) {
    throw new RpcError(RPC_ERROR_CODES.server, 'access lists are not supported: send an empty access list')
  }
  return {
    from: field('from', parseAddress),
    to: field('to', parseAddress),
    gas: field('gas', parseQuantity),
    feeCap: maxFeePerGas ?? gasPrice,
    value: field('value', parseQuantity) ?? 0n,
    input: input ?? legacyData ?? new Uint8Array(0),
  }
}

/** Refuses what the state transition would no-op: contract creation, data anywhere but a withdrawal's recipient. */
function checkTransferShape(call: CallRequest): bigint {
  if (call.to === undefined) {
    throw new RpcError(
      RPC_ERROR_CODES.server,
      `contract creation is not supported (no "to" given). ${CONTRACTS_UNSUPPORTED}`,
    )
  }
  const toPasser = equalBytes(call.to, MESSAGE_PASSER)
  const validData =
    call.input.length === 0 ||
    (toPasser && call.input.length === 32 && call.input.subarray(0, 12).every((b) => b === 0))
  if (!validData) {
    throw new RpcError(
      RPC_ERROR_CODES.server,
      toPasser
        ? 'a withdrawal carries no data or a 32-byte word holding the L1 recipient (12 zero bytes, then 20 address bytes)'
        : `a call with data to ${data(call.to)} cannot run. ${CONTRACTS_UNSUPPORTED}`,
    )
  }
  return protocolIntrinsicGas(call.input)
}

/** geth's balance checks of a call: the value must be covered, and the gas at the given fee cap. */
function checkCallFunds(deps: MethodDependencies, call: CallRequest, block: StoredBlock, gas: bigint): void {
  const feeCost = call.feeCap === undefined ? 0n : call.feeCap * gas
  if (call.value === 0n && feeCost === 0n) return
  const balance = deps.chain.account(block.header.number, call.from ?? new Uint8Array(20)).balance
  if (balance < call.value) throw new RpcError(RPC_ERROR_CODES.server, 'insufficient funds for transfer')
  if (balance < call.value + feeCost)
    throw new RpcError(RPC_ERROR_CODES.server, 'insufficient funds for gas * price + value')
}

function includedTransaction(
  chain: ChainReader,
  hash: Uint8Array,
): { block: StoredBlock; stored: StoredTransaction } | undefined {
  const location = chain.transactionLocation(hash)
  if (location?.status !== 'included') return undefined
  const block = chain.blockByHash(location.blockHash)
  const stored = block?.transactions[location.index]
  if (block === undefined || stored === undefined) return undefined
  return { block, stored }
}

function parseFeeHistoryCount(value: unknown): bigint {
  // geth takes a decimal number too; viem sends a quantity.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
  return parseQuantity(value, 0, 'blockCount')
}

function parsePercentiles(value: unknown): number[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value))
    throw invalidParam(2, 'rewardPercentiles', `expected an array of numbers, got ${describeValue(value)}`)
  if (value.length > 100) throw invalidParam(2, 'rewardPercentiles', `at most 100 percentiles, got ${value.length}`)
  let previous = -1
  return value.map((p: unknown, i) => {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
      throw invalidParam(
        2,
        'rewardPercentiles',
        `percentile ${i} must be a number from 0 to 100, got ${describeValue(p)}`,
      )
    }
    if (p < previous)
      throw invalidParam(
        2,
        'rewardPercentiles',
        `percentiles must not decrease: #${i} (${p}) is below #${i - 1} (${previous})`,
      )
    previous = p
    return p
  })
}

/** geth's rewards: the tips of a block's transactions, sorted, sampled by cumulative gas used. */
function blockRewards(block: StoredBlock, percentiles: readonly number[]): string[] {
  const baseFee = block.header.baseFeePerGas
  const txs = block.transactions
  if (txs.length === 0 || block.header.gasUsed === 0n) return percentiles.map(() => '0x0')
  const sorted = txs
    .map((t) => ({ tip: t.effectiveGasPrice > baseFee ? t.effectiveGasPrice - baseFee : 0n, gas: t.gasUsed }))
    .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
  const gasUsed = Number(block.header.gasUsed)
  const out: string[] = []
  let index = 0
  let sum = Number((sorted[0] as { gas: bigint }).gas)
  for (const p of percentiles) {
    const threshold = (gasUsed * p) / 100
    while (sum < threshold && index < sorted.length - 1) {
      index++
      sum += Number((sorted[index] as { gas: bigint }).gas)
    }
    out.push(quantity((sorted[index] as { tip: bigint }).tip))
  }
  return out
}

// --- eth_getLogs -------------------------------------------------------------------------------

type TopicFilter = (Uint8Array[] | null)[]

/** Bloom bits of a value (Ethereum's 2048-bit log bloom). */
function bloomHas(bloom: Uint8Array, value: Uint8Array): boolean {
  const hash = keccak256(value)
  for (let i = 0; i < 6; i += 2) {
    const bit = (((hash[i] as number) << 8) | (hash[i + 1] as number)) & 2047
    if (((bloom[255 - (bit >> 3)] as number) & (1 << (bit & 7))) === 0) return false
  }
  return true
}

function parseAddresses(value: unknown): Uint8Array[] | undefined {
  if (value === undefined || value === null) return undefined
  if (Array.isArray(value)) return value.map((a, i) => parseAddress(a, 0, `filter.address[${i}]`))
  return [parseAddress(value, 0, 'filter.address')]
}

function parseTopics(value: unknown): TopicFilter {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || value.length > 4)
    throw invalidParam(0, 'filter.topics', 'expected an array of at most 4 entries')
  return value.map((entry: unknown, i) => {
    if (entry === null) return null
    if (Array.isArray(entry)) return entry.map((t, j) => parseHash(t, 0, `filter.topics[${i}][${j}]`))
    return [parseHash(entry, 0, `filter.topics[${i}]`)]
  })
}

function blockMayMatch(block: StoredBlock, addresses: Uint8Array[] | undefined, topics: TopicFilter): boolean {
  const bloom = block.header.logsBloom
  if (bloom.every((b) => b === 0)) return false
  if (addresses !== undefined && !addresses.some((a) => bloomHas(bloom, a))) return false
  return topics.every((options) => options === null || options.some((t) => bloomHas(bloom, t)))
}

function logMatches(
  log: { address: Uint8Array; topics: Uint8Array[] },
  addresses: Uint8Array[] | undefined,
  topics: TopicFilter,
): boolean {
  if (addresses !== undefined && !addresses.some((a) => equalBytes(a, log.address))) return false
  for (let i = 0; i < topics.length; i++) {
    const options = topics[i]
    if (options === null || options === undefined) continue
    const topic = log.topics[i]
    if (topic === undefined || !options.some((t) => equalBytes(t, topic))) return false
  }
  return true
}

// --- the method table --------------------------------------------------------------------------

/** Every JSON-RPC method the node serves, by name. */
export function createMethods(deps: MethodDependencies): Map<string, MethodHandler> {
  const { chain, limits } = deps
  const latest = (): StoredBlock => chain.head('unsafe')
  const readState = (selector: BlockSelector) => stateBlock(chain, selector)

  const blockResult = (block: StoredBlock | undefined, fullValue: unknown): unknown => {
    const full = fullValue === undefined ? false : parseBoolean(fullValue, 1, 'hydrated')
    return block === undefined ? null : formatBlock(block, full ? 'full' : 'hashes')
  }

  /** The provider's function bound to it, or undefined when this node has none. */
  const rollupMethod = <K extends Exclude<keyof RollupRpcProvider, 'explorer'>>(key: K) => {
    const fn = deps.rollup?.[key]
    return fn === undefined ? undefined : (fn.bind(deps.rollup) as NonNullable<RollupRpcProvider[K]>)
  }

  const methods: Record<string, MethodHandler> = {
    web3_clientVersion: (params) => {
      arity(params, [])
      return deps.clientVersion
    },
    net_version: (params) => {
      arity(params, [])
      return chain.chainId.toString(10)
    },
    net_listening: (params) => {
      arity(params, [])
      return true
    },
    eth_chainId: (params) => {
      arity(params, [])
      return quantity(chain.chainId)
    },
    eth_syncing: (params) => {
      arity(params, [])
      return false
    },
    eth_accounts: (params) => {
      arity(params, [])
      return []
    },
    eth_blockNumber: (params) => {
      arity(params, [])
      return quantity(latest().header.number)
    },

    eth_getBalance: (params) => {
      arity(params, ['address'], ['block'])
      const address = parseAddress(params[0], 0)
      const block = readState(parseBlockSelector(params[1], 1, true))
      return quantity(chain.account(block.header.number, address).balance)
    },
    eth_getTransactionCount: (params) => {
      arity(params, ['address'], ['block'])
      const address = parseAddress(params[0], 0)
      const selector = parseBlockSelector(params[1], 1, true)
      if (selector.kind === 'tag' && selector.tag === 'pending') {
        const pendingNonce = deps.pending?.nonce(address)
        if (pendingNonce !== undefined) return quantity(pendingNonce)
      }
      const block = readState(selector)
      return quantity(chain.account(block.header.number, address).nonce)
    },
    eth_getCode: (params) => {
      arity(params, ['address'], ['block'])
      parseAddress(params[0], 0)
      readState(parseBlockSelector(params[1], 1, true))
      return '0x' // Sluice has no contracts; the message passer is a predeploy without code.
    },
    eth_getStorageAt: (params) => {
      arity(params, ['address', 'slot'], ['block'])
      const address = parseAddress(params[0], 0)
      const slot = parseSlot(params[1], 1)
      const block = readState(parseBlockSelector(params[2], 2, true))
      return data(chain.storageAt(block.header.number, address, slot))
    },
    eth_getProof: (params) => {
      arity(params, ['address', 'storageKeys'], ['block'])
      const address = parseAddress(params[0], 0)
      if (!Array.isArray(params[1]))
        throw invalidParam(1, 'storageKeys', `expected an array of slots, got ${describeValue(params[1])}`)
      if (params[1].length > limits.maxStorageKeys) {
        throw invalidParam(1, 'storageKeys', `at most ${limits.maxStorageKeys} keys per proof, got ${params[1].length}`)
      }
      const slots = params[1].map((slot: unknown, i) => parseSlot(slot, 1, `storageKeys[${i}]`))
      const block = readState(parseBlockSelector(params[2], 2, true))
      const account = chain.account(block.header.number, address)
      const proof = chain.proof(block.header.number, address, slots)
      return {
        address: data(address),
        accountProof: proof.accountProof.map((node) => data(node)),
        balance: quantity(account.balance),
        codeHash: data(account.codeHash),
        nonce: quantity(account.nonce),
        storageHash: data(account.storageRoot),
        storageProof: proof.storageProofs.map((entry) => ({
          key: data(entry.key),
          value: bytesQuantity(entry.value),
          proof: entry.proof.map((node) => data(node)),
        })),
      }
    },

    eth_sendRawTransaction: async (params) => {
      arity(params, ['transaction'])
      const raw = parseData(params[0], 0, 'transaction')
      if (raw.length === 0) throw new TxPoolRefusalError('undecodable', { details: 'empty transaction bytes' })
      if (deps.submit === undefined) throw new TxPoolRefusalError('notAccepted')
      return data(await deps.submit(raw))
    },

    eth_getTransactionByHash: (params) => {
      arity(params, ['hash'])
      const hash = parseHash(params[0], 0)
      const included = includedTransaction(chain, hash)
      if (included !== undefined) return formatIncludedTransaction(included.block, included.stored)
      const pending = deps.pending?.transaction(hash)
      return pending === undefined ? null : formatPendingTransaction(pending)
    },
    eth_getTransactionReceipt: (params) => {
      arity(params, ['hash'])
      const hash = parseHash(params[0], 0)
      const location = chain.transactionLocation(hash)
      if (location?.status === 'dropped') {
        // Never silent: a wallet waiting on this receipt learns the transaction will not be included.
        throw new RpcError(
          RPC_ERROR_CODES.server,
          `transaction dropped: ${location.reason}${location.detail ? ` (${location.detail})` : ''}; it will not be included`,
          { data: { status: 'dropped', reason: location.reason, detail: location.detail ?? null } },
        )
      }
      const included = includedTransaction(chain, hash)
      return included === undefined ? null : formatReceipt(included.block, included.stored)
    },
    eth_getBlockReceipts: (params) => {
      arity(params, ['block'])
      const block = findBlock(chain, parseBlockSelector(params[0], 0, true))
      if (block === undefined) return null
      let logIndex = 0
      return block.transactions.map((stored) => {
        const receipt = formatReceipt(block, stored, logIndex)
        logIndex += stored.logs.length
        return receipt
      })
    },

    eth_getBlockByNumber: (params) => {
      arity(params, ['block'], ['hydrated'])
      return blockResult(findBlock(chain, parseBlockSelector(params[0], 0, false)), params[1])
    },
    eth_getBlockByHash: (params) => {
      arity(params, ['hash'], ['hydrated'])
      return blockResult(chain.blockByHash(parseHash(params[0], 0)), params[1])
    },
    eth_getBlockTransactionCountByNumber: (params) => {
      arity(params, ['block'])
      const block = findBlock(chain, parseBlockSelector(params[0], 0, false))
      return block === undefined ? null : quantity(block.transactions.length)
    },
    eth_getBlockTransactionCountByHash: (params) => {
      arity(params, ['hash'])
      const block = chain.blockByHash(parseHash(params[0], 0))
      return block === undefined ? null : quantity(block.transactions.length)
    },
    eth_getTransactionByBlockNumberAndIndex: (params) => {
      arity(params, ['block', 'index'])
      const block = findBlock(chain, parseBlockSelector(params[0], 0, false))
      const stored = block?.transactions[Number(parseQuantity(params[1], 1, 'index', 2n ** 32n))]
      return block === undefined || stored === undefined ? null : formatIncludedTransaction(block, stored)
    },
    eth_getTransactionByBlockHashAndIndex: (params) => {
      arity(params, ['hash', 'index'])
      const block = chain.blockByHash(parseHash(params[0], 0))
      const stored = block?.transactions[Number(parseQuantity(params[1], 1, 'index', 2n ** 32n))]
      return block === undefined || stored === undefined ? null : formatIncludedTransaction(block, stored)
    },

    eth_gasPrice: (params) => {
      arity(params, [])
      return quantity(latest().header.baseFeePerGas + deps.suggestedPriorityFeePerGas)
    },
    eth_maxPriorityFeePerGas: (params) => {
      arity(params, [])
      return quantity(deps.suggestedPriorityFeePerGas)
    },
    eth_feeHistory: (params) => {
      arity(params, ['blockCount', 'newestBlock'], ['rewardPercentiles'])
      let count = parseFeeHistoryCount(params[0])
      const newest = findBlock(chain, parseBlockSelector(params[1], 1, false))
      const percentiles = parsePercentiles(params[2])
      if (newest === undefined)
        throw new RpcError(RPC_ERROR_CODES.server, 'header not found: newestBlock is beyond the chain head')
      if (count > BigInt(limits.maxFeeHistoryBlocks)) count = BigInt(limits.maxFeeHistoryBlocks)
      if (count > newest.header.number + 1n) count = newest.header.number + 1n
      const oldest = newest.header.number - count + 1n
      const baseFeePerGas: string[] = []
      const gasUsedRatio: number[] = []
      const reward: string[][] = []
      for (let n = oldest; n <= newest.header.number; n++) {
        const block = n === newest.header.number ? newest : chain.blockByNumber(n)
        if (block === undefined) throw new RpcError(RPC_ERROR_CODES.server, `header not found: block ${n}`)
        baseFeePerGas.push(quantity(block.header.baseFeePerGas))
        gasUsedRatio.push(
          block.header.gasLimit === 0n ? 0 : Number(block.header.gasUsed) / Number(block.header.gasLimit),
        )
        if (percentiles !== undefined) reward.push(blockRewards(block, percentiles))
      }
      // The base fee is fixed by the rollup config (protocol.md §7): the next block's is the newest's.
      if (count > 0n) baseFeePerGas.push(quantity(newest.header.baseFeePerGas))
      return {
        oldestBlock: quantity(count > 0n ? oldest : 0n),
        baseFeePerGas,
        gasUsedRatio,
        ...(percentiles === undefined ? {} : { reward }),
      }
    },
    eth_estimateGas: (params) => {
      arity(params, ['transaction'], ['block', 'stateOverrides'])
      const call = parseCallRequest(params[0], 0)
      const block = readState(parseBlockSelector(params[1], 1, true))
      if (params[2] !== undefined && params[2] !== null)
        throw invalidParam(2, 'stateOverrides', 'state overrides are not supported')
      const gas = checkTransferShape(call)
      if (call.gas !== undefined && call.gas < gas) {
        throw new RpcError(
          RPC_ERROR_CODES.server,
          `gas required exceeds allowance (${call.gas}): this transaction needs ${gas}`,
        )
      }
      checkCallFunds(deps, call, block, gas)
      return quantity(gas)
    },
    eth_call: (params) => {
      arity(params, ['transaction'], ['block', 'stateOverrides'])
      const call = parseCallRequest(params[0], 0)
      const block = readState(parseBlockSelector(params[1], 1, true))
      if (params[2] !== undefined && params[2] !== null)
        throw invalidParam(2, 'stateOverrides', 'state overrides are not supported')
      const gas = checkTransferShape(call)
      if (call.gas !== undefined && call.gas < gas)
        throw new RpcError(RPC_ERROR_CODES.server, `intrinsic gas too low: have ${call.gas}, want ${gas}`)
      checkCallFunds(deps, call, block, call.gas ?? gas)
      return '0x' // A transfer or a withdrawal returns nothing.
    },

    eth_getLogs: (params) => {
      arity(params, ['filter'])
      const filter = params[0]
      if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
        throw invalidParam(0, 'filter', `expected a filter object, got ${describeValue(filter)}`)
      }
      const { blockHash, fromBlock, toBlock, address, topics } = filter as Record<string, unknown>
      const addresses = parseAddresses(address)
      const topicFilter = parseTopics(topics)
      let blocks: StoredBlock[]
      if (blockHash !== undefined && blockHash !== null) {
        if (fromBlock !== undefined || toBlock !== undefined) {
          throw invalidParam(0, 'filter', 'blockHash cannot be combined with fromBlock/toBlock')
        }
        const block = chain.blockByHash(parseHash(blockHash, 0, 'filter.blockHash'))
        if (block === undefined) throw new RpcError(RPC_ERROR_CODES.server, 'unknown block')
        blocks = [block]
      } else {
        const head = latest().header.number
        const numberOf = (value: unknown, name: string): bigint => {
          const block = findBlock(chain, parseBlockSelector(value, 0, false, name))
          if (block !== undefined) return block.header.number
          // A range that ends beyond the head is cut to the head, as geth does.
          return head
        }
        const from = numberOf(fromBlock, 'filter.fromBlock')
        const to = numberOf(toBlock, 'filter.toBlock')
        if (from > to) throw invalidParam(0, 'filter', `fromBlock ${from} is after toBlock ${to}`)
        if (to - from + 1n > BigInt(limits.maxLogBlockRange)) {
          throw new RpcError(
            RPC_ERROR_CODES.limitExceeded,
            `query exceeds max block range ${limits.maxLogBlockRange}: ask for fewer blocks`,
          )
        }
        blocks = []
        for (let n = from; n <= to; n++) {
          const block = chain.blockByNumber(n)
          if (block !== undefined) blocks.push(block)
        }
      }
      const out: unknown[] = []
      for (const block of blocks) {
        if (!blockMayMatch(block, addresses, topicFilter)) continue
        let logIndex = 0
        for (const stored of block.transactions) {
          for (const log of stored.logs) {
            if (logMatches(log, addresses, topicFilter)) {
              if (out.length >= limits.maxLogResults) {
                throw new RpcError(
                  RPC_ERROR_CODES.limitExceeded,
                  `query returned more than ${limits.maxLogResults} results: narrow the range`,
                )
              }
              out.push(formatLog(log, block, stored, logIndex))
            }
            logIndex++
          }
        }
      }
      return out
    },

    eth_subscribe: (params, context) => {
      if (context.transport !== 'ws')
        throw methodNotFound('eth_subscribe', 'is only available over WebSocket (notifications need a connection)')
      arity(params, ['kind'], ['options'])
      if (params[0] !== 'newHeads') {
        throw invalidParam(
          0,
          'kind',
          `unsupported subscription type ${describeValue(params[0])}: this node serves "newHeads"`,
        )
      }
      return context.subscriptions.subscribe('newHeads')
    },
    eth_unsubscribe: (params, context) => {
      if (context.transport !== 'ws') throw methodNotFound('eth_unsubscribe', 'is only available over WebSocket')
      arity(params, ['subscription'])
      if (typeof params[0] !== 'string')
        throw invalidParam(0, 'subscription', `expected a subscription id, got ${describeValue(params[0])}`)
      return context.subscriptions.unsubscribe(params[0])
    },

    sluice_syncStatus: async (params) => {
      arity(params, [])
      const ref = (block: StoredBlock) => ({
        number: quantity(block.header.number),
        hash: data(block.hash),
        timestamp: quantity(block.header.timestamp),
      })
      // The L2 heads this server reads itself; a rollup provider adds L1, batches and claims (and may restate these).
      const l2 = {
        chainId: quantity(chain.chainId),
        unsafe: ref(chain.head('unsafe')),
        safe: ref(chain.head('safe')),
        finalized: ref(chain.head('finalized')),
      }
      const provider = rollupMethod('syncStatus')
      if (provider === undefined) return l2
      const extra = toJson(await provider())
      return typeof extra === 'object' && extra !== null && !Array.isArray(extra) ? { ...l2, ...extra } : l2
    },
    sluice_claimAtBlock: async (params) => {
      arity(params, ['block'])
      const provider = rollupMethod('claimAtBlock')
      if (provider === undefined) throw methodNotFound('sluice_claimAtBlock', 'is not available on this node')
      const block = findBlock(chain, parseBlockSelector(params[0], 0, true))
      if (block === undefined) return null
      return toJson(await provider(block.header.number))
    },
    sluice_getBatch: async (params) => {
      arity(params, ['batchIndex'])
      const provider = rollupMethod('getBatch')
      if (provider === undefined) throw methodNotFound('sluice_getBatch', 'is not available on this node')
      return toJson(await provider(parseQuantity(params[0], 0, 'batchIndex', 2n ** 64n - 1n)))
    },
    sluice_withdrawalStatus: async (params) => {
      arity(params, ['hash'])
      const provider = rollupMethod('withdrawalStatus')
      if (provider === undefined) throw methodNotFound('sluice_withdrawalStatus', 'is not available on this node')
      return toJson(await provider(parseHash(params[0], 0, 'hash')))
    },
    sluice_getTransactionStatus: (params) => {
      arity(params, ['hash'])
      const hash = parseHash(params[0], 0)
      const location = chain.transactionLocation(hash)
      if (location === undefined) return deps.pending?.transaction(hash) === undefined ? null : { status: 'pending' }
      switch (location.status) {
        case 'included':
          return {
            status: 'included',
            blockNumber: quantity(location.blockNumber),
            blockHash: data(location.blockHash),
            transactionIndex: quantity(location.index),
          }
        case 'pending':
          return { status: 'pending' }
        case 'dropped':
          return { status: 'dropped', reason: location.reason, detail: location.detail ?? null, at: location.at }
      }
    },
    ...createExplorerMethods(deps.rollup?.explorer),
  }
  return new Map(Object.entries(methods))
}
