/**
 * What a command needs, resolved from the global options: the devnet file (by default
 * `.devnet/devnet.json`), RPC URL overrides, the key, and the clients made from them. Everything is
 * resolved lazily, so a command that only reads L1 needs no L2 URL.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { createPublicClient, createWalletClient, type Hex, http, isHex } from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { defineL1Chain, defineSluiceChain, type SluiceChain } from '../chain.ts'
import { publicActionsL1 } from '../decorators/publicL1.ts'
import { publicActionsL2 } from '../decorators/publicL2.ts'
import { walletActionsL1 } from '../decorators/walletL1.ts'
import { walletActionsL2 } from '../decorators/walletL2.ts'
import { DEFAULT_DEVNET_FILE, type DevnetFile, devnetChains, readDevnetFile } from '../devnet.ts'
import { CliUsageError } from './errors.ts'
import { type CliIo, toJson } from './io.ts'

/**
 * How often the CLI polls the L2 node (receipts, heads): the sequencer's default block time, so
 * that `send` returns within a block of the transfer's inclusion (viem's default is 4 s).
 */
export const L2_POLLING_INTERVAL_MS = 250

/** The global options every command takes. */
export type GlobalOptions = {
  devnet?: string | undefined
  rpc?: string | undefined
  l1Rpc?: string | undefined
  key?: string | undefined
  deployment?: string | undefined
  json?: boolean | undefined
}

/** The `deploySluice` output file (`--deployment`), for networks that are not a devnet. */
type DeploymentFile = {
  portal: Hex
  sequencerInbox: Hex
  claimManager: Hex
  disputeGame: Hex
  oneStepProver: Hex
  deployBlock: string | number
  config?: { chainId?: string | number }
}

/** `.devnet/devnet.json` in `cwd` or the nearest parent that has one (else the path in `cwd`). */
function findDevnetFile(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, DEFAULT_DEVNET_FILE)
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return join(cwd, DEFAULT_DEVNET_FILE)
  }
}

export function createContext(io: CliIo, options: GlobalOptions) {
  const resolvePath = (file: string) => (isAbsolute(file) ? file : join(io.cwd, file))
  const devnetPath = options.devnet === undefined ? findDevnetFile(io.cwd) : resolvePath(options.devnet)
  let devnet: DevnetFile | undefined | null = null
  /** The devnet file when it exists; an explicit `--devnet` that is missing is an error. */
  const getDevnet = (): DevnetFile | undefined => {
    if (devnet !== null) return devnet
    if (options.devnet === undefined && !existsSync(devnetPath)) devnet = undefined
    else devnet = readDevnetFile(devnetPath)
    return devnet
  }

  const l1Url = (): string => {
    const url = options.l1Rpc ?? getDevnet()?.l1.rpcUrl
    if (url === undefined) {
      throw new CliUsageError(
        `No L1 RPC URL: no devnet file at ${devnetPath}. Start one with \`npm run devnet\`, or pass --l1-rpc <url>.`,
      )
    }
    return url
  }
  const l2Url = (): string => {
    const url = options.rpc ?? getDevnet()?.l2.sequencerRpcUrl
    if (url === undefined) {
      throw new CliUsageError(
        `No L2 RPC URL: no devnet file at ${devnetPath}. Start one with \`npm run devnet\`, or pass --rpc <url>.`,
      )
    }
    return url
  }

  let chains: Promise<{ l1: ReturnType<typeof defineL1Chain>; l2: SluiceChain }> | undefined
  /** The L1 and L2 chains with the contract addresses: from the devnet file or `--deployment`. */
  const getChains = () => {
    chains ??= (async () => {
      const fromDevnet = getDevnet()
      if (options.deployment === undefined && fromDevnet !== undefined) {
        return devnetChains(fromDevnet, { l1RpcUrl: l1Url(), l2RpcUrl: options.rpc })
      }
      if (options.deployment === undefined) {
        throw new CliUsageError(
          `No contract addresses: no devnet file at ${devnetPath}. Start one with \`npm run devnet\`, or pass --deployment <file written by deploy.ts>.`,
        )
      }
      const deployment = JSON.parse(readFileSync(resolvePath(options.deployment), 'utf8')) as DeploymentFile
      const l1Id = await createPublicClient({ transport: http(l1Url()) }).getChainId()
      const l2Id =
        deployment.config?.chainId === undefined
          ? await createPublicClient({ transport: http(l2Url()) }).getChainId()
          : Number(deployment.config.chainId)
      return {
        l1: defineL1Chain({ id: l1Id, rpcUrl: l1Url() }),
        l2: defineSluiceChain({
          id: l2Id,
          rpcUrl: options.rpc ?? 'http://127.0.0.1:9545',
          l1ChainId: l1Id,
          deployBlock: BigInt(deployment.deployBlock),
          contracts: deployment,
        }),
      }
    })()
    return chains
  }

  const account = (): PrivateKeyAccount => {
    const key = options.key ?? getDevnet()?.accounts[0]?.privateKey
    if (key === undefined) {
      throw new CliUsageError(`No key: pass --key <0x…private key>, or start a devnet (\`npm run devnet\`).`)
    }
    if (!isHex(key) || key.length !== 66) throw new CliUsageError('--key must be 0x and 64 hex digits.')
    return privateKeyToAccount(key)
  }

  return {
    io,
    json: options.json === true,
    devnetPath,
    getDevnet,
    l1Url,
    l2Url,
    getChains,
    account,
    /** L1 reads, with Sluice's L1 actions. */
    async l1Public() {
      const { l1 } = await getChains()
      return createPublicClient({ chain: l1, transport: http(l1Url()) }).extend(publicActionsL1())
    },
    /** L1 reads with only an URL (for commands that need no contract address). */
    l1PublicBare() {
      return createPublicClient({ transport: http(l1Url()) })
    },
    async l1Wallet() {
      const { l1 } = await getChains()
      return createWalletClient({ account: account(), chain: l1, transport: http(l1Url()) }).extend(walletActionsL1())
    },
    async l2Public() {
      const { l2 } = await getChains()
      return createPublicClient({
        chain: l2,
        transport: http(l2Url()),
        pollingInterval: l2.blockTime ?? L2_POLLING_INTERVAL_MS,
      }).extend(publicActionsL2())
    },
    l2PublicBare() {
      return createPublicClient({ transport: http(l2Url()), pollingInterval: L2_POLLING_INTERVAL_MS }).extend(
        publicActionsL2(),
      )
    },
    async l2Wallet() {
      const { l2 } = await getChains()
      return createWalletClient({ account: account(), chain: l2, transport: http(l2Url()) }).extend(walletActionsL2())
    },
    /** A progress line on stderr. */
    progress(line: string) {
      io.stderr(`… ${line}\n`)
    },
    /** Prints the result: `json` as JSON with --json, else the human lines. */
    output(json: unknown, human: string[]) {
      if (options.json) io.stdout(`${toJson(json)}\n`)
      else io.stdout(`${human.join('\n')}\n`)
    },
  }
}

export type CliContext = ReturnType<typeof createContext>
