using GammapyTools.Fits;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Fits;

/// <summary>
/// Numeric tables are encoded in row blocks on all cores with per-block checksums
/// (FitsWriter): the bytes and DATASUM/CHECKSUM must be those of a plain serial encoding.
/// </summary>
public class FitsWriterBlockTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(300_001)]   // a 26-byte row: 40 328 rows per ~1 MB block, so 8 blocks, the last one ending off a word boundary
    [InlineData(3)]
    [InlineData(0)]
    public void A_numeric_table_in_blocks_gives_the_serial_bytes_and_checksums(int rows)
    {
        var rng = new Random(rows);
        var ids = new long[rows];
        var energy = new float[rows];
        var time = new double[rows];
        var pair = new short[2 * rows];
        var tel = new short[rows];
        for (int i = 0; i < rows; i++)
        {
            ids[i] = i + 1; energy[i] = (float)rng.NextDouble(); time[i] = 1e8 + rng.NextDouble() * 1e4;
            pair[2 * i] = (short)rng.Next(short.MinValue, short.MaxValue); pair[2 * i + 1] = unchecked((short)i); tel[i] = (short)rng.Next(short.MinValue, short.MaxValue);
        }
        var table = new BinaryTable(rows, [
            FitsColumn.Create("EVENT_ID", ids), FitsColumn.Create("ENERGY", energy, unit: "TeV"), FitsColumn.Create("TIME", time),
            FitsColumn.Create("PAIR", pair, repeat: 2), FitsColumn.Create("TEL", tel),
        ]);
        var header = new FitsHeader();
        header.Set("EXTNAME", "EVENTS");
        string dir = TestPaths.NewTempDir(), path = Path.Combine(dir, "blocks.fits");
        FitsWriter.Write(path, [new BinaryTableHdu(header, table)]);

        // An independent serial encoding of the same rows: big-endian fields in column order.
        var expected = new byte[rows * 26];
        for (int i = 0; i < rows; i++)
        {
            var row = expected.AsSpan(i * 26, 26);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(row, ids[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteSingleBigEndian(row[8..], energy[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleBigEndian(row[12..], time[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(row[20..], pair[2 * i]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(row[22..], pair[2 * i + 1]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(row[24..], tel[i]);
        }
        using var file = FitsFile.Open(path);
        var hdu = file.Hdus[1];
        byte[] bytes = File.ReadAllBytes(path);
        long dataStart = hdu.DataOffset;
        Assert.Equal(expected, bytes.AsSpan((int)dataStart, expected.Length).ToArray());
        // DATASUM is the serial ones'-complement sum of the padded data unit.
        int padded = (expected.Length + 2879) / 2880 * 2880;
        uint dataSum = Checksum.Accumulate(0, bytes.AsSpan((int)dataStart, padded));
        Assert.Equal(dataSum.ToString(System.Globalization.CultureInfo.InvariantCulture), hdu.Header.GetString("DATASUM"));
        // CHECKSUM makes the whole HDU sum to -0.
        Assert.Equal(0xFFFFFFFFu, Checksum.Accumulate(0, bytes.AsSpan((int)hdu.HeaderOffset, (int)(dataStart - hdu.HeaderOffset) + padded)));

        Oracles.Require(Oracle.FitsVerify);
        var (errors, warnings, report) = Oracles.Verify(path);
        Assert.True(errors == 0 && warnings == 0, report);
    }
}
