namespace SweepCluster.Parquet.Tests;

public sealed class UnitTests
{
    [Fact]
    public void WriteAtomic_replaces_the_file_and_leaves_no_temporary_files()
    {
        var dir = Directory.CreateTempSubdirectory("parquet-atomic-");
        try
        {
            var path = Path.Combine(dir.FullName, "part-00000.parquet");
            File.WriteAllText(path, "old content");
            var table = new Table([new("x", ColumnType.Int32, false)], [new int?[] { 1, 2, 3 }]);
            ParquetFile.WriteAtomic(path, table);
            Canonical.AssertSameTable(table, ParquetFile.Read(path), "atomic");
            Assert.Equal(["part-00000.parquet"], Directory.GetFiles(dir.FullName).Select(Path.GetFileName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_failed_write_leaves_neither_the_file_nor_a_temporary()
    {
        var dir = Directory.CreateTempSubdirectory("parquet-atomic-");
        try
        {
            var path = Path.Combine(dir.FullName, "part-00001.parquet");
            var table = new Table([new("x", ColumnType.Int32, false)], [new int?[] { 1, null, 3 }]);
            var e = Assert.Throws<ArgumentException>(() => ParquetFile.WriteAtomic(path, table));
            Assert.Contains("'x' is REQUIRED but row 1 is null", e.Message);
            Assert.Empty(Directory.GetFiles(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Writer_rejects_unusable_schemas()
    {
        Assert.Throws<ArgumentException>(() => RoundTripTests.Write(new Table([], [])));
        Assert.Throws<ArgumentException>(() => RoundTripTests.Write(new Table(
            [new("a", ColumnType.Int32, false), new("a", ColumnType.Int32, false)], [new int?[1], new int?[1]])));
    }

    [Fact]
    public void Zero_rows_make_a_file_with_the_schema_and_no_row_groups()
    {
        var table = new Table([new("s", ColumnType.String, true), new("n", ColumnType.Int64, false)], [Array.Empty<string?>(), Array.Empty<long?>()]);
        var bytes = RoundTripTests.Write(table);
        Assert.Empty(RoundTripTests.Footer(bytes).RowGroups);
        var read = ParquetFile.Read(bytes, "zero");
        Assert.Equal(table.Schema, read.Schema);
        Assert.Equal(0, read.RowCount);
    }

    [Fact]
    public void Selected_columns_and_the_schema_alone_can_be_read()
    {
        var path = FixtureTests.Fixture("results_gzip.parquet");
        var table = ParquetFile.Read(path, ["name", "id"]);
        Assert.Equal(["id", "name"], table.Schema.Select(c => c.Name));
        Assert.Equal("case-2999", ((string?[])table.Columns[1])[2999]);
        Assert.Equal(9, ParquetFile.ReadSchema(path).Count);
        var e = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(path, ["nope"]));
        Assert.Contains("no column 'nope'", e.Message);
    }
}
