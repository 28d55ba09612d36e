using System.Collections;

namespace GammapyTools.Output;

/// <summary>
/// The per-target results of a campaign (Invoke-MakeBackground, Invoke-MimicDataset) and the errors of
/// its final steps (indexes, config copies). A final step that fails (a full disk) must not lose the
/// per-target results: they are returned with its errors, and the caller reports both.
/// </summary>
public sealed class CampaignResults<T> : IReadOnlyList<T>
{
    private readonly IReadOnlyList<T> _targets;

    public CampaignResults(IReadOnlyList<T> targets, IReadOnlyList<Exception> finalStepErrors)
    {
        _targets = targets;
        FinalStepErrors = finalStepErrors;
    }

    /// <summary>Errors of the steps after the targets (writing an index or a config copy), each naming its file.</summary>
    public IReadOnlyList<Exception> FinalStepErrors { get; }

    public T this[int index] => _targets[index];
    public int Count => _targets.Count;
    public IEnumerator<T> GetEnumerator() => _targets.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
