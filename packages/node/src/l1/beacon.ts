import { BYTES_PER_BLOB, bytesToHex, type Hex, kzg, kzgCommitmentToVersionedHash, SluiceError } from '@sluice/core'
import { hintsByVersionedHash, KZG_POINT_BYTES, type KzgHint, splitKzgHints } from './kzgHints.ts'

/** The beacon API had no blobs for the block (not served yet, pruned, or the API is down). Wait and retry. */
export class BlobUnavailableError extends SluiceError {
  override name = 'BlobUnavailableError'
  constructor(blockId: string, problem: string, cause?: unknown) {
    super(`blobs of L1 block ${blockId} are unavailable from the beacon API: ${problem}`, {
      details:
        'Derivation waits and retries; check --l1-beacon points at a beacon API that keeps blobs for this block.',
      severity: 'temporary',
      code: 'BLOB_UNAVAILABLE',
      cause,
    })
  }
}

/** A blob whose commitment does not hash to the versioned hash L1 committed to. Never used. */
export class BlobMismatchError extends SluiceError {
  override name = 'BlobMismatchError'
  constructor(blockId: string, versionedHash: string) {
    super(`no blob of L1 block ${blockId} matches versioned hash ${versionedHash}`, {
      details: 'The beacon API served blobs that do not match L1: use a trustworthy beacon API (--l1-beacon).',
      severity: 'invalidInput',
      code: 'BLOB_MISMATCH',
    })
  }
}

/** A served blob: hex (JSON), bytes (SSZ), or a `blob_sidecars` entry. */
type BlobItem = string | Uint8Array | { blob?: unknown; kzg_commitment?: unknown; kzg_proof?: unknown }

/**
 * What a beacon API was found to serve, kept across calls by its provider: `sidecarsGone` once
 * `blob_sidecars` answered that it is not served (410 Gone on anvil and Fulu nodes), so it is no
 * longer asked first; `filterRefused` once `/eth/v1/beacon/blobs` answered its `versioned_hashes`
 * filter with a 4xx and served the block without it, so it is no longer asked with one.
 */
export type BeaconEndpoints = { sidecarsGone: boolean; filterRefused?: boolean }

/**
 * How a returned blob was checked against its versioned hash: by the proof its `blob_sidecars` entry
 * came with, by the proof of the batch's KZG hint, or by computing its commitment (no usable hint,
 * or the hint's proof did not hold).
 */
export type BlobCheck = 'sidecarProof' | 'hintProof' | 'commitmentNoHint' | 'commitmentHintFailed'

/** What a blob read may bring besides the versioned hashes. */
export type BlobRequest = {
  /** The batch's KZG hints, as its `appendBlobBatch` call carried them (`splitKzgHints`); never trusted. */
  kzgHints?: Uint8Array | undefined
  /** Told how each returned blob was checked (in the order of the versioned hashes), once they all were. */
  onChecked?: ((checks: BlobCheck[]) => void) | undefined
}

/**
 * Reads the blobs of one L1 block from a beacon API and returns those matching `versionedHashes`,
 * in that order, each checked before return: by a blob proof against a commitment that hashes to the
 * versioned hash (`verifyBlobKzgProofBatch`, all of a block's at once, ~3 ms of CPU per blob), else
 * by computing its commitment (~50–100 ms of CPU per blob). The proofs come from `blob_sidecars`,
 * asked first, or from the batch's KZG hints (`request.kzgHints`, the calldata of its
 * `appendBlobBatch`), for `/eth/v1/beacon/blobs`, which anvil and Fulu nodes serve instead, without
 * proofs. A missing, malformed or wrong hint or proof only costs the computed commitment: what is
 * returned is the same. Both run off the event loop (node-eth-kzg's own threads): on the main thread,
 * one after the other, commitments stalled a sequencer's sealing ~300 ms per six-blob batch it read
 * back and took ~55 µs per transaction of a verifier's catch-up.
 */
export async function fetchBlobs(
  beaconUrl: string,
  blockId: string,
  versionedHashes: readonly string[],
  {
    timeoutMs = 10_000,
    endpoints = { sidecarsGone: false },
    kzgHints,
    onChecked,
  }: { timeoutMs?: number; endpoints?: BeaconEndpoints } & BlobRequest = {},
): Promise<Uint8Array[]> {
  const wanted = versionedHashes.map((hash) => hash.toLowerCase())
  const hints = kzgHints === undefined ? undefined : splitKzgHints(kzgHints)
  const read = await fetchItems(beaconUrl, blockId, timeoutMs, endpoints, wanted)
  let { byHash, checks } = await checkedBlobs(read.items, wanted, hints ?? [])
  if (read.filtered && !wanted.every((hash) => byHash.has(hash))) {
    // a filter applied wrongly must not make a block's blobs look wrong: the whole block decides
    const all = await fetchItems(beaconUrl, blockId, timeoutMs, endpoints)
    ;({ byHash, checks } = await checkedBlobs(all.items, wanted, hints ?? []))
  }
  const blobs = wanted.map((hash, i) => {
    const blob = byHash.get(hash)
    if (!blob) throw new BlobMismatchError(blockId, versionedHashes[i] as string)
    return blob
  })
  onChecked?.(wanted.map((hash) => checks.get(hash) as BlobCheck))
  return blobs
}

type Proven = { blob: Uint8Array; commitment: Uint8Array; proof: Uint8Array; hash: string }

const holds = (proven: readonly Proven[]): Promise<boolean> =>
  kzg().verifyBlobProofBatchAsync(
    proven.map((p) => p.blob),
    proven.map((p) => p.commitment),
    proven.map((p) => p.proof),
  )

/** The served blobs that check out, by versioned hash (lower-case hex), and how each wanted one was checked; see `fetchBlobs`. */
async function checkedBlobs(
  items: readonly BlobItem[],
  wanted: readonly string[],
  hints: readonly KzgHint[],
): Promise<{ byHash: Map<string, Uint8Array>; checks: Map<string, BlobCheck> }> {
  const wantedSet = new Set(wanted)
  const byHash = new Map<string, Uint8Array>()
  const checks = new Map<string, BlobCheck>()
  const served: Uint8Array[] = []
  const sidecars: Proven[] = []
  for (const item of items) {
    if (item instanceof Uint8Array) {
      served.push(item)
      continue
    }
    const blob = hexBytes(typeof item === 'string' ? item : item.blob)
    if (blob === undefined) continue
    served.push(blob)
    const commitment = typeof item === 'string' ? undefined : hexBytes(item.kzg_commitment, KZG_POINT_BYTES)
    const proof = typeof item === 'string' ? undefined : hexBytes(item.kzg_proof, KZG_POINT_BYTES)
    if (commitment === undefined || proof === undefined) continue
    const hash = bytesToHex(kzgCommitmentToVersionedHash(commitment))
    // another transaction's blob: its commitment says so already, and checking it would prove nothing we need
    if (wantedSet.has(hash)) sidecars.push({ blob, commitment, proof, hash })
  }
  const accepted = new Set<Uint8Array>()
  const accept = (proven: readonly Proven[], check: BlobCheck) => {
    for (const p of proven) {
      byHash.set(p.hash, p.blob)
      checks.set(p.hash, check)
      accepted.add(p.blob)
    }
  }
  // a proof that does not hold proves nothing either way: those blobs are checked another way
  if (sidecars.length > 0 && (await holds(sidecars))) accept(sidecars, 'sidecarProof')
  const hinted = hintsByVersionedHash(hints, wanted as Hex[])
  if (wanted.some((hash) => !byHash.has(hash) && hinted.has(hash))) {
    // A batch's blobs are its transaction's, which a block lists together and in order: the wanted
    // blob i is served blob offset + i for one offset. Served through the `versioned_hashes` filter
    // they are exactly the wanted ones in the block's order, so offset 0 (one check) pairs them;
    // served unfiltered, each offset is only a guess the proofs check.
    for (let offset = 0; offset + wanted.length <= served.length; offset++) {
      const guess = wanted.flatMap((hash, i): Proven[] => {
        const hint = hinted.get(hash)
        return hint === undefined || byHash.has(hash) ? [] : [{ blob: served[offset + i] as Uint8Array, ...hint, hash }]
      })
      if (await holds(guess)) {
        accept(guess, 'hintProof')
        break
      }
    }
  }
  if (wanted.every((hash) => byHash.has(hash))) return { byHash, checks }
  await Promise.all(
    served
      .filter((blob) => !accepted.has(blob))
      .map(async (blob) => {
        let commitment: Uint8Array
        try {
          commitment = await kzg().blobToCommitmentAsync(blob)
        } catch {
          return // not a valid blob: it can match no versioned hash
        }
        const hash = bytesToHex(kzgCommitmentToVersionedHash(commitment))
        if (byHash.has(hash)) return
        byHash.set(hash, blob)
        checks.set(hash, hinted.has(hash) ? 'commitmentHintFailed' : 'commitmentNoHint')
      }),
  )
  return { byHash, checks }
}

/**
 * The bytes of a hex string, or undefined when it is not even-length hex (or not `length` bytes
 * when given). (Buffer's decoder: 0.1 ms per 128 KiB blob against 5–30 ms for core's `hexToBytes`;
 * it stops at the first pair that is not hex.)
 */
function hexBytes(hex: unknown, length?: number): Uint8Array | undefined {
  if (typeof hex !== 'string') return undefined
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if (body.length % 2 !== 0 || (length !== undefined && body.length !== 2 * length)) return undefined
  const bytes = Buffer.from(body, 'hex')
  if (bytes.length * 2 !== body.length) return undefined
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** HTTP statuses by which a beacon API says it does not serve an endpoint at all (not: this block is missing). */
const ENDPOINT_NOT_SERVED = new Set([405, 410, 501])

/** How `/eth/v1/beacon/blobs` is asked for its answer: SSZ preferred (anvil and beacon nodes serve it), JSON accepted. */
const BLOBS_ACCEPT = 'application/octet-stream;q=1.0,application/json;q=0.9'

/**
 * The items a beacon API serves for `blockId`: `blob_sidecars` first (until it is found gone), then
 * `/eth/v1/beacon/blobs` (in SSZ where the API serves it: the blobs' bytes one after the other, no
 * JSON to parse and no hex to decode, half the bytes of the JSON), asked for `filterTo`'s blobs alone when given (the `versioned_hashes`
 * filter, comma-separated as anvil reads it; a node that ignores it serves the whole block, one that
 * answers it with a 4xx is asked again without it, and no longer with it once that answered).
 * `filtered`: the items came through the filter.
 */
async function fetchItems(
  beaconUrl: string,
  blockId: string,
  timeoutMs: number,
  endpoints: BeaconEndpoints,
  filterTo?: readonly string[],
): Promise<{ items: BlobItem[]; filtered: boolean }> {
  const base = beaconUrl.replace(/\/$/, '')
  const sidecars = `/eth/v1/beacon/blob_sidecars/${blockId}`
  const blobs = `/eth/v1/beacon/blobs/${blockId}`
  const filtered =
    filterTo !== undefined && filterTo.length > 0 && endpoints.filterRefused !== true
      ? `${blobs}?versioned_hashes=${filterTo.join(',')}`
      : undefined
  const paths = [...(endpoints.sidecarsGone ? [] : [sidecars]), ...(filtered === undefined ? [] : [filtered]), blobs]
  let lastProblem = 'no answer'
  for (const path of paths) {
    let response: Response
    try {
      response = await fetch(`${base}${path}`, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: path === sidecars ? {} : { accept: BLOBS_ACCEPT },
      })
    } catch (cause) {
      throw new BlobUnavailableError(blockId, `request to ${path} failed`, cause)
    }
    if (response.ok) {
      const items = await answerItems(response, blockId, path)
      if (path === blobs && filtered !== undefined) endpoints.filterRefused = true
      return { items, filtered: path === filtered }
    }
    await response.body?.cancel()
    if (path === sidecars && ENDPOINT_NOT_SERVED.has(response.status)) endpoints.sidecarsGone = true
    lastProblem = `${path} answered HTTP ${response.status}`
    // a filter refused or mishandled (any 4xx) is worth asking again without; a failing server is not
    if (path === filtered && response.status >= 500) break
  }
  throw new BlobUnavailableError(blockId, lastProblem)
}

/** The items of a beacon API's successful answer: SSZ blobs one after the other, or JSON's `data` array. */
async function answerItems(response: Response, blockId: string, path: string): Promise<BlobItem[]> {
  if (response.headers.get('content-type')?.startsWith('application/octet-stream')) {
    const bytes = new Uint8Array(await response.arrayBuffer())
    if (bytes.length % BYTES_PER_BLOB !== 0)
      throw new BlobUnavailableError(blockId, `${path} answered ${bytes.length} bytes of SSZ, not whole blobs`)
    const items: BlobItem[] = []
    for (let at = 0; at < bytes.length; at += BYTES_PER_BLOB) items.push(bytes.subarray(at, at + BYTES_PER_BLOB))
    return items
  }
  const body = (await response.json().catch(() => undefined)) as { data?: unknown } | undefined
  if (!body || !Array.isArray(body.data))
    throw new BlobUnavailableError(blockId, `${path} answered without a data array`)
  return body.data as BlobItem[]
}

/** The L1 block that carried a blob batch: what a beacon API needs to find its blobs. */
export type BlobBlock = { number: bigint; timestamp: bigint }

/**
 * A source of checked blobs for the derivation: the stage that can be swapped (a beacon API today;
 * peers or an archive later). `blobs` returns the blobs of `versionedHashes`, in that order, each
 * checked against its hash, or throws `BlobUnavailableError` (wait and retry) or `BlobMismatchError`.
 * `request` may bring the batch's KZG hints, which can make the check cheaper but never change its result.
 */
export interface BlobProvider {
  /** Where the blobs come from, for logs and status. */
  readonly description: string
  blobs(block: BlobBlock, versionedHashes: readonly Hex[], request?: BlobRequest): Promise<Uint8Array[]>
}

/** How a beacon API names the block of an L1 block: by beacon slot, or (anvil) by L1 block number. */
type BlockIdScheme = { kind: 'slot'; genesisTime: bigint; secondsPerSlot: bigint } | { kind: 'l1BlockNumber' }

/**
 * The beacon API as a `BlobProvider`. A beacon node names blocks by slot, so the slot is computed
 * from the L1 block's timestamp, `/eth/v1/beacon/genesis` and `SECONDS_PER_SLOT` of
 * `/eth/v1/config/spec`. anvil serves the blobs endpoint on its RPC port keyed by L1 block number and
 * has no `/eth/v1/config/spec`: a beacon API without that endpoint is read by block number.
 */
export class BeaconBlobProvider implements BlobProvider {
  readonly description: string
  private readonly url: string
  private readonly timeoutMs: number
  private scheme: BlockIdScheme | undefined
  private readonly endpoints: BeaconEndpoints = { sidecarsGone: false }

  constructor(url: string, options: { timeoutMs?: number } = {}) {
    this.url = url.replace(/\/+$/, '')
    this.description = `beacon API ${this.url}`
    this.timeoutMs = options.timeoutMs ?? 10_000
  }

  async blobs(block: BlobBlock, versionedHashes: readonly Hex[], request: BlobRequest = {}): Promise<Uint8Array[]> {
    const blockId = await this.blockId(block)
    return fetchBlobs(this.url, blockId, versionedHashes, {
      ...request,
      timeoutMs: this.timeoutMs,
      endpoints: this.endpoints,
    })
  }

  /** The block id of `block` on this beacon API (the scheme is found once, on first use). */
  async blockId(block: BlobBlock): Promise<string> {
    this.scheme ??= await this.detectScheme(block)
    const scheme = this.scheme
    if (scheme.kind === 'l1BlockNumber') return block.number.toString()
    if (block.timestamp < scheme.genesisTime) {
      throw new BlobUnavailableError(
        block.number.toString(),
        `its timestamp ${block.timestamp} is before the beacon chain's genesis ${scheme.genesisTime}: this beacon API belongs to another chain`,
      )
    }
    return ((block.timestamp - scheme.genesisTime) / scheme.secondsPerSlot).toString()
  }

  private async detectScheme(block: BlobBlock): Promise<BlockIdScheme> {
    const where = block.number.toString()
    const spec = await this.getJson('/eth/v1/config/spec', where)
    if (spec === undefined) return { kind: 'l1BlockNumber' }
    const genesis = await this.getJson('/eth/v1/beacon/genesis', where)
    const genesisTime = decimalField(genesis, 'genesis_time')
    const secondsPerSlot = decimalField(spec, 'SECONDS_PER_SLOT') ?? 12n
    if (genesisTime === undefined || secondsPerSlot <= 0n) {
      throw new BlobUnavailableError(where, '/eth/v1/beacon/genesis gave no genesis_time to compute the slot from')
    }
    return { kind: 'slot', genesisTime, secondsPerSlot }
  }

  /** The `data` of a GET, undefined on 404 (endpoint not served); unreachable or failing: unavailable. */
  private async getJson(path: string, blockId: string): Promise<unknown> {
    let response: Response
    try {
      response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (cause) {
      throw new BlobUnavailableError(blockId, `request to ${path} failed`, cause)
    }
    if (response.status === 404) return undefined
    const body = (await response.json().catch(() => undefined)) as { data?: unknown } | undefined
    if (!response.ok || body?.data === undefined) {
      throw new BlobUnavailableError(blockId, `${path} answered HTTP ${response.status} without data`)
    }
    return body.data
  }
}

function decimalField(data: unknown, name: string): bigint | undefined {
  const value = (data as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : undefined
}

/**
 * The blob provider of a node's `--l1-beacon` option; without one, says at start that blob batches
 * cannot be derived (derivation reports it again when it reaches one).
 */
export function blobProviderFor(
  l1Beacon: string | undefined,
  logger?: { warn(fields: object, message: string): void; info(fields: object, message: string): void },
): BlobProvider | undefined {
  if (l1Beacon === undefined) {
    logger?.warn(
      { option: '--l1-beacon' },
      'no beacon API configured: blob batches cannot be derived; derivation will wait at the first one',
    )
    return undefined
  }
  const provider = new BeaconBlobProvider(l1Beacon)
  logger?.info({ beacon: provider.description }, 'blob batches are read from the beacon API')
  // Every blob read is checked through KZG: load its setup at start, not at the first blob batch.
  warmKzg(logger)
  return provider
}

/**
 * Loads the KZG trusted setup now. It is seconds of synchronous work (3.3 s measured on a loaded
 * 2-core machine); done lazily at the first blob batch it froze the node's event loop — RPC answers,
 * sealing, timeouts — for that long. Call it during start-up, before the node serves anything.
 */
export function warmKzg(logger?: { info(fields: object, message: string): void }): void {
  const started = performance.now()
  kzg()
  logger?.info({ ms: Math.round(performance.now() - started) }, 'KZG trusted setup loaded')
}
