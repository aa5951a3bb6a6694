namespace IoTIdentity.Attestation.EventLog;

/// <summary>An event log failed parsing or verification; <see cref="Failure"/> says why.</summary>
public sealed class EventLogException : Exception
{
    /// <summary>Creates the exception for <paramref name="failure"/> with a terse detail.</summary>
    public EventLogException(EventLogFailure failure, string message) : base(message) => Failure = failure;

    /// <summary>The reason, from the closed list.</summary>
    public EventLogFailure Failure { get; }
}
