/**
 * CPU cost (this thread's CPU time, µs per call; robust to a busy machine) of the pieces the
 * stf.transfer hot path is made of, on the standard workload's pre-state in LevelDB:
 *   node scripts/bench/stf/micro.ts [--accounts 100000]
 * A profiling aid for the report; not a figure.
 */
import { Buffer } from 'node:buffer'
import { orderedTrieRoot } from '../../../packages/core/src/block/build.ts'
import { encodeReceipt } from '../../../packages/core/src/block/index.ts'
import { keccak256 } from '../../../packages/core/src/crypto/index.ts'
import { LevelStore } from '../../../packages/core/src/db/index.ts'
import { StateDb, writeGenesisState } from '../../../packages/core/src/state/index.ts'
import { applyDeposit } from '../../../packages/core/src/stf/index.ts'
import { checkStatelessRules } from '../../../packages/core/src/stf/rules.ts'
import { decodeAccount, encodeAccount } from '../../../packages/core/src/trie/account.ts'
import { decodeNode } from '../../../packages/core/src/trie/node.ts'
import { checkSignature, decodeTransaction } from '../../../packages/core/src/tx/index.ts'
import { parseArgs, removeDir, tempDir } from '../harness.ts'
import { addressAt, standardWorkload } from '../workload.ts'
import { BASE_FEE, CHAIN_ID } from './subject.ts'

function cpuUs(): number {
  const u = process.threadCpuUsage()
  return u.user + u.system
}

function measure(name: string, count: number, fn: () => void): void {
  const t0 = cpuUs()
  fn()
  const us = (cpuUs() - t0) / count
  process.stdout.write(`${name.padEnd(58)} ${us.toFixed(2).padStart(8)} µs\n`)
}

const args = parseArgs(process.argv.slice(2))
const accounts = Number(args.accounts ?? 100_000)
const workload = standardWorkload({ accounts, txs: 10_000, chainId: CHAIN_ID, baseFeePerGas: BASE_FEE })
const dir = tempDir('stf-micro')
const store = await LevelStore.open(dir)
try {
  const build = new StateDb(store)
  writeGenesisState(build)
  for (let i = 0; i < accounts; i++) applyDeposit(build, addressAt(workload, i), workload.fundedBalance)
  const root0 = await build.commit()
  const raws = workload.raws
  const txs = raws.map(decodeTransaction)
  const n = 5000
  measure('decodeTransaction', n, () => {
    for (let i = 0; i < n; i++) decodeTransaction(raws[i] as Uint8Array)
  })
  const senders: Uint8Array[] = []
  measure('checkSignature (signing hash + native recover + keccak)', n, () => {
    for (let i = 0; i < n; i++)
      senders.push(checkSignature(txs[i] as never, { expectedChainId: CHAIN_ID }).sender as Uint8Array)
  })
  const config = { chainId: CHAIN_ID, baseFeePerGas: BASE_FEE }
  measure('checkStatelessRules with a known sender', n, () => {
    for (let i = 0; i < n; i++) checkStatelessRules(txs[i] as never, config, senders[i])
  })
  measure('keccak256 of a 20-byte address', n, () => {
    for (let i = 0; i < n; i++) keccak256(senders[i] as Uint8Array)
  })
  // cold trie reads: a fresh StateDb, the first 5,000 senders (inner nodes load on the way)
  const state = new StateDb(store, root0)
  measure('StateDb.getAccount, cold (inner nodes + leaf from LevelDB)', n, () => {
    for (let i = 0; i < n; i++) state.getAccount(senders[i] as Uint8Array)
  })
  measure('StateDb.getAccount, inner nodes warm (leaf from LevelDB)', n, () => {
    for (let i = 0; i < n; i++) state.getAccount(senders[i] as Uint8Array)
  })
  // the leaf alone: collect leaf hashes through proofs (last node of each proof)
  const leafKeys: Uint8Array[] = []
  for (let i = 0; i < 2000; i++) {
    const proof = state.accountProof(senders[i] as Uint8Array)
    leafKeys.push(keccak256(proof[proof.length - 1] as Uint8Array))
  }
  const leaves: Uint8Array[] = []
  measure('LevelStore.getSync of a leaf node (in LevelDB cache)', 2000, () => {
    for (const k of leafKeys) leaves.push(store.getSync(k) as Uint8Array)
  })
  measure('decodeNode of a leaf', 2000, () => {
    for (let i = 0; i < 2000; i++) decodeNode(leaves[i] as Uint8Array, leafKeys[i] as Uint8Array)
  })
  const account = state.getAccount(senders[0] as Uint8Array)
  const encoded = encodeAccount(account)
  measure('encodeAccount', n, () => {
    for (let i = 0; i < n; i++) encodeAccount(account)
  })
  measure('decodeAccount', n, () => {
    for (let i = 0; i < n; i++) decodeAccount(encoded)
  })
  measure('latin1 Map key of an address (StateDb pending map)', n, () => {
    for (let i = 0; i < n; i++) {
      const a = senders[i] as Uint8Array
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('latin1')
    }
  })
  // one block's writes: 2,000 accounts touched, then the root (flush + hash), then the commit
  const fresh = new StateDb(store, root0)
  for (let i = 0; i < 2000; i++) fresh.getAccount(senders[i] as Uint8Array) // warm the same paths
  await fresh.commit()
  for (let i = 2000; i < 4000; i++) {
    const a = senders[i] as Uint8Array
    const acc = fresh.getAccount(a)
    fresh.putAccount(a, { ...acc, nonce: acc.nonce + 1n })
  }
  measure('stateRoot per touched account (flush: put + hash), 2,000', 2000, () => {
    fresh.stateRoot()
  })
  const ops = fresh.collectCommitOps()
  process.stdout.write(`  (${ops.length} nodes written for 2,000 accounts)\n`)
  const t0 = cpuUs()
  const t0wall = performance.now()
  await store.batch(ops)
  process.stdout.write(
    `${'LevelDB batch per touched account (main-thread CPU / wall)'.padEnd(58)} ${((cpuUs() - t0) / 2000).toFixed(2).padStart(8)} µs / ${(((performance.now() - t0wall) * 1000) / 2000).toFixed(2)} µs\n`,
  )
  const receipts = Array.from({ length: 1000 }, (_, i) =>
    encodeReceipt({ type: 2, cumulativeGasUsed: 21000n * BigInt(i + 1), logsBloom: new Uint8Array(256), logs: [] }),
  )
  measure('encodeReceipt (transfer, no logs)', 1000, () => {
    for (let i = 0; i < 1000; i++)
      encodeReceipt({ type: 2, cumulativeGasUsed: 21000n * BigInt(i + 1), logsBloom: new Uint8Array(256), logs: [] })
  })
  measure('orderedTrieRoot per item (1,000 raw txs)', 1000, () => {
    orderedTrieRoot(raws.slice(0, 1000))
  })
  measure('orderedTrieRoot per item (1,000 receipts)', 1000, () => {
    orderedTrieRoot(receipts)
  })
} finally {
  await store.close()
  removeDir(dir)
}
