import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { checkDeploymentOnL1, type Deployment } from './deployment.ts'
import { NodeConfigError } from './options.ts'

/** A node's checked connection to L1: the client every component reads with, and the L1 chain. */
export type L1Connection = {
  publicClient: PublicClient
  transport: Transport
  chain: Chain
}

/**
 * Connects to the L1 at `url` and checks it before anything starts: it answers, and the deployment's
 * contracts are there and store this node's config hash. Every problem names the option to fix.
 */
export async function connectL1(url: string, deployment: Deployment): Promise<L1Connection> {
  const transport = http(url, { retryCount: 3, timeout: 20_000 })
  const publicClient = createPublicClient({ transport }) as PublicClient
  let chainId: number
  try {
    chainId = await publicClient.getChainId()
  } catch (error) {
    throw new NodeConfigError(
      '--l1-rpc',
      `no answer from ${url}: ${(error as Error).message}`,
      'Start the L1 node or fix the URL.',
    )
  }
  await checkDeploymentOnL1(publicClient, deployment)
  const chain = defineChain({
    id: chainId,
    name: `L1 ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  })
  return { publicClient, transport, chain }
}

/** A wallet client of `privateKey` on the connected L1. */
export function l1WalletClient(connection: L1Connection, privateKey: Hex): WalletClient<Transport, Chain, Account> {
  return createWalletClient({
    account: privateKeyToAccount(privateKey),
    chain: connection.chain,
    transport: connection.transport,
  })
}
