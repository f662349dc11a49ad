import { mkdirSync } from 'node:fs'
import { createSenderPool, hexToBytes, prepareBlockConfig, type SenderPool } from '@sluice/core'
import {
  advanceFinalizedHead,
  blobProviderFor,
  ChainSink,
  ChainStore,
  connectL1,
  createDerivationMetrics,
  createL1ReaderMetrics,
  createLogger,
  createNodeMetrics,
  createP2PNode,
  createRollupProvider,
  createRpcServer,
  type Deployment,
  DerivationDriver,
  DisputeAgent,
  forwardPendingNonce,
  forwardTransactions,
  L1Reader,
  L1Wallet,
  Liveness,
  type Logger,
  type Loop,
  l1WalletClient,
  loadDeployment,
  Mutex,
  openNodeStore,
  type P2PNode,
  type RpcServer,
  registerStoreMetrics,
  type SyncProgress,
  startLoop,
  viemL1Source,
  withBlobWait,
  writeNodeInfo,
} from '@sluice/node'
import { ClaimChecker, type InvalidClaimHandler } from './claims/claimChecker.ts'
import type { VerifierOptions } from './options.ts'
import { UnsafeFollower } from './unsafe/unsafeFollower.ts'

export const VERIFIER_VERSION = 'sluice-verifier/0.1.0'

export type VerifierNode = {
  rpcUrl: string
  deployment: Deployment
  chain: ChainStore
  p2p: P2PNode | undefined
  logger: Logger
  claims: ClaimChecker
  /** The dispute agent, when `--challenger-key` is given (challenges wrong claims, defends its stakes). */
  disputes: DisputeAgent | undefined
  stop(): Promise<void>
  fatal: Promise<unknown>
}

/**
 * Starts a verifier: follows L1 alone (derivation is the safe chain), checks every claim against its
 * own roots, follows the sequencer's gossip as an unsafe head (re-executing every block), and serves
 * a read-only RPC.
 */
export async function startVerifier(
  options: VerifierOptions,
  extras: { invalidClaimHandler?: InvalidClaimHandler } = {},
): Promise<VerifierNode> {
  const logger = createLogger({ level: options.logLevel, name: 'verifier' })
  const metrics = createNodeMetrics()
  const liveness = new Liveness(metrics.registry)
  // Health counts a loop that has not turned yet from when the loops start, not from the node's start.
  let startedAt = Date.now()
  const deployment = loadDeployment(options.deployment)
  const { config } = deployment
  const l1 = await connectL1(options.l1Rpc, deployment)
  const { publicClient } = l1

  mkdirSync(options.dataDir, { recursive: true })
  const store = await openNodeStore(options.dataDir, options.trieCacheBytes)
  registerStoreMetrics(metrics.registry, store)
  const loops: Loop[] = []
  let senderPool: SenderPool | undefined
  let p2p: P2PNode | undefined
  let rpc: RpcServer | undefined
  let resolveFatal: (error: unknown) => void = () => undefined
  const fatal = new Promise<unknown>((resolve) => {
    resolveFatal = resolve
  })
  const stopAll = async () => {
    for (const loop of loops) await loop.stop()
    await rpc?.close()
    await p2p?.stop()
    await senderPool?.close()
    await store.close()
    liveness.stop()
  }
  try {
    const chain = await ChainStore.open(store, config)
    const reader = new L1Reader({
      source: viemL1Source(publicClient),
      addresses: deployment,
      l1Confirmations: config.l1Confirmations,
      store,
      logger: logger.child({ component: 'l1' }),
      metrics: createL1ReaderMetrics(metrics.registry),
    })
    senderPool = createSenderPool()
    const sink = new ChainSink({
      chain,
      logger: logger.child({ component: 'derive' }),
      onUnsafeReorg: (reorg) => {
        metrics.errors.inc({ component: 'unsafe', kind: 'reorg' })
        logger.warn({ from: Number(reorg.from), replaced: reorg.replaced.length }, 'unsafe head reorged to L1')
      },
    })
    let progress: SyncProgress | undefined
    let lastProgressLog = 0
    const driver = await DerivationDriver.open({
      store,
      config,
      source: reader,
      sink,
      senderPool,
      metrics: createDerivationMetrics(metrics.registry),
      logger: logger.child({ component: 'derive' }),
      blobProvider: blobProviderFor(options.l1Beacon, logger),
      onProgress: (p) => {
        progress = p
        if (Date.now() - lastProgressLog > 5_000 && p.targetMessageCount > p.messageCount) {
          lastProgressLog = Date.now()
          logger.info(
            {
              safeBlock: Number(p.safeBlock),
              batch: Number(p.batchIndex),
              txPerSecond: Math.round(p.transactionsPerSecond),
              etaSeconds: p.etaSeconds === undefined ? null : Math.round(p.etaSeconds),
            },
            'catching up',
          )
        }
      },
    })
    await driver.reconcile()
    const chainLock = new Mutex()
    const claims = new ClaimChecker({
      chain,
      reader,
      logger: logger.child({ component: 'claims' }),
      registry: metrics.registry,
      ...(extras.invalidClaimHandler ? { handler: extras.invalidClaimHandler } : {}),
    })

    // Dispute agent (protocol.md §8): with a challenger key, challenge every wrong claim and defend own stakes.
    let disputes: DisputeAgent | undefined
    if (options.challengerKey !== undefined) {
      const walletClient = l1WalletClient(l1, options.challengerKey)
      disputes = new DisputeAgent({
        chain,
        reader,
        config,
        addresses: deployment,
        publicClient,
        wallet: new L1Wallet(walletClient, publicClient),
        logger: logger.child({ component: 'dispute' }),
        registry: metrics.registry,
        challenge: true,
        challengeHonest: options.faults.includes('challenge-honest'),
        stakeValid: options.stakeClaims,
      })
    }

    let follower: UnsafeFollower | undefined
    if (options.p2pPort > 0) {
      const node = await createP2PNode({
        chainId: config.chainId,
        sequencerAddress: hexToBytes(config.sequencer),
        dataDir: options.dataDir,
        listenHost: options.p2pHost,
        listenPort: options.p2pPort,
        bootstrapPeers: options.peers,
        limits: options.p2pLimits,
        registry: metrics.registry,
        logger: logger.child({ component: 'p2p' }),
        heads: () => ({ unsafe: chain.head('unsafe').header.number, safe: chain.head('safe').header.number }),
      })
      p2p = node
      follower = new UnsafeFollower({
        chain,
        prepared: prepareBlockConfig(config),
        delayed: (index) => reader.delayedMessage(index),
        senders: senderPool,
        chainId: config.chainId,
        logger: logger.child({ component: 'unsafe' }),
        registry: metrics.registry,
        exclusive: (fn) => chainLock.run(fn),
        requestRange: async (from, count) => (await node.requestRange(from, count)).map((r) => r.block),
      })
      const unsafe = follower
      node.onBlock((received) => unsafe.receive(received.block))
      await node.start()
    }

    rpc = createRpcServer({
      chain,
      submit: options.sequencerRpc === undefined ? undefined : forwardTransactions(options.sequencerRpc),
      // Pending nonces are the sequencer's (its mempool), so sends through this node do not collide.
      pending:
        options.sequencerRpc === undefined
          ? undefined
          : { nonce: forwardPendingNonce(options.sequencerRpc), transaction: () => undefined },
      rollup: createRollupProvider({
        chain,
        reader,
        driver,
        progress: () => progress,
        l1Client: publicClient,
        ...(disputes ? { extraStatus: () => ({ disputes: (disputes as DisputeAgent).status() }) } : {}),
      }),
      clientVersion: VERIFIER_VERSION,
      metrics: metrics.registry,
      logger: logger.child({ component: 'rpc' }),
      limits: options.rpcLimits,
      health: () =>
        withBlobWait(
          liveness.health([{ loop: 'l1', maxAgeMs: options.healthMaxL1PollAge, what: 'L1 polling' }], startedAt, {
            safe: chain.head('safe').header.number,
            unsafe: chain.head('unsafe').header.number,
          }),
          driver.blobWait(),
        ),
    })
    const address = await rpc.listen(options.rpcHost, options.rpcPort)
    const onFatal = (error: unknown) => resolveFatal(error)
    startedAt = Date.now()
    loops.push(
      startLoop({
        name: 'l1',
        intervalMs: options.l1PollInterval,
        logger,
        metrics,
        liveness,
        onFatal,
        step: async () => {
          const step = await reader.advance()
          if (step.kind === 'reorg') await chainLock.run(() => driver.rewindToL1(step.commonAncestor.number))
          const derived = (await chainLock.run(() => driver.deriveAvailable({ maxBatches: 64 }))) > 0
          if (step.kind === 'advanced') void follower?.retry()
          await claims.check()
          await disputes?.tick()
          await chainLock.run(() => advanceFinalizedHead(chain, reader))
          metrics.head.set({ head: 'safe' }, Number(chain.head('safe').header.number))
          metrics.head.set({ head: 'unsafe' }, Number(chain.head('unsafe').header.number))
          metrics.head.set({ head: 'finalized' }, Number(chain.head('finalized').header.number))
          return step.kind === 'advanced' || derived
        },
      }),
    )
    writeNodeInfo(options.dataDir, { rpcUrl: address.url, p2p: p2p?.multiaddrs() ?? [] })
    logger.info(
      {
        rpc: address.url,
        p2p: p2p?.multiaddrs() ?? [],
        safe: Number(chain.head('safe').header.number),
        sequencerRpc: options.sequencerRpc ?? null,
      },
      'verifier ready',
    )
    return { rpcUrl: address.url, deployment, chain, p2p, logger, claims, disputes, stop: stopAll, fatal }
  } catch (error) {
    await stopAll().catch(() => undefined)
    throw error
  }
}
