#!/usr/bin/env node
// Counts, with DuckDB, the rows of one Parquet file that pass each WHERE clause given, and prints the counts as
// a JSON array. DuckDB prunes row groups by their min/max statistics, so a wrong statistic shows as a short
// count. Used by tests/Parquet.Tests (InteropTests).
//
//   node count-where.mjs FILE 'CONDITION' ...
import { DuckDBInstance } from '@duckdb/node-api';

const [file, ...conditions] = process.argv.slice(2);
if (!file || conditions.length === 0) {
  console.error("usage: node count-where.mjs FILE 'CONDITION' ...");
  process.exit(4);
}
const inst = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const con = await inst.connect();
const lit = `'${file.replace(/'/g, "''")}'`;
const counts = [];
for (const condition of conditions) {
  const [row] = (await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${lit}) WHERE ${condition}`)).getRowObjectsJson();
  counts.push(Number(row.n));
}
process.stdout.write(JSON.stringify(counts));
