using GammapyTools.Dl3;
using GammapyTools.Sky;

namespace GammapyTools.Background;

/// <summary>
/// Builds a background model from the events of one or more runs (DESIGN.md §5 "Background
/// model"): events binned in energy × offset (2D) or energy × FoV lon × lat (3D, RA/Dec-aligned
/// sky offsets), events in exclusion regions left out and the exposure of each spatial bin scaled
/// by the share of it that the exclusions leave, rate = counts / (observation time × solid angle ×
/// energy width) in s-1 MeV-1 sr-1. The observation time is the GTI sum (ONTIME where no GTI), dead
/// time included — as GADF, gammapy (which multiplies the model by <c>observation_time_duration</c>)
/// and gammapy-tools define it; dividing by LIVETIME made gammapy over-predict by 1/DEADC. Add runs
/// one at a time; the model is the sum of their counts over the sum of their exposures.
/// <para>
/// The share kept is measured on the bin's area (background events are spread evenly over a ring
/// of the camera), not as the share of its events kept, as gammapy-tools does: a bright source
/// inside the excluded circle adds events to "all" and so biases the event share, raising the
/// rate exactly where the source is. The area share is what the event share estimates when no
/// source is present.
/// </para>
/// </summary>
public sealed class BackgroundEstimator
{
    private readonly double[] _energy;
    private readonly double[] _offset;
    private readonly double[] _fov;
    private readonly double[,] _counts;      // 2D: [energy, offset]; 3D: [energy, lon * nLat + lat]
    private readonly double[,] _exposure;    // s · sr · MeV, same shape

    public BackgroundEstimator(BackgroundBinning binning, bool threeDimensional = false)
    {
        Binning = binning;
        ThreeDimensional = threeDimensional;
        _energy = binning.EnergyEdges();
        _offset = binning.OffsetEdges();
        _fov = binning.FovEdges();
        int spatial = threeDimensional ? (_fov.Length - 1) * (_fov.Length - 1) : _offset.Length - 1;
        _counts = new double[_energy.Length - 1, spatial];
        _exposure = new double[_energy.Length - 1, spatial];
    }

    public BackgroundBinning Binning { get; }
    public bool ThreeDimensional { get; }
    public int RunCount { get; private set; }
    /// <summary>Summed observation time of the runs added (s, dead time included).</summary>
    public double ObservationTime { get; private set; }
    public long EventsUsed { get; private set; }
    public long EventsExcluded { get; private set; }

    /// <summary>
    /// Adds one run's events (RA, DEC, ENERGY columns) with the exclusion regions that apply to its
    /// field. <paramref name="observationTime"/> (s) defaults to the run's GTI sum, else ONTIME.
    /// </summary>
    public void Add(Run run, EventList events, IReadOnlyList<ExclusionRegion> exclusions, double? observationTime = null)
    {
        double time = observationTime ?? Gti.ObservationTime(run) ?? events.Header.GetDouble("ONTIME")
            ?? throw new InvalidOperationException($"run {run.ObsId} has neither a GTI table nor ONTIME; its observation time (the exposure) is unknown");
        var ra = events.Column("RA");
        var dec = events.Column("DEC");
        var energy = events.Column("ENERGY");
        var pointing = run.Pointing;
        int nE = _energy.Length - 1, nSpatial = _counts.GetLength(1);
        var counts = new double[nE, nSpatial];

        var lon = new double[ra.Length];
        var lat = new double[ra.Length];
        OffsetFrame.SkyOffset(pointing, ra, dec, lon, lat);
        for (int i = 0; i < ra.Length; i++)
        {
            int s = SpatialBin(lon[i], lat[i]);
            if (s < 0) continue;
            if (exclusions.Count > 0 && IsExcluded(new SkyCoord(ra[i], dec[i]), exclusions)) { EventsExcluded++; continue; }
            int e = Bin(_energy, energy[i]);
            if (e < 0) continue;
            counts[e, s]++;
            EventsUsed++;
        }

        for (int s = 0; s < nSpatial; s++)
        {
            double keptFraction = exclusions.Count == 0 ? 1.0 : KeptAreaShare(pointing, s, exclusions);
            double solidAngle = SolidAngle(s);
            for (int e = 0; e < nE; e++)
            {
                double widthMeV = (_energy[e + 1] - _energy[e]) * 1e6;
                _exposure[e, s] += time * solidAngle * widthMeV * keptFraction;
                _counts[e, s] += counts[e, s];
            }
        }
        ObservationTime += time;
        RunCount++;
    }

    /// <summary>
    /// The share of a spatial bin's solid angle outside every exclusion region, integrated on a
    /// fixed grid (deterministic; 1/100 of a percent is far below the statistical errors).
    /// </summary>
    private double KeptAreaShare(SkyCoord pointing, int s, IReadOnlyList<ExclusionRegion> exclusions)
    {
        const double Deg = Math.PI / 180;
        double total = 0, kept = 0;
        if (!ThreeDimensional)
        {
            const int nr = 16, nphi = 360;
            for (int i = 0; i < nr; i++)
            {
                double r = _offset[s] + (_offset[s + 1] - _offset[s]) * (i + 0.5) / nr;
                double weight = Math.Sin(r * Deg);
                for (int j = 0; j < nphi; j++)
                {
                    var p = SphericalGeometry.Offset(pointing, r, 360.0 * (j + 0.5) / nphi);
                    total += weight;
                    if (!IsExcluded(p, exclusions)) kept += weight;
                }
            }
        }
        else
        {
            const int n = 12;
            int bins = _fov.Length - 1, x = s / bins, y = s % bins;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double lon = _fov[x] + (_fov[x + 1] - _fov[x]) * (i + 0.5) / n;
                    double lat = _fov[y] + (_fov[y + 1] - _fov[y]) * (j + 0.5) / n;
                    double weight = Math.Cos(lat * Deg);
                    total += weight;
                    if (!IsExcluded(OffsetFrame.FromSkyOffset(pointing, lon, lat), exclusions)) kept += weight;
                }
        }
        return total > 0 ? kept / total : 1.0;
    }

    private static bool IsExcluded(SkyCoord p, IReadOnlyList<ExclusionRegion> exclusions)
    {
        foreach (var region in exclusions)
            if (region.Contains(p)) return true;
        return false;
    }

    private int SpatialBin(double lon, double lat)
    {
        if (ThreeDimensional)
        {
            int x = Bin(_fov, lon), y = Bin(_fov, lat);
            return x < 0 || y < 0 ? -1 : x * (_fov.Length - 1) + y;
        }
        // Offset is the angular distance to the pointing: the length of the offset-frame vector.
        double offset = SphericalGeometry.Separation(new SkyCoord(0, 0), new SkyCoord(lon < 0 ? lon + 360 : lon, lat));
        return Bin(_offset, offset);
    }

    private static int Bin(double[] edges, double value)
    {
        if (!(value >= edges[0]) || !(value < edges[^1])) return -1;
        int i = Array.BinarySearch(edges, value);
        return i >= 0 ? Math.Min(i, edges.Length - 2) : ~i - 1;
    }

    private double SolidAngle(int s)
    {
        const double Deg = Math.PI / 180;
        if (!ThreeDimensional)
            return 2 * Math.PI * (Math.Cos(_offset[s] * Deg) - Math.Cos(_offset[s + 1] * Deg));
        int n = _fov.Length - 1;
        int x = s / n, y = s % n;
        return (_fov[x + 1] - _fov[x]) * Deg * (Math.Sin(_fov[y + 1] * Deg) - Math.Sin(_fov[y] * Deg));
    }

    /// <summary>Counts per bin, as filled so far (for tests and diagnostics): [energy, spatial bin].</summary>
    public double[,] Counts => (double[,])_counts.Clone();

    /// <summary>The rate in each bin; bins without exposure are zero.</summary>
    private double[,] Rate()
    {
        var rate = new double[_counts.GetLength(0), _counts.GetLength(1)];
        for (int e = 0; e < rate.GetLength(0); e++)
            for (int s = 0; s < rate.GetLength(1); s++)
                rate[e, s] = _exposure[e, s] > 0 ? _counts[e, s] / _exposure[e, s] : 0.0;
        return rate;
    }

    /// <summary>Below this mean number of events per populated bin a model is reported as sparse.</summary>
    public const double SparseEventsPerBin = 10;

    /// <summary>Mean events per bin that has any (0 when empty).</summary>
    public double EventsPerPopulatedBin
    {
        get
        {
            int populated = 0;
            foreach (double c in _counts) if (c > 0) populated++;
            return populated == 0 ? 0 : EventsUsed / (double)populated;
        }
    }

    /// <summary>
    /// The floor of a sparse model (gammapy interpolates background models in log: one zero bin
    /// makes it predict ~0 between that bin's centre and its neighbours', where the run may have
    /// events). Every bin with exposure whose (smoothed) rate is still 0 gets the rate of the
    /// separable estimate counts(E) × share(spatial) / exposure: its energy row's events spread with
    /// the offset (or FoV) profile of all events. A row without events gets half an event, a spatial
    /// bin without events half an event's share — an upper-limit-like level, not zero. Bins that
    /// have a rate keep it: the floor fills holes and changes nothing else.
    /// </summary>
    private void ApplyFloor(double[,] rate)
    {
        int nE = rate.GetLength(0), nS = rate.GetLength(1);
        var row = new double[nE];
        var column = new double[nS];
        for (int e = 0; e < nE; e++)
            for (int s = 0; s < nS; s++) { row[e] += _counts[e, s]; column[s] += _counts[e, s]; }
        double columns = column.Sum(c => Math.Max(c, 0.5));
        for (int e = 0; e < nE; e++)
            for (int s = 0; s < nS; s++)
                if (!(rate[e, s] > 0) && _exposure[e, s] > 0)
                    rate[e, s] = Math.Max(row[e], 0.5) * Math.Max(column[s], 0.5) / columns / _exposure[e, s];
    }

    public Background2D ToBackground2D(double? smoothSigma = null)
    {
        if (ThreeDimensional) throw new InvalidOperationException("this estimator builds a 3D model");
        var rate = Rate();
        if (smoothSigma is double sigma && sigma > 0)
            for (int e = 0; e < rate.GetLength(0); e++)
            {
                var row = Enumerable.Range(0, rate.GetLength(1)).Select(s => rate[e, s]).ToArray();
                var smoothed = GaussianSmoothing.Smooth1D(row, sigma);
                for (int s = 0; s < row.Length; s++) rate[e, s] = smoothed[s];
            }
        ApplyFloor(rate);
        return new Background2D(_energy, _offset, rate);
    }

    public Background3D ToBackground3D(double? smoothSigma = null)
    {
        if (!ThreeDimensional) throw new InvalidOperationException("this estimator builds a 2D model");
        var rate = Rate();
        int n = _fov.Length - 1, nE = rate.GetLength(0);
        if (smoothSigma is double sigma && sigma > 0)
            for (int e = 0; e < nE; e++)
            {
                var image = new double[n, n];
                for (int x = 0; x < n; x++)
                    for (int y = 0; y < n; y++) image[x, y] = rate[e, x * n + y];
                image = GaussianSmoothing.Smooth2D(image, sigma);
                for (int x = 0; x < n; x++)
                    for (int y = 0; y < n; y++) rate[e, x * n + y] = image[x, y];
            }
        ApplyFloor(rate);
        var data = new double[nE, n, n];
        for (int e = 0; e < nE; e++)
            for (int x = 0; x < n; x++)
                for (int y = 0; y < n; y++) data[e, x, y] = rate[e, x * n + y];
        return new Background3D(_energy, _fov, _fov, data);
    }
}
