using GammapyTools.Fits;
using GammapyTools.Simulation;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Cluster;

/// <summary>Core entry points stop on a cancelled token and leave no temporary or partial file.</summary>
public class CancellationTests
{
    [Fact]
    public void A_write_cancelled_in_flight_leaves_neither_temp_nor_output()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "x.fits.gz");
        using var cts = new CancellationTokenSource();
        IEnumerable<Hdu> Hdus()
        {
            yield return ImageHdu.EmptyPrimary();
            cts.Cancel(); // the second HDU is being written when the user stops
            yield return ImageHdu.EmptyPrimary();
        }
        Assert.ThrowsAny<OperationCanceledException>(() => FitsWriter.Write(path, Hdus(), cancellationToken: cts.Token));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void A_cancelled_simulation_starts_no_new_run_and_writes_no_index()
    {
        string dir = TestPaths.NewTempDir();
        using var cts = new CancellationTokenSource();
        var progress = new InlineProgress<SimulationProgress>(p => { if (p.RunsDone >= 3) cts.Cancel(); });
        var options = new SimulationOptions { RunCount = 60, Seed = 5, EventsPerRun = 200, MaxDegreeOfParallelism = 2 };
        Assert.ThrowsAny<OperationCanceledException>(() => DataStoreSimulator.Create(dir, options, progress, cts.Token));
        Assert.Empty(StoreComparison.TempFiles(dir));
        Assert.InRange(Directory.GetFiles(dir, "*.fits.gz").Length, 3, 6); // the runs in flight end or are abandoned, none starts
        Assert.DoesNotContain(GammapyTools.Dl3.DataStore.HduIndexNames.Concat(GammapyTools.Dl3.DataStore.ObsIndexNames), n => File.Exists(Path.Combine(dir, n)));
    }
}
