using System.Globalization;

namespace GammapyTools.Config;

/// <summary>
/// The runs of interest of a config: run_selection.runlist (or run_list, or io.runlist) as a list
/// of OBS_IDs or the path of a run-list file. A run-list file (ED/VEGAS style) has one run a line;
/// the first number on a line is the OBS_ID, '#' starts a comment, blank lines are ignored.
/// </summary>
public static class RunListReader
{
    /// <summary>The run list's OBS_IDs (without repeats); an empty run list is an error (a campaign would do nothing).</summary>
    public static IReadOnlyList<long> FromConfig(GammapyToolsConfig config)
    {
        foreach (var (section, key) in new[] { ("run_selection", "runlist"), ("run_selection", "run_list"), ("io", "runlist") })
        {
            object? value = (config.Get(section) as ConfigSection)?.Get(key);
            IReadOnlyList<long> runs;
            switch (value)
            {
                case null: continue;
                case List<object?> list:
                    runs = list.Select((x, i) => x is int or long ? Convert.ToInt64(x, CultureInfo.InvariantCulture)
                        : throw new ConfigException($"{section}.{key}: item {i + 1} of the run list, {ConfigValues.Describe(x)}, is not an OBS_ID", config.SourcePath, key: $"{section}.{key}"))
                        .Distinct().ToList();
                    break;
                case string:
                    runs = ReadFile(config.RequirePath(section, key, mustExist: true));
                    break;
                default: continue;
            }
            if (runs.Count == 0)
                throw new ConfigException($"the run list ({section}.{key}) is empty: there is nothing to do", config.SourcePath, key: $"{section}.{key}");
            return runs;
        }
        throw new ConfigException("the config has no run list (run_selection.runlist: a list of OBS_IDs or a run-list file)", config.SourcePath, key: "run_selection.runlist");
    }

    public static IReadOnlyList<long> ReadFile(string path)
    {
        var runs = new List<long>();
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            string first = line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries)[0];
            if (!long.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id))
                throw new FormatException($"{path}:{lineNumber}: '{first}' is not a run number");
            if (!runs.Contains(id)) runs.Add(id);
        }
        return runs;
    }
}
