using System.Collections;
using System.Globalization;

namespace GammapyTools.Config;

/// <summary>
/// One mapping of the configuration (a section such as <c>background_selection</c>, or the top level):
/// an ordered dictionary whose keys are exactly the YAML keys. It implements <see cref="IDictionary"/>,
/// so PowerShell's dot notation reads and writes its keys (<c>$cfg.background_selection.n_mimic = 5</c>),
/// as for a hashtable. Key lookup ignores case as PowerShell does; the key keeps the spelling of the file.
/// A value set for a known key is checked and converted to the key's type (an error names the key and
/// the expected type); unknown keys are kept as they are, in order, and written back on save.
/// </summary>
public class ConfigSection : IDictionary
{
    private readonly OrderedDictionary<string, object?> _items = new(StringComparer.OrdinalIgnoreCase);

    public ConfigSection(string qualifiedName, IReadOnlyList<ConfigKey>? schema)
    {
        QualifiedName = qualifiedName;
        Schema = schema;
    }

    /// <summary>"background_selection", "bkg_runlist" inside it is "background_selection.bkg_runlist"; "" for the top level.</summary>
    public string QualifiedName { get; }
    /// <summary>The known keys, or null for a free mapping (an unknown section, a map value).</summary>
    public IReadOnlyList<ConfigKey>? Schema { get; }

    public string Qualify(string key) => QualifiedName.Length == 0 ? key : QualifiedName + "." + key;

    /// <summary>The known key of this name (exact spelling), or null.</summary>
    public ConfigKey? KnownKey(string key) => Schema?.FirstOrDefault(k => k.Name == key);

    private ConfigKey? KnownKeyIgnoringCase(string key) =>
        KnownKey(key) ?? Schema?.FirstOrDefault(k => string.Equals(k.Name, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>Sets a value; a known key's value is checked and converted (throws <see cref="ConfigException"/>).</summary>
    public void Set(string key, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        // An existing key keeps its spelling; a new one takes the known key's spelling when only the case differs.
        string name = _items.ContainsKey(key) ? _items.GetAt(_items.IndexOf(key)).Key : KnownKeyIgnoringCase(key)?.Name ?? key;
        var known = KnownKey(name);
        object? converted = known is null ? ConfigValues.Normalize(value, Qualify(name)) : ConfigValues.Coerce(known, value, Qualify(name));
        if (_items.ContainsKey(name)) _items[name] = converted;
        else _items.Add(name, converted);
    }

    /// <summary>Adds a value exactly as given (the loader has already converted it).</summary>
    internal void SetRaw(string key, object? value) => _items[key] = value;

    public object? Get(string key) => _items.TryGetValue(key, out var v) ? v : null;

    public bool ContainsKey(string key) => _items.ContainsKey(key);

    /// <summary>The spelling of a key as stored (the file's), or null when absent.</summary>
    public string? StoredKey(string key) => _items.ContainsKey(key) ? _items.GetAt(_items.IndexOf(key)).Key : null;

    /// <summary>The value of a key as <typeparamref name="T"/>: the stored value when set (not null), else the schema default.</summary>
    public T? GetValue<T>(string key)
    {
        object? v = Get(key) ?? KnownKey(key)?.Default;
        return v switch
        {
            null => default,
            T t => t,
            IConvertible c when typeof(T) == typeof(double) || typeof(T) == typeof(double?) => (T)(object)c.ToDouble(CultureInfo.InvariantCulture),
            IConvertible c when typeof(T) == typeof(int) || typeof(T) == typeof(int?) => (T)(object)c.ToInt32(CultureInfo.InvariantCulture),
            IConvertible c when typeof(T) == typeof(long) || typeof(T) == typeof(long?) => (T)(object)c.ToInt64(CultureInfo.InvariantCulture),
            _ => throw new ConfigException($"{Qualify(key)}: expected {typeof(T).Name}, has {ConfigValues.Describe(v)}", key: Qualify(key)),
        };
    }

    /// <summary>The section named <paramref name="key"/>, created (empty) when absent.</summary>
    public ConfigSection Section(string key)
    {
        if (Get(key) is ConfigSection s) return s;
        if (Get(key) is not null) throw new ConfigException($"{Qualify(key)} is not a mapping", key: Qualify(key));
        Set(key, new ConfigSection(Qualify(key), ConfigSchema.KeysOf(key)));
        return (ConfigSection)Get(key)!;
    }

    public IEnumerable<KeyValuePair<string, object?>> Entries => _items;

    public override string ToString() =>
        "{" + string.Join(", ", _items.Select(kv => kv.Key + "=" + ConfigValues.Display(kv.Value))) + "}";

    // ------------------------------------------------------------------ IDictionary

    public object? this[object key]
    {
        get => Get(KeyString(key));
        set => Set(KeyString(key), value);
    }

    private static string KeyString(object key) => key as string ?? Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";

    public ICollection Keys => _items.Keys.ToList();
    public ICollection Values => _items.Values.ToList();
    public int Count => _items.Count;
    public bool IsReadOnly => false;
    public bool IsFixedSize => false;
    public bool IsSynchronized => false;
    public object SyncRoot => this;

    public void Add(object key, object? value)
    {
        if (_items.ContainsKey(KeyString(key))) throw new ArgumentException($"{Qualify(KeyString(key))} already exists");
        Set(KeyString(key), value);
    }

    public void Clear() => _items.Clear();
    public bool Contains(object key) => key is string s && _items.ContainsKey(s);
    public void Remove(object key) { if (key is string s) _items.Remove(s); }

    public void CopyTo(Array array, int index)
    {
        foreach (var kv in _items) array.SetValue(new DictionaryEntry(kv.Key, kv.Value), index++);
    }

    public IDictionaryEnumerator GetEnumerator() => new Enumerator(_items.GetEnumerator());
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Enumerator(IEnumerator<KeyValuePair<string, object?>> inner) : IDictionaryEnumerator
    {
        public DictionaryEntry Entry => new(inner.Current.Key, inner.Current.Value);
        public object Key => inner.Current.Key;
        public object? Value => inner.Current.Value;
        public object Current => Entry;
        public bool MoveNext() => inner.MoveNext();
        public void Reset() => inner.Reset();
    }
}
