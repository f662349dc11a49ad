#!/usr/bin/env node
/** The `sluice` executable (the SDK's bin): `npx sluice --help`. */
import { runCli } from './program.ts'

process.exitCode = await runCli(process.argv.slice(2))
