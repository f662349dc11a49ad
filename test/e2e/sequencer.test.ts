/**
 * The sequencer as wallets meet it: a real anvil with the deployed contracts and `sluice-sequencer`
 * started as a separate process on free ports. viem and ethers send legacy, EIP-2930 and EIP-1559
 * transfers; proofs verify with @ethereumjs/mpt; batches on L1 derive, through the core alone, to
 * the sequencer's block hashes; claims on L1 carry the derived roots.
 */
import { verifyMerkleProof } from '@ethereumjs/mpt'
import { claimManagerAbi } from '@sluice/contracts'
import { bytesToHex, keccak256 as coreKeccak, hexToBytes, MESSAGE_PASSER_ADDRESS } from '@sluice/core'
import { JsonRpcProvider, Wallet } from 'ethers'
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  pad,
  parseEther,
  type WalletClient,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deriveWithCore } from '../support/coreDerive.ts'
import { devAccount, jsonRpc, stopAll, tempDir, waitFor } from '../support/processes.ts'
import { deposit, type L1, type NodeProcess, startL1, startSequencerProcess } from '../support/rollup.ts'

const alice = devAccount(5)
const bob = devAccount(6)
const carol = devAccount(7)

describe('sequencer on anvil', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess
  let l2: PublicClient
  let aliceWallet: WalletClient

  beforeAll(async () => {
    dir = tempDir()
    l1 = await startL1(dir)
    sequencer = await startSequencerProcess(dir, l1)
    const chain = defineChain({
      id: Number(l1.config.chainId),
      name: 'sluice',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [sequencer.rpcUrl] } },
    })
    l2 = createPublicClient({ chain, transport: http(sequencer.rpcUrl), pollingInterval: 50 }) as PublicClient
    aliceWallet = createWalletClient({ chain, account: alice.account, transport: http(sequencer.rpcUrl) })
    await deposit(l1, 5, alice.address, parseEther('20'))
    await deposit(l1, 7, carol.address, parseEther('5'))
    await waitFor('deposits on L2', async () => (await l2.getBalance({ address: carol.address })) === parseEther('5'), {
      timeoutMs: 30_000,
    })
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  it('credits deposits from L1', async () => {
    expect(await l2.getBalance({ address: alice.address })).toBe(parseEther('20'))
  })

  it('takes legacy, EIP-2930 and EIP-1559 transfers from viem and gives receipts', async () => {
    const before = await l2.getBalance({ address: bob.address })
    for (const type of ['legacy', 'eip2930', 'eip1559'] as const) {
      const hash = await aliceWallet.sendTransaction({
        to: bob.address,
        value: parseEther('0.5'),
        type,
        account: alice.account,
        chain: l2.chain,
      })
      const receipt = await l2.waitForTransactionReceipt({ hash, timeout: 20_000 })
      expect(receipt.status).toBe('success')
      expect(receipt.type).toBe(type)
      expect(receipt.gasUsed).toBe(21_000n)
      const tx = await l2.getTransaction({ hash })
      expect(tx.from.toLowerCase()).toBe(alice.address.toLowerCase())
      expect(tx.type).toBe(type)
    }
    expect(await l2.getBalance({ address: bob.address })).toBe(before + parseEther('1.5'))
  })

  it('reports pending nonces for transactions sent together', async () => {
    const start = await l2.getTransactionCount({ address: alice.address, blockTag: 'pending' })
    const raws = []
    for (let i = 0; i < 5; i++) {
      const request = await aliceWallet.prepareTransactionRequest({
        to: bob.address,
        value: 1n,
        nonce: start + i,
        account: alice.account,
        chain: l2.chain,
        gas: 21_000n,
      })
      raws.push(await aliceWallet.signTransaction(request as never))
    }
    const response = await fetch(sequencer.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        raws.map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] })),
      ),
    })
    const answers = (await response.json()) as { result?: string }[]
    expect(answers.every((a) => typeof a.result === 'string')).toBe(true)
    // Included or still pooled, all five count: the pending nonce moved by five.
    expect(await l2.getTransactionCount({ address: alice.address, blockTag: 'pending' })).toBe(start + 5)
    for (const a of answers) await l2.waitForTransactionReceipt({ hash: a.result as `0x${string}` })
    expect(await l2.getTransactionCount({ address: alice.address, blockTag: 'latest' })).toBe(start + 5)
  })

  it('takes a transfer and a withdrawal from an ethers wallet', async () => {
    const provider = new JsonRpcProvider(sequencer.rpcUrl, Number(l1.config.chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
      // ethers caches identical calls for 250 ms; with 100 ms blocks the second send would reuse the
      // first one's pending nonce.
      cacheTimeout: -1,
    })
    provider.pollingInterval = 50
    const wallet = new Wallet(carol.privateKey, provider)
    const sent = await wallet.sendTransaction({ to: bob.address, value: parseEther('0.25') })
    const receipt = await sent.wait(1, 20_000)
    expect(receipt?.status).toBe(1)
    const withdrawal = await wallet.sendTransaction({
      to: MESSAGE_PASSER_ADDRESS,
      value: parseEther('1'),
      data: pad(carol.address),
    })
    const withdrawalReceipt = await withdrawal.wait(1, 20_000)
    expect(withdrawalReceipt?.logs.length).toBe(1)
    expect(withdrawalReceipt?.logs[0]?.address.toLowerCase()).toBe(MESSAGE_PASSER_ADDRESS)
    provider.destroy()
  })

  it('answers eth_getProof with proofs that @ethereumjs/mpt verifies against the block state root', async () => {
    const block = await l2.getBlock({ blockTag: 'latest' })
    const proof = await l2.getProof({ address: bob.address, storageKeys: [], blockNumber: block.number })
    const value = await verifyMerkleProof(
      coreKeccak(hexToBytes(bob.address)),
      proof.accountProof.map((node) => hexToBytes(node)),
      { root: hexToBytes(block.stateRoot) },
    )
    expect(value).not.toBeNull()
    expect(proof.balance).toBe(await l2.getBalance({ address: bob.address, blockNumber: block.number }))
  })

  it('posts batches that derive, through the core alone, to its block hashes, and claims their roots', async () => {
    // The last block with transactions (empty blocks after it may wait longer for their batch).
    let head = await l2.getBlockNumber()
    while ((await l2.getBlock({ blockNumber: head })).transactions.length === 0) head--
    // Every block up to it is batched and safe, and a claim covers the last batch.
    await waitFor(
      'the head to be safe',
      async () => {
        const status = (await jsonRpc(sequencer.rpcUrl, 'sluice_syncStatus')) as { safe: { number: string } }
        return BigInt(status.safe.number) >= head
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    )
    const derived = await deriveWithCore(l1.anvil.rpcUrl, l1.deployment, l1.config)
    expect(derived.blocks.length).toBeGreaterThanOrEqual(Number(head))
    for (const block of derived.blocks.slice(0, Number(head))) {
      const ours = await l2.getBlock({ blockNumber: block.header.number })
      expect(ours.hash).toBe(bytesToHex(block.hash))
      expect(ours.stateRoot).toBe(bytesToHex(block.header.stateRoot))
    }
    const l1Client = createPublicClient({ transport: http(l1.anvil.rpcUrl) })
    await waitFor(
      'a claim for the last batch',
      async () => {
        const logs = await l1Client.getContractEvents({
          address: l1.deployment.claimManager,
          abi: claimManagerAbi,
          eventName: 'ClaimProposed',
          fromBlock: l1.deployment.deployBlock,
        })
        return logs.length >= derived.batchCount ? logs : undefined
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    )
    const claims = await l1Client.getContractEvents({
      address: l1.deployment.claimManager,
      abi: claimManagerAbi,
      eventName: 'ClaimProposed',
      fromBlock: l1.deployment.deployBlock,
    })
    const byBatch = new Map(
      claims.map((c) => [Number((c.args as { batchIndex: bigint }).batchIndex), c.args as { stateRoot: string }]),
    )
    // Never twice for a batch; each with the root derived from L1.
    expect(byBatch.size).toBe(claims.length)
    for (let b = 0; b < derived.batchCount; b++) {
      const claim = byBatch.get(b)
      if (claim !== undefined) expect(claim.stateRoot).toBe(derived.stateRootAfterBatch[b])
    }
    expect(byBatch.size).toBeGreaterThan(0)
  })
})
