import { equalBytes, MESSAGE_PASSER, MESSAGE_PASSER_ADDRESS, protocolIntrinsicGas } from '@sluice/core'
import type { ChainReader, StoredBlock, StoredTransaction } from '../chain/types.ts'
import { type BlockSelector, findBlock, parseBlockSelector, stateBlock } from './blockTag.ts'
import { LOGS_PER_UNIT } from './cost.ts'
import {
  invalidParam,
  methodNotFound,
  RPC_ERROR_CODES,
  RpcError,
  TXPOOL_REFUSALS,
  TxPoolRefusalError,
} from './errors.ts'
import { createExplorerMethods } from './explorerMethods.ts'
import type { FilterStore } from './filters.ts'
import { formatBlock, formatIncludedTransaction, formatPendingTransaction, formatReceipt, toJson } from './format.ts'
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
import { type LogQuery, logsInRange, parseLogCriteria, parseLogQuery, rangeEnd } from './logFilter.ts'
import type { SubscriptionHost, SubscriptionKind } from './subscriptions.ts'
import type { PendingPool, RollupRpcProvider, RpcLimits } from './types.ts'

export type { SubscriptionHost } from './subscriptions.ts'

/**
 * How a call arrived: the client's IP (filters are capped per IP), `charge` for work whose cost is
 * known only once done (the rate limit), and for WebSocket calls the connection's subscriptions.
 */
export type CallContext = { ip: string; charge: (units: number) => void } & (
  | { transport: 'http' }
  | { transport: 'ws'; subscriptions: SubscriptionHost }
)

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
  filters: FilterStore
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

/**
 * The intrinsic gas of a call, or `noCode` for a call with data to an address other than the message
 * passer: Sluice accounts hold no code, and Ethereum answers such a call `0x` (a wallet's ERC-20
 * `balanceOf` probe, viem's multicall detection). Contract creation and a malformed withdrawal are
 * refused, as the state transition would no-op them.
 */
function classifyCall(call: CallRequest): { kind: 'transfer' | 'noCode'; gas: bigint } {
  if (call.to === undefined) {
    throw new RpcError(
      RPC_ERROR_CODES.server,
      `contract creation is not supported (no "to" given). ${CONTRACTS_UNSUPPORTED}`,
    )
  }
  const gas = protocolIntrinsicGas(call.input)
  if (call.input.length === 0) return { kind: 'transfer', gas }
  if (!equalBytes(call.to, MESSAGE_PASSER)) return { kind: 'noCode', gas }
  if (call.input.length !== 32 || !call.input.subarray(0, 12).every((b) => b === 0)) {
    throw new RpcError(
      RPC_ERROR_CODES.server,
      'a withdrawal carries no data or a 32-byte word holding the L1 recipient (12 zero bytes, then 20 address bytes)',
    )
  }
  return { kind: 'transfer', gas }
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

const SUBSCRIPTION_KINDS: readonly SubscriptionKind[] = ['newHeads', 'logs', 'newPendingTransactions', 'syncing']

/** A filter id as `eth_newFilter` and co. return it: a quantity (geth's ids are 16 random bytes). */
function parseFilterId(value: unknown): string {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value))
    throw invalidParam(0, 'filterId', `expected a filter id, got ${describeValue(value)}`)
  return value.toLowerCase()
}

// --- the method table --------------------------------------------------------------------------

/** Every JSON-RPC method the node serves, by name. */
export function createMethods(deps: MethodDependencies): Map<string, MethodHandler> {
  const { chain, limits, filters } = deps
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
    // The fee vault: the `miner` of every block, where fees go (geth answers its etherbase, the block
    // beneficiary). The sequencer's L1 address would name no L2 account of use to a wallet.
    eth_coinbase: (params) => {
      arity(params, [])
      return data(latest().header.beneficiary)
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
      const stateNonce = () => quantity(chain.account(readState(selector).header.number, address).nonce)
      if (selector.kind === 'tag' && selector.tag === 'pending' && deps.pending !== undefined) {
        const pendingNonce = deps.pending.nonce(address)
        if (typeof pendingNonce === 'object')
          return pendingNonce.then((nonce) => (nonce === undefined ? stateNonce() : quantity(nonce)))
        if (pendingNonce !== undefined) return quantity(pendingNonce)
      }
      return stateNonce()
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
      // Unknown, pending, replaced and dropped alike are null, as on Ethereum: wallets (ethers' wait,
      // viem's onReplaced) find replacements by the sender's nonce; the reason a transaction was
      // dropped is in sluice_getTransactionStatus.
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
      const { kind, gas } = classifyCall(call)
      // eth_call answers such a probe with 0x, as Ethereum does; but a transaction carrying that data
      // would be refused, so its estimate fails with the same reason, before a wallet asks for a signature.
      if (kind === 'noCode') throw new RpcError(RPC_ERROR_CODES.server, TXPOOL_REFUSALS.dataNotAllowed)
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
      const { gas } = classifyCall(call)
      if (call.gas !== undefined && call.gas < gas)
        throw new RpcError(RPC_ERROR_CODES.server, `intrinsic gas too low: have ${call.gas}, want ${gas}`)
      checkCallFunds(deps, call, block, call.gas ?? gas)
      return '0x' // A transfer, a withdrawal and a call to an account without code all return nothing.
    },

    eth_getLogs: (params, context) => {
      arity(params, ['filter'])
      const query = parseLogQuery(params[0], 0)
      let logs: unknown[]
      if (query.blockHash !== undefined) {
        const block = chain.blockByHash(query.blockHash)
        if (block === undefined) throw new RpcError(RPC_ERROR_CODES.server, 'unknown block')
        logs = logsInRange(chain, query, block.header.number, block.header.number, limits)
      } else {
        const from = rangeEnd(chain, query.fromBlock, 'filter.fromBlock')
        const to = rangeEnd(chain, query.toBlock, 'filter.toBlock')
        if (from > to) throw invalidParam(0, 'filter', `fromBlock ${from} is after toBlock ${to}`)
        logs = logsInRange(chain, query, from, to, limits)
      }
      context.charge(Math.floor(logs.length / LOGS_PER_UNIT))
      return logs
    },

    eth_newFilter: (params, context) => {
      arity(params, ['filter'])
      const query: LogQuery = parseLogQuery(params[0], 0)
      return filters.newLogFilter(context.ip, query)
    },
    eth_newBlockFilter: (params, context) => {
      arity(params, [])
      return filters.newBlockFilter(context.ip)
    },
    eth_newPendingTransactionFilter: (params, context) => {
      arity(params, [])
      return filters.newPendingTransactionFilter(context.ip)
    },
    eth_getFilterChanges: (params, context) => {
      arity(params, ['filterId'])
      return filters.changes(parseFilterId(params[0]), context.charge)
    },
    eth_getFilterLogs: (params, context) => {
      arity(params, ['filterId'])
      return filters.logs(parseFilterId(params[0]), context.charge)
    },
    eth_uninstallFilter: (params) => {
      arity(params, ['filterId'])
      return filters.uninstall(parseFilterId(params[0]))
    },

    eth_subscribe: (params, context) => {
      if (context.transport !== 'ws')
        throw methodNotFound('eth_subscribe', 'is only available over WebSocket (notifications need a connection)')
      arity(params, ['kind'], ['options'])
      const kind = params[0]
      if (typeof kind !== 'string' || !SUBSCRIPTION_KINDS.includes(kind as SubscriptionKind)) {
        throw invalidParam(
          0,
          'kind',
          `unsupported subscription type ${describeValue(kind)}: this node serves ${SUBSCRIPTION_KINDS.map((k) => `"${k}"`).join(', ')}`,
        )
      }
      if (kind === 'logs') return context.subscriptions.subscribe('logs', parseLogCriteria(params[1], 1))
      return context.subscriptions.subscribe(kind as SubscriptionKind)
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
