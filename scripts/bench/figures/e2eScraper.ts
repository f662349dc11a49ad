/**
 * The e2e figure's once-a-second scrape of the sequencer (its metrics and its threads' CPU time), on
 * a thread of its own: when the load generator ran on the bench's main thread it kept it busy for
 * seconds at a time, which delayed scrapes taken there by up to ten seconds; the generator now runs in
 * a process of its own, and the bench's main thread still pauses for full GCs of its large heap. Started with `{ rpcUrl, pid, intervalMs }`;
 * posts `ready` after the first scrape; on any message it takes a last scrape and posts them all.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { fetchMetrics } from '../../loadgen/sluice.ts'
import { threadCpuByName } from '../harness.ts'

/**
 * One scrape of the sequencer: its metrics and its threads' CPU time (µs by thread name). `atMs` is
 * epoch milliseconds (the worker's `performance.now()` has its own origin), so that the bench's main
 * thread can place its own instants among the scrapes.
 */
export type Scrape = { atMs: number; metrics: string; threads: Record<string, number> }

export type ScraperMessage = { kind: 'ready' } | { kind: 'done'; scrapes: Scrape[]; failures: string[] }

async function scrapeOnce(rpcUrl: string, pid: number): Promise<Scrape> {
  const metrics = await fetchMetrics(rpcUrl)
  return { atMs: performance.timeOrigin + performance.now(), metrics, threads: threadCpuByName(pid) }
}

async function run(port: NonNullable<typeof parentPort>): Promise<void> {
  const { rpcUrl, pid, intervalMs } = workerData as { rpcUrl: string; pid: number; intervalMs: number }
  let stopping = false
  let wake = () => {}
  port.once('message', () => {
    stopping = true
    wake()
  })
  const scrapes = [await scrapeOnce(rpcUrl, pid)]
  const failures: string[] = []
  port.postMessage({ kind: 'ready' } satisfies ScraperMessage)
  while (!stopping) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    if (stopping) break
    try {
      scrapes.push(await scrapeOnce(rpcUrl, pid))
    } catch (error) {
      failures.push(String(error))
    }
  }
  scrapes.push(await scrapeOnce(rpcUrl, pid))
  port.postMessage({ kind: 'done', scrapes, failures } satisfies ScraperMessage)
  port.close()
}

if (parentPort !== null) await run(parentPort)
