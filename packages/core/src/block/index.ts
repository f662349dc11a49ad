export { BLOOM_BYTES, logsBloom, orBloom } from './bloom.ts'
export {
  applyBlock,
  type BlockInput,
  genesisBlock,
  type IncludedTransaction,
  type L2Block,
  orderedTrieRoot,
  type PreparedBlockConfig,
  prepareBlockConfig,
} from './build.ts'
export { blockHash, EMPTY_OMMERS_HASH, encodeBlockHeader, type L2BlockHeader } from './header.ts'
export { encodeReceipt, type Receipt } from './receipt.ts'
