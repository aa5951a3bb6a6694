namespace IoTIdentity.TestKit;

/// <summary>
/// The system clock moved forward by what the test says: time runs on as usual (timers, timeouts and elapsed time
/// behave as with <see cref="TimeProvider.System"/>) and jumps when the test calls <see cref="Advance"/>, so a service
/// can live through months or years in one test. Injected in place of the system clock
/// (<see cref="ServiceFixture.WithClock"/>); <see cref="FixedTimeProvider"/> is for code that must see one instant.
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    /// <summary>How far ahead of the system clock this clock runs.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward by <paramref name="by"/>; it never goes back.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is negative.</exception>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    /// <summary>Moves the clock forward to <paramref name="at"/> (it must be ahead of the clock's now).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> has passed.</exception>
    public void AdvanceTo(DateTimeOffset at) => Advance(at - GetUtcNow());

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + Offset;
}
