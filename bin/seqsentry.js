#!/usr/bin/env node
// Entry point for the `seqsentry` command: runs the compiled CLI (build with `npm run build`).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
