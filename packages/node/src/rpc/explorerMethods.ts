import { invalidParam, methodNotFound, RPC_ERROR_CODES, RpcError } from './errors.ts'
import { toJson } from './format.ts'
import { describeValue, parseAddress, parseQuantity } from './hex.ts'
import type { MethodHandler } from './methods.ts'
import type { RpcJson } from './types.ts'

/** Most entries one explorer page returns; larger `limit`s are refused with this bound in the message. */
export const EXPLORER_PAGE_LIMIT = 100
const DEFAULT_PAGE = 25

/** A page request: newest first, strictly below `before` when given. */
export type ExplorerPage = { before: bigint | undefined; limit: number }

/**
 * What the explorer pages read and no standard method gives (the node's own data, plus L1 reads of
 * the contracts' current state for deadlines, clocks and payouts). Implemented by
 * `createExplorerProvider` (rollup/explorer.ts) on every node that derives from L1.
 */
export interface ExplorerRpcProvider {
  addressTransactions(address: Uint8Array, page: ExplorerPage): RpcJson | Promise<RpcJson>
  addressWithdrawals(address: Uint8Array, page: ExplorerPage): RpcJson | Promise<RpcJson>
  batches(page: ExplorerPage): RpcJson | Promise<RpcJson>
  batchDetails(index: bigint): RpcJson | Promise<RpcJson>
  batchOfBlock(blockNumber: bigint): RpcJson | Promise<RpcJson>
  claims(page: ExplorerPage): RpcJson | Promise<RpcJson>
  game(gameId: bigint): RpcJson | Promise<RpcJson>
  search(query: string): RpcJson | Promise<RpcJson>
}

function checkArity(params: readonly unknown[], required: readonly string[], optional: readonly string[]): void {
  const names = [...required, ...optional]
  if (params.length > names.length) {
    throw new RpcError(
      RPC_ERROR_CODES.invalidParams,
      `too many arguments: ${params.length} given, at most ${names.length} (${names.join(', ')})`,
    )
  }
  required.forEach((name, i) => {
    if (params[i] === undefined) {
      throw new RpcError(RPC_ERROR_CODES.invalidParams, `missing value for required argument ${i} (${name})`)
    }
  })
}

const U64_MAX = 2n ** 64n - 1n

/** `{ before?, limit? }`: `before` a quantity (a cursor from the previous page), `limit` 1 … 100. */
export function parsePage(value: unknown, index: number): ExplorerPage {
  if (value === undefined || value === null) return { before: undefined, limit: DEFAULT_PAGE }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParam(index, 'page', `expected { before?, limit? }, got ${describeValue(value)}`)
  }
  const { before, limit } = value as Record<string, unknown>
  const parsedLimit =
    limit === undefined || limit === null
      ? DEFAULT_PAGE
      : typeof limit === 'number'
        ? limit
        : Number(parseQuantity(limit, index, 'page.limit', U64_MAX))
  if (!Number.isSafeInteger(parsedLimit) || parsedLimit < 1 || parsedLimit > EXPLORER_PAGE_LIMIT) {
    throw invalidParam(
      index,
      'page.limit',
      `must be an integer from 1 to ${EXPLORER_PAGE_LIMIT}, got ${describeValue(limit)}`,
    )
  }
  return {
    before: before === undefined || before === null ? undefined : parseQuantity(before, index, 'page.before', U64_MAX),
    limit: parsedLimit,
  }
}

/**
 * The `sluice_*` methods of the explorer (docs/sdk.md), to merge into the method table. Without a
 * provider (a node that does not derive) each answers -32601.
 */
export function createExplorerMethods(provider: ExplorerRpcProvider | undefined): Record<string, MethodHandler> {
  const need = (method: string): ExplorerRpcProvider => {
    if (provider === undefined) throw methodNotFound(method, 'is not available on this node')
    return provider
  }
  return {
    sluice_getAddressTransactions: async (params) => {
      checkArity(params, ['address'], ['page'])
      const p = need('sluice_getAddressTransactions')
      return toJson(await p.addressTransactions(parseAddress(params[0], 0), parsePage(params[1], 1)))
    },
    sluice_getAddressWithdrawals: async (params) => {
      checkArity(params, ['address'], ['page'])
      const p = need('sluice_getAddressWithdrawals')
      return toJson(await p.addressWithdrawals(parseAddress(params[0], 0), parsePage(params[1], 1)))
    },
    sluice_getBatches: async (params) => {
      checkArity(params, [], ['page'])
      return toJson(await need('sluice_getBatches').batches(parsePage(params[0], 0)))
    },
    sluice_getBatchDetails: async (params) => {
      checkArity(params, ['batchIndex'], [])
      const p = need('sluice_getBatchDetails')
      return toJson(await p.batchDetails(parseQuantity(params[0], 0, 'batchIndex', U64_MAX)))
    },
    sluice_getBatchOfBlock: async (params) => {
      checkArity(params, ['blockNumber'], [])
      const p = need('sluice_getBatchOfBlock')
      return toJson(await p.batchOfBlock(parseQuantity(params[0], 0, 'blockNumber', U64_MAX)))
    },
    sluice_getClaims: async (params) => {
      checkArity(params, [], ['page'])
      return toJson(await need('sluice_getClaims').claims(parsePage(params[0], 0)))
    },
    sluice_getGame: async (params) => {
      checkArity(params, ['gameId'], [])
      return toJson(await need('sluice_getGame').game(parseQuantity(params[0], 0, 'gameId', U64_MAX)))
    },
    sluice_search: async (params) => {
      checkArity(params, ['query'], [])
      const query = params[0]
      if (typeof query !== 'string' || query.length > 200) {
        throw invalidParam(0, 'query', `expected a string of at most 200 characters, got ${describeValue(query)}`)
      }
      return toJson(await need('sluice_search').search(query.trim()))
    },
  }
}
