/**
 * Typed calls of the Sluice node's rollup RPC (`sluice_*`) and the parsing of their answers. The
 * node sends quantities as hex strings; parsing accepts numbers and decimal strings too.
 */
import type { Client, Hash, Transport } from 'viem'
import { SluiceRpcError, SluiceRpcResponseError } from '../errors.ts'
import type {
  BatchAtBlock,
  BatchDataAvailability,
  BlobWaitStatus,
  BlockRef,
  DerivationStatus,
  L1BlockRef,
  SluiceBatch,
  SyncStatus,
} from '../types.ts'

/** Sends `method` to the node; a failure becomes a `SluiceRpcError` naming the method. */
export async function sluiceRequest(client: Client<Transport>, method: string, params: unknown[]): Promise<unknown> {
  try {
    // The sluice_* methods are not in viem's schema; the transport sends any method.
    return await (client.request as (args: { method: string; params: unknown[] }) => Promise<unknown>)({
      method,
      params,
    })
  } catch (cause) {
    throw new SluiceRpcError({ method, cause })
  }
}

type Reader = { method: string }

function fail(reader: Reader, problem: string): never {
  throw new SluiceRpcResponseError({ method: reader.method, problem })
}

export function parseQuantity(reader: Reader, value: unknown, field: string): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value)
  return fail(reader, `${field} is not a quantity (${JSON.stringify(value)})`)
}

function parseHash(reader: Reader, value: unknown, field: string): Hash {
  if (typeof value === 'string' && /^0x[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase() as Hash
  return fail(reader, `${field} is not a 32-byte hex string (${JSON.stringify(value)})`)
}

function record(reader: Reader, value: unknown, field: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
  return fail(reader, `${field} is not an object`)
}

function parseBlockRef(reader: Reader, value: unknown, field: string): BlockRef {
  const ref = record(reader, value, field)
  return {
    number: parseQuantity(reader, ref.number, `${field}.number`),
    hash: parseHash(reader, ref.hash, `${field}.hash`),
    timestamp: parseQuantity(reader, ref.timestamp ?? 0, `${field}.timestamp`),
  }
}

/** An L1 block as a bare number or as `{ number, hash?, timestamp? }`. */
function parseL1BlockRef(reader: Reader, value: unknown, field: string): L1BlockRef {
  if (typeof value !== 'object' || value === null) {
    return { number: parseQuantity(reader, value, field), hash: undefined, timestamp: undefined }
  }
  const ref = value as Record<string, unknown>
  return {
    number: parseQuantity(reader, ref.number, `${field}.number`),
    hash: ref.hash === undefined || ref.hash === null ? undefined : parseHash(reader, ref.hash, `${field}.hash`),
    timestamp:
      ref.timestamp === undefined || ref.timestamp === null
        ? undefined
        : parseQuantity(reader, ref.timestamp, `${field}.timestamp`),
  }
}

function parseCount(reader: Reader, value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  return fail(reader, `${field} is not a non-negative number (${JSON.stringify(value)})`)
}

function parseText(reader: Reader, value: unknown, field: string): string {
  if (typeof value === 'string') return value
  return fail(reader, `${field} is not a string (${JSON.stringify(value)})`)
}

function parseBlobWait(reader: Reader, value: unknown): BlobWaitStatus {
  const wait = record(reader, value, 'derivation.waitingForBlobs')
  const field = (name: string) => `derivation.waitingForBlobs.${name}`
  if (!Array.isArray(wait.versionedHashes)) fail(reader, `${field('versionedHashes')} is not an array`)
  return {
    batchIndex: parseQuantity(reader, wait.batchIndex, field('batchIndex')),
    l1Block: parseQuantity(reader, wait.l1Block, field('l1Block')),
    versionedHashes: wait.versionedHashes.map((h, i) => parseHash(reader, h, `${field('versionedHashes')}[${i}]`)),
    code: parseText(reader, wait.code, field('code')),
    message: parseText(reader, wait.message, field('message')),
    attempts: parseCount(reader, wait.attempts, field('attempts')),
    waitingSeconds: parseCount(reader, wait.waitingSeconds, field('waitingSeconds')),
  }
}

function parseDerivation(reader: Reader, value: unknown): DerivationStatus {
  const derivation = record(reader, value, 'derivation')
  const catchingUp = derivation.targetMessageCount !== undefined
  return {
    batchIndex:
      derivation.batchIndex === null || derivation.batchIndex === undefined
        ? null
        : parseQuantity(reader, derivation.batchIndex, 'derivation.batchIndex'),
    messageCount: parseQuantity(reader, derivation.messageCount, 'derivation.messageCount'),
    waitingForBlobs:
      derivation.waitingForBlobs === null || derivation.waitingForBlobs === undefined
        ? null
        : parseBlobWait(reader, derivation.waitingForBlobs),
    catchUp: catchingUp
      ? {
          targetMessageCount: parseQuantity(reader, derivation.targetMessageCount, 'derivation.targetMessageCount'),
          transactionsPerSecond: parseCount(
            reader,
            derivation.transactionsPerSecond,
            'derivation.transactionsPerSecond',
          ),
          blocksPerSecond: parseCount(reader, derivation.blocksPerSecond, 'derivation.blocksPerSecond'),
          etaSeconds:
            derivation.etaSeconds === null ? null : parseCount(reader, derivation.etaSeconds, 'derivation.etaSeconds'),
        }
      : null,
  }
}

export function parseSyncStatus(value: unknown): SyncStatus {
  const reader = { method: 'sluice_syncStatus' }
  const raw = record(reader, value, 'result')
  const l1 = record(reader, raw.l1, 'l1')
  const lag = raw.lag === undefined ? {} : record(reader, raw.lag, 'lag')
  const batches = raw.batches === undefined ? {} : record(reader, raw.batches, 'batches')
  const unsafe = parseBlockRef(reader, raw.unsafe, 'unsafe')
  const safe = parseBlockRef(reader, raw.safe, 'safe')
  return {
    chainId: parseQuantity(reader, raw.chainId, 'chainId'),
    l1: {
      head: parseL1BlockRef(reader, l1.head, 'l1.head'),
      confirmed: parseL1BlockRef(reader, l1.confirmed, 'l1.confirmed'),
    },
    unsafe,
    safe,
    finalized: parseBlockRef(reader, raw.finalized, 'finalized'),
    lag: {
      unsafeToSafeBlocks:
        lag.unsafeToSafeBlocks === undefined
          ? unsafe.number - safe.number
          : parseQuantity(reader, lag.unsafeToSafeBlocks, 'lag.unsafeToSafeBlocks'),
      l1HeadToConfirmedBlocks: parseQuantity(reader, lag.l1HeadToConfirmedBlocks ?? 0, 'lag.l1HeadToConfirmedBlocks'),
    },
    batches: {
      count: parseQuantity(reader, batches.count ?? 0, 'batches.count'),
      lastIndex:
        batches.lastIndex === undefined || batches.lastIndex === null
          ? null
          : parseQuantity(reader, batches.lastIndex, 'batches.lastIndex'),
      l1Count: parseQuantity(reader, batches.l1Count ?? 0, 'batches.l1Count'),
    },
    derivation: raw.derivation === undefined ? null : parseDerivation(reader, raw.derivation),
    latestBatch:
      raw.latestBatch === undefined
        ? null
        : parseBatchAs({ method: 'sluice_syncStatus (latestBatch)' }, raw.latestBatch),
    claims: Array.isArray(raw.claims) ? raw.claims : [],
    games: Array.isArray(raw.games) ? raw.games : [],
    raw,
  }
}

export function parseBatch(value: unknown): SluiceBatch | null {
  return parseBatchAs({ method: 'sluice_getBatch' }, value)
}

const DA_KINDS = ['calldata', 'blobs', 'none'] as const

function parseDataAvailability(reader: Reader, value: unknown): BatchDataAvailability | null {
  if (value === undefined || value === null) return null
  const da = record(reader, value, 'dataAvailability')
  const kind = DA_KINDS.find((k) => k === da.kind)
  if (kind === undefined) return fail(reader, `dataAvailability.kind is not one of ${DA_KINDS.join(', ')}`)
  const hashes = Array.isArray(da.versionedHashes) ? da.versionedHashes : []
  return {
    kind,
    blobCount: hashes.length,
    versionedHashes: hashes.map((hash, i) => parseHash(reader, hash, `dataAvailability.versionedHashes[${i}]`)),
  }
}

function optionalNumber(reader: Reader, value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  return fail(reader, `${field} is not a number (${JSON.stringify(value)})`)
}

function optionalQuantity(reader: Reader, value: unknown, field: string): bigint | null {
  return value === undefined || value === null ? null : parseQuantity(reader, value, field)
}

function parseBatchAs(reader: Reader, value: unknown): SluiceBatch | null {
  if (value === null || value === undefined) return null
  const batch = record(reader, value, 'result')
  return {
    index: parseQuantity(reader, batch.index, 'index'),
    l1BlockNumber: parseQuantity(reader, batch.l1BlockNumber, 'l1BlockNumber'),
    l1TransactionHash:
      batch.l1TransactionHash === null || batch.l1TransactionHash === undefined
        ? null
        : parseHash(reader, batch.l1TransactionHash, 'l1TransactionHash'),
    forced: batch.forced === true,
    firstBlock: parseQuantity(reader, batch.firstBlock, 'firstBlock'),
    lastBlock: parseQuantity(reader, batch.lastBlock, 'lastBlock'),
    messageCountAfter: parseQuantity(reader, batch.messageCountAfter, 'messageCountAfter'),
    delayedCountAfter: parseQuantity(reader, batch.delayedCountAfter ?? 0, 'delayedCountAfter'),
    stateRoot: parseHash(reader, batch.stateRoot, 'stateRoot'),
    dataAvailability: parseDataAvailability(reader, batch.dataAvailability),
    bytes: optionalNumber(reader, batch.bytes, 'bytes'),
    transactionSlots: optionalQuantity(reader, batch.transactionSlots, 'transactionSlots'),
    bytesPerTransaction: optionalNumber(reader, batch.bytesPerTransaction, 'bytesPerTransaction'),
    blobFill: optionalNumber(reader, batch.blobFill, 'blobFill'),
    l1GasUsed: optionalQuantity(reader, batch.l1GasUsed, 'l1GasUsed'),
    l1BlobGasUsed: optionalQuantity(reader, batch.l1BlobGasUsed, 'l1BlobGasUsed'),
    l1Cost: optionalQuantity(reader, batch.l1Cost, 'l1Cost'),
  }
}

export function parseBatchAtBlock(value: unknown): BatchAtBlock | null {
  const reader = { method: 'sluice_claimAtBlock' }
  if (value === null || value === undefined) return null
  const at = record(reader, value, 'result')
  return {
    batchIndex: parseQuantity(reader, at.batchIndex, 'batchIndex'),
    lastBlock: parseQuantity(reader, at.lastBlock, 'lastBlock'),
    messageCountAfter: parseQuantity(reader, at.messageCountAfter, 'messageCountAfter'),
    stateRoot: parseHash(reader, at.stateRoot, 'stateRoot'),
  }
}

/** A quantity as the node expects it in params. */
export function toQuantity(value: bigint): string {
  return `0x${value.toString(16)}`
}
