#!/usr/bin/env node
/** The `sluice` executable (the SDK's bin): `npx sluice --help`. */
import { runCli } from './program.ts'

// Exit as soon as the command is done: idle keep-alive sockets of the HTTP transports would
// otherwise hold the process for seconds after the answer is printed.
process.exit(await runCli(process.argv.slice(2)))
