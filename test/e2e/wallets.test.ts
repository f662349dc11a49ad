/**
 * Wallet libraries as they ship, against a real sequencer and a verifier on a real anvil (issue 17,
 * items 7–10): ethers 6's WebSocketProvider watching blocks, pending transactions and withdrawal
 * logs; ethers' `tx.wait()` and viem's `waitForTransactionReceipt({ onReplaced })` seeing a
 * replacement; web3.js 4 subscriptions; `cast` from its npm package; back-to-back sends through the
 * verifier; and the `eth_call` probes wallets make of addresses without code.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { bytesToHex, MESSAGE_PASSED_TOPIC, MESSAGE_PASSER_ADDRESS } from '@sluice/core'
import { JsonRpcProvider, Wallet, WebSocketProvider } from 'ethers'
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  pad,
  parseEther,
  parseGwei,
  type ReplacementReturnType,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Web3 } from 'web3'
import { BIN, devAccount, jsonRpc, stopAll, tempDir, waitFor } from '../support/processes.ts'
import {
  deposit,
  type L1,
  type NodeProcess,
  startL1,
  startSequencerProcess,
  startVerifierProcess,
} from '../support/rollup.ts'

const run = promisify(execFile)
const alice = devAccount(5)
const bob = devAccount(6)
const carol = devAccount(7)
const dave = devAccount(8)

describe('wallet libraries, unmodified', () => {
  let dir: string
  let l1: L1
  let sequencer: NodeProcess
  let verifier: NodeProcess
  let l2: PublicClient
  let chain: ReturnType<typeof defineChain>
  const wsUrl = () => sequencer.rpcUrl.replace('http://', 'ws://')

  beforeAll(async () => {
    dir = tempDir('sluice-wallets-')
    l1 = await startL1(dir)
    sequencer = await startSequencerProcess(dir, l1)
    verifier = await startVerifierProcess(dir, l1, {
      extraArgs: ['--sequencer-rpc', sequencer.rpcUrl, '--peer', `/ip4/127.0.0.1/tcp/${sequencer.p2pPort}`],
    })
    chain = defineChain({
      id: Number(l1.config.chainId),
      name: 'sluice',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [sequencer.rpcUrl] } },
    })
    l2 = createPublicClient({ chain, transport: http(sequencer.rpcUrl), pollingInterval: 100 }) as PublicClient
    for (const [index, who] of [
      [5, alice],
      [7, carol],
      [8, dave],
    ] as const)
      await deposit(l1, index, who.address, parseEther('10'))
    await waitFor('deposits on L2', async () => (await l2.getBalance({ address: dave.address })) > 0n, {
      timeoutMs: 30_000,
    })
  }, 180_000)

  afterAll(async () => {
    await stopAll()
  })

  it('ethers WebSocketProvider watches blocks, pending transactions and withdrawal logs', async () => {
    const ws = new WebSocketProvider(wsUrl(), Number(l1.config.chainId), { staticNetwork: true })
    const blocks: number[] = []
    const pending: string[] = []
    const logs: { transactionHash: string; topics: readonly string[] }[] = []
    await ws.on('block', (n: number) => blocks.push(n))
    await ws.on('pending', (hash: string) => pending.push(hash))
    await ws.on({ address: MESSAGE_PASSER_ADDRESS, topics: [bytesToHex(MESSAGE_PASSED_TOPIC)] }, (log) =>
      logs.push(log),
    )
    // ethers' `on` resolves once eth_subscribe is sent, not answered (the socket may not even be
    // open yet), and a pending-transaction subscription only sees what arrives after it: a first
    // new head proves the socket and the subscriptions sent before it are live.
    await waitFor('a first new head over WebSocket', () => blocks.length > 0, { timeoutMs: 20_000 })
    const http = new JsonRpcProvider(sequencer.rpcUrl, Number(l1.config.chainId), {
      staticNetwork: true,
      cacheTimeout: -1,
    })
    const wallet = new Wallet(carol.privateKey, http)
    const withdrawal = await wallet.sendTransaction({
      to: MESSAGE_PASSER_ADDRESS,
      value: parseEther('0.1'),
      data: pad(carol.address),
    })
    await waitFor('the withdrawal log over WebSocket', () => logs.find((l) => l.transactionHash === withdrawal.hash), {
      timeoutMs: 20_000,
    })
    expect(pending).toContain(withdrawal.hash)
    expect(blocks.length).toBeGreaterThan(0)
    await ws.destroy()
    http.destroy()
  }, 60_000)

  it('a replaced transaction: ethers tx.wait() throws TRANSACTION_REPLACED and viem calls onReplaced', async () => {
    const http = new JsonRpcProvider(sequencer.rpcUrl, Number(l1.config.chainId), {
      staticNetwork: true,
      cacheTimeout: -1,
    })
    http.pollingInterval = 100
    const wallet = new Wallet(alice.privateKey, http)
    const nonce = await http.getTransactionCount(alice.address, 'pending')
    // Nonce n+1 first: it waits in the pool for n, so it can be replaced before it is sealed.
    const fees = { maxFeePerGas: parseGwei('2'), maxPriorityFeePerGas: parseGwei('0.1') }
    const first = await wallet.sendTransaction({ to: bob.address, value: 1n, nonce: nonce + 1, ...fees })
    const ethersWait = first.wait(1, 40_000).then(
      () => undefined,
      (error: unknown) => error as { code?: string; reason?: string; replacement?: { hash: string } },
    )
    let replaced: ReplacementReturnType | undefined
    const viemWait = l2.waitForTransactionReceipt({
      hash: first.hash as `0x${string}`,
      pollingInterval: 100,
      timeout: 40_000,
      onReplaced: (replacement) => {
        replaced = replacement
      },
    })
    // viem reads the pending transaction on a new block before it can recognise a replacement.
    const seen = await l2.getBlockNumber()
    await waitFor('two more blocks', async () => (await l2.getBlockNumber()) >= seen + 2n, { timeoutMs: 10_000 })
    const replacement = await wallet.sendTransaction({
      to: bob.address,
      value: 1n,
      nonce: nonce + 1,
      maxFeePerGas: parseGwei('3'),
      maxPriorityFeePerGas: parseGwei('1'),
    })
    await wallet.sendTransaction({ to: bob.address, value: 1n, nonce, ...fees })
    // The replaced hash: a null receipt and no transaction, as Ethereum answers; the reason is ours.
    await waitFor('the replacement to be sealed', () => http.getTransactionReceipt(replacement.hash), {
      timeoutMs: 20_000,
    })
    expect(await jsonRpc(sequencer.rpcUrl, 'eth_getTransactionReceipt', [first.hash])).toBeNull()
    expect(await jsonRpc(sequencer.rpcUrl, 'eth_getTransactionByHash', [first.hash])).toBeNull()
    expect(await jsonRpc(sequencer.rpcUrl, 'sluice_getTransactionStatus', [first.hash])).toMatchObject({
      status: 'dropped',
    })

    const ethersError = await ethersWait
    expect(ethersError).toMatchObject({ code: 'TRANSACTION_REPLACED', reason: 'repriced' })
    expect(ethersError?.replacement?.hash).toBe(replacement.hash)
    const receipt = await viemWait
    expect(receipt.transactionHash).toBe(replacement.hash)
    expect(replaced?.reason).toBe('repriced')
    http.destroy()
  }, 90_000)

  it('web3.js 4 subscribes to new heads, pending transactions and logs', async () => {
    const web3 = new Web3(wsUrl())
    const heads: unknown[] = []
    const pending: string[] = []
    const logs: { transactionHash?: string }[] = []
    const headSub = await web3.eth.subscribe('newBlockHeaders')
    headSub.on('data', (header) => {
      heads.push(header)
    })
    const pendingSub = await web3.eth.subscribe('newPendingTransactions')
    pendingSub.on('data', (hash) => {
      pending.push(String(hash))
    })
    const logSub = await web3.eth.subscribe('logs', { address: MESSAGE_PASSER_ADDRESS })
    logSub.on('data', (log) => {
      logs.push(log as { transactionHash?: string })
    })
    const wallet = createWalletClient({ chain, account: dave.account, transport: http(sequencer.rpcUrl) })
    const hash = await wallet.sendTransaction({
      to: MESSAGE_PASSER_ADDRESS,
      value: parseEther('0.1'),
      data: pad(dave.address),
      account: dave.account,
      chain,
    })
    await waitFor('the log through web3.js', () => logs.find((l) => l.transactionHash === hash), { timeoutMs: 20_000 })
    expect(pending).toContain(hash)
    expect(heads.length).toBeGreaterThan(0)
    await web3.eth.clearSubscriptions()
    await (web3.currentProvider as { disconnect?: () => void } | undefined)?.disconnect?.()
  }, 60_000)

  it('cast (from its npm package) sends a transfer, reads its receipt, and answers a missing receipt', async () => {
    const cast = join(BIN, 'cast')
    const sent = await run(
      cast,
      ['send', '--rpc-url', sequencer.rpcUrl, '--private-key', carol.privateKey, bob.address, '--value', '1', '--json'],
      { timeout: 60_000 },
    )
    const receipt = JSON.parse(sent.stdout) as { status: string; transactionHash: string }
    expect(receipt.status).toBe('0x1')
    const read = await run(cast, ['receipt', '--rpc-url', sequencer.rpcUrl, receipt.transactionHash, 'status'])
    expect(read.stdout.trim()).toMatch(/^(1|true|success)\b/)
    const missing = await run(cast, [
      'receipt',
      '--async',
      '--rpc-url',
      sequencer.rpcUrl,
      `0x${'11'.repeat(32)}`,
    ]).catch((error: { stdout?: string; stderr?: string }) => error)
    // A null receipt: cast says the transaction is not found, not that the node failed.
    expect(`${missing.stdout ?? ''}${missing.stderr ?? ''}`.trim()).toBe(`Error: tx not found: 0x${'11'.repeat(32)}`)
  }, 90_000)

  it('sends back to back through the verifier: it asks the sequencer for pending nonces', async () => {
    const viaVerifier = createWalletClient({ chain, account: dave.account, transport: http(verifier.rpcUrl) })
    const verifierClient = createPublicClient({ chain, transport: http(verifier.rpcUrl) })
    const hashes: `0x${string}`[] = []
    for (let i = 0; i < 8; i++) {
      hashes.push(await viaVerifier.sendTransaction({ to: bob.address, value: 1n, account: dave.account, chain }))
    }
    expect(new Set(hashes).size).toBe(8)
    for (const hash of hashes) {
      const receipt = await l2.waitForTransactionReceipt({ hash, timeout: 30_000, pollingInterval: 100 })
      expect(receipt.status).toBe('success')
    }
    expect(await verifierClient.getTransactionCount({ address: dave.address, blockTag: 'pending' })).toBe(
      await l2.getTransactionCount({ address: dave.address, blockTag: 'pending' }),
    )
  }, 90_000)

  it("answers a wallet's calls to addresses without code as Ethereum does", async () => {
    // ERC-20 balanceOf(bob) at an address without code: empty return data, not an error.
    const balanceOf = `0x70a08231${bob.address.slice(2).toLowerCase().padStart(64, '0')}` as `0x${string}`
    expect(await l2.call({ to: carol.address, data: balanceOf })).toEqual({ data: undefined })
    expect(await jsonRpc(sequencer.rpcUrl, 'eth_call', [{ to: carol.address, data: balanceOf }, 'latest'])).toBe('0x')
    // Sending that data would be refused: the estimate says so before the wallet asks for a signature.
    await expect(l2.estimateGas({ account: alice.address, to: carol.address, data: balanceOf })).rejects.toThrow(
      /transaction data is not allowed/,
    )
    expect(await jsonRpc(sequencer.rpcUrl, 'eth_coinbase')).toBe(l1.config.feeVault)
  })
})
