/**
 * Every key the L1 reader writes, all under the `l1/` prefix of the node's store (one LevelDB for
 * the whole node). The store has no range scans, so every record is found by a computed key and
 * the counts in `l1/meta` bound the index spaces.
 *
 *   l1/meta                  -> rlp[cursorNumber, cursorHash, batchCount, delayedCount, claimIdLimit, gameIdLimit]
 *   l1/checkpoints           -> rlp[[number, hash]…]   recent processed L1 blocks, oldest first (reorg detection)
 *   l1/batch/<u64 index>     -> rlp(InboxBatch)     a blob batch adds a 14th field, its versioned hashes,
 *                                                   and a 15th when it has KZG hints (§5.7.1)
 *   l1/delayed/<u64 index>   -> rlp(PortalMessage)
 *   l1/claim/<u64 claimId>   -> JSON(ClaimRecord)       ABI-shaped, so JSON rather than a fixed layout
 *   l1/game/<u64 gameId>     -> JSON(GameRecord)
 */
import {
  type BatchOp,
  bytesToBigint,
  bytesToHex,
  DELAYED_KIND_DEPOSIT,
  DELAYED_KIND_FORCED_TX,
  decodeRlp,
  encodeRlp,
  hexToBytes,
  type RlpDecoded,
} from '@sluice/core'
import { L1StoreCorruptError } from './errors.ts'
import type { ClaimRecord, GameRecord, InboxBatch, L1BlockRef, PortalMessage } from './types.ts'

const text = new TextEncoder()
const untext = new TextDecoder()

const META_KEY = text.encode('l1/meta')
const CHECKPOINTS_KEY = text.encode('l1/checkpoints')
const BATCH_PREFIX = text.encode('l1/batch/')
const DELAYED_PREFIX = text.encode('l1/delayed/')
const CLAIM_PREFIX = text.encode('l1/claim/')
const GAME_PREFIX = text.encode('l1/game/')

function u64Key(prefix: Uint8Array, value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`key index ${value} is not a uint64`)
  const out = new Uint8Array(prefix.length + 8)
  out.set(prefix)
  new DataView(out.buffer).setBigUint64(prefix.length, value)
  return out
}

export const l1Keys = {
  meta: META_KEY,
  checkpoints: CHECKPOINTS_KEY,
  batch: (index: bigint) => u64Key(BATCH_PREFIX, index),
  delayed: (index: bigint) => u64Key(DELAYED_PREFIX, index),
  claim: (id: bigint) => u64Key(CLAIM_PREFIX, id),
  game: (id: bigint) => u64Key(GAME_PREFIX, id),
} as const

/** The reader's position and the sizes of its index spaces. */
export type L1Meta = {
  /** The last L1 block processed (confirmed); `deployBlock − 1` before the first step. */
  cursor: L1BlockRef
  batchCount: bigint
  delayedCount: bigint
  /** One above the largest claim id seen (claims are looked up below it). */
  claimIdLimit: bigint
  gameIdLimit: bigint
}

function field(list: RlpDecoded[], i: number, what: string): Uint8Array {
  const item = list[i]
  if (!(item instanceof Uint8Array)) throw new L1StoreCorruptError(`${what} (field ${i})`)
  return item
}

function list(encoded: Uint8Array, length: number | readonly number[], what: string): RlpDecoded[] {
  let decoded: RlpDecoded
  try {
    decoded = decodeRlp(encoded)
  } catch (error) {
    throw new L1StoreCorruptError(what, error)
  }
  const lengths = typeof length === 'number' ? [length] : length
  if (!Array.isArray(decoded) || !lengths.includes(decoded.length)) throw new L1StoreCorruptError(what)
  return decoded
}

const int = (l: RlpDecoded[], i: number, what: string) => bytesToBigint(field(l, i, what))
const hex = (l: RlpDecoded[], i: number, what: string) => bytesToHex(field(l, i, what))

export function encodeMeta(meta: L1Meta): Uint8Array {
  return encodeRlp([
    meta.cursor.number,
    hexToBytes(meta.cursor.hash),
    meta.batchCount,
    meta.delayedCount,
    meta.claimIdLimit,
    meta.gameIdLimit,
  ])
}

export function decodeMeta(encoded: Uint8Array): L1Meta {
  const l = list(encoded, 6, 'l1/meta')
  return {
    cursor: { number: int(l, 0, 'meta'), hash: hex(l, 1, 'meta') },
    batchCount: int(l, 2, 'meta'),
    delayedCount: int(l, 3, 'meta'),
    claimIdLimit: int(l, 4, 'meta'),
    gameIdLimit: int(l, 5, 'meta'),
  }
}

export function encodeCheckpoints(refs: readonly L1BlockRef[]): Uint8Array {
  return encodeRlp(refs.map((r) => [r.number, hexToBytes(r.hash)]))
}

export function decodeCheckpoints(encoded: Uint8Array): L1BlockRef[] {
  let decoded: RlpDecoded
  try {
    decoded = decodeRlp(encoded)
  } catch (error) {
    throw new L1StoreCorruptError('l1/checkpoints', error)
  }
  if (!Array.isArray(decoded)) throw new L1StoreCorruptError('l1/checkpoints')
  return decoded.map((item) => {
    if (!Array.isArray(item) || item.length !== 2) throw new L1StoreCorruptError('l1/checkpoints entry')
    return { number: int(item, 0, 'checkpoint'), hash: hex(item, 1, 'checkpoint') }
  })
}

export function encodeInboxBatch(b: InboxBatch): Uint8Array {
  return encodeRlp([
    b.index,
    b.bytes,
    b.l1Timestamp,
    b.delayedBefore,
    b.delayedCountAfter,
    hexToBytes(b.batchHash),
    hexToBytes(b.accumulator),
    b.messageCountBefore,
    b.messageCountAfter,
    b.forced ? 1n : 0n,
    b.l1BlockNumber,
    hexToBytes(b.l1BlockHash),
    hexToBytes(b.l1TransactionHash),
    ...(b.dataAvailability.kind === 'blobs'
      ? [
          b.dataAvailability.versionedHashes.map((h) => hexToBytes(h)),
          ...(b.dataAvailability.kzgHints === undefined ? [] : [b.dataAvailability.kzgHints]),
        ]
      : []),
  ])
}

export function decodeInboxBatch(encoded: Uint8Array): InboxBatch {
  const w = 'inbox batch'
  const l = list(encoded, [13, 14, 15], w)
  const hashes = l[13]
  if (hashes !== undefined && (!Array.isArray(hashes) || !hashes.every((h) => h instanceof Uint8Array))) {
    throw new L1StoreCorruptError(`${w} blob hashes`)
  }
  const kzgHints = l.length === 15 ? field(l, 14, w) : undefined
  return {
    index: int(l, 0, w),
    bytes: field(l, 1, w),
    l1Timestamp: int(l, 2, w),
    delayedBefore: int(l, 3, w),
    delayedCountAfter: int(l, 4, w),
    batchHash: hex(l, 5, w),
    accumulator: hex(l, 6, w),
    messageCountBefore: int(l, 7, w),
    messageCountAfter: int(l, 8, w),
    forced: int(l, 9, w) === 1n,
    l1BlockNumber: int(l, 10, w),
    l1BlockHash: hex(l, 11, w),
    l1TransactionHash: hex(l, 12, w),
    dataAvailability:
      hashes === undefined
        ? { kind: 'calldata' }
        : { kind: 'blobs', versionedHashes: (hashes as Uint8Array[]).map((h) => bytesToHex(h)), kzgHints },
  }
}

export function encodePortalMessage(m: PortalMessage): Uint8Array {
  return encodeRlp([
    BigInt(m.kind),
    m.index,
    m.l1Sender,
    m.l1Timestamp,
    m.payload,
    hexToBytes(m.hash),
    m.l1BlockNumber,
    hexToBytes(m.l1BlockHash),
    hexToBytes(m.l1TransactionHash),
  ])
}

export function decodePortalMessage(encoded: Uint8Array): PortalMessage {
  const w = 'delayed message'
  const l = list(encoded, 9, w)
  const kind = Number(int(l, 0, w))
  if (kind !== DELAYED_KIND_DEPOSIT && kind !== DELAYED_KIND_FORCED_TX)
    throw new L1StoreCorruptError(`${w} kind ${kind}`)
  return {
    kind,
    index: int(l, 1, w),
    l1Sender: field(l, 2, w),
    l1Timestamp: int(l, 3, w),
    payload: field(l, 4, w),
    hash: hex(l, 5, w),
    l1BlockNumber: int(l, 6, w),
    l1BlockHash: hex(l, 7, w),
    l1TransactionHash: hex(l, 8, w),
  }
}

/** JSON with bigints as `{"$n":"…"}` so that records of changing ABIs round-trip without a schema. */
function toJson(value: unknown): Uint8Array {
  return text.encode(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $n: v.toString() } : v)))
}

function fromJson<T>(encoded: Uint8Array, what: string): T {
  try {
    return JSON.parse(untext.decode(encoded), (_k, v: unknown) =>
      v !== null && typeof v === 'object' && '$n' in v && typeof (v as { $n: unknown }).$n === 'string'
        ? BigInt((v as { $n: string }).$n)
        : v,
    ) as T
  } catch (error) {
    throw new L1StoreCorruptError(what, error)
  }
}

export const encodeClaim = (claim: ClaimRecord): Uint8Array => toJson(claim)
export const decodeClaim = (encoded: Uint8Array): ClaimRecord => fromJson<ClaimRecord>(encoded, 'claim')
export const encodeGame = (game: GameRecord): Uint8Array => toJson(game)
export const decodeGame = (encoded: Uint8Array): GameRecord => fromJson<GameRecord>(encoded, 'game')

export const put = (key: Uint8Array, value: Uint8Array): BatchOp => ({ type: 'put', key, value })
export const del = (key: Uint8Array): BatchOp => ({ type: 'del', key })
