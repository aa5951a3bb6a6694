namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>The audit detail names the detectors read, written by the device grain and its collaborators.</summary>
public static class MonitoredDetails
{
    /// <summary>The enrolment group of a register, an attest, or a refusal of either.</summary>
    public const string Group = "group";
    /// <summary>The certificate serial a refused renewal's proof named, beside <see cref="CurrentSerial"/>.</summary>
    public const string PresentedSerial = "presented-serial";
    /// <summary>The device's current certificate serial when a renewal was refused.</summary>
    public const string CurrentSerial = "current-serial";
    /// <summary>The firmware release an issued attestation showed (empty without a firmware policy).</summary>
    public const string Firmware = "firmware";
    /// <summary>The firmware release of the device's attestation before this one.</summary>
    public const string PreviousFirmware = "previous-firmware";
    /// <summary>SHA-256 over the quoted PCR values (index order), lowercase hex.</summary>
    public const string Pcrs = "pcrs";
    /// <summary>The <see cref="Pcrs"/> of the device's attestation before this one.</summary>
    public const string PreviousPcrs = "previous-pcrs";
    /// <summary>The peer address an issued attest came from (when the endpoint knows it).</summary>
    public const string Address = "address";
    /// <summary><c>enroll</c> or <c>renew</c>.</summary>
    public const string Mode = "mode";
    /// <summary>The actor of monitoring's own audit entries (never read back as a signal).</summary>
    public const string MonitoringActor = "monitoring";
}
