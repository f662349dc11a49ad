import { equalBytes } from '@sluice/core'
import type { ChainReader, HeadName, StoredBlock } from '../chain/types.ts'
import { headerNotFound, invalidParam, RPC_ERROR_CODES, RpcError } from './errors.ts'
import { data, describeValue, parseHash, parseQuantity } from './hex.ts'

/**
 * Block selectors (execution-apis "Block number, tag, or block hash", EIP-1898 objects). `pending`
 * reads the latest sealed block: the sequencer's pending state is its mempool, which only the pending
 * nonce reflects (`eth_getTransactionCount … pending`).
 */
export type BlockTag = 'latest' | 'pending' | 'safe' | 'finalized' | 'earliest'

export type BlockSelector =
  | { kind: 'tag'; tag: BlockTag }
  | { kind: 'number'; number: bigint }
  | { kind: 'hash'; hash: Uint8Array; requireCanonical: boolean }

const TAG_HEAD: Record<Exclude<BlockTag, 'earliest'>, HeadName> = {
  latest: 'unsafe',
  pending: 'unsafe',
  safe: 'safe',
  finalized: 'finalized',
}

const LATEST: BlockSelector = { kind: 'tag', tag: 'latest' }

function isTag(value: string): value is BlockTag {
  return value === 'latest' || value === 'pending' || value === 'safe' || value === 'finalized' || value === 'earliest'
}

/**
 * Parses a block parameter. Accepts a tag, a quantity, and where `allowHash` is set a 32-byte hash or
 * an EIP-1898 object (`{ blockHash, requireCanonical? }` or `{ blockNumber }`). Missing or null is `latest`.
 */
export function parseBlockSelector(value: unknown, index: number, allowHash: boolean, name = 'block'): BlockSelector {
  if (value === undefined || value === null) return LATEST
  if (typeof value === 'string') {
    if (isTag(value)) return { kind: 'tag', tag: value }
    if (allowHash && value.length === 66)
      return { kind: 'hash', hash: parseHash(value, index, name), requireCanonical: false }
    if (value.startsWith('0x')) return { kind: 'number', number: parseQuantity(value, index, name, 2n ** 64n - 1n) }
    throw invalidParam(
      index,
      name,
      `expected a block number (hex), a tag (latest, pending, safe, finalized, earliest)${allowHash ? ' or a block hash' : ''}, got ${describeValue(value)}`,
    )
  }
  if (allowHash && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>
    if (object.blockHash !== undefined && object.blockNumber !== undefined) {
      throw invalidParam(index, name, 'give blockHash or blockNumber, not both (EIP-1898)')
    }
    if (object.blockHash !== undefined) {
      const requireCanonical = object.requireCanonical ?? false
      if (typeof requireCanonical !== 'boolean')
        throw invalidParam(index, name, 'requireCanonical must be true or false')
      return { kind: 'hash', hash: parseHash(object.blockHash, index, `${name}.blockHash`), requireCanonical }
    }
    if (object.blockNumber !== undefined)
      return parseBlockSelector(object.blockNumber, index, false, `${name}.blockNumber`)
    throw invalidParam(index, name, 'an EIP-1898 block object needs blockHash or blockNumber')
  }
  throw invalidParam(index, name, `expected a block number or tag, got ${describeValue(value)}`)
}

/** The block selected, or undefined when the store does not have it. */
export function findBlock(chain: ChainReader, selector: BlockSelector): StoredBlock | undefined {
  switch (selector.kind) {
    case 'tag':
      return selector.tag === 'earliest' ? chain.blockByNumber(0n) : chain.head(TAG_HEAD[selector.tag])
    case 'number':
      return chain.blockByNumber(selector.number)
    case 'hash': {
      const block = chain.blockByHash(selector.hash)
      if (block !== undefined && selector.requireCanonical && !isCanonical(chain, block)) {
        throw new RpcError(RPC_ERROR_CODES.server, `hash ${data(selector.hash)} is not currently canonical`)
      }
      return block
    }
  }
}

function isCanonical(chain: ChainReader, block: StoredBlock): boolean {
  const atHeight = chain.blockByNumber(block.header.number)
  return atHeight !== undefined && equalBytes(atHeight.hash, block.hash)
}

function describeSelector(selector: BlockSelector): string {
  if (selector.kind === 'tag') return selector.tag
  if (selector.kind === 'number') return `block ${selector.number} (the chain is not there yet)`
  return `block ${data(selector.hash)}`
}

/**
 * The block whose state a query reads. State is kept per canonical height, so a block known by hash
 * must be canonical; an unknown block is geth's `header not found`.
 */
export function stateBlock(chain: ChainReader, selector: BlockSelector): StoredBlock {
  const block = findBlock(chain, selector)
  if (block === undefined) throw headerNotFound(describeSelector(selector))
  if (selector.kind === 'hash' && !isCanonical(chain, block)) {
    throw new RpcError(
      RPC_ERROR_CODES.server,
      `block ${data(block.hash)} is not on the canonical chain; its state is not kept`,
    )
  }
  return block
}
