#!/usr/bin/env node
// Runs the TypeScript sources through tsx in a checkout (so `npm start` is always current),
// and the compiled dist/ in an installed package or the Docker image.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
let loaded = false;
if (existsSync(source)) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    loaded = true;
  } catch {
    // tsx is a dev dependency; without it fall back to the compiled build.
  }
}
const entry = loaded ? source.href : new URL('../dist/cli.js', import.meta.url).href;
const { main } = await import(entry);
await main(process.argv);
