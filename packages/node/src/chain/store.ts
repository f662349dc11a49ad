import { Buffer } from 'node:buffer'
import {
  type BatchOp,
  bytesToBigint,
  bytesToHex,
  decodeRlp,
  encodeRlp,
  equalBytes,
  genesisBlock,
  hexToBytes,
  type KeyValueStore,
  type L2Block,
  type RollupConfig,
  SluiceError,
  StateDb,
  writeGenesisState,
} from '@sluice/core'
import { ChainStoreCorruptError, decodeStoredBlock, encodeStoredBlock, u64Key, writeU64 } from './codec.ts'
import type {
  BatchRecord,
  ChainReader,
  HeadName,
  StoredBlock,
  StoredTransaction,
  TransactionLocation,
} from './types.ts'

const encoder = new TextEncoder()
const utf8ToBytes = (text: string): Uint8Array => encoder.encode(text)

const PREFIX = {
  block: utf8ToBytes('c/b/'),
  hash: utf8ToBytes('c/h/'),
  tx: utf8ToBytes('c/t/'),
  dropped: utf8ToBytes('c/d/'),
  head: utf8ToBytes('c/head/'),
  batch: utf8ToBytes('c/batch/'),
  meta: utf8ToBytes('c/meta/'),
  /** Address index: `c/an/<address>` → how many entries; `c/ae/<address><u64 seq>` → rlp([block, index]). */
  addressCount: utf8ToBytes('c/an/'),
  addressEntry: utf8ToBytes('c/ae/'),
}

/**
 * An address's index count held in memory: `count` as of the last write built, and the count of the
 * write being built (`write`, the one in `AddressWrite.id`): `pending`, from `before`; `exact` when
 * that write removes entries (see `addressCountOps`). One object per address, found with one lookup:
 * a write keeps no map of its own (a `Map` per write, a string key's lookups in three maps and an
 * object per address and block were ~2 µs of a sealed transfer).
 */
type AddressEntry = {
  readonly address: Uint8Array
  count: bigint
  write: number
  pending: bigint
  before: bigint
  exact: boolean
}

/** The address-index counts of one write being built: the entries it changed, in the order met. */
type AddressWrite = { readonly id: number; readonly touched: AddressEntry[] }

/**
 * An address's count record (`c/an/`) is written when a write takes the count past a multiple of
 * this, not with every block that indexes the address: it is a lower bound, short by less than this,
 * and a read counts the entries past it (`addressCount`). A transfer's two entries otherwise cost
 * ~1.4 count writes per transfer, a fifth of the sequencer's LevelDB writes.
 */
export const ADDRESS_COUNT_STRIDE = 16n

/** The addresses a transaction is indexed under: its sender, and its recipient when another. */
function indexedAddresses(tx: StoredTransaction): Uint8Array[] {
  const to = tx.tx.to
  return to === undefined || to === null || equalBytes(to, tx.sender) ? [tx.sender] : [tx.sender, to]
}

/** One entry of an address's transaction index: the block and position of the transaction. */
export type AddressTransactionRef = { sequence: bigint; blockNumber: bigint; index: number }

/**
 * The `c/t/<hash>` values of one block, `rlp([blockNumber, index])`, written directly: the block
 * number's RLP once per block, an index's in a few bytes (`encodeRlp` of the same list gives the
 * same bytes; the chain-store tests compare them).
 */
export class TransactionLocations {
  private readonly blockNumber: bigint
  private readonly number: Uint8Array

  constructor(blockNumber: bigint) {
    this.blockNumber = blockNumber
    this.number = encodeRlp(blockNumber)
  }

  of(index: number): Uint8Array {
    const number = this.number
    // an index below 2^24 (a block holds at most a few thousand transactions): 1–4 bytes of RLP
    const indexBytes = index === 0 ? 0 : index < 0x100 ? 1 : index < 0x1_0000 ? 2 : index < 0x100_0000 ? 3 : -1
    if (indexBytes < 0 || number.length + 4 > 55) return encodeRlp([this.blockNumber, BigInt(index)])
    const indexLength = index !== 0 && index < 0x80 ? 1 : 1 + indexBytes
    const out = new Uint8Array(1 + number.length + indexLength)
    out[0] = 0xc0 + number.length + indexLength
    out.set(number, 1)
    let at = 1 + number.length
    if (index === 0) out[at] = 0x80
    else if (index < 0x80) out[at] = index
    else {
      out[at++] = 0x80 + indexBytes
      for (let shift = (indexBytes - 1) * 8; shift >= 0; shift -= 8) out[at++] = (index >>> shift) & 0xff
    }
    return out
  }
}

function key(prefix: Uint8Array, suffix: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + suffix.length)
  out.set(prefix, 0)
  out.set(suffix, prefix.length)
  return out
}

const HEADS: readonly HeadName[] = ['unsafe', 'safe', 'finalized']
const CACHE_BLOCKS = 512
/**
 * The recent-block cache also keeps at most this many transactions (it always keeps its newest block):
 * a cached transaction is decoded with its receipt (~1.2 KiB of heap), and 512 blocks of up to 6,000
 * transfers each would hold millions of them (a 104k-transaction catch-up kept every one). 65,536 is
 * ~75 MiB and ~9 s of a sequencer at 7,000 tx/s: its batcher and the derivation of its own batches
 * read those blocks again.
 */
export const CACHE_TRANSACTIONS = 65_536
/**
 * Blocks older than every cached one that were read back from the store (a batcher behind the
 * cache, the receipt of an old transaction) are kept apart, the last few of them: in the cache, each
 * evicted the oldest cached block, the very one a reader walking forward reads next, so a batcher
 * once behind the cache read every block from the store from then on (~110 of 182 blocks in the
 * saturation profile).
 */
export const READ_BACK_BLOCKS = 4
/** Address-index counts held in memory (default): two generations of at most half this many addresses each. */
const ADDRESS_COUNT_CACHE = 65_536

export type ChainStoreOptions = {
  /** Most address-index counts held in memory (default 65,536); tests make it small. */
  addressCountCache?: number
  /** Most transactions the recent-block cache holds (default `CACHE_TRANSACTIONS`); tests make it small. */
  cacheTransactions?: number
}

/** The store was opened with a config whose genesis differs from the one it was created with. */
export class ChainStoreMismatchError extends SluiceError {
  override name = 'ChainStoreMismatchError'
  constructor(details: string) {
    super('the data directory belongs to another chain', {
      details: `${details} Use another data directory, or delete this one to resync from L1.`,
      severity: 'critical',
    })
  }
}

/** Converts a block core sealed into what the store keeps. `forcedCount` leading transactions came from L1. */
export function toStoredBlock(
  block: L2Block,
  {
    messageCountAfter,
    slotCount,
    forcedHashes,
  }: { messageCountAfter: bigint; slotCount: number; forcedHashes?: ReadonlySet<string> },
): StoredBlock {
  const anyForced = forcedHashes !== undefined && forcedHashes.size > 0
  const transactions = block.transactions.map(
    (t): StoredTransaction => ({
      hash: t.hash,
      raw: t.raw,
      tx: t.tx,
      type: t.tx.type,
      sender: t.sender,
      index: t.index,
      gasUsed: t.gasUsed,
      cumulativeGasUsed: t.receipt.cumulativeGasUsed,
      effectiveGasPrice: t.effectiveGasPrice,
      logs: t.logs,
      logsBloom: t.receipt.logsBloom,
      forced: anyForced && forcedHashes.has(hashKey(t.hash)),
    }),
  )
  return { hash: block.hash, header: block.header, transactions, messageCountAfter, slotCount }
}

/**
 * A Map key for a hash (latin1: one char per byte). Copied into one reused Buffer rather than
 * wrapped in a new Buffer view per call: the builder keys two addresses per sealed transfer, and
 * the view's `Buffer.from` was most of `hashKey`'s ~0.6 µs of main thread per transfer.
 */
export function hashKey(hash: Uint8Array): string {
  const length = hash.byteLength
  if (length > HASH_KEY_SCRATCH.length) return Buffer.from(hash.buffer, hash.byteOffset, length).toString('latin1')
  HASH_KEY_SCRATCH.set(hash)
  return HASH_KEY_SCRATCH.toString('latin1', 0, length)
}

/** Hashes and addresses are at most 32 bytes. */
const HASH_KEY_SCRATCH = Buffer.allocUnsafe(32)

function encodeBatchRecord(r: BatchRecord): Uint8Array {
  return encodeRlp([
    r.index,
    r.l1BlockNumber,
    r.l1BlockHash,
    r.l1TransactionHash ?? new Uint8Array(0),
    r.forced ? 1n : 0n,
    r.firstBlock,
    r.lastBlock,
    r.messageCountAfter,
    r.delayedCountAfter,
    r.stateRoot,
    r.accumulator,
    // blob batches only: a calldata record keeps the 11 fields it always had
    ...(r.dataAvailability.kind === 'blobs' ? [r.dataAvailability.versionedHashes.map((h) => hexToBytes(h))] : []),
  ])
}

function decodeBatchRecord(encoded: Uint8Array): BatchRecord {
  const f = decodeRlp(encoded)
  if (
    !Array.isArray(f) ||
    (f.length !== 11 && f.length !== 12) ||
    !f.slice(0, 11).every((x) => x instanceof Uint8Array)
  ) {
    throw new ChainStoreCorruptError('batch record')
  }
  const hashes = f[11]
  if (
    hashes !== undefined &&
    (!Array.isArray(hashes) || !hashes.every((h) => h instanceof Uint8Array && h.length === 32))
  ) {
    throw new ChainStoreCorruptError('batch record blob hashes')
  }
  const n = (i: number) => bytesToBigint(f[i] as Uint8Array)
  const txHash = f[3] as Uint8Array
  return {
    index: n(0),
    l1BlockNumber: n(1),
    l1BlockHash: f[2] as Uint8Array,
    l1TransactionHash: txHash.length === 0 ? undefined : txHash,
    forced: n(4) === 1n,
    firstBlock: n(5),
    lastBlock: n(6),
    messageCountAfter: n(7),
    delayedCountAfter: n(8),
    stateRoot: f[9] as Uint8Array,
    accumulator: f[10] as Uint8Array,
    dataAvailability:
      hashes === undefined
        ? { kind: 'calldata' }
        : { kind: 'blobs', versionedHashes: (hashes as Uint8Array[]).map((h) => bytesToHex(h)) },
  }
}

/**
 * The chain store: L2 blocks, transactions, receipts, heads and derived batches, in the same LevelDB
 * as the state trie so that a block and its state land in one atomic write (`stateDb.startCommit(ops)`).
 *
 * Blocks are canonical by number: a reorg rewrites numbers above the fork point and removes the
 * transaction index entries of the blocks it replaces. Reads are synchronous (LevelDB `getSync`)
 * with an in-memory cache of recent blocks.
 */
export class ChainStore implements ChainReader {
  readonly chainId: bigint
  readonly store: KeyValueStore
  private readonly heads = new Map<HeadName, StoredBlock>()
  private readonly cache = new Map<bigint, StoredBlock>()
  /** Blocks read back from the store that were older than every cached block (`READ_BACK_BLOCKS`). */
  private readonly readBack = new Map<bigint, StoredBlock>()
  private cachedTransactions = 0
  private readonly cacheTransactions: number
  private readonly listeners = new Set<(block: StoredBlock) => void>()
  private readonly batches: BatchRecord[] = []
  /**
   * Address-index counts as of the last write built (not read back from LevelDB on every
   * transaction: the builder writes thousands a second). Two generations, so that dropping the
   * older addresses is one step (evicting one entry at a time from the front of a Map walks over
   * the holes its deletions left); an address found in the older one moves to the newer. A miss
   * reads the store.
   */
  private addressCounts = new Map<string, AddressEntry>()
  private olderAddressCounts = new Map<string, AddressEntry>()
  private readonly addressCountGeneration: number
  /** The id of the last `AddressWrite` begun (entries touched by an older one are not pending). */
  private addressWrites = 0

  private constructor(store: KeyValueStore, chainId: bigint, options: ChainStoreOptions) {
    this.store = store
    this.chainId = chainId
    this.addressCountGeneration = Math.max(1, Math.floor((options.addressCountCache ?? ADDRESS_COUNT_CACHE) / 2))
    this.cacheTransactions = options.cacheTransactions ?? CACHE_TRANSACTIONS
  }

  /** Opens the chain in `store`, writing the genesis block on first use; refuses another chain's data. */
  static async open(store: KeyValueStore, config: RollupConfig, options: ChainStoreOptions = {}): Promise<ChainStore> {
    const chain = new ChainStore(store, config.chainId, options)
    const genesis = genesisBlock(config)
    const storedGenesis = chain.readBlock(0n)
    if (storedGenesis === undefined) {
      const block: StoredBlock = {
        hash: genesis.hash,
        header: genesis.header,
        transactions: [],
        messageCountAfter: 0n,
        slotCount: 0,
      }
      const ops = chain.blockOps(block, [], chain.addressWrite())
      for (const head of HEADS) ops.push({ type: 'put', key: key(PREFIX.head, utf8ToBytes(head)), value: u64Key(0n) })
      // The genesis state (protocol.md §3.3) and block land together.
      const state = new StateDb(store)
      writeGenesisState(state)
      const root = await state.commit(ops)
      if (hashKey(root) !== hashKey(genesis.header.stateRoot)) {
        throw new ChainStoreMismatchError(
          `The rollup config's genesisStateRoot ${config.genesisStateRoot} is not the genesis state's root ${bytesToHex(root)}.`,
        )
      }
    } else if (hashKey(storedGenesis.hash) !== hashKey(genesis.hash)) {
      throw new ChainStoreMismatchError('Its genesis block differs from the one the rollup config gives.')
    }
    for (const head of HEADS) {
      const raw = store.getSync(key(PREFIX.head, utf8ToBytes(head)))
      const number = raw === undefined ? 0n : bytesToBigint(raw)
      const block = chain.readBlock(number)
      if (block === undefined)
        throw new ChainStoreCorruptError(`the ${head} head names block ${number}, which is missing`)
      chain.heads.set(head, block)
    }
    for (let index = 0n; ; index++) {
      const raw = store.getSync(key(PREFIX.batch, u64Key(index)))
      if (raw === undefined) break
      chain.batches.push(decodeBatchRecord(raw))
    }
    return chain
  }

  head(name: HeadName): StoredBlock {
    return this.heads.get(name) as StoredBlock
  }

  blockByNumber(number: bigint): StoredBlock | undefined {
    if (number < 0n || number > this.head('unsafe').header.number) return undefined
    return this.readBlock(number)
  }

  blockByHash(hash: Uint8Array): StoredBlock | undefined {
    const raw = this.store.getSync(key(PREFIX.hash, hash))
    if (raw === undefined) return undefined
    const block = this.blockByNumber(bytesToBigint(raw))
    return block !== undefined && hashKey(block.hash) === hashKey(hash) ? block : undefined
  }

  transactionLocation(hash: Uint8Array): TransactionLocation | undefined {
    const raw = this.store.getSync(key(PREFIX.tx, hash))
    if (raw !== undefined) {
      const [numberBytes, indexBytes] = decodeRlp(raw) as Uint8Array[]
      const blockNumber = bytesToBigint(numberBytes as Uint8Array)
      const index = Number(bytesToBigint(indexBytes as Uint8Array))
      const block = this.blockByNumber(blockNumber)
      const tx = block?.transactions[index]
      if (block !== undefined && tx !== undefined && hashKey(tx.hash) === hashKey(hash)) {
        return { status: 'included', blockNumber, blockHash: block.hash, index }
      }
    }
    const dropped = this.store.getSync(key(PREFIX.dropped, hash))
    if (dropped !== undefined) {
      const [reason, detail, at] = decodeRlp(dropped) as Uint8Array[]
      return {
        status: 'dropped',
        reason: Buffer.from(reason as Uint8Array).toString('utf8'),
        detail: detail && detail.length > 0 ? Buffer.from(detail).toString('utf8') : undefined,
        at: Number(bytesToBigint(at as Uint8Array)),
      }
    }
    return undefined
  }

  /** The included transaction with `hash`, with its block. */
  transaction(hash: Uint8Array): { block: StoredBlock; tx: StoredTransaction } | undefined {
    const location = this.transactionLocation(hash)
    if (location?.status !== 'included') return undefined
    const block = this.blockByNumber(location.blockNumber) as StoredBlock
    return { block, tx: block.transactions[location.index] as StoredTransaction }
  }

  stateAt(blockNumber: bigint): StateDb {
    const block = this.blockByNumber(blockNumber)
    if (block === undefined)
      throw new SluiceError(`block ${blockNumber} is not in this node's chain`, { severity: 'invalidInput' })
    return new StateDb(this.store, block.header.stateRoot)
  }

  account(blockNumber: bigint, address: Uint8Array) {
    return this.stateAt(blockNumber).getAccount(address)
  }

  storageAt(blockNumber: bigint, address: Uint8Array, slot: Uint8Array): Uint8Array {
    return this.stateAt(blockNumber).getStorage(address, slot)
  }

  proof(blockNumber: bigint, address: Uint8Array, slots: readonly Uint8Array[]) {
    const state = this.stateAt(blockNumber)
    return {
      accountProof: state.accountProof(address),
      storageProofs: slots.map((slot) => ({
        key: slot,
        value: state.getStorage(address, slot),
        proof: state.storageProof(address, slot),
      })),
    }
  }

  onNewHead(listener: (block: StoredBlock) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Derived batches, by inbox index. */
  batch(index: bigint): BatchRecord | undefined {
    return this.batches[Number(index)]
  }

  get batchCount(): number {
    return this.batches.length
  }

  /** The first batch whose last block is at or after `blockNumber` (the batch that carries it). */
  batchOfBlock(blockNumber: bigint): BatchRecord | undefined {
    let lo = 0
    let hi = this.batches.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.batches[mid] as BatchRecord).lastBlock < blockNumber) lo = mid + 1
      else hi = mid
    }
    return this.batches[lo]
  }

  /**
   * The writes that append `blocks` on top of the unsafe head (replacing any block at or above the
   * first one's number) and move `heads` to the last one. Hand them to `StateDb.startCommit` so the
   * state and the chain land in one batch, then call `applied` with the same arguments.
   */
  appendOps(blocks: readonly StoredBlock[], heads: readonly HeadName[] = ['unsafe']): BatchOp[] {
    const ops: BatchOp[] = []
    const first = blocks[0]
    if (first === undefined) return ops
    const unsafe = this.head('unsafe').header.number
    const counts = this.addressWrite()
    this.removeBlocksOps(first.header.number, unsafe, ops, counts)
    for (const block of blocks) this.blockOps(block, ops, counts)
    this.addressCountOps(counts, ops)
    const last = blocks[blocks.length - 1] as StoredBlock
    for (const head of heads) ops.push(this.headOp(head, last.header.number))
    return ops
  }

  /** Updates memory after the writes of `appendOps` were submitted; tells `onNewHead` listeners. */
  applied(blocks: readonly StoredBlock[], heads: readonly HeadName[] = ['unsafe']): void {
    const first = blocks[0]
    if (first === undefined) return
    for (const n of [...this.cache.keys()]) if (n >= first.header.number) this.forget(n)
    for (const n of [...this.readBack.keys()]) if (n >= first.header.number) this.readBack.delete(n)
    for (const block of blocks) this.remember(block)
    const last = blocks[blocks.length - 1] as StoredBlock
    for (const head of heads) this.heads.set(head, last)
    if (heads.includes('unsafe')) for (const listener of this.listeners) for (const b of blocks) listener(b)
  }

  /** Moves heads in memory to blocks already written (after the write of their `headOp`s). */
  headsApplied(moves: Partial<Record<HeadName, bigint>>): void {
    for (const [head, number] of Object.entries(moves) as [HeadName, bigint][]) {
      const block = this.readBlock(number)
      if (block === undefined)
        throw new ChainStoreCorruptError(`the ${head} head names block ${number}, which is missing`)
      this.heads.set(head, block)
    }
  }

  /** The writes that delete batch records from `index` on. */
  truncateBatchOps(index: bigint, ops: BatchOp[] = []): BatchOp[] {
    for (let i = Number(index); i < this.batches.length; i++) {
      ops.push({ type: 'del', key: key(PREFIX.batch, u64Key(BigInt(i))) })
    }
    return ops
  }

  /** Forgets batch records from `index` on in memory (after `truncateBatchOps` was written). */
  batchesTruncated(index: bigint): void {
    this.batches.length = Math.min(this.batches.length, Number(index))
  }

  /** Appends and commits in one batch without state (blocks whose state is already written). */
  async append(blocks: readonly StoredBlock[], heads: readonly HeadName[] = ['unsafe']): Promise<void> {
    const ops = this.appendOps(blocks, heads)
    this.applied(blocks, heads)
    await this.store.batch(ops)
  }

  /** The write that moves `head` to block `number`. */
  headOp(head: HeadName, number: bigint): BatchOp {
    return { type: 'put', key: key(PREFIX.head, utf8ToBytes(head)), value: u64Key(number) }
  }

  /** Moves heads to existing blocks (safe, finalized; or unsafe back after a reorg). */
  async setHeads(moves: Partial<Record<HeadName, bigint>>, extraOps: BatchOp[] = []): Promise<void> {
    const ops = [...extraOps]
    const unsafe = moves.unsafe
    if (unsafe !== undefined) {
      const counts = this.addressWrite()
      this.removeBlocksOps(unsafe + 1n, this.head('unsafe').header.number, ops, counts)
      this.addressCountOps(counts, ops)
    }
    for (const [head, number] of Object.entries(moves) as [HeadName, bigint][]) {
      const block = this.readBlock(number)
      if (block === undefined)
        throw new ChainStoreCorruptError(`cannot move the ${head} head to missing block ${number}`)
      ops.push(this.headOp(head, number))
    }
    if (unsafe !== undefined) {
      for (const n of [...this.cache.keys()]) if (n > unsafe) this.forget(n)
      for (const n of [...this.readBack.keys()]) if (n > unsafe) this.readBack.delete(n)
    }
    for (const [head, number] of Object.entries(moves) as [HeadName, bigint][]) {
      this.heads.set(head, this.readBlock(number) as StoredBlock)
    }
    await this.store.batch(ops)
  }

  /** The write that records derived batch `record` (and drops later records after a rewind). */
  batchOps(record: BatchRecord, ops: BatchOp[] = []): BatchOp[] {
    ops.push({ type: 'put', key: key(PREFIX.batch, u64Key(record.index)), value: encodeBatchRecord(record) })
    return ops
  }

  /** Call once the batch record written by `batchOps` was submitted. */
  batchApplied(record: BatchRecord): void {
    this.batches.length = Number(record.index)
    this.batches.push(record)
  }

  /** Forgets derived batches from `index` on (an L1 reorg removed them). */
  async truncateBatches(index: bigint): Promise<void> {
    const ops: BatchOp[] = []
    for (let i = Number(index); i < this.batches.length; i++) {
      ops.push({ type: 'del', key: key(PREFIX.batch, u64Key(BigInt(i))) })
    }
    this.batches.length = Math.min(this.batches.length, Number(index))
    await this.store.batch(ops)
  }

  /** Records that an acknowledged transaction was dropped, with the reason `transactionLocation` reports. */
  droppedOp(hash: Uint8Array, reason: string, detail?: string): BatchOp {
    return {
      type: 'put',
      key: key(PREFIX.dropped, hash),
      value: encodeRlp([utf8ToBytes(reason), utf8ToBytes(detail ?? ''), BigInt(Date.now())]),
    }
  }

  /** A small key-value namespace for node components (cursors, positions), in the same database. */
  metaKey(name: string): Uint8Array {
    return key(PREFIX.meta, utf8ToBytes(name))
  }

  private readBlock(number: bigint): StoredBlock | undefined {
    const cached = this.cache.get(number) ?? this.readBack.get(number)
    if (cached !== undefined) return cached
    const raw = this.store.getSync(key(PREFIX.block, u64Key(number)))
    if (raw === undefined) return undefined
    const block = decodeStoredBlock(raw)
    if (this.olderThanCached(number)) {
      this.readBack.set(number, block)
      if (this.readBack.size > READ_BACK_BLOCKS) this.readBack.delete(this.readBack.keys().next().value as bigint)
    } else {
      this.remember(block)
    }
    return block
  }

  /** Whether block `number` is below every cached block (a read miss only: it walks the cache's keys). */
  private olderThanCached(number: bigint): boolean {
    if (this.cache.size === 0) return false
    for (const cached of this.cache.keys()) if (cached < number) return false
    return true
  }

  private remember(block: StoredBlock): void {
    this.forget(block.header.number)
    this.cache.set(block.header.number, block)
    this.cachedTransactions += block.transactions.length
    while (this.cache.size > 1 && (this.cache.size > CACHE_BLOCKS || this.cachedTransactions > this.cacheTransactions))
      this.forget(this.cache.keys().next().value as bigint)
  }

  private forget(number: bigint): void {
    const block = this.cache.get(number)
    if (block === undefined) return
    this.cache.delete(number)
    this.cachedTransactions -= block.transactions.length
  }

  /** Blocks and transactions held decoded in memory (bounded by CACHE_BLOCKS and CACHE_TRANSACTIONS). */
  get cacheSize(): { blocks: number; transactions: number } {
    return { blocks: this.cache.size, transactions: this.cachedTransactions }
  }

  /**
   * How many transactions the address index holds for `address` (sent or received), and the
   * newest-first page of them below `before` (a sequence number from an earlier page).
   */
  addressTransactions(
    address: Uint8Array,
    { before, limit }: { before?: bigint | undefined; limit: number },
  ): { total: bigint; entries: AddressTransactionRef[] } {
    const total = this.addressCount(address)
    const entries: AddressTransactionRef[] = []
    let sequence = before === undefined || before > total ? total : before
    while (sequence > 0n && entries.length < limit) {
      sequence--
      const raw = this.store.getSync(this.addressEntryKey(address, sequence))
      if (raw === undefined) throw new ChainStoreCorruptError(`address index entry ${sequence} is missing`)
      const [numberBytes, indexBytes] = decodeRlp(raw) as Uint8Array[]
      entries.push({
        sequence,
        blockNumber: bytesToBigint(numberBytes as Uint8Array),
        index: Number(bytesToBigint(indexBytes as Uint8Array)),
      })
    }
    return { total, entries }
  }

  /** How many entries the index holds for `address` as of the last write built (memory, else the store). */
  private addressCount(address: Uint8Array): bigint {
    const id = hashKey(address)
    return (this.addressCounts.get(id) ?? this.olderAddressCounts.get(id))?.count ?? this.storedAddressCount(address)
  }

  /**
   * The count in the store: its count record, and the entries past it. The entries are numbered
   * from 0 without gaps, so an address without entry 0 has none: most addresses not held in memory
   * are new (a transfer's fresh recipient), and they cost one read that finds nothing instead of two.
   */
  private storedAddressCount(address: Uint8Array): bigint {
    if (this.store.getSync(this.addressEntryKey(address, 0n)) === undefined) return 0n
    const raw = this.store.getSync(key(PREFIX.addressCount, address))
    // The record may lag the entries by less than ADDRESS_COUNT_STRIDE (an entry's write holds its
    // count's, if any): the first missing entry past it is the count.
    let count = raw === undefined ? 1n : bytesToBigint(raw)
    if (count < 1n) count = 1n
    while (this.store.getSync(this.addressEntryKey(address, count)) !== undefined) count++
    return count
  }

  /** A new write's address-index counts. */
  private addressWrite(): AddressWrite {
    return { id: ++this.addressWrites, touched: [] }
  }

  /**
   * The entry of `address` in memory, pending in `write` (the count it starts from is the last one
   * built): found in the newer generation, moved there from the older one, or read from the store.
   */
  private addressEntry(address: Uint8Array, write: AddressWrite): AddressEntry {
    const id = hashKey(address)
    let entry = this.addressCounts.get(id)
    if (entry === undefined) {
      entry = this.olderAddressCounts.get(id)
      if (entry === undefined) {
        const count = this.storedAddressCount(address)
        entry = { address, count, write: 0, pending: count, before: count, exact: false }
      } else {
        this.olderAddressCounts.delete(id)
      }
      this.addressCounts.set(id, entry)
      if (this.addressCounts.size >= this.addressCountGeneration) {
        const dropped = this.olderAddressCounts
        this.olderAddressCounts = this.addressCounts
        this.addressCounts = new Map()
        // an entry pending in this write stays findable until the write is built (its count is not in the store)
        for (const [heldId, held] of dropped) if (held.write === write.id) this.addressCounts.set(heldId, held)
      }
    }
    if (entry.write !== write.id) {
      entry.write = write.id
      entry.pending = entry.count
      entry.before = entry.count
      entry.exact = false
      write.touched.push(entry)
    }
    return entry
  }

  /** `c/ae/<address><u64 sequence>`, built in one allocation (one per indexed transaction). */
  private addressEntryKey(address: Uint8Array, sequence: bigint): Uint8Array {
    const prefix = PREFIX.addressEntry
    const out = new Uint8Array(prefix.length + address.length + 8)
    out.set(prefix, 0)
    out.set(address, prefix.length)
    writeU64(out, prefix.length + address.length, sequence)
    return out
  }

  /**
   * The count writes of one built write; from here on they are what the index holds (the write is
   * submitted next). A count that only grew is written when it passes a multiple of
   * ADDRESS_COUNT_STRIDE, so the stored one is never more than that behind; one that lost entries is
   * written as it is, so that it is never above the entries left.
   */
  private addressCountOps(write: AddressWrite, ops: BatchOp[]): void {
    for (const entry of write.touched) {
      const { address, pending: count, before, exact } = entry
      if (exact || count / ADDRESS_COUNT_STRIDE !== before / ADDRESS_COUNT_STRIDE) {
        const countKey = key(PREFIX.addressCount, address)
        ops.push(count === 0n ? { type: 'del', key: countKey } : { type: 'put', key: countKey, value: u64Key(count) })
      }
      entry.count = count
    }
  }

  /** Indexes the transaction at `location` under `address` (its count is pending in `write`). */
  private indexAddressOp(address: Uint8Array, location: Uint8Array, ops: BatchOp[], write: AddressWrite): void {
    const entry = this.addressEntry(address, write)
    ops.push({ type: 'put', key: this.addressEntryKey(address, entry.pending), value: location })
    entry.pending++
  }

  /** Writes of `block`; its address-index entries are counted in `counts` (write them with `addressCountOps`). */
  private blockOps(block: StoredBlock, ops: BatchOp[], counts: AddressWrite): BatchOp[] {
    const number = u64Key(block.header.number)
    ops.push({ type: 'put', key: key(PREFIX.block, number), value: encodeStoredBlock(block) })
    ops.push({ type: 'put', key: key(PREFIX.hash, block.hash), value: number })
    const locations = new TransactionLocations(block.header.number)
    for (const tx of block.transactions) {
      const location = locations.of(tx.index)
      ops.push({ type: 'put', key: key(PREFIX.tx, tx.hash), value: location })
      this.indexAddressOp(tx.sender, location, ops, counts)
      const to = tx.tx.to
      if (to !== undefined && to !== null && !equalBytes(to, tx.sender)) this.indexAddressOp(to, location, ops, counts)
    }
    return ops
  }

  /**
   * Removes blocks `from … to` (the top of the chain). Newest first, so that each removed
   * transaction is the newest entry of its addresses' index; an entry that is not (already
   * removed by a write still in flight) is left alone rather than miscounted.
   */
  private removeBlocksOps(from: bigint, to: bigint, ops: BatchOp[], counts: AddressWrite): void {
    for (let number = to; number >= from; number--) {
      const block = this.readBlock(number)
      if (block === undefined) continue
      ops.push({ type: 'del', key: key(PREFIX.block, u64Key(number)) })
      ops.push({ type: 'del', key: key(PREFIX.hash, block.hash) })
      for (let i = block.transactions.length - 1; i >= 0; i--) {
        const tx = block.transactions[i] as StoredTransaction
        ops.push({ type: 'del', key: key(PREFIX.tx, tx.hash) })
        for (const address of indexedAddresses(tx)) {
          const entry = this.addressEntry(address, counts)
          const count = entry.pending
          if (count === 0n) continue
          const entryKey = this.addressEntryKey(address, count - 1n)
          const raw = this.store.getSync(entryKey)
          if (raw === undefined) continue
          const [numberBytes, indexBytes] = decodeRlp(raw) as Uint8Array[]
          if (
            bytesToBigint(numberBytes as Uint8Array) !== number ||
            Number(bytesToBigint(indexBytes as Uint8Array)) !== i
          ) {
            continue
          }
          ops.push({ type: 'del', key: entryKey })
          entry.pending = count - 1n
          entry.exact = true
        }
      }
    }
  }
}
