// The console's first load, gzipped (-9): index.html and every script and stylesheet it loads
// before the app runs (the entry and its modulepreloads). Lazy chunks (the charts) are listed
// apart. `--max BYTES` fails when the first load is over it (infra/admin.sh checks 250 KB).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(import.meta.dirname, '../dist');
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;

const first = new Set(['index.html']);
for (const m of html.matchAll(/(?:src|href)="\/admin\/([^"]+\.(?:js|css))"/g)) first.add(m[1]);
const assets = readdirSync(path.join(dist, 'assets')).map((f) => `assets/${f}`);
const later = assets.filter((f) => !first.has(f) && /\.(js|css)$/.test(f));

const rows = [...first].map((f) => [f, gz(f)]);
const total = rows.reduce((sum, [, n]) => sum + n, 0);
for (const [f, n] of rows) console.log(`first load  ${String(n).padStart(8)} B  ${f}`);
for (const f of later) console.log(`on demand   ${String(gz(f)).padStart(8)} B  ${f}`);
console.log(`first load total: ${total} B gzipped (${(total / 1024).toFixed(1)} KiB)`);

const max = process.argv.indexOf('--max');
if (max > 0 && total > Number(process.argv[max + 1])) {
  console.error(`over the budget of ${process.argv[max + 1]} B`);
  process.exit(1);
}
