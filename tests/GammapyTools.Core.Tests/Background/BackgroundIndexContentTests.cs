using System.IO.Compression;
using GammapyTools.Background;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Simulation;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Background;

/// <summary>
/// The background index's content hashes (a touched file is hashed, not decoded; a changed HDU is
/// read again) and the runs' header values it keeps (a store without obs-index rows is listed
/// without opening its events files).
/// </summary>
public class BackgroundIndexContentTests
{
    private static (DataStore Store, IReadOnlyList<Run> Runs) NewStore(int runs = 6, long seed = 11, bool obsIndex = true)
    {
        string dir = TestPaths.NewTempDir();
        DataStoreSimulator.Create(dir, new SimulationOptions { RunCount = runs, Seed = seed, EventsPerRun = 200 });
        if (!obsIndex)
            foreach (string name in DataStore.ObsIndexNames) File.Delete(Path.Combine(dir, name));
        var store = DataStore.Open(dir);
        Assert.Equal(obsIndex, store.ObsIndexPath is not null);
        return (store, store.ObsIds.Select(store.GetRun).ToList());
    }

    private static void AssertSameModel(BackgroundModel expected, BackgroundModel actual)
    {
        Assert.Equal(expected.HduClass, actual.HduClass);
        for (int a = 0; a < expected.Axes.Count; a++) Assert.Equal(expected.Axes[a], actual.Axes[a]);
        Assert.Equal(expected.Values, actual.Values);
    }

    private static BackgroundModel FromFile(Run run) => BackgroundModel.Read(run.FindHdu("bkg")!);

    private static (string File, string Hdu) Key(Run run)
    {
        var bkg = run.FindHdu("bkg")!;
        return (Path.GetFullPath(bkg.FilePath), bkg.HduName.ToUpperInvariant());
    }

    /// <summary>Every value a Run carries, for comparing runs built in different ways.</summary>
    private static void AssertSameRun(Run expected, Run actual)
    {
        foreach (var p in typeof(Run).GetProperties().Where(p => p.Name != nameof(Run.Hdus)))
            Assert.True(Equals(p.GetValue(expected), p.GetValue(actual)), $"run {expected.ObsId}: {p.Name} is {p.GetValue(actual)}, expected {p.GetValue(expected)}");
        Assert.Equal(expected.Hdus, actual.Hdus);
    }

    /// <summary>Rewrites a gzipped FITS file with one byte of one HDU's data changed (the other HDUs' bytes as they were); a new mtime.</summary>
    private static void FlipDataByte(string path, string hduType, Func<HduInfo, long> offsetInData)
    {
        long at;
        using (var f = FitsFile.Open(path))
        {
            var info = f.Hdus.First(h => HduClassifier.Classify(h.Header)?.Type == hduType);
            at = info.DataOffset + offsetInData(info);
        }
        byte[] bytes;
        using (var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress))
        using (var ms = new MemoryStream())
        {
            gz.CopyTo(ms);
            bytes = ms.ToArray();
        }
        bytes[at] ^= 0x01;
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write(bytes);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(2));
    }

    [Fact]
    public void A_touched_or_events_only_rewritten_file_is_rehashed_not_decoded_and_keeps_its_model()
    {
        var (store, runs) = NewStore();
        string cache = TestPaths.NewTempDir();
        var (_, built) = new BackgroundIndex(cache).Update(store);
        Assert.Equal(runs.Count, built.Read);
        var before = BackgroundIndex.TryOpen(built.IndexPath, store.Root).File!;
        var model0 = FromFile(runs[0]);

        // Run 0: touched (new mtime, same bytes). Run 1: one byte of its events changed (another size once
        // recompressed, same background HDU). Run 2: copied over itself (a copy with a new mtime).
        File.SetLastWriteTimeUtc(runs[0].Path, DateTime.UtcNow.AddMinutes(1));
        FlipDataByte(runs[1].Path, "events", info => info.DataLength / 2);
        byte[] copy = File.ReadAllBytes(runs[2].Path);
        File.Delete(runs[2].Path);
        File.WriteAllBytes(runs[2].Path, copy);
        File.SetLastWriteTimeUtc(runs[2].Path, DateTime.UtcNow.AddMinutes(3));

        var (models, summary) = new BackgroundIndex(cache).Update(DataStore.Open(store.Root));
        Assert.Equal(3, summary.Rehashed);
        Assert.Equal(0, summary.Read);
        Assert.Equal(runs.Count - 3, summary.Reused);
        Assert.True(summary.Written);   // the new identities are recorded
        foreach (var run in runs) AssertSameModel(FromFile(run), models[Key(run)]);
        AssertSameModel(model0, models[Key(runs[0])]);

        // The entries now carry the files' new size and mtime and the same hash: a second update reuses all.
        var after = BackgroundIndex.TryOpen(built.IndexPath, store.Root).File!;
        foreach (var run in runs.Take(3))
        {
            var bkg = run.FindHdu("bkg")!;
            string relative = Path.GetRelativePath(store.Root, bkg.FilePath);
            var info = new FileInfo(bkg.FilePath);
            var slot = after.Find(relative, bkg.HduName)!;
            Assert.Equal((info.Length, info.LastWriteTimeUtc.Ticks), (slot.Size, slot.MtimeTicks));
            Assert.Equal(before.Find(relative, bkg.HduName)!.HduHash, slot.HduHash);
        }
        var (_, again) = new BackgroundIndex(cache).Update(DataStore.Open(store.Root));
        Assert.Equal((runs.Count, 0, 0), (again.Reused, again.Rehashed, again.Read));
        Assert.False(again.Written);
    }

    [Fact]
    public void A_touched_gzip_file_is_recognised_by_its_own_hash_without_decompressing_it()
    {
        // Without obs-index rows, so the runs' EVENTS header values come from the same files.
        var (store, runs) = NewStore(runs: 4, obsIndex: false);
        string cache = TestPaths.NewTempDir();
        var built = new BackgroundIndex(cache).Refresh(store);
        Assert.Equal((runs.Count, runs.Count), (built.Summary.Read, built.Summary.HeadersRead));
        Assert.All(built.Entries, e => Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(Path.Combine(store.Root, e.RelativePath)))), e.FileHash));

        foreach (var run in runs) File.SetLastWriteTimeUtc(run.Path, DateTime.UtcNow.AddMinutes(1));
        var touched = new BackgroundIndex(cache).Refresh(DataStore.Open(store.Root));
        // Models and header values kept from the index: the files' bytes hash the same, so none was opened as FITS
        // (an HDU hash would have read each EVENTS header in the same pass: HeadersRead would be 4).
        Assert.Equal((runs.Count, 0, 0, 0), (touched.Summary.Rehashed, touched.Summary.Read, touched.Summary.HeadersRead, touched.Summary.Reused));
        Assert.True(touched.Summary.Written);
        for (int i = 0; i < runs.Count; i++)
        {
            AssertSameRun(runs[i], touched.Runs[i].Run);
            Assert.Equal(new FileInfo(runs[i].Path).LastWriteTimeUtc.Ticks, touched.Runs[i].SourceMtimeTicks);
            AssertSameModel(FromFile(runs[i]), touched.Models[Key(runs[i])]);
        }
    }

    [Fact]
    public void The_hash_is_of_the_hdu_bytes_as_stored_and_a_changed_background_hdu_is_read_again()
    {
        var (store, runs) = NewStore(runs: 4);
        string cache = TestPaths.NewTempDir();
        var (_, built) = new BackgroundIndex(cache).Update(store);

        // The recorded hash is SHA-256 of the HDU's bytes (header, data, padding) in the decompressed stream.
        var bkg = runs[0].FindHdu("bkg")!;
        byte[] plain;
        using (var gz = new GZipStream(File.OpenRead(bkg.FilePath), CompressionMode.Decompress))
        using (var ms = new MemoryStream()) { gz.CopyTo(ms); plain = ms.ToArray(); }
        string expected;
        using (var f = FitsFile.Open(bkg.FilePath))
        {
            var info = HduClassifier.Find(f, bkg);
            expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(plain.AsSpan((int)info.HeaderOffset, (int)info.Size)));
        }
        var file = BackgroundIndex.TryOpen(built.IndexPath, store.Root).File!;
        Assert.Equal(expected, file.Find(Path.GetRelativePath(store.Root, bkg.FilePath), bkg.HduName)!.HduHash);

        // The last byte of the background's data (the least significant byte of its last value): same sizes, another model.
        var old = FromFile(runs[0]);
        FlipDataByte(bkg.FilePath, "bkg", info => info.DataLength - 1);
        var changed = FromFile(runs[0]);
        Assert.NotEqual(old.Values, changed.Values);

        var (models, summary) = new BackgroundIndex(cache).Update(DataStore.Open(store.Root));
        Assert.Equal((1, 0, runs.Count - 1), (summary.Read, summary.Rehashed, summary.Reused));
        AssertSameModel(changed, models[Key(runs[0])]);
        Assert.NotEqual(expected, BackgroundIndex.TryOpen(built.IndexPath, store.Root).File!
            .Find(Path.GetRelativePath(store.Root, bkg.FilePath), bkg.HduName)!.HduHash);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_index_holds_each_runs_values_as_its_obs_index_row_or_events_header_gives_them(bool obsIndex)
    {
        var (store, runs) = NewStore(runs: 5, obsIndex: obsIndex);
        string cache = TestPaths.NewTempDir();
        var contents = new BackgroundIndex(cache).Refresh(store);
        Assert.Equal(obsIndex ? 0 : runs.Count, contents.Summary.HeadersRead);

        var file = BackgroundIndex.TryOpen(contents.Summary.IndexPath, store.Root).File!;
        Assert.Equal(runs.Count, file.Runs.Count);
        foreach (var run in runs)
        {
            var slot = file.FindRun(run.ObsId)!;
            Assert.Equal(!obsIndex, slot.FromEventsHeader);
            var events = run.FindHdu("events")!;
            // The file the values came from: the obs-index, or the run's events file.
            string source = obsIndex ? store.ObsIndexPath! : events.FilePath;
            Assert.Equal(Path.GetRelativePath(store.Root, source), slot.SourcePath);
            Assert.Equal((new FileInfo(source).Length, new FileInfo(source).LastWriteTimeUtc.Ticks), (slot.SourceSize, slot.SourceMtimeTicks));
            // Independent of the store's listing: the EVENTS header read by Run.FromFile (its values, not its HDU list).
            var header = Run.FromFile(run.Path);
            var fromIndex = file.DecodeRun(slot, events.FilePath, store.Root, store.HdusOf(run.ObsId));
            AssertSameRun(run, fromIndex);
            if (!obsIndex)
                foreach (string p in new[] { "RaPnt", "DecPnt", "AltPnt", "AzPnt", "NsbLevel", "NTels", "Livetime", "DateObs", "Object", "RaObj", "DecObj" })
                    Assert.Equal(typeof(Run).GetProperty(p)!.GetValue(header), typeof(Run).GetProperty(p)!.GetValue(fromIndex));
        }
        // The simulated runs carry the values the criteria read (else this test would compare nulls).
        Assert.All(runs, r => Assert.True(r.NsbLevel is not null && r.AzPnt is not null && r.NTels is not null && r.Livetime is not null && r.DateObs is not null));
    }

    [Fact]
    public void Obs_index_values_are_taken_again_when_the_obs_index_changes_and_reused_while_it_does_not()
    {
        var (store, runs) = NewStore(runs: 4);
        string cache = TestPaths.NewTempDir();
        var built = new BackgroundIndex(cache).Refresh(store);
        Assert.False(new BackgroundIndex(cache).Refresh(DataStore.Open(store.Root)).Summary.Written);

        // The obs-index gets another NSBLEVEL for the first run (every other byte of the table as it was).
        IReadOnlyList<Hdu> hdus;
        using (var f = FitsFile.Open(store.ObsIndexPath!)) hdus = f.ReadAll();
        var table = hdus.OfType<BinaryTableHdu>().First().Table;
        var nsb = table["NSBLEVEL"];
        var ids = table["OBS_ID"].ToDoubles();
        int row = Array.IndexOf(ids, (double)runs[0].ObsId);
        switch (nsb.Data)
        {
            case float[] f: f[row] += 1.5f; break;
            case double[] d: d[row] += 1.5; break;
            default: throw new InvalidOperationException($"NSBLEVEL holds {nsb.Data.GetType()}");
        }
        FitsWriter.Write(store.ObsIndexPath!, hdus, overwrite: true);
        File.SetLastWriteTimeUtc(store.ObsIndexPath!, DateTime.UtcNow.AddMinutes(1));

        var reopened = DataStore.Open(store.Root);
        var expected = reopened.GetRun(runs[0].ObsId);
        Assert.Equal(runs[0].NsbLevel!.Value + 1.5, expected.NsbLevel!.Value, 5);
        var updated = new BackgroundIndex(cache).Refresh(reopened);
        Assert.True(updated.Summary.Written);
        Assert.Equal(runs.Count, updated.Summary.Reused);   // the models are untouched
        var file = BackgroundIndex.TryOpen(updated.Summary.IndexPath, store.Root).File!;
        var slot = file.FindRun(runs[0].ObsId)!;
        AssertSameRun(expected, file.DecodeRun(slot, runs[0].Path, store.Root, reopened.HdusOf(runs[0].ObsId)));
        Assert.Equal(new FileInfo(store.ObsIndexPath!).LastWriteTimeUtc.Ticks, slot.SourceMtimeTicks);
    }

    [Fact]
    public void A_search_over_a_store_without_obs_index_rows_opens_no_events_file_with_a_trusted_index()
    {
        var (store, runs) = NewStore(runs: 24, seed: 3, obsIndex: false);
        var target = runs.First(r => r.NTels == 4);
        var criteria = new MimicCriteria { NTel = null, TimeMaxDays = 1e5, NsbDiff = 10, ElDiff = 10, AzDiff = 180, MinAbsGalacticLatitude = 0, ExcludeSourceInFieldOfView = false, LivetimeTolerance = 10 };
        var plain = MimicCandidateFinder.Find(target, runs, criteria, new BackgroundModelCache());
        Assert.NotEmpty(plain.Candidates);

        // First use builds the index, reading each run's EVENTS header in the same pass as its model.
        string cache = TestPaths.NewTempDir();
        var building = new BackgroundModelCache(new BackgroundIndex(cache));
        var listed = building.Runs(store);
        var built = building.TakeIndexSummary()!;
        Assert.Equal((runs.Count, runs.Count, 0), (built.Read, built.HeadersRead, built.Reused));
        for (int i = 0; i < runs.Count; i++) AssertSameRun(runs[i], listed[i]);

        // Every events file is now unreadable garbage of the same size and mtime: any open would fail.
        foreach (var run in runs)
        {
            var info = new FileInfo(run.Path);
            var mtime = info.LastWriteTimeUtc;
            File.WriteAllBytes(run.Path, new byte[info.Length]);
            File.SetLastWriteTimeUtc(run.Path, mtime);
        }
        Assert.Throws<FitsException>(() => DataStore.Open(store.Root).GetRun(runs[0].ObsId));

        var reopened = DataStore.Open(store.Root);
        var fresh = new BackgroundModelCache(new BackgroundIndex(cache));
        var search = fresh.Runs(reopened);
        for (int i = 0; i < runs.Count; i++) AssertSameRun(runs[i], search[i]);
        var found = MimicCandidateFinder.Find(search.First(r => r.ObsId == target.ObsId), search, criteria, fresh);
        Assert.Equal(plain.Candidates.Select(c => (c.ObsId, c.KlDivergence)), found.Candidates.Select(c => (c.ObsId, c.KlDivergence)));
        Assert.Equal(plain.Steps, found.Steps);

        // A run whose events file changed (mtime) is read from its file again, not trusted from the index.
        File.SetLastWriteTimeUtc(runs[1].Path, DateTime.UtcNow.AddMinutes(1));
        Assert.Throws<FitsException>(() => new BackgroundModelCache(new BackgroundIndex(cache)).Runs(DataStore.Open(store.Root)));
    }

    [Fact]
    public void An_index_of_the_previous_format_version_is_rejected_and_rebuilt()
    {
        var (store, runs) = NewStore(runs: 3, obsIndex: false);
        string cache = TestPaths.NewTempDir();
        var (_, built) = new BackgroundIndex(cache).Update(store);
        byte[] bytes = File.ReadAllBytes(built.IndexPath);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), BackgroundIndex.FormatVersion - 1);
        File.WriteAllBytes(built.IndexPath, bytes);

        // A search rebuilds it rather than trusting it (and reads every header and model again)...
        var fresh = new BackgroundModelCache(new BackgroundIndex(cache));
        fresh.Runs(store);
        var summary = fresh.TakeIndexSummary()!;
        Assert.Equal($"format version {BackgroundIndex.FormatVersion - 1}, not {BackgroundIndex.FormatVersion}", summary.Rejected);
        Assert.Equal((runs.Count, runs.Count), (summary.Read, summary.HeadersRead));
        Assert.True(summary.Written);
        // ... and so does Update.
        File.WriteAllBytes(built.IndexPath, bytes);
        var (_, updated) = new BackgroundIndex(cache).Update(store);
        Assert.NotNull(updated.Rejected);
        Assert.Equal(runs.Count, updated.Read);
        Assert.Null(BackgroundIndex.TryOpen(built.IndexPath, store.Root).Rejected);
    }

    [Fact]
    public void A_touched_model_file_keeps_its_kl_table_rows_once_the_index_has_hashed_it_again()
    {
        var (store, runs) = NewStore(runs: 6);
        string cache = TestPaths.NewTempDir(), tables = TestPaths.NewTempDir();
        var (first, _) = KlDivergenceCalculator.Compute(runs[0], runs, new BackgroundModelCache(new BackgroundIndex(cache)), tables);
        Assert.DoesNotContain(first, r => r.FromTable);

        // Touched, then hashed again by Update-BackgroundIndex (same HDU bytes): every row is reused, same values.
        File.SetLastWriteTimeUtc(runs[3].Path, DateTime.UtcNow.AddMinutes(1));
        var (_, summary) = new BackgroundIndex(cache).Update(store);
        Assert.Equal(1, summary.Rehashed);
        var (again, _) = KlDivergenceCalculator.Compute(runs[0], runs, new BackgroundModelCache(new BackgroundIndex(cache)), tables);
        Assert.All(again, r => Assert.True(r.FromTable));
        Assert.Equal(first.Select(r => (r.ObsId, r.KlDivergence)), again.Select(r => (r.ObsId, r.KlDivergence)));

        // Touched and not hashed again: the index no longer vouches for the file, so its row is computed again (same value).
        File.SetLastWriteTimeUtc(runs[4].Path, DateTime.UtcNow.AddMinutes(2));
        var (stale, _) = KlDivergenceCalculator.Compute(runs[0], runs, new BackgroundModelCache(new BackgroundIndex(cache)), tables);
        Assert.Equal([runs[4].ObsId], stale.Where(r => !r.FromTable).Select(r => r.ObsId));
        Assert.Equal(first.Select(r => (r.ObsId, r.KlDivergence)), stale.Select(r => (r.ObsId, r.KlDivergence)));
    }
}
