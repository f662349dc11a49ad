import type { SendRawTransactionBody, SignedTransaction } from '@sluice/core'
import type { LevelWithSilent, Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { ChainReader, StoredTransaction } from '../chain/types.ts'
import type { ApiKey } from './apiKeys.ts'
import type { ExplorerRpcProvider } from './explorerMethods.ts'

/**
 * A value a provider hands to the RPC server for a `sluice_` answer: JSON with integers as `bigint`
 * (sent as hex quantities) and bytes as `Uint8Array` (sent as hex data). `undefined` fields are left out.
 */
export type RpcJson =
  | bigint
  | Uint8Array
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly RpcJson[]
  | { readonly [key: string]: RpcJson }

/** A transaction the node has acknowledged but not yet included (the mempool's view). */
export type PendingTransaction = Pick<StoredTransaction, 'hash' | 'tx' | 'sender'>

/** What the mempool tells the RPC server: pending nonces and pending transactions. */
export interface PendingPool {
  /**
   * The next nonce for `address` counting its pending transactions, or undefined when it has none
   * (then the state's nonce is used). A verifier asks its sequencer, hence the promise.
   */
  nonce(address: Uint8Array): bigint | undefined | Promise<bigint | undefined>
  transaction(hash: Uint8Array): PendingTransaction | undefined
}

/**
 * The rollup side of the `sluice_` methods, implemented by the node that has it (L1 reader,
 * derivation, proposer). Each is optional: a method whose provider function is missing answers
 * -32601. `undefined` means "not found" and is sent as `null`.
 */
export interface RollupRpcProvider {
  /** L1 view and derivation progress, merged into `sluice_syncStatus` beside the L2 heads the server reads itself. */
  syncStatus?(): RpcJson | Promise<RpcJson>
  /** The claimable state root at an L2 block and the batch that carries it. */
  claimAtBlock?(blockNumber: bigint): RpcJson | Promise<RpcJson>
  getBatch?(batchIndex: bigint): RpcJson | Promise<RpcJson>
  /** Where a withdrawal stands (included, safe, claimed, finalized), by the hash of its L2 transaction. */
  withdrawalStatus?(transactionHash: Uint8Array): RpcJson | Promise<RpcJson>
  /** The explorer's methods (`sluice_getAddressTransactions`, `sluice_getBatches`, …). */
  explorer?: ExplorerRpcProvider
}

/** `GET /health`: 200 with the details when healthy, 503 with the reason otherwise. */
export type HealthReport =
  | { healthy: true; details?: Record<string, RpcJson> | undefined }
  | { healthy: false; reason: string; details?: Record<string, RpcJson> | undefined }

/**
 * Per-client token bucket, counted in cost units (see `rpc/cost.ts`): a cheap call costs 1, a call
 * that reads many blocks or proof nodes costs about one unit per block or node it reads.
 */
export type RateLimit = {
  /** Sustained cost units per second per client IP. */
  unitsPerSecond: number
  /** Units a client may spend at once after being idle. */
  burst: number
}

export type RpcLimits = {
  /** Largest request body (HTTP) or message (WebSocket), in bytes. Default 5 MiB. */
  maxBodyBytes: number
  /** Most entries in one batch. Default 1,000. */
  maxBatchLength: number
  /** Per-client rate limit in cost units, or `false` for none. Default 20,000 units/s, burst 40,000. */
  rateLimit: RateLimit | false
  /**
   * Clients that present one of these keys (URL path `/key/<key>` or `Authorization: Bearer <key>`) are
   * held to the key's own allowance instead of their IP's `rateLimit`. Default none.
   */
  apiKeys: readonly ApiKey[]
  /**
   * Most cost units one HTTP request or WebSocket message (a whole batch) may cost; a dearer one is
   * refused before any of it runs. Bounds the work one request can do to tens of milliseconds. Default 20,000.
   */
  maxRequestCost: number
  /** Largest answer to one request (a whole batch), in bytes; the calls past it answer -32003. Default 10 MiB. */
  maxResponseBytes: number
  /** Most storage keys in one `eth_getProof`. Default 1,024. */
  maxStorageKeys: number
  /** Most blocks `eth_feeHistory` reports (larger counts are cut, as geth does). Default 1,024. */
  maxFeeHistoryBlocks: number
  /** Widest block range of one `eth_getLogs` (and of a log filter's poll). Default 5,000. */
  maxLogBlockRange: number
  /** Most logs one `eth_getLogs` returns. Default 10,000. */
  maxLogResults: number
  /** Open TCP connections (HTTP and WebSocket) at once; cut further to keep the file-descriptor reserve. Default 2,048. */
  maxConnections: number
  /** Open TCP connections from one IP (HTTP and WebSocket); 0 for no per-IP cap (behind a proxy). Default 128. */
  maxConnectionsPerIp: number
  /** File descriptors kept free for the node's own work (L1, LevelDB, p2p): connections stop at the fd limit minus this. Default 512. */
  fdReserve: number
  /** Open WebSocket connections at once. Default 1,000. */
  maxWebSocketConnections: number
  /** Subscriptions per WebSocket connection. Default 64. */
  maxSubscriptionsPerConnection: number
  /** Subscriptions over all connections. Default 10,000. */
  maxSubscriptions: number
  /**
   * A WebSocket whose unsent output would exceed this is closed at once (a reader that does not keep
   * up); one message to an idle connection is always sent, however large. Default 1 MiB.
   */
  maxWebSocketBufferedBytes: number
  /** Unsent WebSocket output over all connections; past it, connections with a backlog are closed. Default 64 MiB. */
  maxWebSocketBufferedBytesTotal: number
  /** Installed filters (`eth_newFilter` and co.) over all clients. Default 10,000. */
  maxFilters: number
  /** Installed filters per client IP. Default 128. */
  maxFiltersPerIp: number
  /** A filter not polled for this long is removed, as geth does after 5 minutes. Default 300,000 ms. */
  filterTimeoutMs: number
  /** Time a client has to send a request's headers (slowloris). Default 10,000 ms. */
  headersTimeoutMs: number
  /** Time a client has to send a whole request. Default 30,000 ms. */
  requestTimeoutMs: number
  /**
   * An idle keep-alive connection is closed after this. Default 60,000 ms (geth keeps idle connections
   * 120 s): clients hold a connection for the `Keep-Alive: timeout` hint minus a margin (Node's fetch:
   * 2 s), so with Node's own 5 s a client polling every 4 s (viem's default) or one whose event loop
   * lags reuses a connection the node is closing, and a POST sent on it fails with "other side closed".
   */
  keepAliveTimeoutMs: number
  /** A connection with no traffic at all is closed after this (not WebSockets). Default 60,000 ms. */
  idleTimeoutMs: number
}

export const DEFAULT_RPC_LIMITS: RpcLimits = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatchLength: 1_000,
  rateLimit: { unitsPerSecond: 20_000, burst: 40_000 },
  apiKeys: [],
  maxRequestCost: 20_000,
  maxResponseBytes: 10 * 1024 * 1024,
  maxStorageKeys: 1_024,
  maxFeeHistoryBlocks: 1_024,
  maxLogBlockRange: 5_000,
  maxLogResults: 10_000,
  maxConnections: 2_048,
  maxConnectionsPerIp: 128,
  fdReserve: 512,
  maxWebSocketConnections: 1_000,
  maxSubscriptionsPerConnection: 64,
  maxSubscriptions: 10_000,
  maxWebSocketBufferedBytes: 1024 * 1024,
  maxWebSocketBufferedBytesTotal: 64 * 1024 * 1024,
  maxFilters: 10_000,
  maxFiltersPerIp: 128,
  filterTimeoutMs: 300_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
}

/**
 * Takes HTTP bodies of `eth_sendRawTransaction` calls off the main thread (the sequencer's sender
 * workers: `SenderPool.prepareSendBody`).
 */
export type SendBodyIntake = {
  /**
   * The body's calls with each transaction's hash and sender, when it is made only of well-formed
   * `eth_sendRawTransaction` calls (at most `maxCalls`) whose senders recover; undefined for any
   * other body, which is then answered as usual (so that every error stays the same). Bodies
   * resolve in the order they were handed over.
   */
  prepare(text: string, maxCalls: number): Promise<SendRawTransactionBody | undefined>
  /** Opens the admission of one prepared body's transactions (see `SendBodyAdmission`). */
  admission(): SendBodyAdmission
}

/**
 * The admission of one prepared body's transactions, in the order of its calls: each is admitted at
 * once, and the body's answers wait for `durable`, one promise for all of them (the sequencer's
 * group commit makes hundreds durable together).
 */
export interface SendBodyAdmission {
  /**
   * `RpcServerOptions.submit`, synchronously, for a transaction whose hash and sender `prepare`
   * computed, and its decoded form when the worker packed one (`unpackTransaction`): returns its hash,
   * also as lower-case `0x` hex (the answer), or throws its refusal. Not accepted until `durable` says so.
   */
  admit(
    raw: Uint8Array,
    known: { hash: Uint8Array; sender: Uint8Array; tx: SignedTransaction | undefined },
  ): { readonly hash: Uint8Array; readonly hashHex: string }
  /**
   * Called once, after the last `admit`: resolves once every admitted transaction is accepted or taken
   * back, with the ones taken back, by their place among the admitted (0 for the first `admit` that
   * returned), in that order, each with the error its call answers. Never rejects.
   */
  durable(): Promise<readonly { readonly admitted: number; readonly error: unknown }[]>
}

export type RpcServerOptions = {
  /** The chain store, read-only. */
  chain: ChainReader
  /**
   * Takes a signed transaction (network encoding) and resolves with its hash once accepted (the
   * sequencer: durable in the intake log; the verifier: forwarded). Refusals are `SluiceError`s with
   * severity `invalidInput` (see `TxPoolRefusalError`) and are answered -32000 with their short
   * message. Without it, `eth_sendRawTransaction` is refused with `notAccepted`.
   */
  submit?: ((raw: Uint8Array) => Promise<Uint8Array>) | undefined
  /**
   * The sequencer's path for HTTP bodies made only of `eth_sendRawTransaction` calls, parsed off
   * the main thread. Used only together with `submit`.
   */
  sendBodies?: SendBodyIntake | undefined
  /** Pending nonces and transactions (the sequencer's mempool). */
  pending?: PendingPool | undefined
  rollup?: RollupRpcProvider | undefined
  /** `web3_clientVersion`, e.g. `sluice-sequencer/0.1.0`. */
  clientVersion: string
  /** Called on every `GET /health`; without it the server reports healthy while it serves. */
  health?: (() => HealthReport | Promise<HealthReport>) | undefined
  /** Where `/metrics` reads from and the RPC metrics are registered; a private registry when absent. */
  metrics?: Registry | undefined
  /** A pino logger (a child is used) or a level for a new one. Default `info`. */
  logger?: Logger | LevelWithSilent | undefined
  limits?: Partial<RpcLimits> | undefined
  /** CORS `Access-Control-Allow-Origin`: `true` reflects any origin (default), or a list of origins. */
  corsOrigin?: boolean | string | readonly string[] | undefined
  /** Trust `X-Forwarded-For` for the client IP (rate limit) when behind a proxy. Default false. */
  trustProxy?: boolean | undefined
  /** The tip `eth_maxPriorityFeePerGas` suggests and `eth_gasPrice` adds to the base fee. Default 0. */
  suggestedPriorityFeePerGas?: bigint | undefined
}
