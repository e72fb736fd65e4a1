using System.Text.Json;

namespace SweepCluster.Parquet.Tests;

/// <summary>
/// The reader against DuckDB-written files (copied from parquet-check's fixtures), ZSTD and PARQUET_VERSION V2
/// encodings among them. ForeignFixtures covers polars, arrow-rs and DATA_PAGE_V2.
/// </summary>
public sealed class FixtureTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    [Theory]
    [InlineData("results_uncompressed.parquet", "results.expected.json")]
    [InlineData("results_snappy.parquet", "results.expected.json")]
    [InlineData("results_gzip.parquet", "results.expected.json")]
    [InlineData("edge_values.parquet", "edge_values.expected.json")]
    [InlineData("empty_results.parquet", "empty_results.expected.json")]
    [InlineData("results_zstd.parquet", "results.expected.json")]
    [InlineData("results_v2_zstd.parquet", "results.expected.json")]
    public void Reader_output_equals_the_expected_json(string file, string expectedFile)
    {
        var table = ParquetFile.Read(Fixture(file));
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixture(expectedFile)));
        var rows = expected.RootElement.EnumerateArray().ToArray();
        Assert.Equal(rows.Length, table.RowCount);
        for (var c = 0; c < table.Schema.Count; c++)
        {
            var column = table.Schema[c];
            var actual = Canonical.Column(table.Columns[c]);
            for (var r = 0; r < rows.Length; r++)
            {
                var want = Canonical.FromJson(column.Type, rows[r].GetProperty(column.Name));
                if (want != actual[r]) Assert.Fail($"{file}: column '{column.Name}' row {r}: expected {want ?? "null"}, read {actual[r] ?? "null"}");
            }
        }
    }

    [Fact]
    public void Results_fixture_schema_maps_to_the_table_types()
    {
        var schema = ParquetFile.ReadSchema(Fixture("results_snappy.parquet"));
        Assert.Equal(
            [
                new ColumnSchema("id", ColumnType.Int32, true), new ColumnSchema("seed", ColumnType.Int64, true),
                new ColumnSchema("score", ColumnType.Double, true), new ColumnSchema("ratio", ColumnType.Float, true),
                new ColumnSchema("passed", ColumnType.Boolean, true), new ColumnSchema("label", ColumnType.String, true),
                new ColumnSchema("name", ColumnType.String, true), new ColumnSchema("metric", ColumnType.Double, true),
                new ColumnSchema("created_at", ColumnType.TimestampMicros, true),
            ],
            schema);
    }

    [Fact]
    public void Inspect_json_of_the_edge_fixture_equals_the_expected_json()
    {
        var json = ParquetInspect.ToJson(ParquetFile.Read(Fixture("edge_values.parquet")));
        using var actual = JsonDocument.Parse(json);
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixture("edge_values.expected.json")));
        var a = actual.RootElement.EnumerateArray().ToArray();
        var e = expected.RootElement.EnumerateArray().ToArray();
        Assert.Equal(e.Length, a.Length);
        for (var r = 0; r < e.Length; r++)
        {
            foreach (var property in e[r].EnumerateObject())
            {
                var got = a[r].GetProperty(property.Name);
                // Numbers may be spelled differently (1E-45 vs 1e-45); their values and kinds must agree.
                if (property.Value.ValueKind == JsonValueKind.Number)
                    Assert.Equal(double.Parse(property.Value.GetRawText(), System.Globalization.CultureInfo.InvariantCulture),
                        double.Parse(got.GetRawText(), System.Globalization.CultureInfo.InvariantCulture));
                else if (property.Value.ValueKind == JsonValueKind.String)
                    Assert.Equal(property.Value.GetString(), got.GetString());
                else
                    Assert.Equal(property.Value.GetRawText(), got.GetRawText());
            }
        }
        Assert.Contains("\"f64\":-0.0", json);
        Assert.Contains("\"f64\":\"NaN\"", json);
        Assert.Contains("\"ts\":\"9999-12-31T23:59:59.999999Z\"", json);
    }

    [Fact]
    public void Inspect_text_shows_schema_and_limited_rows()
    {
        var text = ParquetInspect.ToText(ParquetFile.Read(Fixture("results_snappy.parquet")), limit: 2);
        Assert.Contains("9 columns, 3000 rows", text);
        Assert.Contains("created_at: TIMESTAMP(MICROS,UTC) OPTIONAL", text);
        Assert.Contains("case-0001", text);
        Assert.DoesNotContain("case-0002", text);
        Assert.Contains("2998 more rows", text);
    }
}
