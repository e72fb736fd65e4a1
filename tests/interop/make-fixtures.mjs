#!/usr/bin/env node
// Writes the foreign-writer fixtures of tests/Parquet.Tests/fixtures (what pandas, polars and DuckDB users hand
// the project): ZSTD, GZIP and DATA_PAGE_V2 files with nulls in every column, NaN and infinities, a dictionary
// column, INT32/INT64/FLOAT/DOUBLE/BOOLEAN/strings/timestamps. Every value is a formula of the row number i that
// tests/Parquet.Tests/ForeignFixtures.cs recomputes, so the test checks each value without trusting any reader.
//
//   npm ci --prefix tests/interop && node tests/interop/make-fixtures.mjs
//
// Writers (pinned in package-lock.json): DuckDB (@duckdb/node-api), polars' own Rust writer (nodejs-polars) and
// arrow-rs (parquet-wasm), the writer behind pandas' Rust peers; arrow-rs is the one that writes DATA_PAGE_V2
// pages (DuckDB's PARQUET_VERSION V2 changes the encodings, not the page headers; ForeignFixtures asserts which
// files hold which page types). The script prints, per file, the codecs and encodings DuckDB sees.
import { DuckDBInstance } from '@duckdb/node-api';
import pl from 'nodejs-polars';
import * as pw from 'parquet-wasm';
import { readFileSync, writeFileSync, statSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'Parquet.Tests', 'fixtures');
const at = (name) => path.join(fixtures, name);
const quoted = (name) => `'${at(name).replace(/'/g, "''")}'`;

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
await con.run(`SET threads = 1; SET TimeZone = 'UTC';`);
// Keep in step with ForeignFixtures.Expected: the same formulas, the same null and special rows.
await con.run(`
CREATE TABLE foreign_rows AS
SELECT
    i::INTEGER                                                                      AS id,
    CASE WHEN i % 13 = 5 THEN NULL ELSE ((i * 7919) % 20011 - 10000)::INTEGER END   AS i32,
    CASE WHEN i % 11 = 0 THEN NULL ELSE ((i - 2500) * 3689348814741910)::BIGINT END AS i64,
    CASE WHEN i % 19 = 4 THEN NULL
         WHEN i % 17 = 3 THEN 'NaN'::DOUBLE
         WHEN i = 1 THEN 'Infinity'::DOUBLE
         WHEN i = 2 THEN '-Infinity'::DOUBLE
         WHEN i = 6 THEN '-0.0'::DOUBLE
         ELSE (i - 2500)::DOUBLE / 7 END                                            AS f64,
    CASE WHEN i % 23 = 9 THEN NULL ELSE (i::FLOAT / 4096::FLOAT)::FLOAT END         AS f32,
    CASE WHEN i % 23 = 7 THEN NULL ELSE i % 3 <> 0 END                              AS flag,
    CASE WHEN i % 29 = 1 THEN NULL
         ELSE (['alpha', 'beta', 'gamma', 'delta', 'épsilon ✓'])[1 + i % 5] END     AS label,
    CASE WHEN i % 31 = 2 THEN NULL ELSE 'trial-' || lpad(i::VARCHAR, 5, '0') END    AS name,
    CASE WHEN i % 37 = 8 THEN NULL
         ELSE TIMESTAMPTZ '2024-03-01 12:00:00.000001+00' + to_microseconds(i::BIGINT * 1234567) END AS ts
FROM range(5000) r(i)
ORDER BY i;
`);

const duck = async (file, options) => con.run(`COPY (FROM foreign_rows ORDER BY id) TO ${quoted(file)} (FORMAT PARQUET, ${options})`);
await duck('foreign_duckdb_zstd.parquet', 'COMPRESSION ZSTD, ROW_GROUP_SIZE 2048');
await duck('foreign_duckdb_gzip.parquet', 'COMPRESSION GZIP, ROW_GROUP_SIZE 2048');
await duck('foreign_duckdb_v2_zstd.parquet', 'COMPRESSION ZSTD, ROW_GROUP_SIZE 2048, PARQUET_VERSION V2');

// polars and arrow-rs rewrite DuckDB's rows: both read it exactly (tests/interop/read-parquet.mjs checks that).
const source = at('foreign_duckdb_zstd.parquet');
// ZSTD is py-polars' default codec; nodejs-polars' is UNCOMPRESSED, so it is named.
pl.readParquet(source).writeParquet(at('foreign_polars.parquet'), { compression: 'zstd' });
// pandas (pyarrow) writes TIMESTAMP(NANOS), some tools TIMESTAMP(MILLIS): the same instants in both units.
pl.readParquet(source).select(pl.col('id'), pl.col('ts').cast(pl.Datetime('ms', 'UTC')).alias('ts_ms'),
  pl.col('ts').cast(pl.Datetime('ns', 'UTC')).alias('ts_ns')).writeParquet(at('foreign_polars_time_units.parquet'), { compression: 'zstd' });
const arrow = (file, compression, dictionary) => writeFileSync(at(file), pw.writeParquet(pw.readParquet(readFileSync(source)),
  new pw.WriterPropertiesBuilder().setWriterVersion(pw.WriterVersion.V2).setCompression(compression)
    .setDictionaryEnabled(dictionary).setDataPageSizeLimit(4096).setWriteBatchSize(256).setMaxRowGroupSize(2048).build()));
arrow('foreign_arrow_v2_zstd.parquet', pw.Compression.ZSTD, true);
// Uncompressed DATA_PAGE_V2 pages carry is_compressed = false; without a dictionary arrow-rs falls back to the
// DELTA encodings for integers and strings and RLE for booleans.
arrow('foreign_arrow_v2_plain.parquet', pw.Compression.UNCOMPRESSED, false);

// A small DATA_PAGE_V2 file (the first 300 rows, ZSTD, DELTA encodings, pages of about 512 bytes) that
// CorruptionTests damages at every byte.
await con.run(`COPY (FROM foreign_rows WHERE id < 300 ORDER BY id) TO ${quoted('small.tmp.parquet')} (FORMAT PARQUET)`);
writeFileSync(at('foreign_arrow_v2_small.parquet'), pw.writeParquet(pw.readParquet(readFileSync(at('small.tmp.parquet'))),
  new pw.WriterPropertiesBuilder().setWriterVersion(pw.WriterVersion.V2).setCompression(pw.Compression.ZSTD)
    .setDictionaryEnabled(false).setDataPageSizeLimit(512).setWriteBatchSize(64).build()));
unlinkSync(at('small.tmp.parquet'));

// A results part file written by `sweep run` (results_sweep_run.parquet), rewritten by a user with DuckDB.
await con.run(`COPY (FROM ${quoted('results_sweep_run.parquet')}) TO ${quoted('results_duckdb_v2_zstd.parquet')}
  (FORMAT PARQUET, COMPRESSION ZSTD, PARQUET_VERSION V2)`);

const files = ['foreign_duckdb_zstd.parquet', 'foreign_duckdb_gzip.parquet', 'foreign_duckdb_v2_zstd.parquet', 'foreign_polars.parquet',
  'foreign_polars_time_units.parquet',
  'foreign_arrow_v2_zstd.parquet', 'foreign_arrow_v2_plain.parquet', 'foreign_arrow_v2_small.parquet', 'results_duckdb_v2_zstd.parquet'];
for (const file of files) {
  const rows = (await con.runAndReadAll(`
    SELECT list(DISTINCT compression) AS codecs, count(DISTINCT row_group_id) AS row_groups,
           list(DISTINCT path_in_schema || '=' || encodings ORDER BY path_in_schema || '=' || encodings) AS encodings
    FROM parquet_metadata(${quoted(file)})`)).getRowObjectsJson();
  console.log(`${file}: ${statSync(at(file)).size} bytes, ${rows[0].row_groups} row groups, codecs ${JSON.stringify(rows[0].codecs)}`);
  console.log(`    ${rows[0].encodings.join('  ')}`);
}
con.closeSync();
instance.closeSync();
