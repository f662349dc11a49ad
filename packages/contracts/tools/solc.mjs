#!/bin/sh
':' //# ; d=$(dirname "$0"); n="$d/../../../node_modules/.bin/node"; [ -x "$n" ] || n=node; exec "$n" "$0" "$@"
// The line above is a shell/JavaScript polyglot: run as a program (forge does), /bin/sh executes it and
// re-executes this file with the workspace's pinned Node 24 binary, whatever PATH forge passes down.
// Run by Node, it is a string expression followed by a comment.
//
// A solc stand-in for forge: forge cannot download solc here, so it calls this wrapper, which compiles
// with solc-js (the `solc` npm package, 0.8.30). Supports `--version` and `--standard-json` (stdin).
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'

const require = createRequire(import.meta.url)
const VERSION = '0.8.30+commit.73712a01.Linux.g++'
const args = process.argv.slice(2)

if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${VERSION}\n`)
  process.exit(0)
}

if (!args.includes('--standard-json')) {
  process.stderr.write(`solc.mjs: only --version and --standard-json are supported (got: ${args.join(' ')})\n`)
  process.exit(1)
}

/** Directories that imports are resolved against: the working directory, then every path flag. */
const roots = [process.cwd()]
for (let i = 0; i < args.length; i++) {
  const flag = args[i]
  if (flag === '--base-path' || flag === '--include-path' || flag === '--allow-paths') {
    const value = args[++i] ?? ''
    for (const p of value.split(',')) if (p !== '') roots.push(resolve(p))
  } else if (
    flag?.startsWith('--base-path=') ||
    flag?.startsWith('--include-path=') ||
    flag?.startsWith('--allow-paths=')
  ) {
    for (const p of flag.slice(flag.indexOf('=') + 1).split(',')) if (p !== '') roots.push(resolve(p))
  }
}

function findImports(path) {
  const candidates = isAbsolute(path) ? [path] : roots.map((r) => join(r, path))
  for (const c of candidates) {
    if (existsSync(c)) return { contents: readFileSync(c, 'utf8') }
  }
  return { error: `File not found: ${path} (searched ${roots.join(', ')})` }
}

const solc = require('solc')
const input = readFileSync(0, 'utf8')
const output = solc.compile(input, { import: findImports })
process.stdout.write(output)
