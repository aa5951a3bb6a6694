using System.Collections.Immutable;
using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Devices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IoTIdentity.Benchmarks;

/// <summary>
/// The device state a grain writes at every step of a renewal, encoded with Orleans' serializer as the grain storage
/// does, for a device that renewed hourly for a year: with every certificate in it (as before
/// <see cref="CertificateHistory"/>) and with the expired ones archived (the most it keeps).
/// </summary>
internal sealed class DeviceStateSizes
{
    /// <summary>A year of hourly certificates.</summary>
    public const int Issuances = 365 * 24;

    private readonly Serializer _serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(DeviceState).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();

    public DeviceStateSizes()
    {
        Whole = Renewed(Issuances);
        Archived = Renewed(CertificateHistory.KeptInState + CertificateHistory.PageSize - 1) with { ArchivedPages = Issuances / CertificateHistory.PageSize };
        WholeBytes = Encode(Whole);
        ArchivedBytes = Encode(Archived);
    }

    /// <summary><see cref="Whole"/>, encoded.</summary>
    public byte[] WholeBytes { get; }

    /// <summary><see cref="Archived"/>, encoded.</summary>
    public byte[] ArchivedBytes { get; }

    /// <summary>All of the year's certificates in the state.</summary>
    public DeviceState Whole { get; }

    /// <summary>At most what the state keeps beside its archive.</summary>
    public DeviceState Archived { get; }

    public byte[] Encode(DeviceState state) => _serializer.SerializeToArray(state);

    public DeviceState Decode(byte[] data) => _serializer.Deserialize<DeviceState>(data)!;

    /// <summary>
    /// An active device after <paramref name="certificates"/> hourly issuances: its keys, its current certificate
    /// (a P-256 leaf is ≈ 600 octets), the last attest's recorded reply (leaf and issuing CA), and its history.
    /// </summary>
    private static DeviceState Renewed(int certificates)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var history = Enumerable.Range(0, certificates).Select(i => new CertificateSummary
        {
            SerialNumber = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), TenantId = "acme-industrial",
            NotBefore = start.AddHours(i), NotAfter = start.AddHours(i + 1.5),
        }).ToImmutableList();
        var current = history[^1];
        return new DeviceState
        {
            Status = DeviceStatus.Active, TenantId = current.TenantId, GroupId = "default", EkPublic = RandomNumberGenerator.GetBytes(122),
            AkPublic = RandomNumberGenerator.GetBytes(88), CountedInQuota = true, EnrolledAt = start, UpdatedAt = current.NotBefore,
            Current = new IssuedIdentity
            {
                SerialNumber = current.SerialNumber, CertificateDer = RandomNumberGenerator.GetBytes(600), SubjectPublicKeyInfo = RandomNumberGenerator.GetBytes(91),
                NotBefore = current.NotBefore, NotAfter = current.NotAfter, TenantId = current.TenantId,
            },
            LastCompleted = new CompletedAttest { Nonce = RandomNumberGenerator.GetBytes(32), Reply = RandomNumberGenerator.GetBytes(1800) },
            PastSerials = [.. history.SkipLast(1).Select(c => c.SerialNumber)],
            Certificates = history,
        };
    }
}
