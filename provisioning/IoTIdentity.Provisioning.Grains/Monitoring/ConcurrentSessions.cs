using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// The authenticated sessions of one tenant's devices as the silos report them, and the suspicions of two at once.
/// One silo never admits a second session of a device (it refuses it: <c>second-session</c>), but each silo of a cluster
/// with embedded brokers admits on its own and reports on its own, so what is heard is not what happened, in order or in
/// full:
/// <list type="bullet">
/// <item>a device that moved from one silo's broker to another's may be heard connecting before its old session is
/// heard ending — or its old session heard only after its new one;</item>
/// <item>a device that lost power and reconnected through another silo holds a dead session on the first until that
/// silo finds it so (asked: <see cref="TakeDevicesToAsk"/>), or until its keep-alive runs out;</item>
/// <item>a silo that leaves the cluster reports nothing more of its sessions.</item>
/// </list>
/// So sessions are compared by when the silos admitted and ended them, not by when that was heard: a session heard
/// admitted is compared with the live ones and with those heard ended in the last <see cref="EndedKept"/>, whichever was
/// admitted first. A session <c>Y</c> admitted while one admitted before it, <c>X</c>, was live is a suspicion, judged
/// the grace after <c>Y</c> was admitted (<see cref="Judge"/>): a clone when <c>X</c> ended later than that,
/// or is still held then — whether or not <c>Y</c> still is (a clone may connect, act and leave). An <c>X</c> heard
/// ending within the grace leaves the suspicion at once (a move, or a dead session found so).
/// </summary>
public sealed class ConcurrentSessions(TimeSpan grace)
{
    /// <summary>How long a session heard ending is kept to compare with sessions heard admitted after it.</summary>
    public TimeSpan EndedKept => grace * 3;

    private readonly Dictionary<string, Dictionary<string, MonitoredEvent>> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Ended>> _ended = new(StringComparer.Ordinal);
    private readonly Queue<(DateTimeOffset End, string Device)> _endedOrder = new();
    private readonly Dictionary<string, Dictionary<string, SessionSuspicion>> _suspicions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _toAsk = new(StringComparer.Ordinal);
    private DateTimeOffset _latest = DateTimeOffset.MinValue;

    /// <summary>A session heard ending: its admission and when it ended.</summary>
    private readonly record struct Ended(MonitoredEvent Connected, DateTimeOffset End);

    /// <summary>
    /// A device's authenticated session <paramref name="Connected"/> (<c>Y</c>) admitted while
    /// <paramref name="Earlier"/> (session id → its admission) were live; <paramref name="EndedLate"/> holds those heard
    /// ending after the grace. Judged at <paramref name="Due"/>.
    /// </summary>
    public sealed record SessionSuspicion(MonitoredEvent Connected, ImmutableDictionary<string, MonitoredEvent> Earlier,
        ImmutableHashSet<string> EndedLate, DateTimeOffset Due)
    {
        /// <summary>How many times it was judged undecided (a silo could not answer).</summary>
        public int Judged { get; init; }
    }

    /// <summary>A session admitted.</summary>
    public void Connected(MonitoredEvent e)
    {
        Heard(e.At);
        var live = _live.TryGetValue(e.Subject, out var existing) ? existing : _live[e.Subject] = new(StringComparer.Ordinal);
        live[Id(e)] = e;
        // every other session of the device that was live when e was admitted: the live ones, and those that ended after
        var others = live.Values.Where(s => s != e).Select(s => (Session: s, End: (DateTimeOffset?)null))
            .Concat(_ended.GetValueOrDefault(e.Subject)?.Where(s => s.End > e.At).Select(s => (Session: s.Connected, End: (DateTimeOffset?)s.End)) ?? [])
            .ToList();
        // e against those admitted before it, and (heard late) those admitted after it, while it was live
        foreach (var (session, end) in others) if (AdmittedBefore(session, e)) Suspect(e, session, end);
        foreach (var (session, _) in others) if (AdmittedBefore(e, session)) Suspect(session, e, null);
    }

    /// <summary>
    /// <paramref name="y"/> admitted while <paramref name="x"/>, admitted before it, was live; <paramref name="xEnd"/> is
    /// when x ended, when heard. An x that ended within the grace of y's admission made way for it.
    /// </summary>
    private void Suspect(MonitoredEvent y, MonitoredEvent x, DateTimeOffset? xEnd)
    {
        if (xEnd is { } end && end <= y.At + grace) return;
        var suspicions = _suspicions.TryGetValue(y.Subject, out var known) ? known : _suspicions[y.Subject] = new(StringComparer.Ordinal);
        var suspicion = suspicions.GetValueOrDefault(Id(y)) ?? new SessionSuspicion(y, ImmutableDictionary.Create<string, MonitoredEvent>(StringComparer.Ordinal),
            ImmutableHashSet.Create<string>(StringComparer.Ordinal), y.At + grace);
        suspicions[Id(y)] = suspicion with
        {
            Earlier = suspicion.Earlier.SetItem(Id(x), x),
            EndedLate = xEnd is null ? suspicion.EndedLate : suspicion.EndedLate.Add(Id(x)),
        };
        _toAsk.Add(y.Subject);
    }

    /// <summary>Whether <paramref name="x"/> was admitted before <paramref name="y"/> (the same instant: by session id, so one of the two is).</summary>
    private static bool AdmittedBefore(MonitoredEvent x, MonitoredEvent y) =>
        x.At < y.At || (x.At == y.At && string.CompareOrdinal(Id(x), Id(y)) < 0);

    /// <summary>A session ended.</summary>
    public void Disconnected(MonitoredEvent e)
    {
        Heard(e.At);
        var id = Id(e);
        if (!_live.TryGetValue(e.Subject, out var live) || !live.Remove(id, out var admitted)) return;
        if (live.Count == 0) _live.Remove(e.Subject);
        (_ended.TryGetValue(e.Subject, out var ended) ? ended : _ended[e.Subject] = []).Add(new Ended(admitted, e.At));
        _endedOrder.Enqueue((e.At, e.Subject));

        if (!_suspicions.TryGetValue(e.Subject, out var suspicions)) return;
        foreach (var (key, suspicion) in suspicions.ToList())
        {
            if (!suspicion.Earlier.ContainsKey(id)) continue;
            if (e.At > suspicion.Connected.At + grace) suspicions[key] = suspicion with { EndedLate = suspicion.EndedLate.Add(id) };
            else if (suspicion.Earlier.Remove(id) is { IsEmpty: false } left) suspicions[key] = suspicion with { Earlier = left };
            else suspicions.Remove(key);
        }
        if (suspicions.Count == 0) _suspicions.Remove(e.Subject);
    }

    /// <summary>The devices with a new suspicion since the last call, whose sessions should be asked whether their peers are there.</summary>
    public IReadOnlyCollection<string> TakeDevicesToAsk()
    {
        if (_toAsk.Count == 0) return [];
        var devices = _toAsk.ToList();
        _toAsk.Clear();
        return devices;
    }

    /// <summary>When the next suspicion is due for judgement; null when none waits.</summary>
    public DateTimeOffset? NextDue => _suspicions.Count == 0 ? null : _suspicions.Values.SelectMany(s => s.Values).Min(s => s.Due);

    /// <summary>The suspicions due at <paramref name="now"/>, taken out of the waiting ones (each to be <see cref="Judge"/>d).</summary>
    public IReadOnlyList<SessionSuspicion> TakeDue(DateTimeOffset now)
    {
        var due = _suspicions.Values.SelectMany(s => s.Values).Where(s => s.Due <= now).OrderBy(s => s.Due).ToList();
        foreach (var suspicion in due)
        {
            var suspicions = _suspicions[suspicion.Connected.Subject];
            suspicions.Remove(Id(suspicion.Connected));
            if (suspicions.Count == 0) _suspicions.Remove(suspicion.Connected.Subject);
        }
        return due;
    }

    /// <summary>
    /// How many times a suspicion is judged while a silo that is still a member cannot say which sessions it holds (one
    /// that hangs, or died and is not yet declared so: Orleans declares such a silo dead well within this many graces by
    /// default, and stops asking it). The last judgement counts every earlier session not heard ending as outliving.
    /// </summary>
    public const int MaxJudgements = 6;

    /// <summary>
    /// The earlier sessions of <paramref name="suspicion"/> that outlived the grace — heard ending after it, or held now
    /// by a silo (<paramref name="live"/>: the device's sessions the silos hold). None: the earlier sessions made way (a
    /// move, a dead session found so) and are forgotten, even those no silo reported ending (a silo that left the cluster
    /// reports nothing). When a silo could not answer (<paramref name="live"/> null) and no earlier session is heard to
    /// have outlived the grace, the suspicion waits another grace from <paramref name="now"/> to be judged again, up to
    /// <see cref="MaxJudgements"/> times; then every earlier session not heard ending counts.
    /// </summary>
    public IReadOnlyList<MonitoredEvent> Judge(SessionSuspicion suspicion, IReadOnlyCollection<string>? live, DateTimeOffset now)
    {
        if (live is null && suspicion.EndedLate.IsEmpty && suspicion.Judged + 1 < MaxJudgements)
        {
            var suspicions = _suspicions.TryGetValue(suspicion.Connected.Subject, out var known) ? known : _suspicions[suspicion.Connected.Subject] = new(StringComparer.Ordinal);
            suspicions[Id(suspicion.Connected)] = suspicion with { Due = now + grace, Judged = suspicion.Judged + 1 };
            return [];
        }
        var outlived = suspicion.Earlier.Where(s => suspicion.EndedLate.Contains(s.Key) || live is null || live.Contains(s.Key)).Select(s => s.Value).ToList();
        if (outlived.Count == 0 && _live.TryGetValue(suspicion.Connected.Subject, out var sessions))
        {
            foreach (var ended in suspicion.Earlier.Keys) sessions.Remove(ended);
            if (sessions.Count == 0) _live.Remove(suspicion.Connected.Subject);
        }
        return outlived;
    }

    /// <summary>Lets go of the sessions heard ending longer than <see cref="EndedKept"/> before the latest event.</summary>
    private void Heard(DateTimeOffset at)
    {
        if (at > _latest) _latest = at;
        while (_endedOrder.TryPeek(out var oldest) && oldest.End < _latest - EndedKept)
        {
            _endedOrder.Dequeue();
            if (!_ended.TryGetValue(oldest.Device, out var ended)) continue;
            ended.RemoveAll(s => s.End < _latest - EndedKept);
            if (ended.Count == 0) _ended.Remove(oldest.Device);
        }
    }

    private static string Id(MonitoredEvent e) => e.SessionId ?? "";
}
