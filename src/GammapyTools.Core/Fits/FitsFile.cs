using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace GammapyTools.Fits;

public enum HduKind { Primary, Image, BinaryTable, AsciiTable, Other }

/// <summary>Where one HDU sits in a file, and its header. Listing HDUs reads only headers.</summary>
public sealed class HduInfo
{
    internal HduInfo(int index, FitsHeader header, HduKind kind, long headerOffset, long dataOffset, long dataLength)
    {
        Index = index;
        HeaderOffset = headerOffset;
        Header = header;
        Kind = kind;
        DataOffset = dataOffset;
        DataLength = dataLength;
    }

    public int Index { get; }
    public FitsHeader Header { get; }
    public HduKind Kind { get; }
    /// <summary>Byte offset of the header in the (decompressed) file.</summary>
    public long HeaderOffset { get; }
    /// <summary>Size of the whole HDU in the file: header, data and padding.</summary>
    public long Size => DataOffset - HeaderOffset + (DataLength + FitsHeader.BlockLength - 1) / FitsHeader.BlockLength * FitsHeader.BlockLength;
    /// <summary>Byte offset of the data in the (decompressed) file.</summary>
    public long DataOffset { get; }
    /// <summary>Data length in bytes, without padding (including any heap).</summary>
    public long DataLength { get; }
    public string? Name => Header.GetString("EXTNAME");

    public override string ToString() => $"{Index} {Name ?? (Index == 0 ? "PRIMARY" : "")} {Kind}";
}

/// <summary>
/// A FITS file opened read-only. <see cref="Open"/> reads the headers only; the data of one HDU
/// is read and decoded when asked for (and, for tables, only the columns asked for).
/// Gzip-compressed files (detected by their magic bytes, whatever their name) are decompressed
/// into memory once, since gzip cannot be read at an offset.
/// </summary>
public sealed class FitsFile : IDisposable
{
    private readonly SafeFileHandle? _handle;
    private readonly byte[]? _memory;
    private readonly long _length;

    private FitsFile(string path, SafeFileHandle? handle, byte[]? memory, long length, List<HduInfo> hdus)
    {
        Path = path;
        _handle = handle;
        _memory = memory;
        _length = length;
        Hdus = hdus;
    }

    public string Path { get; }
    public IReadOnlyList<HduInfo> Hdus { get; }
    public bool IsCompressed => _memory is not null;

    public static FitsFile Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        return FitsException.Guard(full, () => OpenFull(full));
    }

    private static FitsFile OpenFull(string full)
    {
        if (Directory.Exists(full)) throw new FitsException("this is a directory, not a FITS file", full);
        if (!File.Exists(full)) throw new FitsException("file not found", full);
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.Read);
            long length = RandomAccess.GetLength(handle);
            if (length == 0) throw new FitsException("the file is empty", full);
            Span<byte> magic = stackalloc byte[2];
            int got = RandomAccess.Read(handle, magic, 0);
            if (got == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            {
                byte[] memory = Decompress(handle, full);
                handle.Dispose();
                handle = null;
                return new FitsFile(full, null, memory, memory.Length, ScanHeaders(full, memory.Length, (buf, off) => Copy(memory, buf, off)));
            }
            var h = handle;
            var file = new FitsFile(full, h, null, length, ScanHeaders(full, length, (buf, off) => RandomAccess.Read(h, buf, off)));
            handle = null;
            return file;
        }
        catch (FitsException) { handle?.Dispose(); throw; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            handle?.Dispose();
            throw new FitsException(e.Message, full, inner: e);
        }
    }

    private static int Copy(byte[] memory, Span<byte> buffer, long offset)
    {
        if (offset >= memory.Length) return 0;
        int n = (int)Math.Min(buffer.Length, memory.Length - offset);
        memory.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    }

    private static byte[] Decompress(SafeFileHandle handle, string path)
    {
        try
        {
            using var raw = new FileStream(handle, FileAccess.Read, 1 << 16);
            using var gz = new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true);
            using var ms = new MemoryStream();
            gz.CopyTo(ms, 1 << 20);
            // A cut gzip file can decompress "successfully" to a prefix; the trailer's ISIZE (length
            // mod 2^32) of a single-member file tells.
            long fileLength = RandomAccess.GetLength(handle);
            Span<byte> trailer = stackalloc byte[4];
            if (fileLength < 18 || RandomAccess.Read(handle, trailer, fileLength - 4) != 4)
                throw new FitsException("the gzip stream is truncated", path);
            uint isize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            if (isize != (uint)ms.Length)
                throw new FitsException($"the gzip stream is truncated or corrupt (it decompresses to {ms.Length} bytes, its trailer says {isize})", path);
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new FitsException($"the gzip stream is corrupt or truncated ({e.Message})", path, inner: e);
        }
    }

    private delegate int ReadAt(Span<byte> buffer, long offset);

    private static List<HduInfo> ScanHeaders(string path, long length, ReadAt read)
    {
        var hdus = new List<HduInfo>();
        long offset = 0;
        var block = new byte[FitsHeader.BlockLength];
        while (offset < length)
        {
            int index = hdus.Count;
            // Trailing zero or blank padding after the last HDU is tolerated (astropy does too).
            if (index > 0)
            {
                int n = read(block, offset);
                if (block.AsSpan(0, n).IndexOfAnyExcept((byte)0) < 0 || block.AsSpan(0, n).IndexOfAnyExcept((byte)' ') < 0) break;
            }
            var headerBytes = new List<byte>();
            FitsHeader? header = null;
            int headerLength = 0;
            while (header is null)
            {
                int n = read(block, offset + headerBytes.Count);
                if (n < FitsHeader.BlockLength)
                {
                    if (index == 0 && headerBytes.Count == 0 && !StartsWithSimple(block.AsSpan(0, n)))
                        throw new FitsException("not a FITS file (it does not start with SIMPLE =)", path);
                    throw new FitsException(n == 0
                        ? "truncated: the file ends inside a header (no END card)"
                        : $"truncated or wrong block size: the file length {length} is not a whole number of 2880-byte blocks",
                        path, index);
                }
                if (index == 0 && headerBytes.Count == 0 && !StartsWithSimple(block))
                    throw new FitsException("not a FITS file (it does not start with SIMPLE =)", path);
                headerBytes.AddRange(block);
                try
                {
                    if (FitsHeader.TryParse(headerBytes.ToArray(), out var parsed, out headerLength)) header = parsed;
                }
                catch (FormatException e) { throw new FitsException(e.Message, path, index, e); }
            }
            HduKind kind;
            long dataLength;
            try { (kind, dataLength) = Describe(header, index); }
            catch (FitsHeaderValueException e) { throw new FitsException(e.Message, path, index, e, e.Keyword); }
            catch (FormatException e) { throw new FitsException(e.Message, path, index, e); }
            long dataOffset = offset + headerLength;
            // Sizes are bounded by the file's real length (for .gz, the decompressed length) before
            // any arithmetic that could overflow: a header may claim anything.
            if (dataLength > length - dataOffset)
                throw new FitsException($"truncated: the data of HDU {index} ({header.GetString("EXTNAME") ?? kind.ToString()}) needs {dataLength} bytes from offset {dataOffset}, but the file has {length} bytes", path, index);
            long padded = (dataLength + FitsHeader.BlockLength - 1) / FitsHeader.BlockLength * FitsHeader.BlockLength;
            if (padded > length - dataOffset)
                throw new FitsException($"wrong block size: the file length {length} is not a whole number of 2880-byte blocks (the last HDU is not padded)", path, index);
            hdus.Add(new HduInfo(index, header, kind, offset, dataOffset, dataLength));
            offset = dataOffset + padded;
        }
        return hdus;
    }

    private static bool StartsWithSimple(ReadOnlySpan<byte> b) =>
        b.Length >= 10 && b[..9].SequenceEqual("SIMPLE  ="u8);

    /// <summary>The HDU kind and its data size: |BITPIX|/8 × GCOUNT × (PCOUNT + NAXIS1 × … × NAXISn).</summary>
    internal static (HduKind Kind, long DataLength) Describe(FitsHeader header, int index)
    {
        HduKind kind;
        if (index == 0)
        {
            if (header.GetBool("SIMPLE") != true) throw new FormatException("the primary header has no SIMPLE = T");
            kind = HduKind.Primary;
        }
        else
        {
            kind = header.GetString("XTENSION")?.Trim() switch
            {
                null => throw new FormatException("an extension header does not start with XTENSION"),
                "BINTABLE" or "A3DTABLE" => HduKind.BinaryTable,
                "IMAGE" or "IUEIMAGE" => HduKind.Image,
                "TABLE" => HduKind.AsciiTable,
                _ => HduKind.Other,
            };
        }
        long bitpix = header.GetLong("BITPIX") ?? throw new FitsHeaderValueException("BITPIX", "BITPIX is missing or not an integer");
        if (bitpix is not (8 or 16 or 32 or 64 or -32 or -64)) throw new FitsHeaderValueException("BITPIX", $"BITPIX = {bitpix} is not a FITS value");
        long naxis = header.GetLong("NAXIS") ?? throw new FitsHeaderValueException("NAXIS", "NAXIS is missing or not an integer");
        if (naxis is < 0 or > 999) throw new FitsHeaderValueException("NAXIS", $"NAXIS = {naxis} is out of range");
        if (naxis == 0) return (kind, 0);
        long product = 1;
        bool randomGroups = index == 0 && header.GetBool("GROUPS") == true && header.GetLong("NAXIS1") == 0;
        string last = "NAXIS";
        try
        {
            for (int i = randomGroups ? 2 : 1; i <= naxis; i++)
            {
                last = $"NAXIS{i}";
                long n = header.GetLong(last) ?? throw new FitsHeaderValueException(last, $"{last} is missing or not an integer");
                if (n < 0) throw new FitsHeaderValueException(last, $"{last} = {n} is negative");
                product = checked(product * n);
            }
            long pcount = header.GetLong("PCOUNT") ?? 0;
            long gcount = header.GetLong("GCOUNT") ?? 1;
            if (pcount < 0) throw new FitsHeaderValueException("PCOUNT", $"PCOUNT = {pcount} is negative");
            if (gcount < 0) throw new FitsHeaderValueException("GCOUNT", $"GCOUNT = {gcount} is negative");
            last = "PCOUNT/GCOUNT";
            return (kind, checked(Math.Abs(bitpix) / 8 * gcount * (pcount + product)));
        }
        catch (OverflowException)
        {
            throw new FitsHeaderValueException(last, $"the data size that {last} and the other NAXISn/PCOUNT/GCOUNT declare overflows 64 bits");
        }
    }

    // ------------------------------------------------------------------ look-up

    /// <summary>The first HDU whose EXTNAME matches (case-insensitive), or null.</summary>
    public HduInfo? Find(string extname) =>
        Hdus.FirstOrDefault(h => string.Equals(h.Name, extname, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first HDU whose header satisfies <paramref name="match"/>, or null.</summary>
    public HduInfo? Find(Func<FitsHeader, bool> match) => Hdus.FirstOrDefault(h => match(h.Header));

    public HduInfo this[int index] => Hdus[index];

    // ------------------------------------------------------------------ data

    /// <summary>The HDU's data bytes (without padding).</summary>
    public byte[] ReadDataBytes(HduInfo hdu) => FitsException.Guard(Path, () => ReadDataBytesUnguarded(hdu));

    private byte[] ReadDataBytesUnguarded(HduInfo hdu)
    {
        if (hdu.DataLength > Array.MaxLength) throw new FitsException("the HDU's data is too large to read into memory", Path, hdu.Index);
        var bytes = new byte[hdu.DataLength];
        if (_memory is not null)
            _memory.AsSpan(checked((int)hdu.DataOffset), bytes.Length).CopyTo(bytes);
        else
        {
            int done = 0;
            while (done < bytes.Length)
            {
                int n = RandomAccess.Read(_handle!, bytes.AsSpan(done), hdu.DataOffset + done);
                if (n == 0) throw new FitsException("truncated while reading data", Path, hdu.Index);
                done += n;
            }
        }
        return bytes;
    }

    /// <summary>
    /// SHA-256 of the HDU as stored: header, data and padding (for a gzipped file, in the
    /// decompressed stream). Two files whose HDU has the same bytes have the same hash, whatever
    /// their size, name or modification time; the bytes are read once, nothing is decoded.
    /// </summary>
    public byte[] HashHdu(HduInfo hdu) => FitsException.Guard(Path, () =>
    {
        if (_memory is not null)
            return System.Security.Cryptography.SHA256.HashData(_memory.AsSpan(checked((int)hdu.HeaderOffset), checked((int)hdu.Size)));
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[(int)Math.Min(hdu.Size, 1 << 20)];
        for (long done = 0; done < hdu.Size;)
        {
            int n = RandomAccess.Read(_handle!, buffer.AsSpan(0, (int)Math.Min(buffer.Length, hdu.Size - done)), hdu.HeaderOffset + done);
            if (n == 0) throw new FitsException("truncated while reading an HDU", Path, hdu.Index);
            sha.AppendData(buffer, 0, n);
            done += n;
        }
        return sha.GetHashAndReset();
    });

    private ReadOnlyMemory<byte> DataMemory(HduInfo hdu) =>
        _memory is not null ? _memory.AsMemory(checked((int)hdu.DataOffset), checked((int)hdu.DataLength)) : ReadDataBytesUnguarded(hdu);

    private TableDecoder.ReadBlock BlockReader(HduInfo hdu)
    {
        long start = hdu.DataOffset;
        if (_memory is { } memory)
            return (offset, length, _) => memory.AsSpan(checked((int)(start + offset)), length);
        var handle = _handle!;
        return (offset, length, buffer) =>
        {
            int done = 0;
            while (done < length)
            {
                int n = RandomAccess.Read(handle, buffer.AsSpan(done, length - done), start + offset + done);
                if (n == 0) throw new FitsException("truncated while reading table rows", Path, hdu.Index);
                done += n;
            }
            return buffer.AsSpan(0, length);
        };
    }

    /// <summary>Reads a binary table; with <paramref name="columns"/>, only those columns are decoded.</summary>
    public BinaryTableHdu ReadTable(HduInfo hdu, IEnumerable<string>? columns = null) =>
        FitsException.Guard(Path, () => ReadTableUnguarded(hdu, columns));

    private BinaryTableHdu ReadTableUnguarded(HduInfo hdu, IEnumerable<string>? columns)
    {
        if (hdu.Kind != HduKind.BinaryTable) throw new FitsException($"HDU {hdu.Index} ({hdu.Name}) is not a binary table", Path, hdu.Index);
        try
        {
            var layout = TableLayout.FromHeader(hdu.Header);
            var wanted = columns?.ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (wanted is not null)
                foreach (var w in wanted)
                    if (!layout.Columns.Any(c => string.Equals(c.Name, w, StringComparison.OrdinalIgnoreCase)))
                        throw new FitsException($"HDU {hdu.Index} ({hdu.Name}) has no column {w}", Path, hdu.Index);
            long tableBytes = (long)layout.RowWidth * layout.RowCount;
            if (tableBytes > hdu.DataLength) throw new FitsException("NAXIS1 × NAXIS2 is larger than the data", Path, hdu.Index);
            var selected = layout.Columns.Where(c => wanted is null || wanted.Contains(c.Name)).ToList();
            var fixedWidth = selected.Where(c => !c.Format.IsVariableLength).ToList();
            var variable = selected.Where(c => c.Format.IsVariableLength).ToList();
            var decoded = new Dictionary<ColumnLayout, FitsColumn>();
            if (variable.Count == 0)
            {
                foreach (var (c, column) in fixedWidth.Zip(TableDecoder.Decode(layout, fixedWidth, BlockReader(hdu)))) decoded[c] = column;
            }
            else
            {
                // Variable-length arrays need the heap, after the rows: take the whole data unit.
                var data = DataMemory(hdu);
                long theap = hdu.Header.GetLong("THEAP") ?? tableBytes;
                var heap = theap <= data.Length ? data[(int)theap..] : ReadOnlyMemory<byte>.Empty;
                var rows = TableDecoder.Decode(layout, fixedWidth, (offset, length, _) => data.Span.Slice(checked((int)offset), length));
                foreach (var (c, column) in fixedWidth.Zip(rows)) decoded[c] = column;
                foreach (var c in variable)
                    decoded[c] = c.ToColumn(BinaryTableCodec.DecodeVariable(data.Span, layout.RowWidth, layout.RowCount, c.Offset, c.Format, heap.Span));
            }
            return new BinaryTableHdu(hdu.Header.Clone(), new BinaryTable(layout.RowCount, selected.Select(c => decoded[c])));
        }
        catch (FormatException e) { throw new FitsException(e.Message, Path, hdu.Index, e); }
        catch (OverflowException e) { throw new FitsException("table dimensions are too large: " + e.Message, Path, hdu.Index, e); }
    }

    public BinaryTableHdu ReadTable(string extname, IEnumerable<string>? columns = null) =>
        ReadTable(Find(extname) ?? throw new FitsException($"no HDU named {extname}", Path), columns);

    /// <summary>Reads any HDU completely (tables decoded, images as arrays, other kinds as raw bytes).</summary>
    public Hdu ReadHdu(HduInfo hdu) => FitsException.Guard(Path, () => ReadHduUnguarded(hdu));

    private Hdu ReadHduUnguarded(HduInfo hdu) => hdu.Kind switch
    {
        HduKind.BinaryTable => ReadTable(hdu),
        HduKind.Primary or HduKind.Image when !(hdu.Index == 0 && hdu.Header.GetBool("GROUPS") == true) => ReadImage(hdu),
        _ => new RawHdu(hdu.Header.Clone(), ReadDataBytes(hdu)),
    };

    public IReadOnlyList<Hdu> ReadAll() => Hdus.Select(ReadHdu).ToList();

    public ImageHdu ReadImage(HduInfo hdu) => FitsException.Guard(Path, () => ReadImageUnguarded(hdu));

    private ImageHdu ReadImageUnguarded(HduInfo hdu)
    {
        var h = hdu.Header;
        int naxis = (int)(h.GetLong("NAXIS") ?? 0);
        var axes = new int[naxis];
        for (int i = 0; i < naxis; i++)
        {
            // Each axis must fit an array dimension even when the image holds no data (another axis 0).
            long n = h.GetRequiredLong($"NAXIS{i + 1}");
            if (n is < 0 or > int.MaxValue)
                throw new FitsException($"NAXIS{i + 1} = {n} is too large for an image axis", Path, hdu.Index, keyword: $"NAXIS{i + 1}");
            axes[i] = (int)n;
        }
        Array? data = null;
        if (hdu.DataLength > 0)
        {
            var bytes = ReadDataBytes(hdu);
            int bitpix = (int)h.GetRequiredLong("BITPIX");
            data = bitpix switch
            {
                8 => bytes,
                16 => Swap<short>(bytes),
                32 => Swap<int>(bytes),
                64 => Swap<long>(bytes),
                -32 => Swap<float>(bytes),
                -64 => Swap<double>(bytes),
                _ => throw new FitsException($"BITPIX = {bitpix} is not a FITS value", Path, hdu.Index),
            };
        }
        return new ImageHdu(h.Clone(), hdu.Index == 0, axes, data);
    }

    private static T[] Swap<T>(byte[] bytes) where T : unmanaged
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var result = new T[bytes.Length / size];
        var dst = System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan());
        bytes.AsSpan(0, dst.Length).CopyTo(dst);
        BinaryTableCodec.SwapInPlace(dst, size);
        return result;
    }

    // ------------------------------------------------------------------ checksums

    /// <summary>
    /// Checks CHECKSUM and DATASUM of every HDU that has them. Returns one message per problem
    /// (empty when all is well); HDUs without the keywords are reported only with <paramref name="requireKeywords"/>.
    /// </summary>
    public IReadOnlyList<string> VerifyChecksums(bool requireKeywords = false) =>
        FitsException.Guard(Path, () => VerifyChecksumsUnguarded(requireKeywords));

    private IReadOnlyList<string> VerifyChecksumsUnguarded(bool requireKeywords)
    {
        var problems = new List<string>();
        long offset = 0;
        foreach (var hdu in Hdus)
        {
            long headerStart = offset;
            long dataPadded = (hdu.DataLength + FitsHeader.BlockLength - 1) / FitsHeader.BlockLength * FitsHeader.BlockLength;
            var headerBytes = new byte[hdu.DataOffset - headerStart];
            ReadAtOffset(headerBytes, headerStart);
            var dataBytes = new byte[dataPadded];
            ReadAtOffset(dataBytes, hdu.DataOffset);
            offset = hdu.DataOffset + dataPadded;

            string label = $"HDU {hdu.Index} ({hdu.Name ?? (hdu.Index == 0 ? "PRIMARY" : "?")})";
            uint dataSum = Checksum.Accumulate(0, dataBytes);
            string? datasum = hdu.Header.GetString("DATASUM");
            string? checksum = hdu.Header.GetString("CHECKSUM");
            if (datasum is null || checksum is null)
            {
                if (requireKeywords) problems.Add($"{label}: no {(datasum is null ? "DATASUM" : "CHECKSUM")} keyword");
            }
            if (datasum is not null && (!uint.TryParse(datasum.Trim(), out uint expected) || expected != dataSum))
                problems.Add($"{label}: DATASUM is {datasum} but the data sum to {dataSum}");
            if (checksum is not null && Checksum.Add(Checksum.Accumulate(0, headerBytes), dataSum) != 0xFFFFFFFF)
                problems.Add($"{label}: CHECKSUM does not match the HDU's contents");
        }
        return problems;
    }

    private void ReadAtOffset(byte[] buffer, long offset)
    {
        if (_memory is not null) { Copy(_memory, buffer, offset); return; }
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(_handle!, buffer.AsSpan(done), offset + done);
            if (n == 0) break;
            done += n;
        }
    }

    public void Dispose() => _handle?.Dispose();
}
