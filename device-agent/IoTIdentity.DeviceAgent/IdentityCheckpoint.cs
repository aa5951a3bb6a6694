namespace IoTIdentity.DeviceAgent;

/// <summary>The instants of an enrolment or a rotation that an <see cref="IIdentityProgress"/> is told about.</summary>
public enum IdentityCheckpoint
{
    /// <summary>Just before <c>register</c> is sent.</summary>
    BeforeRequest,

    /// <summary>After the challenge arrived, before <c>attest</c>.</summary>
    AfterChallenge,

    /// <summary>After the certificate arrived, before any state is written.</summary>
    AfterIssuance,

    /// <summary>After the new generation is on disk, before the pointer moves to it.</summary>
    DuringStateWrite,
}
