/**
 * `npm run bench`: runs every bench/*.bench.ts (each exports `run(): Promise<string>` returning a markdown
 * section) and writes docs/benchmarks.md with the machine the figures came from.
 * Pass names to run a subset: `npm run bench -- decode slack`.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
  .filter((f) => wanted.length === 0 || wanted.includes(basename(f, '.bench.ts')));

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine = `${cpu.trim()}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
const sections: string[] = [];
for (const file of files) {
  const name = basename(file, '.bench.ts');
  process.stderr.write(`bench: ${name} ...\n`);
  const started = performance.now();
  try {
    const mod = (await import(join(here, file))) as { run: () => Promise<string> };
    sections.push((await mod.run()).trim());
  } catch (error) {
    sections.push(`## ${name}\n\nFailed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const doc = `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.

Machine: ${machine}.

Figures are from one run on a shared 2-core machine; treat differences under ~20% as noise.

${sections.join('\n\n')}
`;
if (wanted.length === 0) {
  writeFileSync(join(here, '..', 'docs', 'benchmarks.md'), doc);
  process.stderr.write('bench: wrote docs/benchmarks.md\n');
} else {
  process.stdout.write(doc);
}
