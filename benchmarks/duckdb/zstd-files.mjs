#!/usr/bin/env node
// For the read benchmark (ParquetReadBenchmarks): rewrites a results file our writer made with DuckDB, as a
// user who keeps results in DuckDB would: ZSTD with DATA_PAGE v1 encodings, and ZSTD with PARQUET_VERSION V2
// (DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT, DELTA_LENGTH_BYTE_ARRAY). The outputs go beside the input.
//
//   npm ci --prefix tests/interop       (provides @duckdb/node-api, pinned)
//   node benchmarks/duckdb/zstd-files.mjs INPUT.parquet
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const input = process.argv[2];
if (!input) {
  console.error('usage: node benchmarks/duckdb/zstd-files.mjs INPUT.parquet');
  process.exit(2);
}
const interop = createRequire(new URL('../../tests/interop/package.json', import.meta.url));
const { DuckDBInstance } = await import(pathToFileURL(interop.resolve('@duckdb/node-api')).href);
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await instance.connect();
const lit = (s) => `'${s.replace(/'/g, "''")}'`;
for (const [name, options] of [['read-duckdb-zstd.parquet', 'COMPRESSION ZSTD'], ['read-duckdb-zstd-v2.parquet', 'COMPRESSION ZSTD, PARQUET_VERSION V2']]) {
  const out = join(dirname(input), name);
  await con.run(`COPY (FROM read_parquet(${lit(input)})) TO ${lit(out)} (FORMAT PARQUET, ${options})`);
  console.log(out);
}
con.closeSync();
instance.closeSync();
