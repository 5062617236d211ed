#!/usr/bin/env node
// The `onepin` command: runs the TypeScript CLI through tsx, so `npx onepin …` works in the
// checkout without a build step.
import { register } from 'tsx/esm/api';

register();
process.env.ONEPIN_CLI_MAIN = '1';
await import('../src/main/cli.ts');
