using GammapyTools.Dl3;
using GammapyTools.Mimic;

namespace GammapyTools.Tests.Mimic;

public class MimicCandidateSelectorTests
{
    private static readonly DateTime T0 = new(2016, 1, 10, 5, 0, 0, DateTimeKind.Utc);

    // Each run observes its own field (a run of the target's object is no candidate: see the hygiene tests).
    private static Run R(long id, double alt = 70, double az = 180, double nsb = 5, int tels = 4, double days = 0,
        double livetime = 1600, string? obj = null, double ra = 150, double dec = 40) => new()
    {
        ObsId = id, Path = $"/x/{id}.fits", RaPnt = ra, DecPnt = dec, AltPnt = alt, AzPnt = az, Zenith = 90 - alt,
        NsbLevel = nsb, NTels = tels, Livetime = livetime, DateAvg = T0.AddDays(days), Object = obj ?? $"field {id}",
    };

    private static CandidateSelection Select(Run target, IReadOnlyList<Run> search, MimicCriteria? c = null, Func<Run, double?>? kl = null) =>
        MimicCandidateSelector.Select(target, search, c ?? new MimicCriteria(), kl ?? (r => 0.01 * (r.ObsId % 100)));

    [Fact]
    public void Each_criterion_removes_what_it_should()
    {
        var target = R(1);
        var search = new[]
        {
            R(1),                          // the target itself
            R(2),                          // good
            R(3, days: 45),                // too late
            R(4, nsb: 6),                  // NSB difference 1 > 0.7
            R(5, alt: 40),                 // 1/sin(40°) − 1/sin(70°) = 0.49 > 0.15
            R(6, az: 215),                 // 35° > 30°
            R(7, tels: 3),                 // 3 telescopes
            R(8, ra: 266.4, dec: -28.9),   // Galactic centre
            R(9, livetime: 1300),          // livetime 19 % short
            R(10, obj: "Crab"),            // bright source
        };
        var result = Select(target, search, new MimicCriteria { BrightSources = ["crab"] });
        Assert.Equal([2L], result.Candidates.Select(c => c.ObsId));
        Assert.Null(result.Questionable);
        // Every criterion but the ranking ones and the hygiene (tested below) removed exactly its run.
        Assert.All(result.Steps.Where(s => s.Criterion != "has a background model" && !s.Criterion.StartsWith("best") && !s.Criterion.StartsWith("KL")
                && !s.Criterion.StartsWith("OBJECT") && !s.Criterion.StartsWith("no run-list source")),
            s => Assert.Equal(1, s.Removed));
    }

    [Fact]
    public void The_criterion_that_removes_the_last_candidates_is_named_with_its_config_key()
    {
        // NSB removes one run, the run-list-object rule the last two: that rule emptied the target.
        var target = R(1, obj: "Mrk 421");
        var search = new[] { R(2, nsb: 6), R(3, obj: "Mrk 501"), R(4, obj: "Mrk 501") };
        var emptied = Select(target, search, new MimicCriteria { RunListObjects = ["Mrk 501"] });
        Assert.Equal(CandidateSelection.NoMimic, emptied.Questionable);
        Assert.Equal("OBJECT not a run-list object", emptied.EmptiedBy!.Criterion);
        Assert.Equal(2, emptied.EmptiedBy.Removed);
        Assert.Equal("background_selection.exclude_runlist_objects", emptied.EmptiedBy.ConfigKey);
        Assert.Contains("false switches it off", emptied.EmptiedBy.Remedy);
        // A condition cut that empties names the key that widens it.
        var byNsb = Select(target, [R(2, nsb: 6)]);
        Assert.Equal("background_selection.nsb_diff", byNsb.EmptiedBy!.ConfigKey);
        Assert.Contains("larger", byNsb.EmptiedBy.Remedy);
        // A target with candidates, and one with nothing to search, were emptied by no criterion.
        Assert.Null(Select(target, [R(5)]).EmptiedBy);
        Assert.Null(Select(target, []).EmptiedBy);

        var groups = EmptiedTargets.Group([(10, emptied.EmptiedBy), (11, byNsb.EmptiedBy), (12, emptied.EmptiedBy), (13, null)]);
        Assert.Equal(["OBJECT not a run-list object", byNsb.EmptiedBy.Criterion], groups.Select(g => g.Criterion));
        Assert.Equal([10L, 12L], groups[0].ObsIds);
        string text = EmptiedTargets.Describe(groups)!;
        Assert.StartsWith("3 target run(s) left without candidates: 2 by 'OBJECT not a run-list object' (10, 12; background_selection.exclude_runlist_objects: false", text);
        Assert.Contains("1 by '|NSB difference| < 0.7' (11; a larger background_selection.nsb_diff widens it)", text);
        Assert.Null(EmptiedTargets.Describe([]));
    }

    [Fact]
    public void Azimuth_is_compared_on_the_circle()
    {
        Assert.Equal(2, MimicCandidateSelector.AzimuthDifference(359, 1), 12);
        Assert.Equal(180, MimicCandidateSelector.AzimuthDifference(0, 180), 12);
        var result = Select(R(1, az: 359), [R(2, az: 1), R(3, az: 320)]);
        Assert.Equal([2L], result.Candidates.Select(c => c.ObsId));
    }

    [Fact]
    public void El_diff_is_a_difference_of_one_over_sine_of_elevation()
    {
        // 1/sin(60°) − 1/sin(70°) = 0.0906 < 0.1; 1/sin(55°) − 1/sin(70°) = 0.1566 > 0.1.
        var result = Select(R(1, alt: 70), [R(2, alt: 60), R(3, alt: 55)], new MimicCriteria { ElDiff = 0.1 });
        Assert.Equal([2L], result.Candidates.Select(c => c.ObsId));
    }

    [Fact]
    public void Elevation_limits_are_degrees()
    {
        var result = Select(R(1, alt: 60), [R(2, alt: 59), R(3, alt: 62)], new MimicCriteria { ElMin = 60, ElDiff = 1 });
        Assert.Equal([3L], result.Candidates.Select(c => c.ObsId));
    }

    [Fact]
    public void Candidates_are_ranked_by_KL_and_limited_to_ten_below_one()
    {
        var search = Enumerable.Range(2, 15).Select(i => R(i)).ToList();
        var kl = (Run r) => (double?)(r.ObsId == 5 ? 2.0 : 1.0 / r.ObsId);
        var result = Select(R(1), search, kl: kl);
        Assert.Equal(10, result.Candidates.Count);
        Assert.Equal(search.Where(r => r.ObsId != 5).OrderBy(r => 1.0 / r.ObsId).Take(10).Select(r => r.ObsId), result.Candidates.Select(c => c.ObsId));
        Assert.True(result.Candidates.Zip(result.Candidates.Skip(1)).All(p => p.First.KlDivergence <= p.Second.KlDivergence));
    }

    [Fact]
    public void A_target_without_candidates_is_no_mimic_and_one_with_only_large_KL_is_large_kl()
    {
        Assert.Equal(CandidateSelection.NoMimic, Select(R(1), [R(2, tels: 3)]).Questionable);
        Assert.Equal(CandidateSelection.LargeKl, Select(R(1), [R(2), R(3)], kl: _ => 1.5).Questionable);
    }

    [Fact]
    public void Missing_keys_skip_their_criterion_with_a_warning()
    {
        var hess = new Run { ObsId = 1, Path = "/x/1.fits", RaPnt = 150, DecPnt = 40, AltPnt = 70, AzPnt = 180, NTels = 4, Livetime = 1600, DateAvg = T0 };
        var result = Select(hess, [R(2, nsb: 9)]);
        Assert.Equal([2L], result.Candidates.Select(c => c.ObsId));
        Assert.Contains(result.Warnings, w => w.Contains("NSBLEVEL"));
    }

    [Fact]
    public void Runs_without_a_background_model_are_not_candidates()
    {
        var result = Select(R(1), [R(2), R(3)], kl: r => r.ObsId == 2 ? null : 0.1);
        Assert.Equal([3L], result.Candidates.Select(c => c.ObsId));
        Assert.Equal(1, result.Steps.Single(s => s.Criterion == "has a background model").Removed);
    }

    [Fact]
    public void Same_season_accepts_runs_further_apart_than_time_max()
    {
        // T0 = 2016-01-10, in V6_2015_2016 (2015-08-01 .. 2016-07-31).
        var result = Select(R(1), [R(2, days: 100), R(3, days: 250)], new MimicCriteria { SameSeason = true });
        Assert.Equal([2L], result.Candidates.Select(c => c.ObsId));
    }
}

public class MimicCandidateFinderTests
{
    [Fact]
    public void Candidates_in_a_simulated_store_are_ranked_by_the_KL_of_their_models()
    {
        var runs = GammapyTools.Simulation.DataStoreSimulator.Create(GammapyTools.Tests.Support.TestPaths.NewTempDir(),
            new GammapyTools.Simulation.SimulationOptions { RunCount = 30, Seed = 12, EventsPerRun = 500 });
        var target = runs.First(r => r.NTels == 4);
        var criteria = new MimicCriteria { NsbDiff = 20, ElDiff = 5, AzDiff = 180, TimeMaxDays = 1e5, LivetimeTolerance = 1.0 };
        var selection = MimicCandidateFinder.Find(target, runs, criteria, new GammapyTools.Background.BackgroundModelCache());
        Assert.NotEmpty(selection.Candidates);
        Assert.DoesNotContain(selection.Candidates, c => c.ObsId == target.ObsId);
        Assert.All(selection.Candidates, c => Assert.Equal(4, c.Run.NTels));
        Assert.True(selection.Candidates.Zip(selection.Candidates.Skip(1)).All(p => p.First.KlDivergence <= p.Second.KlDivergence));
        var model = GammapyTools.Background.BackgroundModel.Read(target.FindHdu("bkg")!);
        var best = selection.Candidates[0];
        double expected = GammapyTools.Background.KlDivergence.Compute(model, GammapyTools.Background.BackgroundModel.Read(best.Run.FindHdu("bkg")!));
        Assert.Equal(expected, best.KlDivergence, 12);
    }
}
