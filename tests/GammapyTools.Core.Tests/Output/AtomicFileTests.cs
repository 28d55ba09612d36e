using System.Diagnostics;
using System.Net.Sockets;
using GammapyTools.Config;
using GammapyTools.Fits;
using GammapyTools.Output;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Output;

/// <summary>Writers replace only regular files: devices, FIFOs, sockets and directories are refused; a symbolic link is replaced as a link.</summary>
public class AtomicFileTests
{
    internal static void MakeFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Kinds_are_told_apart_without_following_links()
    {
        string dir = TestPaths.NewTempDir();
        string file = Path.Combine(dir, "f"), fifo = Path.Combine(dir, "p"), link = Path.Combine(dir, "l"), sock = Path.Combine(dir, "s");
        File.WriteAllText(file, "x");
        MakeFifo(fifo);
        File.CreateSymbolicLink(link, file);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(sock));
        Assert.Equal(PathKind.RegularFile, AtomicFile.KindOf(file));
        Assert.Equal(PathKind.Fifo, AtomicFile.KindOf(fifo));
        Assert.Equal(PathKind.SymbolicLink, AtomicFile.KindOf(link));
        Assert.Equal(PathKind.Socket, AtomicFile.KindOf(sock));
        Assert.Equal(PathKind.Directory, AtomicFile.KindOf(dir));
        Assert.Equal(PathKind.Absent, AtomicFile.KindOf(Path.Combine(dir, "none")));
        Assert.Equal(PathKind.Absent, AtomicFile.KindOf(Path.Combine(file, "below-a-file")));
        // Read-only look at the device: never written, only inspected.
        Assert.Equal(PathKind.CharacterDevice, AtomicFile.KindOf("/dev/null"));
    }

    [Fact]
    public void The_null_device_is_refused_with_or_without_overwrite_and_not_touched()
    {
        foreach (bool overwrite in new[] { false, true })
        {
            var e = Assert.Throws<OutputPathException>(() => AtomicFile.CheckDestination("/dev/null", overwrite));
            Assert.Contains("/dev/null", e.Message);
            Assert.Contains("character device", e.Message);
        }
        Assert.Equal(PathKind.CharacterDevice, AtomicFile.KindOf("/dev/null"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_fifo_a_socket_and_a_directory_are_refused_by_every_writer(bool overwrite)
    {
        string dir = TestPaths.NewTempDir();
        string fifo = Path.Combine(dir, "out.fits"), folder = Path.Combine(dir, "sub.fits"), sock = Path.Combine(dir, "sock.yaml");
        MakeFifo(fifo);
        Directory.CreateDirectory(folder);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(sock));

        var fits = Assert.Throws<FitsException>(() => FitsWriter.Write(fifo, [ImageHdu.EmptyPrimary()], overwrite));
        if (overwrite) Assert.Contains("FIFO", fits.Message);
        Assert.Equal(1, Count(fits.Message, fifo)); // the path once
        var inDir = Assert.Throws<FitsException>(() => FitsWriter.Write(folder, [ImageHdu.EmptyPrimary()], overwrite));
        Assert.Contains("directory", inDir.Message);
        var yaml = Assert.Throws<ConfigException>(() => GammapyToolsConfig.CreateDefault().Save(sock, overwrite));
        if (overwrite) Assert.Contains("socket", yaml.Message);
        Assert.Equal(1, Count(yaml.Message, sock));
        Assert.Throws<OutputPathException>(() => AtomicFile.WriteAllBytes(fifo, overwrite, [1, 2, 3]));

        Assert.Equal(PathKind.Fifo, AtomicFile.KindOf(fifo));
        Assert.Equal(PathKind.Directory, AtomicFile.KindOf(folder));
        Assert.Equal(PathKind.Socket, AtomicFile.KindOf(sock));
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    [Fact]
    public void A_symbolic_link_is_replaced_as_a_link_and_its_target_is_untouched()
    {
        string dir = TestPaths.NewTempDir();
        string target = Path.Combine(dir, "target.fits"), link = Path.Combine(dir, "link.fits");
        FitsWriter.Write(target, [ImageHdu.EmptyPrimary()]);
        byte[] before = File.ReadAllBytes(target);
        File.CreateSymbolicLink(link, target);

        Assert.Throws<FitsException>(() => FitsWriter.Write(link, [ImageHdu.EmptyPrimary(), ImageHdu.EmptyPrimary()], overwrite: false));
        FitsWriter.Write(link, [ImageHdu.EmptyPrimary(), new ImageHdu(new FitsHeader(), false, [2], new float[] { 1, 2 })], overwrite: true);

        Assert.Equal(PathKind.RegularFile, AtomicFile.KindOf(link));
        Assert.Equal(before, File.ReadAllBytes(target));
        using var f = FitsFile.Open(link);
        Assert.Equal(2, f.Hdus.Count);
    }

    [Fact]
    public void A_failed_write_leaves_neither_a_temp_file_nor_a_changed_destination()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "x.fits");
        FitsWriter.Write(path, [ImageHdu.EmptyPrimary()]);
        byte[] before = File.ReadAllBytes(path);
        Action<string> full = p => { if (p == path) throw new IOException("No space left on device"); };
        AtomicFile.WriteHook += full;
        try
        {
            var e = Assert.Throws<FitsException>(() => FitsWriter.Write(path, [ImageHdu.EmptyPrimary(), ImageHdu.EmptyPrimary()], overwrite: true));
            Assert.Contains("No space left on device", e.Message);
        }
        finally { AtomicFile.WriteHook -= full; }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(dir, ".*"));
    }

    [Fact]
    public void Temporary_names_carry_the_writer_and_parse_back()
    {
        string name = AtomicFile.TempName("run.fits.gz");
        Assert.StartsWith(".run.fits.gz.", name);
        Assert.Equal((Environment.ProcessId, AtomicFile.HostTag), StaleTempFiles.ParseWriter(name));
        Assert.Equal((1234, (string?)null), StaleTempFiles.ParseWriter(".run.fits.1234." + new string('a', 32) + ".tmp"));
        Assert.Equal(((int?)null, (string?)null), StaleTempFiles.ParseWriter(".run.png." + new string('b', 32) + ".tmp"));
        Assert.Null(StaleTempFiles.ParseWriter(".64080.fits.gz.123.tmp"));
        Assert.Null(StaleTempFiles.ParseWriter("run.fits"));
        Assert.DoesNotContain('.', AtomicFile.SanitizeHost("node1.cluster.example.org"));
    }
}
