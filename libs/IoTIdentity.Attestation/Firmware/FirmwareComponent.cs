namespace IoTIdentity.Attestation.Firmware;

/// <summary>One measured component of a firmware release: what is hashed, into which PCR, with which event type.</summary>
/// <param name="Name">The component's name, also the event data its log record carries (UTF-8).</param>
/// <param name="File">The image file, relative to the release's directory.</param>
/// <param name="Pcr">The PCR the component is measured into.</param>
/// <param name="EventType">The TCG event type of its log record (a <see cref="EventLog.TcgEventType"/> value).</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the image: the digest extended into the SHA-256 bank.</param>
public sealed record FirmwareComponent(string Name, string File, int Pcr, uint EventType, string Sha256);
