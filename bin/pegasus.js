#!/usr/bin/env node
// Compiled CLI entry (npm install runs `tsc` through the prepare script).
import '../dist/cli/main.js';
