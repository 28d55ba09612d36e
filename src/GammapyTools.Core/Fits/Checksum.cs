using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace GammapyTools.Fits;

/// <summary>
/// The FITS checksum convention (Seaman, Pence &amp; Rots): DATASUM is the 32-bit ones'-complement
/// sum of the data's big-endian words; CHECKSUM is a 16-character ASCII encoding that makes the
/// ones'-complement sum of the whole HDU (header + data) equal to -0 (all bits set).
/// </summary>
public static class Checksum
{
    /// <summary>Adds the 32-bit big-endian words of <paramref name="bytes"/> (a multiple of 4 long) to a running sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Accumulate(uint sum, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 4 != 0) throw new ArgumentException("checksummed data must be a whole number of 32-bit words");
        // Sum in 64 bits and fold the carries once at the end: exact ones'-complement addition for
        // anything below 2^32 words.
        ulong acc = sum;
        var words = MemoryMarshal.Cast<byte, uint>(bytes);
        if (BitConverter.IsLittleEndian)
            foreach (uint w in words) acc += BinaryPrimitives.ReverseEndianness(w);
        else
            foreach (uint w in words) acc += w;
        return Fold(acc);
    }

    public static uint Add(uint a, uint b) => Fold((ulong)a + b);

    private static uint Fold(ulong acc)
    {
        while ((acc >> 32) != 0) acc = (acc & 0xFFFFFFFF) + (acc >> 32);
        return (uint)acc;
    }

    /// <summary>The 16-character CHECKSUM value for an HDU whose sum (with CHECKSUM = all zeros) is <paramref name="sum"/>.</summary>
    public static string Encode(uint sum)
    {
        uint value = ~sum;
        Span<byte> asc = stackalloc byte[16];
        ReadOnlySpan<byte> exclude = [0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60];
        Span<int> ch = stackalloc int[4];
        for (int i = 0; i < 4; i++)
        {
            int b = (int)((value >> (24 - 8 * i)) & 0xFF);
            int quotient = b / 4 + 0x30;
            int remainder = b % 4;
            for (int j = 0; j < 4; j++) ch[j] = quotient;
            ch[0] += remainder;
            // Shift pairs away from punctuation so the result is alphanumeric; the pair sum is unchanged.
            bool moved = true;
            while (moved)
            {
                moved = false;
                for (int j = 0; j < 4; j += 2)
                    if (exclude.Contains((byte)ch[j]) || exclude.Contains((byte)ch[j + 1]))
                    {
                        ch[j]++;
                        ch[j + 1]--;
                        moved = true;
                    }
            }
            for (int j = 0; j < 4; j++) asc[4 * j + i] = (byte)ch[j];
        }
        // The encoding is rotated right by one byte so that it aligns with the card's byte offset.
        Span<byte> rotated = stackalloc byte[16];
        rotated[0] = asc[15];
        asc[..15].CopyTo(rotated[1..]);
        return Encoding.ASCII.GetString(rotated);
    }
}
