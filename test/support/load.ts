/**
 * Load for end-to-end tests: accounts funded on L2 through one deposit and a fan-out, pre-signed
 * transfers, and batched `eth_sendRawTransaction` over HTTP that records which hashes the node
 * acknowledged.
 */
import { bytesToHex, transactionHash } from '@sluice/core'
import { parseEther } from 'viem'
import { waitFor } from './processes.ts'
import { deposit, type L1 } from './rollup.ts'
import { type TestAccount, testAccount, transfer } from './wallet.ts'

export type RpcAnswer = { id: number; result?: string; error?: { code: number; message: string } }

/** Sends `raws` as one JSON-RPC batch; returns the answers in request order (throws if the node is down). */
export async function sendBatch(url: string, raws: readonly Uint8Array[]): Promise<RpcAnswer[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      raws.map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [bytesToHex(raw)] })),
    ),
    signal: AbortSignal.timeout(15_000),
  })
  const answers = (await response.json()) as RpcAnswer[]
  return [...answers].sort((a, b) => a.id - b.id)
}

export async function rpcCall<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await response.json()) as { result?: T; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result as T
}

/**
 * Funds `count` deterministic test accounts (indices from `firstIndex`) with `each` wei on L2: one
 * deposit to a funder, then one transfer to each, sent in one batch. Returns the accounts.
 */
export async function fundAccounts(
  l1: L1,
  l2RpcUrl: string,
  {
    count,
    firstIndex = 1000,
    each = parseEther('10'),
    depositor = 4,
  }: { count: number; firstIndex?: number; each?: bigint; depositor?: number },
): Promise<TestAccount[]> {
  const funder = testAccount(firstIndex - 1)
  await deposit(l1, depositor, funder.addressHex, each * BigInt(count) + parseEther('1'))
  await waitFor(
    'the funder deposit on L2',
    async () => BigInt(await rpcCall<string>(l2RpcUrl, 'eth_getBalance', [funder.addressHex, 'latest'])) > 0n,
    {
      timeoutMs: 30_000,
      intervalMs: 100,
    },
  )
  const accounts = Array.from({ length: count }, (_, i) => testAccount(firstIndex + i))
  const raws = accounts.map(
    (account, i) =>
      transfer(funder, account.address, { chainId: l1.config.chainId, nonce: BigInt(i), value: each }).raw,
  )
  const answers = await sendBatch(l2RpcUrl, raws)
  const failed = answers.find((a) => a.error)
  if (failed) throw new Error(`funding refused: ${failed.error?.message}`)
  await waitForReceipts(
    l2RpcUrl,
    answers.map((a) => a.result as string),
    30_000,
  )
  return accounts
}

/** Pre-signs `perAccount` transfers from each account (nonces from `startNonce`), interleaved by account. */
export function presign(
  accounts: readonly TestAccount[],
  perAccount: number,
  chainId: bigint,
  startNonce = 0n,
): Uint8Array[] {
  const out: Uint8Array[] = []
  const sink = testAccount(999_999).address
  for (let n = 0; n < perAccount; n++) {
    for (const account of accounts)
      out.push(transfer(account, sink, { chainId, nonce: startNonce + BigInt(n), value: 1_000n + BigInt(n) }).raw)
  }
  return out
}

export const hashOf = (raw: Uint8Array): string => bytesToHex(transactionHash(raw))

/** Waits until every hash has a receipt; returns how long each took to appear after the call. */
export async function waitForReceipts(url: string, hashes: readonly string[], timeoutMs: number): Promise<void> {
  const missing = new Set(hashes)
  const deadline = Date.now() + timeoutMs
  while (missing.size > 0) {
    if (Date.now() > deadline)
      throw new Error(
        `${missing.size} of ${hashes.length} transactions have no receipt after ${timeoutMs} ms, e.g. ${[...missing][0]}`,
      )
    const chunk = [...missing].slice(0, 500)
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        chunk.map((hash, id) => ({ jsonrpc: '2.0', id, method: 'eth_getTransactionReceipt', params: [hash] })),
      ),
    }).catch(() => undefined)
    if (response?.ok) {
      const answers = (await response.json()) as RpcAnswer[]
      for (const answer of answers) if (answer.result) missing.delete(chunk[answer.id] as string)
    }
    if (missing.size > 0) await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
