import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  bytesToHex,
  createSenderPool,
  equalBytes,
  hexToBytes,
  type NoopReason,
  prepareBlockConfig,
  type SenderPool,
  transactionHash,
} from '@sluice/core'
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
  encodeGossipBlock,
  L1Reader,
  type L1Wallet,
  Liveness,
  type Logger,
  type Loop,
  l1WalletClient,
  loadDeployment,
  Mutex,
  NodeConfigError,
  openNodeStore,
  type P2PNode,
  PostedBatchAdoption,
  type RpcServer,
  registerStoreMetrics,
  type StoredBlock,
  type SyncProgress,
  signGossipBlock,
  startLoop,
  TxPoolRefusalError,
  viemL1Source,
  walletFor,
  warmKzg,
  withBlobWait,
  writeNodeInfo,
} from '@sluice/node'
import { privateKeyToAccount } from 'viem/accounts'
import { Batcher } from './batcher/batcher.ts'
import { SafeLagThrottle } from './batcher/safeLagThrottle.ts'
import { BlockBuilder } from './builder/blockBuilder.ts'
import { IntakeLog, registerIntakeLogMetrics, TransactionIntake } from './intake/index.ts'
import {
  blockHashKeys,
  blockSenderKeys,
  HeadAccounts,
  Mempool,
  type PoolTransaction,
  refusalForNoop,
  registerMempoolMetrics,
} from './mempool/index.ts'
import type { SequencerOptions } from './options.ts'
import { Proposer } from './proposer/proposer.ts'

export const SEQUENCER_VERSION = 'sluice-sequencer/0.1.0'

/** A running sequencer: every part, and `stop()` that closes them in order. */
export type SequencerNode = {
  rpcUrl: string
  deployment: Deployment
  chain: ChainStore
  p2p: P2PNode | undefined
  logger: Logger
  stop(): Promise<void>
  /** Resolves when the node stopped itself on a fatal error (with that error). */
  fatal: Promise<unknown>
}

/** Starts a sequencer from parsed options: checks the config against L1, opens the data directory, resumes, serves. */
export async function startSequencer(options: SequencerOptions): Promise<SequencerNode> {
  const logger = createLogger({ level: options.logLevel, name: 'sequencer' })
  const metrics = createNodeMetrics()
  const liveness = new Liveness(metrics.registry)
  // Health counts a loop that has not turned yet from when the loops start, not from the node's start.
  let startedAt = Date.now()
  const deployment = loadDeployment(options.deployment)
  const { config } = deployment
  const sequencerAccount = privateKeyToAccount(options.sequencerKey)
  if (sequencerAccount.address.toLowerCase() !== config.sequencer.toLowerCase()) {
    throw new NodeConfigError(
      '--sequencer-key',
      `its address ${sequencerAccount.address} is not the config's sequencer ${config.sequencer}`,
      'Only the sequencer address of the rollup config may append batches.',
    )
  }
  const l1 = await connectL1(options.l1Rpc, deployment)
  const { publicClient } = l1
  // An L1 before Cancun has no blob base fee: `auto` then posts calldata, `blobs` cannot run.
  const l1HasBlobs = await publicClient.getBlobBaseFee().then(
    () => true,
    () => false,
  )
  if (options.da === 'blobs' && !l1HasBlobs) {
    throw new NodeConfigError(
      '--da',
      'blobs, but the L1 has no blob transactions (eth_blobBaseFee failed)',
      'Use --da calldata or auto with this L1, or an L1 after Cancun (anvil: its default hardfork).',
    )
  }
  const blobBatches = options.da !== 'calldata' && l1HasBlobs
  // The KZG setup takes seconds of synchronous work: done now, before anything is served, instead of
  // at the first blob batch, where it froze the event loop (RPC answers, sealing) for that long.
  if (blobBatches) warmKzg(logger)
  const batcherWallet = l1WalletClient(l1, options.sequencerKey)
  const proposerWallet = l1WalletClient(l1, options.proposerKey)
  // One wallet per key: the batcher and the proposer share the sequencer key by default.
  const wallets = new Map<string, L1Wallet>()

  mkdirSync(options.dataDir, { recursive: true })
  const store = await openNodeStore(options.dataDir, options.trieCacheBytes)
  registerStoreMetrics(metrics.registry, store)
  const closers: (() => Promise<void>)[] = [() => store.close()]
  const loops: Loop[] = []
  let senderPool: SenderPool | undefined
  let intakeLog: IntakeLog | undefined
  let intakeRef: TransactionIntake | undefined
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
    await builder?.flushed().catch(() => undefined)
    await intakeLog?.close()
    await senderPool?.close()
    for (const close of closers.reverse()) await close()
    liveness.stop()
  }
  let builder: BlockBuilder<PoolTransaction> | undefined
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
    // Fault `apply-invalid-tx` (tests only): the sequencer executes with half the base fee, so it admits
    // and applies transactions whose fee cap is below the real base fee — no-ops under the true STF.
    const applyInvalid = options.faults.includes('apply-invalid-tx')
    const executionConfig = applyInvalid ? { ...config, baseFeePerGas: config.baseFeePerGas / 2n } : config
    // The mempool admits against the builder's head, whose accounts it keeps resident (exact: the
    // builder passes every write of its blocks, and resets it when it re-reads its state).
    const headAccounts = new HeadAccounts((address) =>
      (builder as BlockBuilder<PoolTransaction>).headState.getAccount(address),
    )
    const mempool = new Mempool({
      config: executionConfig,
      view: headAccounts,
      recovery: senderPool,
      maxExecutable: options.txpool.maxExecutable,
      maxQueued: options.txpool.maxQueued,
      maxQueuedPerSender: options.txpool.maxQueuedPerSender,
      maxPerSender: options.txpool.maxPerSender,
      maxNonceGap: options.txpool.maxPerSender,
      lifetimeMs: options.txpool.lifetimeSeconds * 1000,
      logger: logger.child({ component: 'mempool' }),
      onDropped: (dropped) => {
        // Persist the reason before the intake record may be compacted away: never silent.
        void store
          .batch([chain.droppedOp(dropped.transaction.hash, dropped.reason, dropped.detail ?? dropped.message)])
          .then(() => intakeRef?.resolveDropped(dropped.transaction))
      },
    })
    builder = new BlockBuilder({
      chain,
      config,
      // A block must fit one batch: with blobs possible, one blob batch (auto may still post calldata
      // batches; a block too large for one goes in blobs).
      batchCapacity: blobBatches ? { da: 'blobs', maxBlobs: options.maxBlobs } : { da: 'calldata' },
      // Executing a block holds the event loop: at most about a block time of it per block.
      executionBudgetMs: options.blockTime,
      prepared: prepareBlockConfig(executionConfig),
      accountWrites: headAccounts,
      transactionGate: new SafeLagThrottle({
        maxBlocks: options.maxSafeLag,
        safeHead: () => chain.head('safe').header.number,
        logger: logger.child({ component: 'builder' }),
        registry: metrics.registry,
      }),
      logger: logger.child({ component: 'builder' }),
      metrics,
      skipDelayed: options.faults.includes('skip-deposit'),
      delayed: {
        confirmedCount: () => reader.delayedCount,
        get: (index) => reader.delayedMessage(index),
      },
      transactions: {
        takeReady: (maxCount, maxGas) => mempool.takeReady(maxCount, maxGas),
        // The pool's own keys of the taken transactions come back with the block: none is hex-encoded again.
        sealed: (block, dropped, taken) => {
          mempool.markIncludedByKey(blockHashKeys(block, taken))
          for (const d of dropped) mempool.remove(d.hash, refusalForNoop(d.reason as NoopReason), d.detail)
          mempool.onNewHeadByKey(headAccounts, blockSenderKeys(block, taken))
        },
      },
    })

    // Durable intake: every acknowledged transaction is replayed after any stop.
    intakeLog = await IntakeLog.open({
      directory: join(options.dataDir, 'intake'),
      logger: logger.child({ component: 'intake' }),
    })
    const intake = new TransactionIntake({ mempool, log: intakeLog })
    registerMempoolMetrics(metrics.registry, mempool, headAccounts)
    registerIntakeLogMetrics(metrics.registry, intakeLog)
    intakeRef = intake
    const replay = await intake.replay({
      isResolved: (hash) => chain.transactionLocation(hash) !== undefined,
      onRefused: async (refusal) => {
        await store.batch([chain.droppedOp(refusal.hash, refusal.error.refusal, refusal.error.shortMessage)])
      },
    })
    // Whatever outlived its lifetime while the node was down goes now, recorded as expired.
    const expiredAtStart = mempool.expire()
    if (replay.records > 0) logger.info({ ...replay, expired: expiredAtStart }, 'intake log replayed')
    builder.onSealed((block, taken) => intake.resolveByKey(blockHashKeys(block, taken)))

    // The sequencer derives its own batches back from L1: the safe head, and the roots it proposes.
    const sink = new ChainSink({
      chain,
      logger: logger.child({ component: 'derive' }),
      // The faulty sequencer keeps its own (wrong) chain instead of adopting L1's.
      keepUnsafe: applyInvalid,
      onUnsafeReorg: async (reorg) => {
        // L1 is authoritative (a forced-inclusion batch, or a reorg that removed deposits the unsafe
        // chain used): continue on L1's chain, re-batch from there, and take the removed blocks'
        // transactions in again so that no acknowledged transaction is lost.
        await (builder as BlockBuilder<PoolTransaction>).reset()
        await batcher.rebuildFrom(reorg.from)
        let readmitted = 0
        for (const raw of reorg.removedTransactions) {
          try {
            await (intakeRef as TransactionIntake).submit(raw)
            readmitted++
          } catch (error) {
            const reason = error instanceof TxPoolRefusalError ? error.refusal : 'removed'
            logger.warn(
              { tx: bytesToHex(transactionHash(raw)), reason, err: error },
              'a transaction of a removed block no longer applies',
            )
            if (chain.transactionLocation(transactionHash(raw))?.status !== 'included') {
              await store.batch([chain.droppedOp(transactionHash(raw), reason, (error as Error).message)])
            }
          }
        }
        logger.warn(
          {
            from: Number(reorg.from),
            oldUnsafe: Number(reorg.oldUnsafe),
            removed: reorg.removedTransactions.length,
            readmitted,
          },
          'unsafe chain rebuilt on what L1 derives',
        )
      },
    })
    let progress: SyncProgress | undefined
    const driver = await DerivationDriver.open({
      store,
      config,
      source: reader,
      sink,
      senderPool,
      metrics: createDerivationMetrics(metrics.registry),
      logger: logger.child({ component: 'derive' }),
      blobProvider: blobProviderFor(options.l1Beacon, logger),
      // Its own batches are adopted, not executed a second time. The faulty sequencer of
      // apply-invalid-tx built its blocks with another base fee: it executes every batch.
      ownBatches: applyInvalid
        ? undefined
        : new PostedBatchAdoption({
            chain,
            posted: (index) => batcher.posted(index),
            delayed: reader.delayedSource,
            maxSequencerDrift: config.maxSequencerDrift,
            logger: logger.child({ component: 'derive' }),
          }),
      onProgress: (p) => {
        progress = p
      },
    })
    await driver.reconcile()
    const chainLock = new Mutex()
    const batcher = new Batcher({
      chain,
      config,
      deployment,
      publicClient,
      wallet: walletFor(wallets, batcherWallet, publicClient),
      logger: logger.child({ component: 'batcher' }),
      registry: metrics.registry,
      maxBatchAgeMs: options.batchAge,
      da: options.da,
      maxBlobs: options.maxBlobs,
      l1HasBlobs,
    })
    batcher.load()
    closers.push(() => batcher.close())
    const proposer = new Proposer({
      chain,
      config,
      deployment,
      publicClient,
      wallet: walletFor(wallets, proposerWallet, publicClient),
      logger: logger.child({ component: 'proposer' }),
      registry: metrics.registry,
      proposeEvery: options.proposeEvery,
      badClaim: options.faults.includes('bad-claim'),
      claimUnsafeRoots: applyInvalid,
    })
    proposer.load()
    // Defends the proposer's stakes in bisection games (protocol.md §8), finalizes its claims and
    // withdraws its bonds and credit; it challenges no one (that is the verifiers' job).
    const disputes = new DisputeAgent({
      chain,
      reader,
      config,
      addresses: deployment,
      publicClient,
      wallet: walletFor(wallets, proposerWallet, publicClient),
      logger: logger.child({ component: 'dispute' }),
      registry: metrics.registry,
      challenge: false,
    })

    if (options.p2pPort > 0) {
      // Recent blocks are signed once, when published, and range answers reuse those signatures.
      const signedRecent = new Map<bigint, { hash: Uint8Array; message: Uint8Array }>()
      const signed = (block: StoredBlock): Uint8Array => {
        const cached = signedRecent.get(block.header.number)
        if (cached !== undefined && equalBytes(cached.hash, block.hash)) return cached.message
        const message = signBlock(block, options.sequencerKey, config.chainId)
        signedRecent.set(block.header.number, { hash: block.hash, message })
        if (signedRecent.size > SIGNED_BLOCKS_KEPT) signedRecent.delete(signedRecent.keys().next().value as bigint)
        return message
      }
      p2p = await createP2PNode({
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
        serveRange: (from, count) => signedRange(chain, from, count, signed),
      })
      await p2p.start()
      const node = p2p
      builder.onSealed((block) => {
        void node.publishBlock(signed(block)).catch(() => undefined)
      })
    }

    const submit = async (raw: Uint8Array): Promise<Uint8Array> => (await intake.submit(raw)).hash
    const bodyWorkers = senderPool
    rpc = createRpcServer({
      chain,
      submit,
      // Bodies of eth_sendRawTransaction calls are parsed, hashed and recovered in the sender workers.
      sendBodies: {
        prepare: (text, maxCalls) => bodyWorkers.prepareSendBody(text, config.chainId, maxCalls),
        admission: () => intake.openBody(),
      },
      pending: {
        nonce: (address) => mempool.pendingNonce(address),
        transaction: (hash) => mempool.get(hash),
      },
      rollup: createRollupProvider({
        chain,
        reader,
        driver,
        progress: () => progress,
        isPending: (hash) => mempool.has(hash),
        l1Client: publicClient,
        extraStatus: () => ({
          sequencer: {
            mempool: mempool.size,
            nextUnbatchedBlock: batcher.nextUnbatchedBlock,
            batchesInFlight: batcher.pendingIntents.length,
            dataAvailability: batcher.dataAvailability,
            nextProposal: proposer.nextBatch,
            halted: batcher.haltReason?.shortMessage ?? null,
          },
          disputes: disputes.status(),
        }),
      }),
      clientVersion: SEQUENCER_VERSION,
      metrics: metrics.registry,
      logger: logger.child({ component: 'rpc' }),
      limits: options.rpcLimits,
      health: () => {
        const halted = batcher.haltReason
        if (halted) return { healthy: false, reason: `batcher halted: ${halted.shortMessage}` }
        return withBlobWait(
          liveness.health(
            [
              { loop: 'seal', maxAgeMs: options.healthMaxSealAge, what: 'block sealing' },
              { loop: 'l1', maxAgeMs: options.healthMaxL1PollAge, what: 'L1 polling' },
            ],
            startedAt,
            { unsafe: chain.head('unsafe').header.number, safe: chain.head('safe').header.number },
          ),
          driver.blobWait(),
        )
      },
    })
    const address = await rpc.listen(options.rpcHost, options.rpcPort)

    const onFatal = (error: unknown) => resolveFatal(error)
    const b = builder
    startedAt = Date.now()
    let lastSealAt = Date.now()
    loops.push(
      startLoop({
        name: 'builder',
        intervalMs: options.blockTime,
        // Under load, a block every block time (from one seal's start to the next), not every block
        // time plus the time sealing took.
        fixedRate: true,
        logger,
        metrics,
        liveness,
        onFatal,
        step: async () => {
          // Wallets (ethers' wait) watch for new blocks: an idle chain still seals one now and then.
          const idle = Date.now() - lastSealAt >= options.emptyBlockInterval
          const sealed = await chainLock.run(() => b.sealNext({ force: idle }))
          if (sealed !== undefined) {
            lastSealAt = Date.now()
            liveness.beat('seal')
          }
        },
      }),
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
          // One batch per turn of the lock, so the builder keeps its block time while L1 catches up.
          let derived = false
          for (let i = 0; i < 16; i++) {
            if ((await chainLock.run(() => driver.deriveAvailable({ maxBatches: 1 }))) === 0) break
            derived = true
          }
          await chainLock.run(() => advanceFinalizedHead(chain, reader))
          metrics.head.set({ head: 'safe' }, Number(chain.head('safe').header.number))
          metrics.head.set({ head: 'finalized' }, Number(chain.head('finalized').header.number))
          if (options.proposeEvery > 0) await proposer.tick()
          await disputes.tick()
          return step.kind === 'advanced' || derived
        },
      }),
      startLoop({
        name: 'mempool-expiry',
        // A tenth of the lifetime: an expired transaction goes at most 10% late, at most once a minute.
        intervalMs: Math.min(60_000, Math.max(250, options.txpool.lifetimeSeconds * 100)),
        logger,
        metrics,
        onFatal,
        step: async () => {
          const expired = mempool.expire()
          if (expired > 0) logger.info({ expired }, 'mempool: dropped expired non-executable transactions')
        },
      }),
      startLoop({
        name: 'intake-checkpoint',
        intervalMs: 5_000,
        logger,
        metrics,
        liveness,
        onFatal,
        step: async () => {
          await intake.checkpoint()
        },
      }),
      startLoop({
        name: 'batcher',
        intervalMs: 250,
        logger,
        metrics,
        liveness,
        onFatal,
        step: async () => {
          await batcher.tick()
        },
      }),
    )
    writeNodeInfo(options.dataDir, { rpcUrl: address.url, p2p: p2p?.multiaddrs() ?? [] })
    logger.info(
      {
        rpc: address.url,
        ws: address.wsUrl,
        p2p: p2p?.multiaddrs() ?? [],
        chainId: Number(config.chainId),
        unsafe: Number(chain.head('unsafe').header.number),
        da: options.da,
        l1HasBlobs,
      },
      'sequencer ready',
    )
    return { rpcUrl: address.url, deployment, chain, p2p, logger, stop: stopAll, fatal }
  } catch (error) {
    await stopAll().catch(() => undefined)
    throw error
  }
}

function signBlock(block: StoredBlock, key: `0x${string}`, chainId: bigint): Uint8Array {
  const payload = encodeGossipBlock({
    number: block.header.number,
    timestamp: block.header.timestamp,
    delayedCountAfter: block.header.delayedCountAfter,
    parentHash: block.header.parentHash,
    blockHash: block.hash,
    stateRoot: block.header.stateRoot,
    transactions: block.transactions.filter((t) => !t.forced).map((t) => t.raw),
  })
  return signGossipBlock(payload, hexToBytes(key), chainId)
}

/** Signed gossip messages of the sequencer's most recent blocks kept for blocks-by-range. */
const SIGNED_BLOCKS_KEPT = 1024

function signedRange(
  chain: ChainStore,
  from: bigint,
  count: number,
  signed: (block: StoredBlock) => Uint8Array,
): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let n = from; n < from + BigInt(count); n++) {
    const block = chain.blockByNumber(n)
    if (block === undefined) break
    out.push(signed(block))
  }
  return out
}
