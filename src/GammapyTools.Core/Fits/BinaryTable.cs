namespace GammapyTools.Fits;

/// <summary>The columns of a binary table, all with the same number of rows.</summary>
public sealed class BinaryTable
{
    private readonly List<FitsColumn> _columns;

    public BinaryTable(int rowCount, IEnumerable<FitsColumn> columns)
    {
        RowCount = rowCount;
        _columns = columns.ToList();
        foreach (var c in _columns) CheckRows(c);
    }

    public int RowCount { get; }
    public IReadOnlyList<FitsColumn> Columns => _columns;

    public FitsColumn? Find(string name) =>
        _columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    public FitsColumn this[string name] => Find(name)
        ?? throw new KeyNotFoundException($"the table has no column {name} (it has {string.Join(", ", _columns.Select(c => c.Name))})");

    public bool Contains(string name) => Find(name) is not null;

    public void Add(FitsColumn column)
    {
        if (Contains(column.Name)) throw new ArgumentException($"the table already has a column {column.Name}");
        CheckRows(column);
        _columns.Add(column);
    }

    private void CheckRows(FitsColumn c)
    {
        if (c.RowCount != RowCount && !(c.Repeat == 0 && !c.Format.IsVariableLength))
            throw new ArgumentException($"column {c.Name} has {c.RowCount} rows, the table {RowCount}");
    }
}
