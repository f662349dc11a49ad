/**
 * Child process of the intake crash test: appends records to the intake log in `argv[2]` as fast as
 * it can, 64 in flight, and prints `ack <sequence>` once each append has resolved (after its
 * fdatasync). stdout is a pipe, which Node writes synchronously on Linux: an ack that was printed
 * has reached the parent even if this process is killed right after.
 */
import { IntakeLog } from '../../src/intake/index.ts'
import { payloadFor } from './payload.ts'

const directory = process.argv[2]
if (directory === undefined) throw new Error('usage: crashWriter.ts <directory>')

const log = await IntakeLog.open({ directory, segmentBytes: 64 * 1024 })
process.stdout.write(`open ${log.nextSequence}\n`)

const IN_FLIGHT = 64
async function writer(): Promise<never> {
  for (;;) {
    const expected = log.nextSequence
    const sequence = await log.append(payloadFor(expected))
    if (sequence !== expected) throw new Error(`append got sequence ${sequence}, expected ${expected}`)
    process.stdout.write(`ack ${sequence}\n`)
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, writer))
