using GammapyTools.Background;
using GammapyTools.Fits;
using GammapyTools.Mimic;
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

    [Fact]
    public void Candidate_search_KL_and_conversion_stop_on_a_cancelled_token_and_write_nothing()
    {
        string dir = TestPaths.NewTempDir();
        var runs = DataStoreSimulator.Create(Path.Combine(dir, "store"), new SimulationOptions { RunCount = 8, Seed = 6, EventsPerRun = 300 });
        var cancelled = new CancellationToken(true);
        var cache = new BackgroundModelCache();
        Assert.ThrowsAny<OperationCanceledException>(() => KlDivergenceCalculator.Compute(runs[0], runs, cache, cancellationToken: cancelled));
        Assert.Equal(0, cache.Count); // no model was read
        var criteria = new MimicCriteria { NsbDiff = 100, ElDiff = 100, AzDiff = 360, NTel = null, TimeMaxDays = 1e6, MinAbsGalacticLatitude = 0 };
        Assert.ThrowsAny<OperationCanceledException>(() => MimicCandidateFinder.Find(runs[0], runs, criteria, cache, cancellationToken: cancelled));
        string output = Path.Combine(dir, "out", "mimic.fits.gz");
        Assert.ThrowsAny<OperationCanceledException>(() => FovConverter.Convert(runs[1], runs[0], new ConvertOptions { OutputPath = output }, cancelled));
        Assert.False(Directory.Exists(Path.GetDirectoryName(output)) && Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(output)!).Any());
    }
}
