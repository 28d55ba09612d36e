using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;

namespace GammapyTools.Background;

/// <summary>What Invoke-PrepareDataset did: the runs now in in_dir, and the run-list runs the search store lacks.</summary>
public sealed record PrepareResult(string InDir, IReadOnlyList<Run> Runs, IReadOnlyList<long> Missing, int Copied);

/// <summary>
/// gammapy-tools' prepare_dataset: copies the run list's runs out of the search data store into
/// io.in_dir and indexes them there. Runs the store lacks are reported (and recorded in the config
/// as run_selection.missing_runs), not fatal. Copies are atomic; a file already in place with the
/// same size is kept (so a rerun after an interruption only copies what is missing).
/// </summary>
public static class DatasetPreparer
{
    public static PrepareResult Prepare(GammapyToolsConfig config, bool overwrite = false, IProgress<Output.CampaignProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var store = DataStore.Open(config.RequirePath("io", "search_datastore", mustExist: true));
        string inDir = config.RequirePath("io", "in_dir");
        var ids = RunListReader.FromConfig(config);
        Directory.CreateDirectory(inDir);
        Output.StaleTempFiles.Remove(inDir); // copies a killed run left half-written

        var missing = new List<long>();
        var files = new List<string>();
        int copied = 0;
        for (int i = 0; i < ids.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long id = ids[i];
            progress?.Report(new Output.CampaignProgress(i, ids.Count, id));
            if (!store.Contains(id)) { missing.Add(id); continue; }
            foreach (string source in store.HdusOf(id).Select(h => h.FilePath).Distinct())
            {
                if (!File.Exists(source))
                    throw new FitsException($"the search data store's index points to a missing file (run {id})", source);
                string target = Path.Combine(inDir, Path.GetFileName(source));
                if (!files.Contains(target)) files.Add(target);
                if (!overwrite && File.Exists(target) && new FileInfo(target).Length == new FileInfo(source).Length) continue;
                CopyAtomically(source, target);
                copied++;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new Output.CampaignProgress(ids.Count, ids.Count));
        config.Section("run_selection").Set("missing_runs", missing.Select(m => (object?)m).ToList());

        var runs = new List<Run>();
        if (files.Count > 0)
        {
            DataStoreIndex.Write(inDir, files.Select(DataStoreIndex.Scan).ToList(), overwrite: true);
            var copiedStore = DataStore.Open(inDir);
            runs.AddRange(copiedStore.ObsIds.Select(copiedStore.GetRun));
        }
        return new PrepareResult(inDir, runs, missing, copied);
    }

    internal static void CopyAtomically(string source, string target)
    {
        using var input = File.OpenRead(source);
        Output.AtomicFile.Write(target, overwrite: true, output => input.CopyTo(output));
    }
}
