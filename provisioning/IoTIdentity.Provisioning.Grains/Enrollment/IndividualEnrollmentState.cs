using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The durable state of a device's individual enrolments: one slot per tenant.</summary>
[GenerateSerializer, Immutable]
public sealed record IndividualEnrollmentState
{
    /// <summary>The one enrolment a device held before enrolments were kept per tenant; read into <see cref="Slots"/>.</summary>
    [Id(0)] public IndividualEnrollment? Enrollment { get; init; }

    /// <summary>Each tenant's enrolment for the device, by tenant id.</summary>
    [Id(1)] public ImmutableDictionary<string, IndividualEnrollment> Slots { get; init; } = ImmutableDictionary<string, IndividualEnrollment>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The slots, with a single enrolment stored before slots existed moved into its tenant's.</summary>
    public ImmutableDictionary<string, IndividualEnrollment> AllSlots() =>
        Enrollment is { } legacy && !Slots.ContainsKey(legacy.TenantId) ? Slots.SetItem(legacy.TenantId, legacy) : Slots;

    /// <summary>The tenant's enrolment for the device, or null.</summary>
    public IndividualEnrollment? SlotOf(string tenantId) => AllSlots().GetValueOrDefault(tenantId);

    /// <summary>Each tenant's enrolment for the device, in (ordinal) tenant order.</summary>
    public IReadOnlyList<IndividualEnrollment> InTenantOrder() =>
        AllSlots().OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value).ToList();
}
