using System.Diagnostics.CodeAnalysis;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// A check's result: the value it produced, or the refusal that names why not. Read as
/// <c>if (x.IsRefused) return x.Refusal;</c> and then use <c>x.Value</c>.
/// </summary>
internal readonly record struct Checked<T> where T : class
{
    private Checked(T? value, Refusal? refusal) => (Value, Refusal) = (value, refusal);

    /// <summary>The value, when the check passed.</summary>
    public T? Value { get; }

    /// <summary>Why the check failed, when it did.</summary>
    public Refusal? Refusal { get; }

    /// <summary>Whether the check failed.</summary>
    [MemberNotNullWhen(true, nameof(Refusal))]
    [MemberNotNullWhen(false, nameof(Value))]
    public bool IsRefused => Refusal is not null;

    /// <summary>A passed check.</summary>
    public static implicit operator Checked<T>(T value) => new(value, null);

    /// <summary>A failed check.</summary>
    public static implicit operator Checked<T>(Refusal refusal) => new(null, refusal);
}
