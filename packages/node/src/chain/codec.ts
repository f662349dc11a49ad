import {
  BLOOM_BYTES,
  bytesToBigint,
  decodeRlp,
  decodeTransaction,
  EMPTY_OMMERS_HASH,
  encodeBlockHeader,
  encodeRlp,
  equalBytes,
  keccak256,
  type L2BlockHeader,
  type Log,
  RLP_LIST,
  type RlpDecoded,
  rlpBytesLength,
  rlpHeaderLength,
  rlpSafeIntegerLength,
  type SignedTransaction,
  SluiceError,
  type TransactionType,
  writeRlpBytes,
  writeRlpHeader,
  writeRlpSafeInteger,
} from '@sluice/core'
import type { StoredBlock, StoredTransaction } from './types.ts'

/** A chain record in the database does not decode: the data directory is corrupt. */
export class ChainStoreCorruptError extends SluiceError {
  override name = 'ChainStoreCorruptError'
  constructor(what: string, cause?: unknown) {
    super(`the chain store holds a record that does not decode (${what})`, {
      details: 'The data directory is corrupt. Stop the node, move the data directory away and resync from L1.',
      severity: 'critical',
      cause,
    })
  }
}

function bytesAt(list: RlpDecoded[], index: number, what: string): Uint8Array {
  const item = list[index]
  if (!(item instanceof Uint8Array)) throw new ChainStoreCorruptError(`${what}: field ${index} is not a byte string`)
  return item
}

function listAt(list: RlpDecoded[], index: number, what: string): RlpDecoded[] {
  const item = list[index]
  if (!Array.isArray(item)) throw new ChainStoreCorruptError(`${what}: field ${index} is not a list`)
  return item
}

const int = (list: RlpDecoded[], index: number, what: string) => bytesToBigint(bytesAt(list, index, what))

/** Decodes the 16-field London header that `encodeBlockHeader` writes. */
export function decodeBlockHeader(encoded: Uint8Array): L2BlockHeader {
  const fields = decodeRlp(encoded)
  if (!Array.isArray(fields) || fields.length !== 16) throw new ChainStoreCorruptError('block header')
  if (!equalBytes(bytesAt(fields, 1, 'header'), EMPTY_OMMERS_HASH)) throw new ChainStoreCorruptError('ommers hash')
  return {
    parentHash: bytesAt(fields, 0, 'header'),
    beneficiary: bytesAt(fields, 2, 'header'),
    stateRoot: bytesAt(fields, 3, 'header'),
    transactionsRoot: bytesAt(fields, 4, 'header'),
    receiptsRoot: bytesAt(fields, 5, 'header'),
    logsBloom: bytesAt(fields, 6, 'header'),
    number: int(fields, 8, 'header'),
    gasLimit: int(fields, 9, 'header'),
    gasUsed: int(fields, 10, 'header'),
    timestamp: int(fields, 11, 'header'),
    delayedAccumulator: bytesAt(fields, 13, 'header'),
    delayedCountAfter: int(fields, 14, 'header'),
    baseFeePerGas: int(fields, 15, 'header'),
  }
}

function encodeLogs(logs: readonly Log[]) {
  return logs.map((log) => [log.address, log.topics, log.data])
}

function decodeLogs(items: RlpDecoded[]): Log[] {
  return items.map((item) => {
    if (!Array.isArray(item) || item.length !== 3) throw new ChainStoreCorruptError('log')
    const topics = listAt(item, 1, 'log').map((topic) => {
      if (!(topic instanceof Uint8Array)) throw new ChainStoreCorruptError('log topic')
      return topic
    })
    return { address: bytesAt(item, 0, 'log'), topics, data: bytesAt(item, 2, 'log') }
  })
}

const NO_BYTES = new Uint8Array(0)

/**
 * A transaction's logs bloom as its record holds it: empty when all zero, which is every transaction
 * without logs (every transfer). A zero bloom was 259 of a transfer's ~450 record bytes, and the
 * record is most of what the sequencer and verifiers write per transaction.
 */
function storedBloom(bloom: Uint8Array): Uint8Array {
  const length = bloom.length
  // four bytes at a time where aligned (a bloom is 256 bytes, scanned for every stored transaction)
  if ((bloom.byteOffset & 3) === 0 && (length & 3) === 0) {
    const words = new Int32Array(bloom.buffer, bloom.byteOffset, length >> 2)
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) return bloom
    return NO_BYTES
  }
  for (let i = 0; i < length; i++) if (bloom[i] !== 0) return bloom
  return NO_BYTES
}

/** Every transaction's zero bloom read back, shared as the block builder shares it (`applyBlock`'s receipts). */
const ZERO_BLOOM = new Uint8Array(BLOOM_BYTES)

/** `storedBloom` read back: an empty string is the zero bloom (records written before hold it in full). */
function loadedBloom(stored: Uint8Array): Uint8Array {
  return stored.length === 0 ? ZERO_BLOOM : stored
}

/**
 * `rlp([header, hash, messageCountAfter, slotCount, [tx…]])`, each tx
 * `[raw, hash, sender, gasUsed, cumulativeGasUsed, effectiveGasPrice, logsBloom, logs, forced]`, with
 * an all-zero `logsBloom` stored empty (`storedBloom`). Hashes are stored so that loading a block
 * hashes nothing.
 *
 * Written directly, not through `encodeRlp` of nested arrays (`encodeStoredBlockGeneric`, the same
 * bytes; the chain-store tests compare them on random blocks): the generic encoder's two passes over
 * a fresh 9-item array per transaction were ~4 µs of the sequencer's main thread per sealed transfer.
 */
export function encodeStoredBlock(block: StoredBlock): Uint8Array {
  const transactions = block.transactions
  const count = transactions.length
  // Per transaction: its payload length, its bloom as stored, its logs' RLP (null: none).
  const payloads = new Array<number>(count)
  const blooms = new Array<Uint8Array>(count)
  const logs = new Array<Uint8Array | null>(count)
  let listPayload = 0
  for (let i = 0; i < count; i++) {
    const t = transactions[i] as StoredTransaction
    const bloom = storedBloom(t.logsBloom)
    const encodedLogs = t.logs.length === 0 ? null : encodeRlp(encodeLogs(t.logs))
    blooms[i] = bloom
    logs[i] = encodedLogs
    const payload =
      rlpBytesLength(t.raw) +
      rlpBytesLength(t.hash) +
      rlpBytesLength(t.sender) +
      integerItemLength(t.gasUsed) +
      integerItemLength(t.cumulativeGasUsed) +
      integerItemLength(t.effectiveGasPrice) +
      rlpBytesLength(bloom) +
      (encodedLogs === null ? 1 : encodedLogs.length) +
      1
    payloads[i] = payload
    listPayload += rlpHeaderLength(payload) + payload
  }
  const header = encodeBlockHeader(block.header)
  const messageCountAfter = encodeRlp(block.messageCountAfter)
  const slotCount = encodeRlp(BigInt(block.slotCount))
  const outerPayload =
    rlpBytesLength(header) +
    rlpBytesLength(block.hash) +
    messageCountAfter.length +
    slotCount.length +
    rlpHeaderLength(listPayload) +
    listPayload
  const out = new Uint8Array(rlpHeaderLength(outerPayload) + outerPayload)
  let at = writeRlpHeader(out, 0, outerPayload, RLP_LIST)
  at = writeRlpBytes(out, at, header)
  at = writeRlpBytes(out, at, block.hash)
  out.set(messageCountAfter, at)
  at += messageCountAfter.length
  out.set(slotCount, at)
  at += slotCount.length
  at = writeRlpHeader(out, at, listPayload, RLP_LIST)
  for (let i = 0; i < count; i++) {
    const t = transactions[i] as StoredTransaction
    at = writeRlpHeader(out, at, payloads[i] as number, RLP_LIST)
    at = writeRlpBytes(out, at, t.raw)
    at = writeRlpBytes(out, at, t.hash)
    at = writeRlpBytes(out, at, t.sender)
    at = writeIntegerItem(out, at, t.gasUsed)
    at = writeIntegerItem(out, at, t.cumulativeGasUsed)
    at = writeIntegerItem(out, at, t.effectiveGasPrice)
    at = writeRlpBytes(out, at, blooms[i] as Uint8Array)
    const encodedLogs = logs[i] as Uint8Array | null
    if (encodedLogs === null) out[at++] = 0xc0
    else {
      out.set(encodedLogs, at)
      at += encodedLogs.length
    }
    out[at++] = t.forced ? 0x01 : 0x80
  }
  if (at !== out.length) throw new RangeError(`stored block encoding wrote ${at} of ${out.length} bytes`)
  return out
}

/** `encodeStoredBlock` through the generic encoder: the reference the direct one is tested against. */
export function encodeStoredBlockGeneric(block: StoredBlock): Uint8Array {
  return encodeRlp([
    encodeBlockHeader(block.header),
    block.hash,
    block.messageCountAfter,
    BigInt(block.slotCount),
    block.transactions.map((t) => [
      t.raw,
      t.hash,
      t.sender,
      t.gasUsed,
      t.cumulativeGasUsed,
      t.effectiveGasPrice,
      storedBloom(t.logsBloom),
      encodeLogs(t.logs),
      t.forced ? 1n : 0n,
    ]),
  ])
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function integerItemLength(value: bigint): number {
  if (value < 0n) throw new RangeError(`${value} is negative`)
  return value > MAX_SAFE ? encodeRlp(value).length : rlpSafeIntegerLength(Number(value))
}

function writeIntegerItem(out: Uint8Array, at: number, value: bigint): number {
  if (value <= MAX_SAFE) return writeRlpSafeInteger(out, at, Number(value))
  const encoded = encodeRlp(value)
  out.set(encoded, at)
  return at + encoded.length
}

/**
 * Reads a block record (`encodeStoredBlock`'s layout) by walking its RLP in place: each field a view
 * of `encoded`, no nested arrays of copies (`decodeStoredBlockGeneric`, the same result; the
 * chain-store tests compare them on random and on damaged records). A block that left the recent-block
 * cache is read back whole for the batcher or one receipt, and the generic decoder's copy of every
 * field was ~0.9 µs per transaction of the sequencer's main thread. Throws `ChainStoreCorruptError`
 * where the generic one does (non-canonical RLP included).
 */
export function decodeStoredBlock(encoded: Uint8Array): StoredBlock {
  const reader = new RecordReader(encoded)
  const outerEnd = reader.list(encoded.length, 'block record')
  if (outerEnd !== encoded.length) throw new ChainStoreCorruptError('block record')
  const headerBytes = reader.bytes(outerEnd, 'block')
  const hash = reader.bytes(outerEnd, 'block')
  const messageCountAfter = bytesToBigint(reader.bytes(outerEnd, 'block'))
  const slotCount = Number(bytesToBigint(reader.bytes(outerEnd, 'block')))
  const listEnd = reader.list(outerEnd, 'block')
  // The whole record's structure first, then what decodes inside its fields (header, transactions,
  // logs), in the generic decoder's order: a damaged record fails the same way.
  const transactions: StoredTransaction[] = []
  const logItems: (RlpDecoded[] | null)[] = []
  while (reader.at < listEnd) {
    const end = reader.list(listEnd, 'transaction record')
    const raw = reader.bytes(end, 'tx')
    const txHash = reader.bytes(end, 'tx')
    const sender = reader.bytes(end, 'tx')
    const gasUsed = bytesToBigint(reader.bytes(end, 'tx'))
    const cumulativeGasUsed = bytesToBigint(reader.bytes(end, 'tx'))
    const effectiveGasPrice = bytesToBigint(reader.bytes(end, 'tx'))
    const logsBloom = loadedBloom(reader.bytes(end, 'tx'))
    const logsStart = reader.at
    const logsEnd = reader.list(end, 'tx')
    logItems.push(logsEnd === reader.at ? null : logsOf(encoded.subarray(logsStart, logsEnd)))
    reader.at = logsEnd
    const forced = bytesToBigint(reader.bytes(end, 'tx')) === 1n
    if (reader.at !== end) throw new ChainStoreCorruptError('transaction record')
    transactions.push({
      raw,
      hash: txHash,
      tx: undefined as unknown as SignedTransaction,
      type: 0,
      sender,
      index: transactions.length,
      gasUsed,
      cumulativeGasUsed,
      effectiveGasPrice,
      logsBloom,
      logs: NO_LOGS,
      forced,
    })
  }
  if (reader.at !== outerEnd) throw new ChainStoreCorruptError('block record')
  const header = decodeBlockHeader(headerBytes)
  for (let i = 0; i < transactions.length; i++) {
    const t = transactions[i] as StoredTransaction
    const tx = decodeTransaction(t.raw)
    t.tx = tx
    t.type = tx.type as TransactionType
    const items = logItems[i]
    t.logs = items === null || items === undefined ? [] : decodeLogs(items)
  }
  return { header, hash, messageCountAfter, slotCount, transactions }
}

/** A placeholder until a loaded transaction's logs are decoded. */
const NO_LOGS: Log[] = []

/** The items of a record's non-empty logs list (`decodeLogs` checks their shape). */
function logsOf(encoded: Uint8Array): RlpDecoded[] {
  try {
    return decodeRlp(encoded) as RlpDecoded[]
  } catch (error) {
    throw new ChainStoreCorruptError('logs', error)
  }
}

/**
 * A cursor over canonical RLP, with the rules `decodeRlp` enforces: a single byte below 0x80 is
 * not wrapped, a long length has no leading zero and is 56 or more, no item runs past its list.
 */
class RecordReader {
  at = 0
  private readonly data: Uint8Array

  constructor(data: Uint8Array) {
    this.data = data
  }

  /** The next item, a byte string, as a view; it must end by `end`. */
  bytes(end: number, what: string): Uint8Array {
    const first = this.header(end, what)
    if (first >= 0xc0) throw new ChainStoreCorruptError(`${what}: a field is not a byte string`)
    if (first === 0x81 && (this.data[this.start] as number) < 0x80)
      throw new ChainStoreCorruptError(`${what}: a single byte below 0x80 is wrapped`)
    this.at = this.stop
    return this.data.subarray(this.start, this.stop)
  }

  /** Enters the next item, a list that must end by `end`; returns where it ends. */
  list(end: number, what: string): number {
    const first = this.header(end, what)
    if (first < 0xc0) throw new ChainStoreCorruptError(`${what}: a field is not a list`)
    this.at = this.start
    return this.stop
  }

  /** Where the payload of the item `header` read starts and ends. */
  private start = 0
  private stop = 0

  /** Reads the next item's header (into `start`, `stop`: it must end by `end`); returns its first byte. */
  private header(end: number, what: string): number {
    const data = this.data
    const at = this.at
    if (at >= end) throw new ChainStoreCorruptError(`${what}: a field is missing`)
    const first = data[at] as number
    if (first < 0x80) {
      this.start = at
      this.stop = at + 1
      return first
    }
    const base = first >= 0xc0 ? 0xc0 : 0x80
    let start = at + 1
    let length = first - base
    if (length > 55) {
      const lengthBytes = length - 55
      start += lengthBytes
      if (start > end || lengthBytes > 6) throw new ChainStoreCorruptError(`${what}: a length runs past its record`)
      if (data[at + 1] === 0) throw new ChainStoreCorruptError(`${what}: a length has a leading zero`)
      length = 0
      for (let i = at + 1; i < start; i++) length = length * 256 + (data[i] as number)
      if (length < 56) throw new ChainStoreCorruptError(`${what}: the long form holds a short length`)
    }
    const stop = start + length
    if (stop > end) throw new ChainStoreCorruptError(`${what}: an item runs past its record`)
    this.start = start
    this.stop = stop
    return first
  }
}

/** `decodeStoredBlock` through the generic decoder: the reference the direct one is tested against. */
export function decodeStoredBlockGeneric(encoded: Uint8Array): StoredBlock {
  let fields: RlpDecoded
  try {
    fields = decodeRlp(encoded)
  } catch (error) {
    throw new ChainStoreCorruptError('block record', error)
  }
  if (!Array.isArray(fields) || fields.length !== 5) throw new ChainStoreCorruptError('block record')
  const header = decodeBlockHeader(bytesAt(fields, 0, 'block'))
  const transactions = listAt(fields, 4, 'block').map((item, index): StoredTransaction => {
    if (!Array.isArray(item) || item.length !== 9) throw new ChainStoreCorruptError('transaction record')
    const raw = bytesAt(item, 0, 'tx')
    const tx = decodeTransaction(raw)
    return {
      raw,
      hash: bytesAt(item, 1, 'tx'),
      tx,
      type: tx.type as TransactionType,
      sender: bytesAt(item, 2, 'tx'),
      index,
      gasUsed: int(item, 3, 'tx'),
      cumulativeGasUsed: int(item, 4, 'tx'),
      effectiveGasPrice: int(item, 5, 'tx'),
      logsBloom: loadedBloom(bytesAt(item, 6, 'tx')),
      logs: decodeLogs(listAt(item, 7, 'tx')),
      forced: int(item, 8, 'tx') === 1n,
    }
  })
  return {
    header,
    hash: bytesAt(fields, 1, 'block'),
    messageCountAfter: int(fields, 2, 'block'),
    slotCount: Number(int(fields, 3, 'block')),
    transactions,
  }
}

const MAX_U64 = 2n ** 64n - 1n

/** A u64 as 8 big-endian bytes, so LevelDB keys sort by number. */
export function u64Key(value: bigint): Uint8Array {
  const out = new Uint8Array(8)
  writeU64(out, 0, value)
  return out
}

/** Writes `value` as 8 big-endian bytes at `offset` (without a hex string or a DataView per call). */
export function writeU64(out: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value > MAX_U64) throw new RangeError(`${value} is not a u64`)
  if (value <= 0xffff_ffffn) {
    // every block number and address-index sequence in practice: no BigInt shift and mask (each allocates)
    let low = Number(value)
    for (let i = 7; i >= 4; i--) {
      out[offset + i] = low & 0xff
      low >>>= 8
    }
    out[offset] = 0
    out[offset + 1] = 0
    out[offset + 2] = 0
    out[offset + 3] = 0
    return
  }
  let high = Number(value >> 32n)
  let low = Number(value & 0xffff_ffffn)
  for (let i = 7; i >= 4; i--) {
    out[offset + i] = low & 0xff
    low >>>= 8
  }
  for (let i = 3; i >= 0; i--) {
    out[offset + i] = high & 0xff
    high >>>= 8
  }
}

/** The block hash recomputed from the header: the check that a record is what it claims. */
export function headerHash(header: L2BlockHeader): Uint8Array {
  return keccak256(encodeBlockHeader(header))
}
