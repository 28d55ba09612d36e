using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using System.Management.Automation;

namespace GammapyTools.PowerShell.Cmdlets;

/// <summary>
/// Shared base for GammapyTools cmdlets: path resolution relative to PowerShell's current
/// location, wildcard expansion to files, error records that name the offending file/run,
/// and Write-Progress helpers. Cmdlets stay thin: bind parameters, call the core, write output.
/// </summary>
public abstract class GammapyCmdlet : PSCmdlet
{
    // ----------------------------------------------------------------- paths

    /// <summary>
    /// Resolves a user-supplied path (absolute, relative to the PowerShell current location,
    /// or a PS drive path like <c>~/x</c> or <c>temp:/x</c>) to a file-system path.
    /// The item need not exist (use this for outputs / destinations).
    /// </summary>
    protected string ResolveUserPath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("Path must not be empty.", nameof(path));
        }
        return SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
    }

    /// <summary>
    /// Expands a path that may contain wildcards (<c>*</c>, <c>?</c>, <c>[a-z]</c>) to the
    /// existing files it matches (directories are skipped). With <paramref name="literal"/>
    /// the path is taken as-is. Paths that match nothing, are not on the FileSystem provider
    /// or are directories produce a non-terminating error (target: the path) and contribute
    /// nothing, so one bad argument never aborts a batch.
    /// </summary>
    protected IReadOnlyList<string> ResolveFilePaths(string path, bool literal = false)
    {
        var files = new List<string>();
        if (literal)
        {
            string full = ResolveUserPath(path);
            if (File.Exists(full))
            {
                files.Add(full);
            }
            else if (Directory.Exists(full))
            {
                WriteFileError(new IOException("this is a directory, not a file"),
                    "PathIsDirectory", ErrorCategory.InvalidArgument, full);
            }
            else
            {
                WriteFileError(new FileNotFoundException("file not found", full),
                    "FileNotFound", ErrorCategory.ObjectNotFound, full);
            }
            return files;
        }

        Collection<string> resolved;
        ProviderInfo provider;
        try
        {
            resolved = GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException ex)
        {
            WriteFileError(ex, "FileNotFound", ErrorCategory.ObjectNotFound, path);
            return files;
        }
        if (provider.Name != "FileSystem")
        {
            WriteFileError(new ArgumentException($"Path '{path}' is on the {provider.Name} provider, not the file system."),
                "NotAFileSystemPath", ErrorCategory.InvalidArgument, path);
            return files;
        }
        foreach (string p in resolved)
        {
            if (File.Exists(p))
            {
                files.Add(p);
            }
            else if (!WildcardPattern.ContainsWildcardCharacters(path))
            {
                WriteFileError(new IOException("this is a directory, not a file"),
                    "PathIsDirectory", ErrorCategory.InvalidArgument, p);
            }
        }
        if (files.Count == 0 && WildcardPattern.ContainsWildcardCharacters(path))
        {
            WriteFileError(new FileNotFoundException($"No file matches '{path}'."),
                "FileNotFound", ErrorCategory.ObjectNotFound, path);
        }
        return files;
    }

    /// <summary>Resolves several user paths (wildcards allowed) to a de-duplicated file list.</summary>
    protected IReadOnlyList<string> ResolveFilePaths(IEnumerable<string> paths, bool literal = false)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<string>();
        foreach (string path in paths)
        {
            foreach (string f in ResolveFilePaths(path, literal))
            {
                if (seen.Add(f))
                {
                    files.Add(f);
                }
            }
        }
        return files;
    }

    // ---------------------------------------------------------------- errors

    /// <summary>
    /// Builds an <see cref="ErrorRecord"/> whose target is the offending file or run and
    /// whose message names that file, e.g. <c>run_000123.fits.gz: bad NAXIS2</c>. A message that
    /// already names the file (a FitsException, a ConfigException) is not prefixed with it again.
    /// </summary>
    protected static ErrorRecord CreateFileError(Exception exception, string errorId, ErrorCategory category, object? target)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        string? file = DescribeTarget(target);
        if (file is not null && !NamesTarget(exception.Message, target, file))
        {
            record.ErrorDetails = new ErrorDetails(NameOnce(file, exception));
        }
        return record;
    }

    /// <summary>True when <paramref name="message"/> already names the target: its description, or its path.</summary>
    private static bool NamesTarget(string message, object? target, string description)
    {
        if (message.Contains(description, StringComparison.Ordinal)) return true;
        object? baseObject = target is PSObject wrapped ? wrapped.BaseObject : target;
        if (baseObject is null or string or FileSystemInfo) return false;
        string? path = PSObject.AsPSObject(baseObject).Properties["Path"]?.Value?.ToString();
        return !string.IsNullOrEmpty(path) && message.Contains(path, StringComparison.Ordinal);
    }

    /// <summary>
    /// "target: problem" with the file named once: a FitsException's message already starts with
    /// its file, so when that file is the target's, only its reason follows the target.
    /// </summary>
    internal static string NameOnce(string target, Exception exception)
    {
        if (exception is Fits.FitsException { FilePath: { } path } fits && target.Contains(path, StringComparison.Ordinal))
        {
            return $"{target}: {fits.Reason}";
        }
        if (exception.Message.StartsWith(target, StringComparison.Ordinal))
        {
            return exception.Message;
        }
        return $"{target}: {exception.Message}";
    }

    /// <summary>
    /// Writes a non-terminating error about one file or run (see <see cref="CreateFileError"/>).
    /// The batch continues unless the user asked for <c>-ErrorAction Stop</c>.
    /// </summary>
    protected void WriteFileError(Exception exception, string errorId, ErrorCategory category, object? target)
        => WriteError(CreateFileError(exception, errorId, category, target));

    /// <summary>Terminating variant of <see cref="WriteFileError"/>.</summary>
    protected void ThrowFileError(Exception exception, string errorId, ErrorCategory category, object? target)
        => ThrowTerminatingError(CreateFileError(exception, errorId, category, target));

    /// <summary>
    /// A human name for an error target: a path string, a FileSystemInfo, or any object
    /// with a <c>Path</c> (and optionally <c>ObsId</c>) property such as a Run.
    /// </summary>
    internal static string? DescribeTarget(object? target)
    {
        object? baseObject = target is PSObject wrapped ? wrapped.BaseObject : target;
        switch (baseObject)
        {
            case null:
                return null;
            case string s:
                return s;
            case FileSystemInfo fsi:
                return fsi.FullName;
        }
        // PSObject.AsPSObject sees both CLR properties (a Run) and note properties (a PSCustomObject).
        PSObject pso = PSObject.AsPSObject(target!);
        object? path = pso.Properties["Path"]?.Value;
        object? obsId = pso.Properties["ObsId"]?.Value;
        if (path is not null && obsId is not null)
        {
            return $"run {obsId} ({path})";
        }
        if (path is not null)
        {
            return path.ToString();
        }
        if (obsId is not null)
        {
            return $"run {obsId}";
        }
        return baseObject.ToString();
    }

    /// <summary>One warning per default catalog ($GAMMAPY_DATA) that was not found, naming where it was looked for; once per session.</summary>
    protected void WarnMissingDefaultCatalogs()
    {
        foreach (string message in GammapyTools.Sky.CatalogSet.MissingDefaults()) WriteSessionWarning(message);
    }

    // Texts of the session warnings written so far in this process.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> SessionWarnings = new(StringComparer.Ordinal);

    /// <summary>
    /// A warning about the session's environment (an unset $GAMMAPY_DATA, a missing default catalog)
    /// that every call would repeat: written once per process, so that a loop over 120 runs prints it
    /// once; later calls write it as verbose. The text names what was looked for, so a changed
    /// $GAMMAPY_DATA warns again.
    /// </summary>
    protected void WriteSessionWarning(string message)
    {
        if (SessionWarnings.TryAdd(message, 0)) WriteWarning(message);
        else WriteVerbose(message);
    }

    // -------------------------------------------------------------- progress

    // Each Write-Progress gets a new ProgressRecord: hosts and Streams.Progress keep the records
    // they are given, so reusing one would rewrite the history they hold.
    private readonly Dictionary<int, (ProgressRecord Last, DateTime Start)> _progress = new();
    private DateTime _lastProgress = DateTime.MinValue;

    /// <summary>
    /// Reports progress of step <paramref name="done"/> of <paramref name="total"/>
    /// (Write-Progress). Updates are throttled to ~10 per second except the first and last.
    /// Call <see cref="CompleteProgress"/> when the work ends (also on error, e.g. in finally).
    /// </summary>
    protected void ReportProgress(string activity, string status, long done, long total, int activityId = 1, string? currentOperation = null)
    {
        DateTime now = DateTime.UtcNow;
        DateTime start = _progress.TryGetValue(activityId, out var state) ? state.Start : now;
        bool edge = done <= 0 || done >= total;
        if (state.Last is not null && !edge && (now - _lastProgress).TotalMilliseconds < 100)
        {
            return;
        }
        _lastProgress = now;
        // Time left from the mean time per item so far (none before the first item is done).
        double elapsed = (now - start).TotalSeconds;
        var record = new ProgressRecord(activityId, activity, string.IsNullOrEmpty(status) ? activity : status)
        {
            CurrentOperation = currentOperation,
            PercentComplete = total > 0 ? (int)Math.Clamp(100 * done / total, 0, 100) : -1,
            SecondsRemaining = total > 0 && done > 0 && done < total ? (int)Math.Ceiling(elapsed / done * (total - done)) : -1,
            RecordType = ProgressRecordType.Processing,
        };
        _progress[activityId] = (record, start);
        WriteProgress(record);
    }

    // ---------------------------------------------------------- cancellation

    private readonly CancellationTokenSource _stop = new();

    /// <summary>
    /// Cancelled when PowerShell stops the command (Ctrl+C, SIGINT, a downstream
    /// <c>Select-Object -First</c>): pass it to the core, which then starts no new file and
    /// abandons writes in flight (their temp files removed).
    /// </summary>
    protected CancellationToken StopToken => _stop.Token;

    /// <inheritdoc/>
    protected override void StopProcessing()
    {
        _stop.Cancel();
        base.StopProcessing();
    }

    /// <summary>Ends the command when PowerShell is stopping it (call between files in loops on the pipeline thread).</summary>
    protected void ThrowIfStopping()
    {
        if (Stopping || _stop.IsCancellationRequested) throw new PipelineStoppedException();
    }

    /// <summary>
    /// Runs core work on a worker thread and shows its latest progress from the pipeline thread
    /// (Write-Progress may only be called there) until it ends; returns its result or rethrows
    /// its exception. When the command is stopped the work is cancelled through the token it is
    /// given, and this waits for it to end — so no write is still in flight (and no temp file
    /// is left) when PowerShell returns the prompt or the process exits — then stops the pipeline.
    /// </summary>
    protected TResult RunInBackground<TProgress, TResult>(Func<IProgress<TProgress>, CancellationToken, TResult> work, Action<TProgress> show)
    {
        var latest = new LatestProgress<TProgress>();
        var token = _stop.Token;
        // SIGTERM (scancel, a Slurm time limit) and SIGHUP (the terminal closed) would end the
        // process mid-write; instead cancel the work like Ctrl+C, then exit as the signal asked.
        int terminatedBy = 0;
        void Terminate(PosixSignalContext context)
        {
            context.Cancel = true;
            terminatedBy = context.Signal == PosixSignal.SIGHUP ? 1 : 15;
            _stop.Cancel();
        }
        using var onTerm = TryRegister(PosixSignal.SIGTERM, Terminate);
        using var onHup = TryRegister(PosixSignal.SIGHUP, Terminate);

        var task = Task.Run(() => work(latest, token));
        // Task.Wait throws an AggregateException when the work fails; wait on the handle instead so
        // that the work's own exception (a FitsException naming the file, ...) reaches the caller.
        var handle = ((IAsyncResult)task).AsyncWaitHandle;
        try
        {
            while (!handle.WaitOne(100))
            {
                if (Stopping) _stop.Cancel();
                else if (latest.TryTake(out var p)) show(p);
            }
        }
        catch
        {
            // Write-Progress throws PipelineStoppedException when the pipeline is being stopped, possibly
            // before StopProcessing ran (PowerShell does not call it on a command that has ended): cancel
            // here too, and never return while the work still writes.
            _stop.Cancel();
            handle.WaitOne();
            throw;
        }
        if (terminatedBy != 0) Environment.Exit(128 + terminatedBy);
        if (token.IsCancellationRequested && !task.IsCompletedSuccessfully) throw new PipelineStoppedException();
        return task.GetAwaiter().GetResult();
    }

    private static PosixSignalRegistration? TryRegister(PosixSignal signal, Action<PosixSignalContext> handler)
    {
        try { return PosixSignalRegistration.Create(signal, handler); }
        catch (PlatformNotSupportedException) { return null; }
    }

    /// <summary>Keeps only the newest report; the pipeline thread takes it when it has time.</summary>
    private sealed class LatestProgress<T> : IProgress<T>
    {
        private readonly object _lock = new();
        private T? _value;
        private bool _fresh;

        public void Report(T value)
        {
            lock (_lock) { _value = value; _fresh = true; }
        }

        public bool TryTake(out T value)
        {
            lock (_lock)
            {
                value = _value!;
                bool fresh = _fresh;
                _fresh = false;
                return fresh;
            }
        }
    }

    /// <summary>Marks a progress activity as completed (removes the bar).</summary>
    protected void CompleteProgress(int activityId = 1)
    {
        if (_progress.Remove(activityId, out var state))
        {
            WriteProgress(new ProgressRecord(activityId, state.Last.Activity, state.Last.StatusDescription)
            {
                PercentComplete = 100,
                RecordType = ProgressRecordType.Completed,
            });
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>; when a downstream command stops the pipeline early
    /// (<c>Select-Object -First</c>), EndProcessing never runs, so the bars are completed here
    /// instead of staying on screen.
    /// </summary>
    protected void CompleteProgressWhenStopped(Action body)
    {
        try { body(); }
        catch (PipelineStoppedException)
        {
            try { CompleteAllProgress(); }
            catch (PipelineStoppedException) { }   // the whole pipeline is stopping (Ctrl+C): nothing to show
            throw;
        }
    }

    /// <summary>Completes every progress bar this cmdlet opened.</summary>
    protected void CompleteAllProgress()
    {
        foreach (int id in _progress.Keys.ToList())
        {
            CompleteProgress(id);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        CompleteAllProgress();
        base.EndProcessing();
    }

    /// <summary>
    /// Warns once per store when the background index could not be written (a read-only cache
    /// folder) or an existing one was rejected: the command still works, only slower next time.
    /// </summary>
    protected void WriteIndexWarnings(GammapyTools.Background.BackgroundModelCache cache)
    {
        while (cache.TakeIndexSummary() is { } s)
        {
            if (s.WriteError is not null) WriteWarning(s.WriteError);
            if (s.Rejected is not null) WriteVerbose($"background index {s.IndexPath} was rebuilt: {s.Rejected}");
            WriteVerbose($"background index of {s.DataStore}: {s.Runs} runs, {s.Reused} reused, {s.Read} read, {s.Removed} removed in {s.Elapsed.TotalSeconds:0.00} s");
        }
    }
}
