namespace IoTIdentity.TestKit;

/// <summary>A clock that says what the test tells it to; injected wherever production code takes a <see cref="TimeProvider"/>.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    /// <summary>The time every call returns.</summary>
    public DateTimeOffset Now { get; set; } = now;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
