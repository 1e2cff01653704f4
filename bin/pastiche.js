#!/usr/bin/env node
// Launcher: the CLI is compiled by `npm run build:node` (run by `prepare` on install).
import { main } from '../dist/electron/cli/pastiche.js';

process.exitCode = await main(process.argv.slice(2));
