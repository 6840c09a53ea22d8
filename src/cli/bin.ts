#!/usr/bin/env node
// The `cellar` command (package.json "bin"): `cellar introspect …`, `cellar migrate diff|up|down …`.
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2));
