#!/usr/bin/env node
// Reads Parquet files with DuckDB (@duckdb/node-api) and Arrow's Rust reader (parquet-wasm) and prints, per
// file and reader, the column types and every value in a canonical text form, plus a SHA-256 per column so
// large files can be compared without printing their rows. Used by tests/Parquet.Tests (InteropTests).
//
//   node read-parquet.mjs [--max-values N] FILE...
//
// Canonical values (the .NET side builds the same strings): null stays null; BOOLEAN true/false; INT32 and
// INT64 as decimal integers; FLOAT and DOUBLE as the hex of their IEEE bits (8 or 16 digits), NaN as "NaN";
// strings as themselves; TIMESTAMP as decimal microseconds since the epoch. A column's hash is SHA-256 of the
// UTF-8 of the concatenation, for each value, of '~' for null or else its length in UTF-16 code units in
// decimal, ':' and the value (one string hashed at once: per-value hashing dominated the run time).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let maxValues = 20000;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--max-values') maxValues = Number(args[++i]);
  else files.push(args[i]);
}
if (files.length === 0) {
  console.error('usage: node read-parquet.mjs [--max-values N] FILE...');
  process.exit(4);
}

let duckdb, pw, arrow;
try {
  duckdb = await import('@duckdb/node-api');
  pw = await import('parquet-wasm');
  arrow = await import('apache-arrow');
} catch (e) {
  console.error(`tests/interop dependencies are missing (run: npm ci --prefix tests/interop): ${e.message}`);
  process.exit(5);
}

const f64 = new Float64Array(1), f64bits = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1), f32bits = new Uint32Array(f32.buffer);
const hex = (v, digits) => v.toString(16).padStart(digits, '0');
const doubleText = (x) => Number.isNaN(x) ? 'NaN' : (f64[0] = x, hex(f64bits[0], 16));
const floatText = (x) => Number.isNaN(x) ? 'NaN' : (f32[0] = x, hex(f32bits[0], 8));

function summarize(name, type, extra, values) {
  const parts = new Array(values.length);
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) { nulls++; parts[i] = '~'; } else parts[i] = `${v.length}:${v}`;
  }
  const sha256 = createHash('sha256').update(parts.join(''), 'utf8').digest('hex');
  return { name, type, ...extra, count: values.length, nulls, sha256, values: values.length <= maxValues ? values : undefined };
}

async function readDuck(con, file) {
  const lit = `'${file.replace(/'/g, "''")}'`;
  const schema = (await con.runAndReadAll(`SELECT name, repetition_type FROM parquet_schema(${lit})`)).getRowObjectsJson();
  const [meta] = (await con.runAndReadAll(`SELECT num_rows, num_row_groups FROM parquet_file_metadata(${lit})`)).getRowObjectsJson();
  const res = await con.runAndReadAll(`SELECT * FROM read_parquet(${lit})`);
  const names = res.columnNames(), types = res.columnTypes().map(String), cols = res.getColumns();
  const columns = names.map((name, i) => {
    const t = types[i];
    const raw = cols[i] ?? [];
    const values = raw.map(v => {
      if (v === null || v === undefined) return null;
      switch (t) {
        case 'DOUBLE': return doubleText(v);
        case 'FLOAT': return floatText(v);
        case 'TIMESTAMP WITH TIME ZONE': case 'TIMESTAMP': return String(v.micros);
        default: return String(v);
      }
    });
    const rep = schema.find(s => s.name === name)?.repetition_type ?? null;
    return summarize(name, t, { repetition: rep }, values);
  });
  return { rows: Number(meta.num_rows), rowGroups: Number(meta.num_row_groups), columns };
}

function readArrow(file) {
  const table = arrow.tableFromIPC(pw.readParquet(readFileSync(file)).intoIPCStream());
  const T = arrow.Type;
  const columns = table.schema.fields.map((field, i) => {
    const vector = table.getChildAt(i);
    const values = [];
    for (const data of vector.data) {
      const chunk = arrow.makeVector(data);
      const id = data.type.typeId;
      let bits = null;
      if (id === T.Float && data.type.precision === 2) bits = new BigUint64Array(data.values.buffer, data.values.byteOffset, data.values.length);
      if (id === T.Float && data.type.precision === 1) bits = new Uint32Array(data.values.buffer, data.values.byteOffset, data.values.length);
      for (let k = 0; k < data.length; k++) {
        if (!chunk.isValid(k)) { values.push(null); continue; }
        const at = data.offset + k;
        if (bits) values.push(Number.isNaN(data.values[at]) ? 'NaN' : hex(bits[at], data.type.precision === 2 ? 16 : 8));
        else if (id === T.Timestamp || (id === T.Int && data.type.bitWidth === 64)) values.push(BigInt(data.values[at]).toString());
        else values.push(String(chunk.get(k)));
      }
    }
    return summarize(field.name, String(field.type), { nullable: field.nullable }, values);
  });
  return { rows: table.numRows, columns };
}

const inst = await duckdb.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const con = await inst.connect();
const out = {};
for (const file of files) {
  const entry = {};
  try { entry.duckdb = await readDuck(con, file); } catch (e) { entry.duckdb = { error: String(e.message ?? e) }; }
  try { entry.arrow = readArrow(file); } catch (e) { entry.arrow = { error: String(e.message ?? e) }; }
  out[file] = entry;
}
process.stdout.write(JSON.stringify(out));
