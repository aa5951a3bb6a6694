namespace IoTIdentity.Attestation.EventLog;

/// <summary>
/// Event types — TCG PC Client Platform Firmware Profile, §10.4.1 (the subset this project names; any other value
/// parses and replays like these, as a plain number).
/// </summary>
public enum TcgEventType : uint
{
    /// <summary>EV_PREBOOT_CERT.</summary>
    PrebootCert = 0x0,
    /// <summary>EV_POST_CODE: platform firmware code.</summary>
    PostCode = 0x1,
    /// <summary>EV_NO_ACTION: informational, never extended (the Spec ID event, StartupLocality).</summary>
    NoAction = 0x3,
    /// <summary>EV_SEPARATOR: the end of pre-OS measurements into a PCR.</summary>
    Separator = 0x4,
    /// <summary>EV_ACTION: a string naming an action.</summary>
    Action = 0x5,
    /// <summary>EV_EVENT_TAG.</summary>
    EventTag = 0x6,
    /// <summary>EV_S_CRTM_CONTENTS.</summary>
    SCrtmContents = 0x7,
    /// <summary>EV_S_CRTM_VERSION.</summary>
    SCrtmVersion = 0x8,
    /// <summary>EV_PLATFORM_CONFIG_FLAGS: platform configuration.</summary>
    PlatformConfigFlags = 0xA,
    /// <summary>EV_IPL: an initial program loader (boot loader, kernel) measured by what loaded it.</summary>
    Ipl = 0xD,
    /// <summary>EV_IPL_PARTITION_DATA.</summary>
    IplPartitionData = 0xE,
    /// <summary>EV_NONHOST_CODE.</summary>
    NonhostCode = 0xF,
    /// <summary>EV_NONHOST_CONFIG.</summary>
    NonhostConfig = 0x10,
    /// <summary>EV_EFI_BOOT_SERVICES_APPLICATION.</summary>
    EfiBootServicesApplication = 0x80000003,
    /// <summary>EV_EFI_ACTION.</summary>
    EfiAction = 0x80000007,
}
