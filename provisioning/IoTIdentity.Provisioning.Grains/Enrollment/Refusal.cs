using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// A protocol refusal raised inside the enrolment pipeline. It never crosses a grain boundary: the grain turns it
/// into a <see cref="ProvisioningError"/> reply at once, so peers see reason codes, and the many checks read as a
/// straight sequence instead of a ladder of result checks.
/// </summary>
internal sealed class Refusal(ProvisioningError error, string detail) : Exception(detail)
{
    public ProvisioningError Error { get; } = error;
}
