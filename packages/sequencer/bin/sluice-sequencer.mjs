#!/usr/bin/env node
// `sluice-sequencer`: plain JavaScript, so that any Node on PATH can start it (see @sluice/core/launcher).
import { launch } from '@sluice/core/launcher'

await launch('sluice-sequencer', new URL('../src/bin.ts', import.meta.url))
