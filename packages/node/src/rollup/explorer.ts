/**
 * The explorer's `sluice_*` answers (rpc/explorerMethods.ts): an address's transactions from the
 * chain store's address index, batches with their L1 cost, claims and games from the events the L1
 * reader folded, withdrawals with their status, and search. Deadlines, clocks and payouts are the
 * contracts' current state, read from L1 and kept for a second or two so that a page polling it
 * does not turn into an L1 call per request.
 */
import { claimManagerAbi, disputeGameAbi, portalAbi } from '@sluice/contracts'
import {
  BYTES_PER_BLOB,
  blobCapacity,
  bytesToHex,
  equalBytes,
  type Hex,
  hexToBytes,
  MESSAGE_PASSER,
} from '@sluice/core'
import type { PublicClient } from 'viem'
import { BlobStore } from '../chain/blobStore.ts'
import type { ChainStore } from '../chain/store.ts'
import type { BatchRecord, StoredBlock, StoredTransaction } from '../chain/types.ts'
import type { L1Reader } from '../l1/reader.ts'
import type { ClaimRecord, DisputeEvent, GameRecord } from '../l1/types.ts'
import type { ExplorerPage, ExplorerRpcProvider } from '../rpc/explorerMethods.ts'
import type { RpcJson } from '../rpc/types.ts'
import { checkClaim, claimsCovering, withdrawalOf } from './provider.ts'

export type ExplorerProviderOptions = {
  chain: ChainStore
  reader: L1Reader
  /** Reads the contracts' current state (deadlines, clocks, `paid`); without it those fields are null. */
  l1Client?: PublicClient | undefined
  /** Whether a transaction hash is pending in this node's mempool. */
  isPending?: ((hash: Uint8Array) => boolean) | undefined
}

/** How far back the withdrawals of an address are looked for in its index (newest first). */
const WITHDRAWAL_SCAN = 1_000
const CACHE_ENTRIES = 4_096

/** A small time-bounded cache of L1 reads; a failed read is not kept. */
class L1ReadCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>()

  read<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key)
    if (hit !== undefined && Date.now() - hit.at < ttlMs) return hit.value as Promise<T>
    const value = load()
    this.entries.set(key, { at: Date.now(), value })
    value.catch(() => this.entries.delete(key))
    if (this.entries.size > CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value as string)
    return value
  }
}

const CLAIM_STATUS = ['none', 'pending', 'finalized', 'deleted'] as const
const GAME_STATUS = ['none', 'open', 'staker won', 'challenger won', 'voided'] as const

/** Newest first below `page.before` over ids `0 … count − 1`. */
function pageIds(count: bigint, page: ExplorerPage): bigint[] {
  const ids: bigint[] = []
  let id = page.before === undefined || page.before > count ? count : page.before
  while (id > 0n && ids.length < page.limit) ids.push(--id)
  return ids
}

function transactionJson(block: StoredBlock, tx: StoredTransaction): RpcJson {
  const withdrawal = withdrawalOf(tx)
  return {
    hash: tx.hash,
    blockNumber: block.header.number,
    blockHash: block.hash,
    transactionIndex: tx.index,
    timestamp: block.header.timestamp,
    from: tx.sender,
    to: tx.tx.to ?? null,
    value: tx.tx.value,
    fee: tx.gasUsed * tx.effectiveGasPrice,
    nonce: tx.tx.nonce,
    kind: withdrawal === undefined ? 'transfer' : 'withdrawal',
    forced: tx.forced,
  }
}

function moveJson(event: DisputeEvent): RpcJson {
  const a = event.args
  const n = (name: string) => (typeof a[name] === 'string' && a[name] !== '' ? BigInt(a[name] as string) : null)
  const base = { name: event.name, l1BlockNumber: event.l1BlockNumber, l1TransactionHash: event.l1TransactionHash }
  switch (event.name) {
    case 'GameOpened':
      return { ...base, lo: n('lo'), hi: n('hi'), rootLo: a.rootLo ?? null, rootHi: a.rootHi ?? null }
    case 'Bisected':
      return { ...base, mid: n('mid'), root: a.root ?? null }
    case 'Responded':
      return { ...base, agreed: a.agreed === true, lo: n('lo'), hi: n('hi') }
    case 'StepProven':
      return { ...base, messageIndex: n('messageIndex'), postStateRoot: a.postStateRoot ?? null }
    case 'GameResolved':
      return {
        ...base,
        stakerWon: a.stakerWon === true,
        winner: a.winner ?? null,
        credited: n('credited'),
        burned: n('burned'),
      }
    default:
      return base
  }
}

/**
 * Where a batch's bytes are on L1: the calldata of its inbox call, EIP-4844 blobs (their versioned
 * hashes, in the inbox's order), or nowhere for a forced-inclusion batch (it has no body).
 */
export type BatchDataAvailability =
  | { kind: 'calldata' }
  | { kind: 'blobs'; versionedHashes: readonly Hex[] }
  | { kind: 'none' }

export function batchDataAvailability(record: BatchRecord): BatchDataAvailability {
  return record.forced ? { kind: 'none' } : record.dataAvailability
}

/**
 * The body length a blob batch's blobs carry (§5.7.2: the 4-byte length prefix at payload bytes 0..3,
 * i.e. bytes 1..4 of the first blob's first element, cut to the blobs' capacity), from the blobs this
 * node kept; undefined when it does not hold the first blob.
 */
function blobBodyLength(blobs: BlobStore, versionedHashes: readonly Hex[]): number | undefined {
  const first = versionedHashes[0] === undefined ? undefined : blobs.get(versionedHashes[0])
  if (first === undefined || first.length < 5) return undefined
  const declared = new DataView(first.buffer, first.byteOffset + 1, 4).getUint32(0)
  return Math.min(declared, blobCapacity(versionedHashes.length))
}

/**
 * A batch as every display shows it (RPC, SDK, explorer, CLI): its L2 range and root, where its data
 * is (DA kind, blob count and versioned hashes), its bytes and bytes per transaction slot, and what it
 * cost on L1 — the batch transaction's execution gas and blob gas, each at the price it paid — read
 * from its receipt (null without an L1 client: unknown, never zero).
 */
export function createBatchDisplay(options: {
  chain: ChainStore
  reader: L1Reader
  l1Client?: PublicClient | undefined
  cache?: L1ReadCache
}): (record: BatchRecord) => Promise<RpcJson> {
  const { chain, reader, l1Client } = options
  const cache = options.cache ?? new L1ReadCache()
  const blobs = new BlobStore(chain.store)
  /** A confirmed transaction's receipt never changes (a reorged batch is re-posted with another hash). */
  const batchCost = (hash: Uint8Array) =>
    l1Client === undefined
      ? Promise.resolve(undefined)
      : cache
          .read(`receipt:${bytesToHex(hash)}`, Number.POSITIVE_INFINITY, async () => {
            const receipt = await l1Client.getTransactionReceipt({ hash: bytesToHex(hash) as Hex })
            const blobGasUsed = receipt.blobGasUsed ?? 0n
            const executionCost = receipt.gasUsed * receipt.effectiveGasPrice
            const blobCost = blobGasUsed * (receipt.blobGasPrice ?? 0n)
            return { gasUsed: receipt.gasUsed, blobGasUsed, executionCost, blobCost, cost: executionCost + blobCost }
          })
          .catch(() => undefined)

  return async (record) => {
    const previous = record.index === 0n ? undefined : chain.batch(record.index - 1n)
    const messages = record.messageCountAfter - (previous?.messageCountAfter ?? 0n)
    const delayed = record.delayedCountAfter - (previous?.delayedCountAfter ?? 0n)
    const transactionSlots = messages - delayed
    const da = batchDataAvailability(record)
    // Calldata: the batch's bytes; blobs: the body they carry.
    const bytes =
      da.kind === 'blobs' ? blobBodyLength(blobs, da.versionedHashes) : reader.batch(record.index)?.bytes.length
    const cost = record.l1TransactionHash === undefined ? undefined : await batchCost(record.l1TransactionHash)
    const finalized = record.lastBlock <= chain.head('finalized').header.number
    const blobCount = da.kind === 'blobs' ? da.versionedHashes.length : 0
    return {
      index: record.index,
      l1BlockNumber: record.l1BlockNumber,
      l1BlockHash: record.l1BlockHash,
      l1TransactionHash: record.l1TransactionHash ?? null,
      dataAvailability: {
        kind: da.kind,
        blobCount,
        versionedHashes: da.kind === 'blobs' ? [...da.versionedHashes] : [],
      },
      forced: record.forced,
      bytes: bytes ?? null,
      // The share of the blobs' bytes the batch fills (null for calldata).
      blobFill: bytes === undefined || blobCount === 0 ? null : bytes / (blobCount * BYTES_PER_BLOB),
      delayedMessages: delayed,
      transactionSlots,
      bytesPerTransaction: bytes === undefined || transactionSlots === 0n ? null : bytes / Number(transactionSlots),
      l1GasUsed: cost?.gasUsed ?? null,
      l1BlobGasUsed: cost?.blobGasUsed ?? null,
      l1ExecutionCost: cost?.executionCost ?? null,
      l1BlobCost: cost?.blobCost ?? null,
      l1Cost: cost?.cost ?? null,
      firstBlock: record.firstBlock,
      lastBlock: record.lastBlock,
      blockCount: record.lastBlock >= record.firstBlock ? record.lastBlock - record.firstBlock + 1n : 0n,
      messageCountAfter: record.messageCountAfter,
      delayedCountAfter: record.delayedCountAfter,
      stateRoot: record.stateRoot,
      accumulator: record.accumulator,
      state: finalized ? 'finalized' : 'safe',
    }
  }
}

/** The explorer's answers for a node that derives from L1 (sequencer and verifier alike). */
export function createExplorerProvider(options: ExplorerProviderOptions): ExplorerRpcProvider {
  const { chain, reader, l1Client } = options
  const cache = new L1ReadCache()
  const { claimManager, disputeGame, portal } = reader.addresses

  const l1 = <T>(key: string, ttlMs: number, load: (client: PublicClient) => Promise<T>): Promise<T | undefined> =>
    l1Client === undefined
      ? Promise.resolve(undefined)
      : cache.read(key, ttlMs, () => load(l1Client)).catch(() => undefined)

  const l1Now = () => l1('now', 1_000, async (client) => (await client.getBlock({ blockTag: 'latest' })).timestamp)

  const claimOnChain = (claimId: bigint) =>
    l1(`claim:${claimId}`, 2_000, async (client) => {
      const at = { address: claimManager, args: [claimId] } as const
      const [claim, finalizable] = await Promise.all([
        client.readContract({ abi: claimManagerAbi, functionName: 'getClaim', ...at }),
        client.readContract({ abi: claimManagerAbi, functionName: 'isFinalizable', ...at }),
      ])
      return { claim, finalizable }
    })

  const gameOnChain = (gameId: bigint) =>
    l1(`game:${gameId}`, 1_000, (client) =>
      client.readContract({ abi: disputeGameAbi, address: disputeGame, functionName: 'getGame', args: [gameId] }),
    )

  const batchJson = createBatchDisplay({ chain, reader, l1Client, cache })

  const gamesOf = (claimId: bigint): GameRecord[] => reader.games().filter((g) => g.claimId === claimId)

  const claimJson = async (record: ClaimRecord): Promise<RpcJson> => {
    const check = checkClaim(chain, record)
    const onChain = await claimOnChain(record.claimId)
    const games = gamesOf(record.claimId)
    return {
      claimId: record.claimId,
      batchIndex: record.batchIndex,
      messageCount: record.messageCount,
      stateRoot: record.stateRoot,
      proposer: record.proposer,
      stakers: record.stakers,
      slashed: record.slashed,
      // The events this node has confirmed; `onChainStatus` is L1's latest word.
      status: record.status,
      onChainStatus: onChain === undefined ? null : (CLAIM_STATUS[onChain.claim.status] ?? 'unknown'),
      challengeDeadline: onChain === undefined ? null : BigInt(onChain.claim.challengeDeadline),
      finalizable: onChain?.finalizable ?? null,
      openGames: games.filter((g) => g.status === 'open').length,
      games: games.map((g) => ({
        gameId: g.gameId,
        staker: g.staker,
        challenger: g.challenger,
        status: g.status,
        stakerWon: g.stakerWon ?? null,
      })),
      verdict: check.verdict,
      derivedRoot: check.derivedRoot ?? null,
      l1BlockNumber: record.l1BlockNumber,
      l1TransactionHash: record.l1TransactionHash,
    }
  }

  const withdrawalJson = async (block: StoredBlock, tx: StoredTransaction): Promise<RpcJson | undefined> => {
    const withdrawal = withdrawalOf(tx)
    if (withdrawal === undefined) return undefined
    const blockNumber = block.header.number
    const hash = bytesToHex(tx.hash)
    const paid = await l1(`paid:${bytesToHex(withdrawal.withdrawalHash)}`, 2_000, (client) =>
      client.readContract({
        abi: portalAbi,
        address: portal,
        functionName: 'paid',
        args: [bytesToHex(withdrawal.withdrawalHash) as Hex],
      }),
    )
    const covering = claimsCovering(chain, reader, blockNumber)
    const batch = covering.batch
    // The earliest claims finalize first; later ones need not be read from L1 on every poll.
    const claims = covering.claims.slice(0, 8).map((c) => c.claim)
    let status: string = batch === undefined ? 'included' : claims.length === 0 ? 'safe' : 'claimed'
    let finalizableAt: bigint | undefined
    let claimId: bigint | undefined
    for (const claim of claims) {
      const onChain = await claimOnChain(claim.claimId)
      const ready = claim.status === 'finalized' || onChain?.finalizable === true || onChain?.claim.status === 2
      if (ready) {
        status = 'finalizable'
        claimId = claim.claimId
        finalizableAt = undefined
        break
      }
      const deadline = onChain === undefined ? undefined : BigInt(onChain.claim.challengeDeadline)
      if (deadline !== undefined && (finalizableAt === undefined || deadline < finalizableAt)) {
        finalizableAt = deadline
        claimId = claim.claimId
      }
    }
    if (paid === true) status = 'finalized'
    return {
      transactionHash: tx.hash,
      blockNumber,
      timestamp: block.header.timestamp,
      l1Recipient: withdrawal.l1Recipient,
      value: withdrawal.value,
      withdrawalHash: withdrawal.withdrawalHash,
      status,
      batchIndex: batch?.index ?? null,
      claimId: claimId ?? null,
      finalizableAt: finalizableAt ?? null,
      paid: paid ?? null,
      command: status === 'finalized' ? null : `npx sluice finalize ${hash}`,
    }
  }

  const locate = (blockNumber: bigint, index: number) => {
    const block = chain.blockByNumber(blockNumber)
    const tx = block?.transactions[index]
    return block === undefined || tx === undefined ? undefined : { block, tx }
  }

  return {
    addressTransactions(address, page) {
      const { total, entries } = chain.addressTransactions(address, page)
      const transactions: RpcJson[] = []
      for (const entry of entries) {
        const found = locate(entry.blockNumber, entry.index)
        if (found !== undefined) transactions.push(transactionJson(found.block, found.tx))
      }
      const last = entries[entries.length - 1]
      return {
        address,
        total,
        transactions,
        nextBefore: last === undefined || last.sequence === 0n ? null : last.sequence,
      }
    },

    async addressWithdrawals(address, page) {
      const withdrawals: RpcJson[] = []
      let before = page.before
      let scanned = 0
      let nextBefore: bigint | null = null
      while (withdrawals.length < page.limit && scanned < WITHDRAWAL_SCAN) {
        const { entries } = chain.addressTransactions(address, { before, limit: 100 })
        if (entries.length === 0) break
        for (const entry of entries) {
          scanned++
          before = entry.sequence
          const found = locate(entry.blockNumber, entry.index)
          if (found === undefined || !equalBytes(found.tx.sender, address)) continue
          if (found.tx.tx.to === undefined || !equalBytes(found.tx.tx.to, MESSAGE_PASSER)) continue
          const json = await withdrawalJson(found.block, found.tx)
          if (json !== undefined) withdrawals.push(json)
          if (withdrawals.length >= page.limit) break
        }
        nextBefore = before === undefined || before === 0n ? null : before
        if (entries.length < 100) {
          if (withdrawals.length < page.limit) nextBefore = null
          break
        }
      }
      return { address, withdrawals, nextBefore, scanned }
    },

    async batches(page) {
      const ids = pageIds(BigInt(chain.batchCount), page)
      const batches: RpcJson[] = []
      for (const id of ids) {
        const record = chain.batch(id)
        if (record !== undefined) batches.push(await batchJson(record))
      }
      const last = ids[ids.length - 1]
      return {
        total: BigInt(chain.batchCount),
        batches,
        nextBefore: last === undefined || last === 0n ? null : last,
      }
    },

    async batchDetails(index) {
      const record = chain.batch(index)
      return record === undefined ? null : await batchJson(record)
    },

    async batchOfBlock(blockNumber) {
      if (blockNumber > chain.head('safe').header.number) return null
      const record = chain.batchOfBlock(blockNumber)
      return record === undefined || record.firstBlock > blockNumber ? null : await batchJson(record)
    },

    async claims(page) {
      const all = reader.claims().sort((a, b) => (a.claimId < b.claimId ? 1 : -1))
      const below = page.before === undefined ? all : all.filter((c) => c.claimId < (page.before as bigint))
      const chosen = below.slice(0, page.limit)
      const last = chosen[chosen.length - 1]
      return {
        total: BigInt(all.length),
        claims: await Promise.all(chosen.map(claimJson)),
        nextBefore: last === undefined || below.length <= page.limit ? null : last.claimId,
      }
    },

    async game(gameId) {
      const record = reader.game(gameId)
      if (record === undefined) return null
      const [onChain, now] = await Promise.all([gameOnChain(gameId), l1Now()])
      const claim = reader.claim(record.claimId)
      const ranges: RpcJson[] = []
      for (const event of record.events) {
        if (event.name === 'GameOpened' || event.name === 'Responded') {
          ranges.push({
            lo: BigInt(String(event.args.lo)),
            hi: BigInt(String(event.args.hi)),
            l1BlockNumber: event.l1BlockNumber,
          })
        }
      }
      const proof = record.events.find((e) => e.name === 'StepProven')
      let clocks: RpcJson = null
      let turn: string | null = null
      if (onChain !== undefined) {
        turn = onChain.turn === 0 ? 'staker' : 'challenger'
        const elapsed = now === undefined ? 0n : now - BigInt(onChain.lastMoveAt)
        const left = (clock: bigint, moving: boolean) =>
          moving && onChain.status === 1 ? (clock > elapsed ? clock - elapsed : 0n) : clock
        clocks = {
          staker: left(BigInt(onChain.stakerClock), onChain.turn === 0),
          challenger: left(BigInt(onChain.challengerClock), onChain.turn === 1),
          lastMoveAt: BigInt(onChain.lastMoveAt),
          l1Now: now ?? null,
        }
      }
      const outcome =
        record.status === 'voided'
          ? 'voided: its staker lost another game; the challenger was refunded'
          : record.status === 'resolved'
            ? record.stakerWon
              ? 'staker won: the claim stands'
              : claim?.status === 'deleted'
                ? 'challenger won: claim deleted'
                : 'challenger won: staker slashed'
            : null
      return {
        gameId,
        claimId: record.claimId,
        claimStatus: claim?.status ?? null,
        claimStateRoot: claim?.stateRoot ?? null,
        staker: record.staker,
        challenger: record.challenger,
        status: record.status,
        onChainStatus: onChain === undefined ? null : (GAME_STATUS[onChain.status] ?? 'unknown'),
        stakerWon: record.stakerWon ?? null,
        lo: record.lo,
        hi: record.hi,
        turn: record.status === 'open' ? turn : null,
        clocks,
        ranges,
        moves: record.events.map(moveJson),
        oneStepProof: proof === undefined ? null : moveJson(proof),
        outcome,
      }
    },

    search(query) {
      const hex = query.toLowerCase()
      if (/^[0-9]+$/.test(query) || /^0x[0-9a-f]{1,16}$/.test(hex)) {
        const number = BigInt(query)
        const block = chain.blockByNumber(number)
        return block === undefined ? { kind: 'none', query } : { kind: 'block', number, hash: block.hash }
      }
      if (/^0x[0-9a-f]{40}$/.test(hex)) return { kind: 'address', address: hex }
      if (/^0x[0-9a-f]{64}$/.test(hex)) {
        const hash = hexToBytes(hex as Hex)
        const location = chain.transactionLocation(hash)
        if (location !== undefined || options.isPending?.(hash)) return { kind: 'transaction', hash }
        const block = chain.blockByHash(hash)
        if (block !== undefined) return { kind: 'block', number: block.header.number, hash: block.hash }
        return { kind: 'none', query }
      }
      return { kind: 'none', query }
    },
  }
}
