using System.Runtime.InteropServices;
using System.Text;

namespace GammapyTools.Output;

/// <summary>What is at a path, looked at without following a symbolic link.</summary>
public enum PathKind { Absent, RegularFile, SymbolicLink, Directory, CharacterDevice, BlockDevice, Fifo, Socket, Unknown }

/// <summary>
/// A destination this product will not write: something that is not a regular file (a device,
/// FIFO, socket, directory), or an existing file without permission to replace it.
/// <see cref="Reason"/> is the message without the path, for callers whose exception adds the path itself.
/// </summary>
public sealed class OutputPathException : IOException
{
    public OutputPathException(string path, string reason) : base($"{path}: {reason}")
    {
        Path = path;
        Reason = reason;
    }

    public string Path { get; }
    public string Reason { get; }
}

/// <summary>
/// The one way files are written (FITS files, indexes, configs, PNGs, KL tables): into a temporary
/// file in the destination folder, flushed, then renamed over the destination, so that a reader
/// never sees a partial file and a failure (or a kill) leaves no partial file at the final path.
/// Only a regular file is ever replaced: a device, FIFO, socket or directory at the path is an error
/// naming it, with or without overwrite (renaming over /dev/null deletes the device). A symbolic link
/// at the path is replaced by the new file as a link would be by rename(2); its target is never
/// written through. The check is repeated just before the rename, which narrows but cannot close the
/// window in which another process could put something else there.
/// Temporary files are named <c>.&lt;name&gt;.&lt;pid&gt;@&lt;host&gt;.&lt;guid&gt;.tmp</c> so that
/// <see cref="StaleTempFiles"/> can tell a dead writer's leftovers from a live writer's file, also
/// when cluster nodes share the folder.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes a file through <paramref name="write"/>; see the class comment.</summary>
    /// <exception cref="OutputPathException">The path holds something that is not a regular file, or a file and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="IOException">The write failed (disk full, no permission as UnauthorizedAccessException, …); nothing is left behind.</exception>
    /// <param name="buffered">False for a writer that only writes large pieces (an uncompressed FITS file): each
    /// is then written straight from the caller's buffer, not copied once more through the stream's own.</param>
    public static void Write(string path, bool overwrite, Action<Stream> write, bool buffered = true)
    {
        string full = Path.GetFullPath(path);
        CheckDestination(full, overwrite);
        string dir = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(dir, TempName(Path.GetFileName(full)));
        try
        {
            Directory.CreateDirectory(dir);
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, buffered ? 1 << 20 : 0))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            WriteHook?.Invoke(full);
            CheckDestination(full, overwrite);
            File.Move(temp, full, overwrite);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Test hook: called with the final path after the temporary file is written, before the rename; tests
    /// inject write errors through it (an event, so tests running in parallel add and remove their own).
    /// </summary>
    internal static event Action<string>? WriteHook;

    /// <summary>Writes bytes (see <see cref="Write(string, bool, Action{Stream})"/>).</summary>
    public static void WriteAllBytes(string path, bool overwrite, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, overwrite, s => s.Write(copy));
    }

    /// <summary>Throws unless <paramref name="path"/> is absent, a symbolic link, or (with <paramref name="overwrite"/>) a regular file.</summary>
    public static void CheckDestination(string path, bool overwrite)
    {
        var kind = KindOf(path);
        switch (kind)
        {
            case PathKind.Absent:
                return;
            case PathKind.RegularFile or PathKind.SymbolicLink:
                if (!overwrite) throw new OutputPathException(path, "the file exists (use overwrite/-Force to replace it)");
                return;
            default:
                throw new OutputPathException(path, $"{Describe(kind)}, not a regular file: only regular files are replaced (with or without -Force)");
        }
    }

    private static string Describe(PathKind kind) => kind switch
    {
        PathKind.Directory => "a directory",
        PathKind.CharacterDevice => "a character device",
        PathKind.BlockDevice => "a block device",
        PathKind.Fifo => "a FIFO (named pipe)",
        PathKind.Socket => "a socket",
        _ => "not a file of a known kind",
    };

    // ------------------------------------------------------------ temp names

    /// <summary>This host's name as it appears in temporary file names (no dots, so the name parses back).</summary>
    public static string HostTag { get; } = SanitizeHost(Environment.MachineName);

    internal static string SanitizeHost(string host)
    {
        var sb = new StringBuilder(host.Length);
        foreach (char c in host) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        return sb.Length == 0 ? "unknown" : sb.ToString();
    }

    /// <summary>The temporary name for a file called <paramref name="fileName"/>, written by this process.</summary>
    public static string TempName(string fileName) =>
        $".{fileName}.{Environment.ProcessId}@{HostTag}.{Guid.NewGuid():N}.tmp";

    // ------------------------------------------------------------- file kind

    /// <summary>What is at <paramref name="path"/>, without following a symbolic link there.</summary>
    public static PathKind KindOf(string path)
    {
        if (OperatingSystem.IsLinux()) return LinuxKind(path);
        // Elsewhere (the module ships for Linux) .NET tells only links, directories and files apart.
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return PathKind.SymbolicLink;
        if (Directory.Exists(path)) return PathKind.Directory;
        return info.Exists ? PathKind.RegularFile : PathKind.Absent;
    }

    // .NET has no API for the file type (FileAttributes does not mark devices or FIFOs), so ask the
    // kernel: statx(2) has the same structure layout on every Linux architecture (stx_mode at offset 28),
    // unlike struct stat.
    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, Enoent = 2, Enotdir = 20;
    private const uint StatxType = 0x1;

    private static PathKind LinuxKind(string path)
    {
        var buffer = new byte[256]; // struct statx is 256 bytes
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Enoent or Enotdir) return PathKind.Absent;
            throw new OutputPathException(path, $"cannot inspect the path (errno {errno})");
        }
        int mode = BitConverter.ToUInt16(buffer, 28) & 0xF000;
        return mode switch
        {
            0x8000 => PathKind.RegularFile,
            0xA000 => PathKind.SymbolicLink,
            0x4000 => PathKind.Directory,
            0x2000 => PathKind.CharacterDevice,
            0x6000 => PathKind.BlockDevice,
            0x1000 => PathKind.Fifo,
            0xC000 => PathKind.Socket,
            _ => PathKind.Unknown,
        };
    }
}
