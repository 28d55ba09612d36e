using System.Text.Json;
using GammapyTools.Background;
using GammapyTools.Config;
using GammapyTools.Dl3;
using GammapyTools.Fits;
using GammapyTools.Mimic;
using GammapyTools.Simulation;
using GammapyTools.Sky;
using GammapyTools.Tests.Support;

namespace GammapyTools.Tests.Mimic;

/// <summary>
/// Candidate hygiene (DESIGN.md §5), one test per rule: runs of a run-list source or object, bright
/// sources a run would scramble (measured, checked against astropy + gammapy), one target per
/// background run within a dataset (the plan), and the config keys that switch each rule.
/// </summary>
public class CandidateHygieneTests(ITestOutputHelper output, CandidateHygieneTests.Store store) : IClassFixture<CandidateHygieneTests.Store>
{
    /// <summary>
    /// 48 simulated runs of four fields: the targets' field, an empty field, a field with a weak
    /// source at its centre (≈ 1σ a run) and one with a bright source (≈ 20σ a run), each source at
    /// the 0.5° wobble offset of its runs.
    /// </summary>
    public sealed class Store
    {
        public static readonly SimulationField TargetField = new("Target field", new SkyCoord(185.341, 30.177));
        public static readonly SimulationField EmptyField = new("Empty field", new SkyCoord(148.970, 69.680));
        public static readonly SimulationField WeakField = new("Weak blazar", new SkyCoord(216.752, 23.800));
        public static readonly SimulationField BrightField = new("Bright blazar", new SkyCoord(166.114, 38.209));
        public readonly string Root = TestPaths.NewTempDir();
        public readonly IReadOnlyList<Run> Runs;

        public Store()
        {
            Runs = DataStoreSimulator.Create(Path.Combine(Root, "search"), new SimulationOptions
            {
                RunCount = 48, Seed = 77, EventsPerRun = 3000, Seasons = 1,
                Fields = [TargetField, EmptyField, WeakField, BrightField],
                Sources = [new SimulatedSource(WeakField.Position, 8, Name: "weak"), new SimulatedSource(BrightField.Position, 600, Name: "bright")],
            });
        }

        public IEnumerable<Run> Of(SimulationField f) => Runs.Where(r => r.Object == f.Name);
    }

    // Loose observing conditions: the hygiene alone decides.
    private static readonly MimicCriteria Loose = new()
    {
        NsbDiff = 100, ElDiff = 100, AzDiff = 180, TimeMaxDays = 1e6, LivetimeTolerance = 10, NTel = null, MaxCandidates = 1000,
    };

    private static Run R(long id, double ra, double dec, string obj, double? raObj = null, double? decObj = null) => new()
    {
        ObsId = id, Path = $"/x/{id}.fits", RaPnt = ra, DecPnt = dec, AltPnt = 60, AzPnt = 180, NTels = 4, Livetime = 1600,
        DateAvg = new DateTime(2016, 1, 10, 0, 0, 0, DateTimeKind.Utc), Object = obj, RaObj = raObj, DecObj = decObj,
    };

    [Fact]
    public void Runs_of_a_run_list_source_or_object_are_never_candidates()
    {
        // Mrk 421 and the configured position are far from the Galactic plane (|b| > 10° keeps them).
        var mrk = new SkyCoord(166.114, 38.209);
        var target = R(1, mrk.OffsetBy(0.5, 0).Ra, mrk.OffsetBy(0.5, 0).Dec, "Mrk 421", mrk.Ra, mrk.Dec);
        var configured = new SkyCoord(200, 40); // run_selection.source_ra/source_dec
        var search = new[]
        {
            R(2, mrk.OffsetBy(2.0, 0).Ra, mrk.OffsetBy(2.0, 0).Dec, "a field next to it"),  // Mrk 421 2.0° from the pointing: in the field of view
            R(3, mrk.OffsetBy(3.0, 90).Ra, mrk.OffsetBy(3.0, 90).Dec, "off field"),       // 3.0° > 2.5° + 0.35°: kept
            R(4, 150, 40, "MRK  421"),                                                    // the target's object, spelled otherwise
            R(5, 160, 40, "PKS 2155-304"),                                                // another target's object
            R(6, configured.OffsetBy(1, 45).Ra, configured.OffsetBy(1, 45).Dec, "near the configured source"),
            R(7, 170, 50, "empty"),
        };
        var criteria = Loose with { RunListObjects = ["PKS 2155-304"], RunListSources = [configured] };
        var result = MimicCandidateSelector.Select(target, search, criteria, _ => 0.1);
        Assert.Equal([3L, 7L], result.Candidates.Select(c => c.ObsId).Order());
        Assert.Equal(2, result.Steps.Single(s => s.Criterion == "OBJECT not a run-list object").Removed);
        Assert.Equal(2, result.Steps.Single(s => s.Criterion.StartsWith("no run-list source within 2.85°")).Removed);

        // Each rule has its switch.
        var off = criteria with { ExcludeRunListObjects = false, ExcludeSourceInFieldOfView = false };
        Assert.Equal(6, MimicCandidateSelector.Select(target, search, off, _ => 0.1).Candidates.Count);
        // The field of view is the background binning's: a smaller one keeps the 2.0° run.
        var small = criteria with { FieldOfViewRadius = 1.5 };
        Assert.Contains(2L, MimicCandidateSelector.Select(target, search, small, _ => 0.1).Candidates.Select(c => c.ObsId));
    }

    [Fact]
    public void Bright_sources_a_run_would_scramble_are_measured_and_refuse_the_run()
    {
        var target = store.Of(Store.TargetField).First(r => r.NTels == 4);
        var scrambles = new ScrambleCheckCache(0.3, 2.5, catalogs: null);
        var selection = MimicCandidateFinder.Find(target, store.Runs, Loose, new BackgroundModelCache(), scrambles: scrambles);
        foreach (var s in selection.Steps) output.WriteLine($"{s.Criterion}: removed {s.Removed}, {s.Remaining} left");
        var weak = store.Of(Store.WeakField).Select(r => scrambles.Get(r).MaxSignificance!.Value).ToList();
        var bright = store.Of(Store.BrightField).Select(r => scrambles.Get(r).MaxSignificance!.Value).ToList();
        output.WriteLine($"weak field: {string.Join(" ", weak.Select(x => x.ToString("0.0")))}; bright field: {string.Join(" ", bright.Select(x => x.ToString("0.0")))}");
        Assert.All(bright, s => Assert.True(s > 10, $"bright source {s}σ"));

        // No bright-field run, no run of the target's own field; weak and empty fields are candidates with their value.
        var objects = selection.Candidates.Select(c => c.Run.Object).Distinct().ToList();
        Assert.DoesNotContain(Store.BrightField.Name, objects);
        Assert.DoesNotContain(Store.TargetField.Name, objects);
        Assert.Contains(Store.WeakField.Name, objects);
        Assert.Contains(Store.EmptyField.Name, objects);
        Assert.All(selection.Candidates, c => Assert.True(c.ScrambleSignificance <= 3, $"run {c.ObsId}: {c.ScrambleSignificance}"));
        int refused = selection.Steps.Single(s => s.Criterion.StartsWith("excess at scrambled sources")).Removed;
        Assert.Equal(store.Of(Store.BrightField).Count() + weak.Count(s => s > 3), refused);

        // Switched off (max_scramble_significance: null) the bright runs are candidates: the rule removed them.
        var unchecked_ = MimicCandidateFinder.Find(target, store.Runs, Loose with { MaxScrambleSignificance = null }, new BackgroundModelCache(), scrambles: scrambles);
        Assert.Contains(unchecked_.Candidates, c => c.Run.Object == Store.BrightField.Name);

        // Measured once per run for the whole campaign: another target gets the same measurement.
        var other = store.Of(Store.TargetField).Where(r => r.NTels == 4).Skip(1).First();
        var again = MimicCandidateFinder.Find(other, store.Runs, Loose, new BackgroundModelCache(), scrambles: scrambles);
        var shared = again.Candidates.First(c => c.Run.Object == Store.WeakField.Name);
        Assert.Same(scrambles.Get(shared.Run), shared.Scramble);
    }

    [SkippableFact]
    public void The_measured_excess_agrees_with_astropy_and_gammapy()
    {
        Oracles.Require(Oracle.Gammapy);
        foreach (var run in new[] { store.Of(Store.BrightField).First(), store.Of(Store.WeakField).First(), store.Of(Store.EmptyField).First() })
        {
            var check = ScrambleChecker.Measure(run, ScrambleChecker.Positions(run, 0.3, 2.5, null));
            var p = check.Positions.Single();
            var (code, text) = Oracles.RunPython("scramble_excess.py", run.Path,
                F(run.RaPnt), F(run.DecPnt), F(p.Position.Ra), F(p.Position.Dec), "0.3");
            Assert.True(code == 0, text);
            using var json = JsonDocument.Parse(text.Trim().Split('\n').Last());
            var root = json.RootElement;
            output.WriteLine($"run {run.ObsId} ({run.Object}): ours on {p.On} off {p.Off} α {p.Alpha:0.#####} {p.Significance:0.###}σ; astropy/gammapy {text.Trim()}");
            Assert.InRange(p.On - root.GetProperty("on").GetInt32(), -1, 1);
            Assert.InRange(p.Off - root.GetProperty("off").GetInt32(), -2, 2);
            Assert.Equal(root.GetProperty("alpha").GetDouble(), p.Alpha, 6);
            Assert.Equal(root.GetProperty("significance").GetDouble(), p.Significance, 1);
        }
        static string F(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Li_Ma_is_gammapys_wstat_significance()
    {
        // gammapy 1.0 WStatCountsStatistic(n_on, n_off, alpha).sqrt_ts for these counts.
        Assert.Equal(5.849426, ScrambleChecker.LiMa(100, 500, 0.1), 5);
        Assert.Equal(-1.345700, ScrambleChecker.LiMa(10, 300, 0.05), 5);
        Assert.Equal(0.0, ScrambleChecker.LiMa(0, 0, 0.2));
    }

    [Fact]
    public void A_campaign_uses_no_bright_run_and_records_the_measurement_in_results_and_HISTORY()
    {
        var targets = store.Of(Store.TargetField).Where(r => r.NTels == 4).Take(3).ToList();
        string root = TestPaths.NewTempDir();
        string yaml = $"""
            io:
              search_datastore: {Path.Combine(store.Root, "search")}
              in_dir: {Path.Combine(store.Root, "search")}
              out_dir: out
            background_selection:
              nsb_diff: 100
              el_diff: 100
              az_diff: 180
              time_max: 1000000
              n_tels: null
              n_mimic: 3
            run_selection:
              runlist: [{string.Join(", ", targets.Select(t => t.ObsId))}]
            """;
        File.WriteAllText(Path.Combine(root, "a.yaml"), yaml);
        var config = GammapyToolsConfig.Load(Path.Combine(root, "a.yaml"));
        var results = MimicDatasetBuilder.Run(config, new MimicDatasetOptions { Seed = 3 });
        var bright = store.Of(Store.BrightField).Select(r => r.ObsId).ToHashSet();
        var ownField = store.Of(Store.TargetField).Select(r => r.ObsId).ToHashSet();
        foreach (var r in results)
        {
            Assert.True(r.Succeeded, r.Error?.ToString());
            Assert.Null(r.Questionable);
            Assert.Contains(r.Steps, s => s.Criterion.StartsWith("excess at scrambled sources"));
            foreach (var o in r.Outputs)
            {
                Assert.DoesNotContain(o.BackgroundObsId, bright);
                Assert.DoesNotContain(o.BackgroundObsId, ownField);
                Assert.NotNull(o.ScrambleSignificance);
                Assert.True(o.ScrambleSignificance <= 3);
                using var f = FitsFile.Open(o.Path);
                string history = string.Concat(f.Find("EVENTS")!.Header.Where(c => c.Keyword == "HISTORY").Select(c => c.Comment ?? c.Value as string ?? ""));
                Assert.Contains($"excess of background run {o.BackgroundObsId} before scrambling", history);
                Assert.Contains($"{o.ScrambleSignificance:0.0} sigma", history);
            }
        }
        // One target per background run within each dataset (there are enough candidates).
        Assert.All(results.SelectMany(r => r.Outputs).GroupBy(o => o.Dataset), g => Assert.Equal(g.Count(), g.Select(o => o.BackgroundObsId).Distinct().Count()));

        // The same campaign without the measurement uses bright runs: the rule is what kept them out.
        File.WriteAllText(Path.Combine(root, "b.yaml"), yaml.Replace("out_dir: out", "out_dir: out-b").Replace("  n_mimic: 3", "  n_mimic: 3\n  max_scramble_significance: null"));
        var without = MimicDatasetBuilder.Run(GammapyToolsConfig.Load(Path.Combine(root, "b.yaml")), new MimicDatasetOptions { Seed = 3, NoScramble = true });
        Assert.Contains(without.SelectMany(r => r.Outputs), o => bright.Contains(o.BackgroundObsId));
    }

    // ------------------------------------------------------------------ the plan

    private static MimicCandidate C(long id, double kl = 0.1) => new(new Run { ObsId = id, Path = $"/x/{id}.fits" }, kl);

    private static MimicPlanTarget T(long id, params long[] candidates) => new(id, candidates.Select((c, i) => C(c, 0.1 * (i + 1))).ToList());

    [Fact]
    public void The_plan_gives_a_background_run_to_one_target_per_dataset_while_candidates_remain()
    {
        var targets = new[] { T(1, 10, 11, 12), T(2, 10, 11, 12), T(3, 10, 11, 12) };
        foreach (bool ranked in new[] { true, false })
        {
            var plan = MimicPlan.Create(targets, 3, seed: 5, ranked);
            Assert.Empty(plan.Repeats);
            for (int d = 1; d <= 3; d++)
                Assert.Equal(3, targets.Select(t => plan.For(t.ObsId)[d - 1].Candidate.ObsId).Distinct().Count());
            foreach (var t in targets) Assert.Equal(3, plan.For(t.ObsId).Select(a => a.Candidate.ObsId).Distinct().Count());
        }
        // gammapy-tools' behaviour when switched off: every target its best run in dataset 1.
        var alone = MimicPlan.Create(targets, 3, seed: 5, ranked: true, uniquePerDataset: false);
        Assert.All(targets, t => Assert.Equal(10L, alone.For(t.ObsId)[0].Candidate.ObsId));
        Assert.Equal(3, alone.Repeats.Count);
    }

    [Fact]
    public void Repeats_the_plan_cannot_avoid_are_reported_and_few_candidate_targets_choose_first()
    {
        // Target 2 has only run 10; target 1 (first in the run list) also likes 10 best.
        var plan = MimicPlan.Create([T(1, 10, 11), T(2, 10)], 2, seed: 0, ranked: true);
        Assert.Equal([10L, 10L], plan.For(2).Select(a => a.Candidate.ObsId));
        Assert.Equal([11L, 11L], plan.For(1).Select(a => a.Candidate.ObsId)); // never shares while 11 is free
        Assert.Empty(plan.Repeats);

        var forced = MimicPlan.Create([T(1, 10), T(2, 10), T(3, 11)], 2, seed: 0, ranked: true);
        Assert.Equal(2, forced.Repeats.Count);
        Assert.All(forced.Repeats, r => { Assert.Equal(10L, r.BackgroundObsId); Assert.Equal([1L, 2L], r.Targets); });
        Assert.Equal([2L], forced.For(1)[0].SharedWith);
        Assert.Empty(forced.For(3)[0].SharedWith);
    }

    [Fact]
    public void The_plan_depends_only_on_the_run_list_the_candidates_and_the_seed()
    {
        var targets = Enumerable.Range(1, 12).Select(i => T(i, Enumerable.Range(100, 8).Select(x => (long)x).ToArray())).ToList();
        static string Key(MimicPlan p, IEnumerable<MimicPlanTarget> ts) =>
            string.Join(";", ts.Select(t => string.Join(",", p.For(t.ObsId).Select(a => a.Candidate.ObsId))));
        var a = MimicPlan.Create(targets, 5, seed: 9, ranked: false);
        var b = MimicPlan.Create(targets.Select(t => t with { Candidates = t.Candidates.ToList() }).ToList(), 5, seed: 9, ranked: false);
        Assert.Equal(Key(a, targets), Key(b, targets));
        Assert.NotEqual(Key(a, targets), Key(MimicPlan.Create(targets, 5, seed: 10, ranked: false), targets));
        // 12 targets, 8 runs: 4 repeats per dataset, each reported.
        Assert.Equal(5 * 4, a.Repeats.Sum(r => r.Targets.Count - 1));
    }

    // ------------------------------------------------------------------ config

    [Fact]
    public void Hygiene_is_on_by_default_and_each_rule_is_a_config_key()
    {
        var defaults = MimicCriteriaConfig.FromConfig(GammapyToolsConfig.CreateDefault());
        Assert.True(defaults.ExcludeSourceInFieldOfView);
        Assert.True(defaults.ExcludeRunListObjects);
        Assert.Equal(3.0, defaults.MaxScrambleSignificance);
        Assert.Equal(0.3, defaults.ScrambleTheta);
        Assert.Equal(2.5, defaults.FieldOfViewRadius);
        Assert.Equal(0.35, defaults.SourceExclusionRadius);
        Assert.True(GammapyToolsConfig.CreateDefault().GetBackgroundSelection().UniquePerDataset);

        // A gammapy-tools config without the keys loads without warnings and gets the defaults.
        var plain = GammapyToolsConfig.Parse("background_selection:\n  nsb_diff: 0.7\nbinning:\n  off_max: 2.0\n");
        Assert.Empty(plain.Warnings);
        var c = MimicCriteriaConfig.FromConfig(plain);
        Assert.Equal(3.0, c.MaxScrambleSignificance);
        Assert.Equal(2.0, c.FieldOfViewRadius);
        Assert.Empty(c.RunListSources);

        var off = GammapyToolsConfig.Parse("""
            background_selection:
              exclude_target_fov: false
              exclude_runlist_objects: false
              max_scramble_significance: null
              unique_per_dataset: false
              scramble_theta: 0.2
            run_selection:
              source_ra: 329.7
              source_dec: -30.2
            """);
        Assert.Empty(off.Warnings);
        var o = MimicCriteriaConfig.FromConfig(off);
        Assert.False(o.ExcludeSourceInFieldOfView);
        Assert.False(o.ExcludeRunListObjects);
        Assert.Null(o.MaxScrambleSignificance);
        Assert.Equal(0.2, o.ScrambleTheta);
        Assert.False(off.GetBackgroundSelection().UniquePerDataset);
        Assert.Equal([new SkyCoord(329.7, -30.2)], o.RunListSources);
    }
}
