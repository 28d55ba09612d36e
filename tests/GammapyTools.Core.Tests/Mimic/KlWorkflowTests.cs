using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Mimic;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Mimic;

/// <summary>
/// KL is a property of two models, not of a cache: the H.E.S.S. Crab workflow with the template
/// config (store_KL false) ended in no_mimic for every run, because the targets' new bkg_2d models
/// were compared with the search store's bkg_3d. Now store_KL false and true give the same datasets.
/// </summary>
public class KlWorkflowTests(ITestOutputHelper output)
{
    private static GammapyToolsConfig Config(string root, string hess, IReadOnlyList<long> crab, bool storeKl, string outDir)
    {
        // The template (New-GammapyToolsConfig) with paths and the run list; everything else as get_config() gives it.
        var config = GammapyToolsConfig.CreateDefault();
        config.Section("io").Set("search_datastore", hess);
        config.Section("io").Set("in_dir", Path.Combine(root, "in"));
        config.Section("io").Set("out_dir", Path.Combine(root, outDir));
        config.Section("run_selection").Set("runlist", crab.Select(id => (object?)id).ToList());
        config.Section("exclusion").Set("exclude_source_name", null);
        config.Section("exclusion").Set("exclude_regions", null);
        config.BackgroundSelectionSection.Set("store_KL", storeKl);
        return config;
    }

    [SkippableFact]
    public void Hess_crab_workflow_gives_the_same_datasets_with_and_without_stored_kl_tables()
    {
        string shared = Oracles.RequireSharedData();
        string hess = Path.Combine(shared, "hess-dl3-dr1");
        var store = DataStore.Open(hess);
        var crab = store.ObsIds.Select(store.GetRun).Where(r => r.Object == "Crab Nebula").Select(r => r.ObsId).Take(2).ToList();
        string root = TestPaths.NewTempDir();
        var catalogs = new MakeBackgroundOptions { CatalogPaths = [TestPaths.Data("catalogs", "gammacat.fits.gz"), TestPaths.Data("catalogs", "Hipparcos_MAG8_1997.dat")] };

        var outcomes = new List<(IReadOnlyList<MakeBackgroundResult> Made, IReadOnlyList<MimicDatasetResult> Mimic, GammapyToolsConfig Config)>();
        foreach (bool storeKl in new[] { false, true })
        {
            var config = Config(root, hess, crab, storeKl, storeKl ? "out-stored" : "out");
            DatasetPreparer.Prepare(config);
            var made = BackgroundMaker.Run(config, catalogs);
            Assert.All(made, r => Assert.True(r.Succeeded, r.Error?.ToString()));
            Assert.All(made, r => Assert.Equal("bkg_2d", r.Output!.BackgroundClass));
            var mimic = MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 7 });
            foreach (var r in mimic)
                output.WriteLine($"store_KL {storeKl}: run {r.ObsId}: {r.Questionable ?? string.Join(", ", r.Outputs.Select(o => $"{o.BackgroundObsId} (KL {o.KlDivergence:0.#####})"))} {r.Error?.Message}");
            Assert.All(mimic, r => Assert.True(r.Succeeded, r.Error?.ToString()));
            Assert.All(mimic, r => Assert.Null(r.Questionable));
            Assert.All(mimic, r => Assert.Equal(5, r.Outputs.Count));
            if (storeKl) Assert.All(crab, id => Assert.True(File.Exists(Path.Combine(config.RequirePath("io", "out_dir"), KlTable.FileName(id)))));
            outcomes.Add((made, mimic, config));
        }

        var (madeA, mimicA, configA) = outcomes[0];
        var (madeB, mimicB, _) = outcomes[1];
        Assert.Equal(madeA.Select(r => (r.ObsId, string.Join(",", r.BackgroundRuns))), madeB.Select(r => (r.ObsId, string.Join(",", r.BackgroundRuns))));
        Assert.Equal(mimicA.Select(r => (r.ObsId, r.Questionable)), mimicB.Select(r => (r.ObsId, r.Questionable)));
        Assert.Equal(mimicA.SelectMany(r => r.Outputs.Select(o => (o.BackgroundObsId, o.KlDivergence))),
            mimicB.SelectMany(r => r.Outputs.Select(o => (o.BackgroundObsId, o.KlDivergence))));

        // Find-MimicRun's core on a prepared target (out_dir, with its new bkg_2d) with the config's
        // in_dir gives the same KL values as the campaign; without in_dir the target's own bkg_2d is
        // compared with the store's bkg_3d on the common grid: candidates, not an error.
        var outStore = DataStore.Open(configA.RequirePath("io", "out_dir"));
        var target = outStore.GetRun(crab[0]);
        var search = store.ObsIds.Select(store.GetRun).ToList();
        var criteria = MimicCriteriaConfig.FromConfig(configA.GetBackgroundSelection());
        var withInDir = MimicCandidateFinder.Find(target, search, criteria, new BackgroundModelCache(), null, inDir: MimicDatasetBuilder.InDirStore(configA, outStore));
        foreach (var o in mimicA.Single(r => r.ObsId == crab[0]).Outputs)
            Assert.Equal(o.KlDivergence, withInDir.Candidates.Single(c => c.ObsId == o.BackgroundObsId).KlDivergence);
        var ownModel = MimicCandidateFinder.Find(target, search, criteria, new BackgroundModelCache());
        output.WriteLine($"run {crab[0]} against its own bkg_2d: {ownModel.Candidates.Count} candidates, KL {string.Join(", ", ownModel.Candidates.Select(c => c.KlDivergence.ToString("0.####")))}");
        Assert.NotEmpty(ownModel.Candidates);
        Assert.DoesNotContain(ownModel.Warnings, w => w.Contains("cannot be compared"));
    }
}
