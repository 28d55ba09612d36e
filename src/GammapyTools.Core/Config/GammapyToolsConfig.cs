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
                string? hint = target.Schema.FirstOrDefault(k => string.Equals(k.Name, key, StringComparison.OrdinalIgnoreCase))?.Name;
                string what = target.QualifiedName.Length == 0 ? (valueNode is YamlMappingNode ? "section" : "key") : "key";
                _warnings.Add($"{Where(file, keyNode)}unknown {what} {qualified} (kept as it is{(hint is null ? "" : $"; did you mean {target.Qualify(hint)}?")})");
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
    /// Writes the YAML atomically (a temporary file in the same folder renamed into place). Paths that
    /// were relative when read are written relative to the new file's folder.
    /// </summary>
    public void Save(string path, bool overwrite = false)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!overwrite && File.Exists(full)) throw new ConfigException("the file exists (use overwrite/-Force to replace it)", full);
        string dir = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string text = ToYaml(dir);
        string temp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = new UTF8Encoding(false).GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
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
        };
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
}
