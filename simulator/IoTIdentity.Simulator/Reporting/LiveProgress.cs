using System.Globalization;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// A phase's live progress as one line of plain text: flows completed of the total, failures by reason, and over
/// the last <see cref="Window"/> the completion rate and the p50/p99 end-to-end latency. It works the same on a
/// terminal and in a pipe or log: <see cref="FleetCommand"/> shows the line in the progress bar's description on a
/// terminal and writes it every few seconds otherwise.
/// </summary>
public sealed class LiveProgress(string phase, int total, TimeProvider time) : IProgress<DeviceOutcome>
{
    /// <summary>How far back the current rate and latency look.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly long _started = time.GetTimestamp();
    private readonly Queue<(long At, double Milliseconds)> _recent = new();
    private readonly SortedDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private int _completed;

    /// <summary>The phase's name.</summary>
    public string Phase => phase;

    /// <summary>Flows the phase will run.</summary>
    public int Total => total;

    /// <summary>Flows that ended, as expected or not.</summary>
    public int Ended
    {
        get
        {
            lock (_lock) return _completed + _failures.Values.Sum();
        }
    }

    /// <summary>True once every flow has ended.</summary>
    public bool Finished => Ended >= total;

    /// <inheritdoc/>
    public void Report(DeviceOutcome value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            if (value.Succeeded)
            {
                _completed++;
                _recent.Enqueue((time.GetTimestamp(), value.StepMilliseconds.GetValueOrDefault(Scenarios.DeviceRunner.EndToEnd)));
            }
            else
            {
                var reason = value.Error ?? "unknown";
                _failures[reason] = _failures.GetValueOrDefault(reason) + 1;
            }
        }
    }

    /// <summary>
    /// The progress line, e.g. <c>first-boot: 120/200 done, 3 failed (NotEnrolled 2, TimeoutException 1); now 14.2/s,
    /// p50 340 ms, p99 910 ms</c>.
    /// </summary>
    public string Line()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            while (_recent.Count > 0 && time.GetElapsedTime(_recent.Peek().At, now) > Window) _recent.Dequeue();
            var failed = _failures.Values.Sum();
            var text = string.Create(CultureInfo.InvariantCulture, $"{phase}: {_completed}/{total} done, {failed} failed");
            if (failed > 0) text += $" ({string.Join(", ", _failures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key} {f.Value}")))})";
            var span = Math.Min(time.GetElapsedTime(_started, now).TotalSeconds, Window.TotalSeconds);
            if (_recent.Count == 0) return text + "; none completed in the last " + Window.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s";
            var latencies = _recent.Select(r => r.Milliseconds).Order().ToList();
            return text + string.Create(CultureInfo.InvariantCulture,
                $"; now {_recent.Count / Math.Max(span, 1e-3):F1}/s, p50 {ScenarioReport.At(latencies, 0.50):F0} ms, p99 {ScenarioReport.At(latencies, 0.99):F0} ms");
        }
    }
}
