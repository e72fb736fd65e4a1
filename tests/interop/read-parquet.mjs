#!/usr/bin/env node
// Reads Parquet files with DuckDB (@duckdb/node-api), Arrow's Rust reader (parquet-wasm) and polars' own Rust
// reader (nodejs-polars) and prints, per
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

let duckdb, pw, arrow, pl;
try {
  duckdb = await import('@duckdb/node-api');
  pw = await import('parquet-wasm');
  arrow = await import('apache-arrow');
  pl = (await import('nodejs-polars')).default;
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

// Arrow's TimeUnit: 0 seconds, 1 milliseconds, 2 microseconds, 3 nanoseconds (floored to microseconds).
function micros(value, unit) {
  if (unit === 0) return String(value * 1000000n);
  if (unit === 1) return String(value * 1000n);
  if (unit === 2) return String(value);
  const q = value / 1000n, r = value % 1000n;
  return String(r < 0n ? q - 1n : q);
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
        else if (id === T.Timestamp) values.push(micros(BigInt(data.values[at]), data.type.unit));
        else if (id === T.Int && data.type.bitWidth === 64) values.push(BigInt(data.values[at]).toString());
        else values.push(String(chunk.get(k)));
      }
    }
    return summarize(field.name, String(field.type), { nullable: field.nullable }, values);
  });
  return { rows: table.numRows, columns };
}

// polars' reader shares no code with arrow-rs's. Values leave polars as text where JavaScript numbers would lose
// bits: INT64 cast to strings, timestamps cast to their integer count and scaled to microseconds.
function readPolars(file) {
  const df = pl.readParquet(file);
  const perMicro = { ns: -1000n, us: 1n, ms: 1000n };
  const columns = df.columns.map(name => {
    const series = df.getColumn(name);
    const type = String(series.dtype).replace(/^DataType\((.*)\)$/, '$1');
    let values;
    const unit = /^Datetime\((ns|us|ms)/.exec(type)?.[1];
    if (unit) {
      const scale = perMicro[unit];
      values = series.cast(pl.Int64).cast(pl.Utf8).toArray().map(v => {
        if (v === null) return null;
        const n = BigInt(v);
        if (scale > 0n) return String(n * scale);
        const q = n / -scale, r = n % -scale; // floor, as the .NET side
        return String(r < 0n ? q - 1n : q);
      });
    } else if (type === 'Int64' || type === 'Int32') {
      values = series.cast(pl.Utf8).toArray();
    } else if (type === 'Float64') {
      values = series.toArray().map(v => v === null ? null : doubleText(v));
    } else if (type === 'Float32') {
      values = series.toArray().map(v => v === null ? null : floatText(v));
    } else {
      values = series.toArray().map(v => v === null ? null : String(v));
    }
    return summarize(name, type, { nullable: true }, values);
  });
  return { rows: df.height, columns };
}

const inst = await duckdb.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const con = await inst.connect();
const out = {};
for (const file of files) {
  const entry = {};
  try { entry.duckdb = await readDuck(con, file); } catch (e) { entry.duckdb = { error: String(e.message ?? e) }; }
  try { entry.arrow = readArrow(file); } catch (e) { entry.arrow = { error: String(e.message ?? e) }; }
  try { entry.polars = readPolars(file); } catch (e) { entry.polars = { error: String(e.message ?? e) }; }
  out[file] = entry;
}
process.stdout.write(JSON.stringify(out));
