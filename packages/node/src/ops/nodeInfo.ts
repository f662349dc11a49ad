import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** What a running node tells scripts (the devnet, tests) in `<dataDir>/node.json`. */
export type NodeInfo = { rpcUrl: string; p2p: string[]; pid: number }

/** Writes `<dataDir>/node.json` atomically (write then rename), so a reader never sees half a file. */
export function writeNodeInfo(dataDir: string, info: Omit<NodeInfo, 'pid'>): void {
  const file = join(dataDir, 'node.json')
  const tmp = `${file}.tmp`
  writeFileSync(tmp, `${JSON.stringify({ ...info, pid: process.pid }, null, 2)}\n`)
  renameSync(tmp, file)
}
