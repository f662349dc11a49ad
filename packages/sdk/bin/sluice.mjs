#!/usr/bin/env node
// `sluice`: plain JavaScript, so that any Node on PATH can start it (see @sluice/core/launcher).
import { launch } from '@sluice/core/launcher'

await launch('sluice', new URL('../src/cli/bin.ts', import.meta.url))
