using System.Collections;
using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace GammapyTools.Config;

/// <summary>
/// The gammapy-tools YAML configuration. The object is the top-level mapping itself (an ordered,
/// case-insensitive <see cref="IDictionary"/> of sections), so PowerShell users edit it like nested
/// hashtables with the YAML key names: <c>$cfg.background_selection.n_mimic = 5</c>,
/// <c>$cfg.io.out_dir = './mimic'</c>. Known keys are typed (a wrong type is an error naming the key);
/// unknown keys and sections are kept, in order, and written back (a warning on load says so).
/// Relative paths are relative to the config file's folder: they are resolved to absolute paths on
/// load and written relative again (to the folder of the file written) on save. Comments are not kept.
/// </summary>
public sealed class GammapyToolsConfig : ConfigSection
{
    private readonly Dictionary<string, string> _relativePaths = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _warnings = [];
    /// <summary>Line and column of each unknown key of the file (qualified name), for strict-mode errors.</summary>
    private readonly Dictionary<string, (long Line, long Column)> _unknownPositions = new(StringComparer.OrdinalIgnoreCase);

    public GammapyToolsConfig() : base("", ConfigSchema.TopLevel) { }

    /// <summary>The file this configuration was read from, or null.</summary>
    public string? SourcePath { get; private set; }
    /// <summary>The folder relative paths are resolved against (the file's folder, or the folder given to <see cref="Parse"/>).</summary>
    public string? BaseDirectory { get; private set; }
    /// <summary>Warnings of the last load (unknown keys, n_tel and n_tels disagreeing, …).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    // --------------------------------------------------------------- creation

    /// <summary>The gammapy-tools template with its defaults (and this product's keys: n_mimic, questionable, …).</summary>
    public static GammapyToolsConfig CreateDefault()
    {
        var cfg = new GammapyToolsConfig();
        foreach (var top in ConfigSchema.TopLevel.Where(k => k.InTemplate))
        {
            if (top.Kind != ConfigValueKind.Section) { cfg.Set(top.Name, top.Default); continue; }
            var section = cfg.Section(top.Name);
            foreach (var key in section.Schema!.Where(k => k.InTemplate))
                section.Set(key.Name, CloneDefault(key.Default));
        }
        return cfg;
    }

    private static object? CloneDefault(object? value) => value is List<object?> l ? l.Select(CloneDefault).ToList() : value;

    /// <summary>
    /// A deep copy (sections, lists, the file it came from, how its paths were written): commands
    /// work on a copy and return it, so the object a user passed in is never changed.
    /// </summary>
    public GammapyToolsConfig Clone()
    {
        var copy = new GammapyToolsConfig { SourcePath = SourcePath, BaseDirectory = BaseDirectory };
        foreach (var (key, value) in Entries) copy.SetRaw(key, CloneValue(value));
        foreach (var (key, value) in _relativePaths) copy._relativePaths[key] = value;
        copy._warnings.AddRange(_warnings);
        return copy;
    }

    private static object? CloneValue(object? value)
    {
        switch (value)
        {
            case ConfigSection section:
                var copy = new ConfigSection(section.QualifiedName, section.Schema);
                foreach (var (key, v) in section.Entries) copy.SetRaw(key, CloneValue(v));
                return copy;
            case List<object?> list:
                return list.Select(CloneValue).ToList();
            default:
                return value;
        }
    }

    /// <summary>Reads a YAML file. Throws <see cref="ConfigException"/> with the line and column of the problem.</summary>
    public static GammapyToolsConfig Load(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        string text;
        try { text = File.ReadAllText(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read the config: {e.Message}", full, inner: e);
        }
        var cfg = Parse(text, System.IO.Path.GetDirectoryName(full)!, full);
        cfg.SourcePath = full;
        return cfg;
    }

    /// <summary>Parses YAML text; relative paths are resolved against <paramref name="baseDirectory"/>.</summary>
    public static GammapyToolsConfig Parse(string yaml, string? baseDirectory = null, string? nameForErrors = null)
    {
        CheckLimits(yaml, nameForErrors);
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e)
        {
            throw new ConfigException($"not valid YAML: {Inner(e).Message}", nameForErrors, e.Start.Line, e.Start.Column, inner: e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's representation model fails this way on some broken documents (an unclosed
            // flow sequence): find where by parsing the events again.
            var (line, column, message) = LocateParseError(yaml);
            throw new ConfigException($"not valid YAML: {message ?? e.Message}", nameForErrors, line, column, inner: e);
        }
        if (stream.Documents.Count == 0) throw new ConfigException("the config is empty", nameForErrors);
        if (stream.Documents.Count > 1) throw new ConfigException("the config holds more than one YAML document", nameForErrors);
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException("the config is not a YAML mapping of sections", nameForErrors,
                stream.Documents[0].RootNode.Start.Line, stream.Documents[0].RootNode.Start.Column);

        var cfg = new GammapyToolsConfig { BaseDirectory = baseDirectory is null ? null : System.IO.Path.GetFullPath(baseDirectory) };
        cfg.ReadMapping(root, cfg, nameForErrors);
        cfg.CheckSpellings();
        cfg.ResolvePaths();
        return cfg;
    }

    /// <summary>Deepest nesting of mappings and sequences a config may have (a real one has 3 or 4 levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes a config may have, each alias counted as the nodes it repeats (a real one has hundreds, a long run list tens of thousands).</summary>
    public const long MaxNodes = 1_000_000;

    /// <summary>
    /// Refuses hostile YAML before it is loaded: loading nests recursively (30,000 levels overflow the
    /// stack and kill the process, uncatchably) and converting repeats every alias (a 3 KB "billion
    /// laughs" file expands to 10⁹ nodes). The event parser is not recursive, so it measures both safely.
    /// Syntax errors are left to the load, which reports them.
    /// </summary>
    private static void CheckLimits(string yaml, string? file)
    {
        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<(long Size, string? Anchor)>(); // open collections: nodes so far, anchor
        var anchors = new Dictionary<string, long>();          // anchor → nodes it stands for
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                long size;
                switch (e)
                {
                    case MappingStart or SequenceStart:
                        if (open.Count >= MaxDepth)
                            throw new ConfigException($"the YAML is nested deeper than {MaxDepth} levels", file, e.Start.Line, e.Start.Column);
                        var anchor = ((NodeEvent)e).Anchor;
                        open.Push((1, anchor.IsEmpty ? null : anchor.Value));
                        continue;
                    case MappingEnd or SequenceEnd:
                        var closed = open.Pop();
                        size = closed.Size;
                        if (closed.Anchor is not null) anchors[closed.Anchor] = size;
                        break;
                    case Scalar scalar:
                        size = 1;
                        if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = 1;
                        break;
                    case AnchorAlias alias:
                        size = anchors.GetValueOrDefault(alias.Value.Value, 1);
                        break;
                    default:
                        continue;
                }
                if (open.Count == 0) continue;
                var (parent, parentAnchor) = open.Pop();
                parent = Math.Min(parent + size, MaxNodes + 1); // saturate: nested aliases overflow a long
                if (parent > MaxNodes)
                    throw new ConfigException($"the YAML expands to more than {MaxNodes:N0} nodes (aliases repeat what their anchor holds)", file, e.Start.Line, e.Start.Column);
                open.Push((parent, parentAnchor));
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException) { } // broken YAML: the load says where
    }

    private static (long Line, long Column, string? Message) LocateParseError(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        Mark last = Mark.Empty;
        try
        {
            while (parser.MoveNext()) last = parser.Current!.End;
        }
        catch (YamlException e) { return (e.Start.Line, e.Start.Column, Inner(e).Message); }
        catch (InvalidOperationException) { }
        return (last.Line, last.Column, "the document ends inside an unclosed structure");
    }

    private static Exception Inner(YamlException e) => e.InnerException is YamlException inner ? Inner(inner) : e;

    private void ReadMapping(YamlMappingNode node, ConfigSection target, string? file)
    {
        foreach (var (keyNode, valueNode) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
                throw new ConfigException("keys must be plain names", file, keyNode.Start.Line, keyNode.Start.Column);
            string qualified = target.Qualify(key);
            if (target.ContainsKey(key))
                throw new ConfigException($"{qualified} appears twice (keys are compared without case)", file, keyNode.Start.Line, keyNode.Start.Column, qualified);
            var known = target.KnownKey(key);
            if (target.Schema is not null && known is null)
            {
                _unknownPositions[qualified] = (keyNode.Start.Line, keyNode.Start.Column);
                _warnings.Add($"{Where(file, keyNode)}{DescribeUnknown(target, key, valueNode is YamlMappingNode)} (kept as it is)");
            }
            object? value;
            if (known?.Kind == ConfigValueKind.Section && valueNode is YamlMappingNode sectionNode)
            {
                var section = new ConfigSection(qualified, ConfigSchema.KeysOf(key));
                ReadMapping(sectionNode, section, file);
                value = section;
            }
            else
            {
                value = ToValue(valueNode, qualified, file);
                if (known is not null)
                {
                    try { value = ConfigValues.Coerce(known, value, qualified); }
                    catch (ConfigException e)
                    {
                        throw new ConfigException(e.Message, file, valueNode.Start.Line, valueNode.Start.Column, qualified);
                    }
                }
            }
            target.SetRaw(key, value);
        }
    }

    /// <summary>"unknown key io.n_mimc; did you mean background_selection.n_mimic?"</summary>
    private static string DescribeUnknown(ConfigSection section, string key, bool isMapping)
    {
        string what = section.QualifiedName.Length == 0 && isMapping ? "section" : "key";
        string? hint = ConfigSpelling.Suggest(section.QualifiedName, key);
        return $"unknown {what} {section.Qualify(key)}{(hint is null ? "" : $"; did you mean {hint}?")}";
    }

    /// <summary>
    /// The keys and sections this product does not know, in file order, each with a "did you mean"
    /// where a known name is close. Also finds keys added after loading (no line then).
    /// </summary>
    public IReadOnlyList<UnknownConfigKey> UnknownKeys()
    {
        var found = new List<UnknownConfigKey>();
        void Walk(ConfigSection section)
        {
            if (section.Schema is null) return;
            foreach (var (key, value) in section.Entries)
            {
                var known = section.KnownKey(key);
                if (known is null)
                {
                    string qualified = section.Qualify(key);
                    var (line, column) = _unknownPositions.GetValueOrDefault(qualified);
                    found.Add(new UnknownConfigKey(qualified, DescribeUnknown(section, key, value is ConfigSection), line, column));
                }
                else if (known.Kind == ConfigValueKind.Section && value is ConfigSection inner) Walk(inner);
            }
        }
        Walk(this);
        return found;
    }

    /// <summary>
    /// Strict mode (-Strict): unknown keys are errors, not warnings. Throws one <see cref="ConfigException"/>
    /// at the first unknown key that lists them all.
    /// </summary>
    public void ThrowIfUnknownKeys()
    {
        var unknown = UnknownKeys();
        if (unknown.Count == 0) return;
        var first = unknown[0];
        string all = string.Join("; ", unknown.Skip(1).Select(u => (u.Line > 0 ? $"line {u.Line}, column {u.Column}: " : "") + u.Message).Prepend(first.Message));
        throw new ConfigException($"{all} (strict mode: unknown keys are errors)", SourcePath, first.Line, first.Column, first.Key);
    }

    private static string Where(string? file, YamlNode node) =>
        (file is null ? "" : file + ", ") + $"line {node.Start.Line}, column {node.Start.Column}: ";

    private object? ToValue(YamlNode node, string qualified, string? file)
    {
        switch (node)
        {
            case YamlScalarNode s:
                if ((!s.Tag.IsEmpty && !s.Tag.IsNonSpecific && s.Tag.Value == "tag:yaml.org,2002:str") || s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted
                    or ScalarStyle.Literal or ScalarStyle.Folded) return s.Value ?? "";
                return ConfigValues.ResolvePlain(s.Value ?? "");
            case YamlSequenceNode seq:
                return seq.Children.Select(c => ToValue(c, qualified, file)).ToList();
            case YamlMappingNode map:
            {
                var section = new ConfigSection(qualified, null);
                ReadMapping(map, section, file);
                return section;
            }
            default:
                throw new ConfigException("unsupported YAML node", file, node.Start.Line, node.Start.Column, qualified);
        }
    }

    private void CheckSpellings()
    {
        if (Get("background_selection") is ConfigSection bs && bs.Get("n_tel") is int a && bs.Get("n_tels") is int b && a != b)
            _warnings.Add($"background_selection has n_tel = {a} and n_tels = {b}; n_tel is used");
    }

    // ------------------------------------------------------------------ paths

    private IEnumerable<(ConfigSection Section, ConfigKey Key)> PathKeys() =>
        Entries.Select(kv => kv.Value).OfType<ConfigSection>()
            .SelectMany(s => s.Entries.Select(kv => (Section: s, Key: s.KnownKey(kv.Key))))
            .Where(x => x.Key is { IsPath: true })
            .Select(x => (x.Section, x.Key!));

    private void ResolvePaths()
    {
        if (BaseDirectory is null) return;
        foreach (var (section, key) in PathKeys())
        {
            if (section.Get(key.Name) is not string p || p.Length == 0 || System.IO.Path.IsPathRooted(p) || p.StartsWith('~')) continue;
            string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(BaseDirectory, p));
            section.SetRaw(key.Name, full);
            _relativePaths[section.Qualify(key.Name)] = full;
        }
    }

    /// <summary>An absolute path the config requires: throws naming the key when it is missing (or, with <paramref name="mustExist"/>, not there).</summary>
    public string RequirePath(string section, string key, bool mustExist = false)
    {
        string qualified = section + "." + key;
        if ((Get(section) as ConfigSection)?.Get(key) is not string p || string.IsNullOrWhiteSpace(p))
            throw new ConfigException($"{qualified} is required (a path) and is not set", SourcePath, key: qualified);
        string full = System.IO.Path.IsPathRooted(p) ? p : System.IO.Path.GetFullPath(System.IO.Path.Combine(BaseDirectory ?? Environment.CurrentDirectory, p));
        if (mustExist && !File.Exists(full) && !Directory.Exists(full))
            throw new ConfigException($"{qualified} = {full} does not exist", SourcePath, key: qualified);
        return full;
    }

    // ------------------------------------------------------------------ saving

    /// <summary>
    /// Writes the YAML atomically (<see cref="Output.AtomicFile"/>: only a regular file is replaced). Paths that
    /// were relative when read are written relative to the new file's folder.
    /// </summary>
    public void Save(string path, bool overwrite = false)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!overwrite && File.Exists(full)) throw new ConfigException("the file exists (use overwrite/-Force to replace it)", full);
        string dir = System.IO.Path.GetDirectoryName(full)!;
        var bytes = new UTF8Encoding(false).GetBytes(ToYaml(dir));
        try
        {
            Output.AtomicFile.Write(full, overwrite, stream => stream.Write(bytes));
        }
        catch (Output.OutputPathException e)
        {
            throw new ConfigException(e.Reason, full, inner: e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot write the config: {e.Message}", full, inner: e);
        }
    }

    /// <summary>The YAML text; relative paths are made relative to <paramref name="directory"/> (default: the base directory).</summary>
    public string ToYaml(string? directory = null)
    {
        directory = directory is null ? BaseDirectory : System.IO.Path.GetFullPath(directory);
        var root = (YamlMappingNode)ToNode(this, directory);
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, bestIndent: 4, bestWidth: int.MaxValue);
        emitter.Emit(new YamlDotNet.Core.Events.StreamStart());
        emitter.Emit(new YamlDotNet.Core.Events.DocumentStart(null, null, isImplicit: true));
        Emit(emitter, root);
        emitter.Emit(new YamlDotNet.Core.Events.DocumentEnd(isImplicit: true));
        emitter.Emit(new YamlDotNet.Core.Events.StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode s:
                emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, s.Value ?? "", s.Style, s.Style == ScalarStyle.Plain, s.Style != ScalarStyle.Plain));
                break;
            case YamlSequenceNode q:
                emitter.Emit(new YamlDotNet.Core.Events.SequenceStart(null, null, true, q.Style));
                foreach (var c in q.Children) Emit(emitter, c);
                emitter.Emit(new YamlDotNet.Core.Events.SequenceEnd());
                break;
            case YamlMappingNode m:
                emitter.Emit(new YamlDotNet.Core.Events.MappingStart(null, null, true, m.Style));
                foreach (var (k, v) in m.Children) { Emit(emitter, k); Emit(emitter, v); }
                emitter.Emit(new YamlDotNet.Core.Events.MappingEnd());
                break;
        }
    }

    private YamlNode ToNode(object? value, string? directory, string? qualified = null)
    {
        switch (value)
        {
            case ConfigSection s:
            {
                var map = new YamlMappingNode();
                foreach (var (k, v) in s.Entries)
                {
                    string q = s.Qualify(k);
                    object? written = v;
                    if (v is string p && directory is not null && _relativePaths.TryGetValue(q, out var resolved) && p == resolved)
                        written = System.IO.Path.GetRelativePath(directory, p);
                    map.Add(new YamlScalarNode(k) { Style = ScalarStyle.Plain }, ToNode(written, directory, q));
                }
                return map;
            }
            case IList list:
            {
                var items = list.Cast<object?>().ToList();
                var seq = new YamlSequenceNode(items.Select(i => ToNode(i, directory)))
                {
                    Style = items.All(i => i is not IList and not IDictionary) ? SequenceStyle.Flow : SequenceStyle.Block,
                };
                return seq;
            }
            case null: return new YamlScalarNode("null") { Style = ScalarStyle.Plain };
            case bool b: return new YamlScalarNode(b ? "true" : "false") { Style = ScalarStyle.Plain };
            case int or long: return new YamlScalarNode(Convert.ToString(value, CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };
            case double d: return new YamlScalarNode(ConfigValues.FormatDouble(d)) { Style = ScalarStyle.Plain };
            default: return new YamlScalarNode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "") { Style = ScalarStyle.DoubleQuoted };
        }
    }

    // ------------------------------------------------------------- typed views

    /// <summary>
    /// config.njobs as a degree of parallelism: -1 means every core; a missing key is null (the
    /// caller's default). 0 or below -1 is an error naming the key.
    /// </summary>
    public int? NJobs
    {
        get
        {
            if ((Get("config") as ConfigSection)?.Get("njobs") is not { } v) return null;
            int n = Convert.ToInt32(v, CultureInfo.InvariantCulture);
            if (n == -1) return Environment.ProcessorCount;
            if (n < 1) throw new ConfigException($"config.njobs = {n}: it must be at least 1, or -1 for every core", SourcePath, key: "config.njobs");
            return n;
        }
    }

    /// <summary>config.cache_dir as an absolute path (relative to the config's folder), or null when unset.</summary>
    public string? CacheDirectory =>
        (Get("config") as ConfigSection)?.Get("cache_dir") is string p && !string.IsNullOrWhiteSpace(p) ? RequirePath("config", "cache_dir") : null;

    /// <summary>The background_selection section (created when absent).</summary>
    public ConfigSection BackgroundSelectionSection => Section("background_selection");

    /// <summary>Typed snapshot of background_selection with defaults, for the selection code.</summary>
    public BackgroundSelectionSettings GetBackgroundSelection()
    {
        var s = BackgroundSelectionSection;
        return new BackgroundSelectionSettings
        {
            NsbDiff = s.GetValue<double?>("nsb_diff"),
            ElDiff = s.Get("el_diff") is null && s.Get("al_diff") is not null ? s.GetValue<double?>("al_diff") : s.GetValue<double?>("el_diff"),
            AzDiff = s.GetValue<double?>("az_diff"),
            NTel = s.Get("n_tel") is not null ? s.GetValue<int?>("n_tel") : s.GetValue<int?>("n_tels"),
            TimeMax = s.GetValue<double?>("time_max"),
            SameSeason = s.GetValue<bool?>("same_szn") ?? false,
            ElMin = s.GetValue<double?>("el_min"),
            ElMax = s.GetValue<double?>("el_max"),
            TimeRequest = s.GetValue<double?>("time_request"),
            KlDiv = s.GetValue<bool?>("KL_DIV") ?? true,
            StoreKl = s.GetValue<bool?>("store_KL") ?? false,
            NMimic = s.GetValue<int?>("n_mimic") ?? 5,
            BrightSources = (s.GetValue<List<object?>>("bright_sources") ?? []).Select(x => ConfigValues.Display(x)).ToList(),
            Questionable = Questionable,
            ExcludeTargetFov = s.GetValue<bool?>("exclude_target_fov") ?? true,
            ExcludeRunListObjects = s.GetValue<bool?>("exclude_runlist_objects") ?? true,
            // Absent: the default limit; an explicit null (YAML ~) switches the measurement off.
            MaxScrambleSignificance = s.ContainsKey("max_scramble_significance") && s.Get("max_scramble_significance") is null
                ? null : s.GetValue<double?>("max_scramble_significance"),
            UniquePerDataset = s.GetValue<bool?>("unique_per_dataset") ?? true,
            ScrambleTheta = s.GetValue<double?>("scramble_theta"),
        };
    }

    /// <summary>
    /// Checks what the key ranges cannot (each key's own range is checked when it is read or set): lower
    /// bounds below upper bounds. Campaigns call it before any folder is created.
    /// </summary>
    public void Validate()
    {
        foreach (var (section, lo, hi) in new[] { ("binning", "e_min", "e_max"), ("binning", "off_min", "off_max"),
                     ("background_selection", "el_min", "el_max"), ("spectrum", "e_min", "e_max") })
        {
            if ((Get(section) as ConfigSection) is not { } s || s.GetValue<double?>(lo) is not double a || s.GetValue<double?>(hi) is not double b) continue;
            if (a >= b)
                throw new ConfigException($"{section}.{lo} = {ConfigValues.Display(a)} must be less than {section}.{hi} = {ConfigValues.Display(b)}", SourcePath, key: $"{section}.{lo}");
        }
    }

    /// <summary>background_selection.questionable as (OBS_ID, reason) pairs.</summary>
    public IReadOnlyList<QuestionableRun> Questionable =>
        (BackgroundSelectionSection.Get("questionable") as List<object?> ?? [])
            .Select(item => item is List<object?> { Count: >= 1 } pair && pair[0] is int or long
                ? new QuestionableRun(Convert.ToInt64(pair[0], CultureInfo.InvariantCulture), pair.Count > 1 ? ConfigValues.Display(pair[1]) : "")
                : throw new ConfigException($"background_selection.questionable: expected [obs_id, reason] items, got {ConfigValues.Describe(item)}", SourcePath))
            .ToList();

    /// <summary>Adds (or replaces the reason of) a questionable run.</summary>
    public void AddQuestionable(long obsId, string reason)
    {
        var list = Questionable.Where(q => q.ObsId != obsId).Append(new QuestionableRun(obsId, reason))
            .Select(q => (object?)new List<object?> { q.ObsId, q.Reason }).ToList();
        BackgroundSelectionSection.Set("questionable", list);
    }
}

/// <summary>A target run without good mimic runs, and why (no_mimic, large_kl).</summary>
public sealed record QuestionableRun(long ObsId, string Reason);

/// <summary>The background_selection keys with their defaults; null = criterion not configured.</summary>
public sealed record BackgroundSelectionSettings
{
    public double? NsbDiff { get; init; }
    /// <summary>Largest difference of 1/sin(elevation) itself (DESIGN.md §5; not re-interpreted as an angle).</summary>
    public double? ElDiff { get; init; }
    public double? AzDiff { get; init; }
    /// <summary>n_tel, or n_tels when n_tel is absent.</summary>
    public int? NTel { get; init; }
    public double? TimeMax { get; init; }
    public bool SameSeason { get; init; }
    public double? ElMin { get; init; }
    public double? ElMax { get; init; }
    public double? TimeRequest { get; init; }
    public bool KlDiv { get; init; } = true;
    public bool StoreKl { get; init; }
    public int NMimic { get; init; } = 5;
    public IReadOnlyList<string> BrightSources { get; init; } = [];
    public IReadOnlyList<QuestionableRun> Questionable { get; init; } = [];
    /// <summary>Candidate hygiene (DESIGN.md §5): keys exclude_target_fov, exclude_runlist_objects, max_scramble_significance, unique_per_dataset.</summary>
    public bool ExcludeTargetFov { get; init; } = true;
    public bool ExcludeRunListObjects { get; init; } = true;
    public double? MaxScrambleSignificance { get; init; } = 3.0;
    public bool UniquePerDataset { get; init; } = true;
    public double? ScrambleTheta { get; init; }
}

/// <summary>A key or section of a config that this product does not know; <see cref="Line"/> 0 when not from a file.</summary>
public sealed record UnknownConfigKey(string Key, string Message, long Line, long Column);
