#!/usr/bin/env node
// Writes the polars fixtures of tests/Parquet.Tests/fixtures from results.expected.json (the rows DuckDB's
// results_*.parquet hold): with polars' own Rust writer (ZSTD, its v1 data pages), and the same rows again with
// arrow-rs's writer (parquet-wasm) as format version 2.0, whose data pages are DATA_PAGE_V2 (ZSTD).
//
//   node tests/interop/make-fixtures.mjs
import pl from 'nodejs-polars';
import * as pw from 'parquet-wasm';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'Parquet.Tests', 'fixtures');
const rows = JSON.parse(readFileSync(path.join(fixtures, 'results.expected.json'), 'utf8'));
const special = (v) => v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v;
const column = (name) => rows.map(r => r[name]);
// INT64 values beyond 2^53 go through strings; timestamps through their epoch microseconds.
const seeds = readFileSync(path.join(fixtures, 'results.expected.json'), 'utf8').match(/"seed":\s*(null|-?\d+)/g).map(m => m.split(':')[1].trim());
const df = pl.DataFrame({
  id: pl.Series('id', column('id'), pl.Int32),
  seed: pl.Series('seed', seeds.map(s => s === 'null' ? null : s), pl.Utf8).cast(pl.Int64),
  score: pl.Series('score', column('score').map(special), pl.Float64),
  ratio: pl.Series('ratio', column('ratio').map(special), pl.Float32),
  passed: pl.Series('passed', column('passed'), pl.Bool),
  label: pl.Series('label', column('label'), pl.Utf8),
  name: pl.Series('name', column('name'), pl.Utf8),
  metric: pl.Series('metric', column('metric').map(special), pl.Float64),
  created_at: pl.Series('created_at', column('created_at').map(t => t === null ? null : String(BigInt(Date.parse(t.slice(0, 23) + 'Z')) * 1000n + BigInt(t.slice(23, 26)))), pl.Utf8)
    .cast(pl.Int64).cast(pl.Datetime('us', 'UTC')),
});
const out = path.join(fixtures, 'results_polars_zstd.parquet');
df.writeParquet(out, { compression: 'zstd' });
const v2 = path.join(fixtures, 'results_arrow_v2_zstd.parquet');
const properties = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).setWriterVersion(pw.WriterVersion.V2)
  .setDictionaryEnabled(false).build();
writeFileSync(v2, pw.writeParquet(pw.readParquet(readFileSync(out)), properties));
// The first page header follows the magic: field 1 (type) = zigzag 0 DATA_PAGE, 4 DICTIONARY_PAGE, 6 DATA_PAGE_V2.
for (const file of [out, v2]) console.log(`${file}: first page type byte ${readFileSync(file)[5]} (0 v1, 4 dictionary, 6 v2)`);
