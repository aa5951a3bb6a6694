using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>What one accepted attestation showed.</summary>
[GenerateSerializer, Immutable]
public sealed record AttestationRecord
{
    /// <summary>How many attestations a device keeps (<see cref="DeviceState.Attestations"/>); older ones live on in the audit log.</summary>
    public const int HistoryLimit = 20;

    [Id(0)] public required DateTimeOffset At { get; init; }
    [Id(1)] public required ImmutableDictionary<int, string> Pcrs { get; init; }
    [Id(2)] public ulong TpmFirmwareVersion { get; init; }
    [Id(3)] public string? Firmware { get; init; }
    /// <summary><c>enroll</c> or <c>renew</c>.</summary>
    [Id(4)] public string? Mode { get; init; }
    /// <summary>The certificate the attestation was answered with.</summary>
    [Id(5)] public string? SerialNumber { get; init; }

    /// <summary>
    /// <paramref name="pcrs"/>, or the very map of <paramref name="previous"/> when it holds the same values. A device that
    /// renews with unchanged PCRs then keeps one map for its whole history: the state is serialized whole on each write,
    /// and the serializer writes an object its session has already written as a reference to it, not again.
    /// </summary>
    public static ImmutableDictionary<int, string> SharePcrs(ImmutableDictionary<int, string> pcrs, AttestationRecord? previous) =>
        previous?.Pcrs is { } earlier && earlier.Count == pcrs.Count
            && pcrs.All(p => earlier.TryGetValue(p.Key, out var value) && string.Equals(value, p.Value, StringComparison.Ordinal))
            ? earlier
            : pcrs;

    /// <summary><paramref name="history"/> with <paramref name="latest"/> appended, the oldest dropped beyond <see cref="HistoryLimit"/>.</summary>
    public static ImmutableList<AttestationRecord> Append(ImmutableList<AttestationRecord> history, AttestationRecord latest)
    {
        var appended = history.Add(latest);
        return appended.Count > HistoryLimit ? appended.RemoveRange(0, appended.Count - HistoryLimit) : appended;
    }

    /// <summary>The owner's view of it.</summary>
    public AttestationView ToView() => new()
    {
        At = At, Mode = Mode, SerialNumber = SerialNumber, Firmware = Firmware, Pcrs = Pcrs, TpmFirmwareVersion = TpmFirmwareVersion,
    };
}
