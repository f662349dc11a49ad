import {
  applyBlock,
  bytesToHex,
  EMPTY_DELAYED_ACCUMULATOR,
  genesisBlock,
  MemoryStore,
  type PreparedBlockConfig,
  prepareBlockConfig,
  type RollupConfig,
  StateDb,
  type StfMessage,
  writeGenesisState,
} from '@sluice/core'
import type {
  ChainReader,
  HeadName,
  StoredBlock,
  StoredTransaction,
  TransactionLocation,
} from '../../src/chain/types.ts'

/**
 * A `ChainReader` over real core blocks: `applyBlock` on a `StateDb` over a `MemoryStore`, committed
 * per block so that the state of every block stays readable (archive), as the LevelDB store keeps it.
 */
export class MemoryChain implements ChainReader {
  readonly chainId: bigint
  private readonly config: PreparedBlockConfig
  private readonly state: StateDb
  private readonly blocks: StoredBlock[] = []
  private readonly byHash = new Map<string, StoredBlock>()
  private readonly locations = new Map<string, TransactionLocation>()
  private readonly listeners = new Set<(block: StoredBlock) => void>()
  private safe = 0n
  private finalized = 0n
  private delayedCount = 0n

  private constructor(config: RollupConfig, state: StateDb) {
    this.chainId = config.chainId
    this.config = prepareBlockConfig(config)
    this.state = state
    const genesis = genesisBlock(config)
    this.store({ hash: genesis.hash, header: genesis.header, transactions: [], messageCountAfter: 0n, slotCount: 0 })
  }

  static async create(config: RollupConfig): Promise<MemoryChain> {
    const state = new StateDb(new MemoryStore())
    writeGenesisState(state)
    await state.commit()
    return new MemoryChain(config, state)
  }

  private store(block: StoredBlock): void {
    this.blocks.push(block)
    this.byHash.set(bytesToHex(block.hash), block)
    for (const tx of block.transactions) {
      this.locations.set(bytesToHex(tx.hash), {
        status: 'included',
        blockNumber: block.header.number,
        blockHash: block.hash,
        index: tx.index,
      })
    }
  }

  /** Seals a block of `messages` on the head (deposits count as delayed messages) and announces it. */
  async seal(messages: readonly StfMessage[]): Promise<StoredBlock> {
    const parent = this.head('unsafe')
    this.delayedCount += BigInt(messages.filter((m) => m.kind === 'deposit').length)
    const built = applyBlock(
      this.state,
      {
        parentHash: parent.hash,
        number: parent.header.number + 1n,
        timestamp: parent.header.timestamp + 2n,
        delayedCountAfter: this.delayedCount,
        delayedAccumulator: this.delayedCount === 0n ? EMPTY_DELAYED_ACCUMULATOR : new Uint8Array(32).fill(0xab),
        messages,
      },
      this.config,
    )
    await this.state.commit()
    const transactions: StoredTransaction[] = built.transactions.map((t) => ({
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
      forced: false,
    }))
    const block: StoredBlock = {
      hash: built.hash,
      header: built.header,
      transactions,
      messageCountAfter: parent.messageCountAfter + BigInt(messages.length),
      slotCount: messages.length,
    }
    this.store(block)
    for (const listener of this.listeners) listener(block)
    return block
  }

  setHeads(safe: bigint, finalized: bigint): void {
    this.safe = safe
    this.finalized = finalized
  }

  markDropped(hash: Uint8Array, reason: string, detail?: string): void {
    this.locations.set(bytesToHex(hash), { status: 'dropped', reason, detail, at: Date.now() })
  }

  head(name: HeadName): StoredBlock {
    const number = name === 'unsafe' ? BigInt(this.blocks.length - 1) : name === 'safe' ? this.safe : this.finalized
    return this.blocks[Number(number)] as StoredBlock
  }

  blockByNumber(number: bigint): StoredBlock | undefined {
    return number < 0n || number >= BigInt(this.blocks.length) ? undefined : this.blocks[Number(number)]
  }

  blockByHash(hash: Uint8Array): StoredBlock | undefined {
    return this.byHash.get(bytesToHex(hash))
  }

  transactionLocation(hash: Uint8Array): TransactionLocation | undefined {
    return this.locations.get(bytesToHex(hash))
  }

  private stateAt(blockNumber: bigint): StateDb {
    const block = this.blockByNumber(blockNumber)
    if (block === undefined) throw new Error(`no block ${blockNumber}`)
    return this.state.at(block.header.stateRoot)
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
      storageProofs: slots.map((key) => ({
        key,
        value: state.getStorage(address, key),
        proof: state.storageProof(address, key),
      })),
    }
  }

  onNewHead(listener: (block: StoredBlock) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get listenerCount(): number {
    return this.listeners.size
  }
}
