/**
 * Every key the derivation driver writes, all under the `derive/` prefix of the node's store:
 *
 *   derive/head               -> u64 (batchIndex + 1) of the current tip
 *   derive/tip/<u64 b + 1>    -> rlp(SafeTip) after batch b (key 0: the genesis tip)
 *
 * Tips are written in the same atomic batch as the batch's state nodes and the sink's records.
 */
import {
  type BatchOp,
  bytesToBigint,
  bytesToHex,
  decodeRlp,
  encodeRlp,
  hexToBytes,
  type RlpDecoded,
} from '@sluice/core'
import { DerivationStoreCorruptError } from './errors.ts'
import type { SafeTip } from './types.ts'

const text = new TextEncoder()
const HEAD_KEY = text.encode('derive/head')
const TIP_PREFIX = text.encode('derive/tip/')

function u64(value: bigint): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, value)
  return out
}

export const deriveKeys = {
  head: HEAD_KEY,
  /** The tip after batch `batchIndex` (−1n: genesis). */
  tip(batchIndex: bigint): Uint8Array {
    const out = new Uint8Array(TIP_PREFIX.length + 8)
    out.set(TIP_PREFIX)
    out.set(u64(batchIndex + 1n), TIP_PREFIX.length)
    return out
  },
} as const

export const encodeHead = (batchIndex: bigint): Uint8Array => u64(batchIndex + 1n)

export function decodeHead(encoded: Uint8Array): bigint {
  if (encoded.length !== 8) throw new DerivationStoreCorruptError('derive/head')
  return new DataView(encoded.buffer, encoded.byteOffset, 8).getBigUint64(0) - 1n
}

export function encodeTip(tip: SafeTip): Uint8Array {
  return encodeRlp([
    tip.batchIndex + 1n,
    tip.l2.hash,
    tip.l2.number,
    tip.l2.timestamp,
    tip.l2.delayedAccumulator,
    tip.stateRoot,
    tip.messageCount,
    tip.delayedCount,
    hexToBytes(tip.accumulator),
    hexToBytes(tip.batchHash),
    tip.l1BlockNumber,
    hexToBytes(tip.l1BlockHash),
  ])
}

export function decodeTip(encoded: Uint8Array): SafeTip {
  let l: RlpDecoded
  try {
    l = decodeRlp(encoded)
  } catch (error) {
    throw new DerivationStoreCorruptError('derive/tip', error)
  }
  if (!Array.isArray(l) || l.length !== 12 || !l.every((f) => f instanceof Uint8Array)) {
    throw new DerivationStoreCorruptError('derive/tip')
  }
  const f = l as Uint8Array[]
  const int = (i: number) => bytesToBigint(f[i] as Uint8Array)
  return {
    batchIndex: int(0) - 1n,
    l2: { hash: f[1] as Uint8Array, number: int(2), timestamp: int(3), delayedAccumulator: f[4] as Uint8Array },
    stateRoot: f[5] as Uint8Array,
    messageCount: int(6),
    delayedCount: int(7),
    accumulator: bytesToHex(f[8] as Uint8Array),
    batchHash: bytesToHex(f[9] as Uint8Array),
    l1BlockNumber: int(10),
    l1BlockHash: bytesToHex(f[11] as Uint8Array),
  }
}

/** The writes that store `tip` and make it the head. */
export function tipOps(tip: SafeTip): BatchOp[] {
  return [
    { type: 'put', key: deriveKeys.tip(tip.batchIndex), value: encodeTip(tip) },
    { type: 'put', key: deriveKeys.head, value: encodeHead(tip.batchIndex) },
  ]
}
