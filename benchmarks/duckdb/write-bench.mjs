#!/usr/bin/env node
// DuckDB peer for the Parquet benchmark: loads the 1M-row results table that ParquetBenchmarks wrote
// (so both write exactly the same rows), then times DuckDB writing it as Parquet and reading it back.
//
//   npm ci --prefix tests/interop       (provides @duckdb/node-api, pinned)
//   node benchmarks/duckdb/write-bench.mjs [INPUT.parquet] [--threads N] [--runs N]
//
// INPUT defaults to $TMPDIR/sweepcluster-bench/results-1m.parquet, left there by the .NET benchmark's setup.
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = args[at + 1];
  args.splice(at, 2);
  return value;
};
const threads = Number(option('--threads', '1'));
const runs = Number(option('--runs', '5'));
const input = args[0] ?? join(tmpdir(), 'sweepcluster-bench', 'results-1m.parquet');

const interop = createRequire(new URL('../../tests/interop/package.json', import.meta.url));
const { DuckDBInstance, version } = await import(pathToFileURL(interop.resolve('@duckdb/node-api')).href);
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await instance.connect();
const lit = (s) => `'${s.replace(/'/g, "''")}'`;

await con.run(`CREATE TABLE results AS SELECT * FROM read_parquet(${lit(input)})`);
const rows = Number((await con.runAndReadAll('SELECT count(*) AS n FROM results')).getRowObjectsJson()[0].n);
const columns = (await con.runAndReadAll('DESCRIBE results')).currentRowCount;

async function time(label, sql) {
  const seconds = [];
  await con.run(sql); // warm-up
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await con.run(sql);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  console.log(`${label.padEnd(34)} mean ${mean.toFixed(3)} s  min ${Math.min(...seconds).toFixed(3)} s  ${Math.round(rows / mean).toLocaleString('en-US')} rows/s`);
}

console.log(`DuckDB ${version()} (@duckdb/node-api), threads=${threads}, ${rows} rows x ${columns} columns from ${input}, ${runs} runs`);
const out = join(tmpdir(), 'sweepcluster-bench', 'duckdb-out.parquet');
for (const codec of ['SNAPPY', 'UNCOMPRESSED']) {
  await time(`write ${codec}`, `COPY results TO ${lit(out)} (FORMAT PARQUET, COMPRESSION ${codec})`);
  await time(`read back ${codec} into a table`, `CREATE OR REPLACE TABLE readback AS SELECT * FROM read_parquet(${lit(out)})`);
}
