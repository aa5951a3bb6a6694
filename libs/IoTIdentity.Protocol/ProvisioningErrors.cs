namespace IoTIdentity.Protocol;

/// <summary>The single mapping of <see cref="ProvisioningError"/> to transport codes.</summary>
public static class ProvisioningErrors
{
    /// <summary>The MQTT 5 reason code (PUBACK/DISCONNECT family) for an error.</summary>
    public static byte MqttReasonCode(ProvisioningError error) => error switch
    {
        ProvisioningError.MalformedRequest or ProvisioningError.MalformedTpmStructure => 0x99, // payload format invalid
        ProvisioningError.MessageTooLarge => 0x95, // packet too large
        ProvisioningError.NotAuthorized or ProvisioningError.Unauthenticated or ProvisioningError.Forbidden
            or ProvisioningError.TokenProofInvalid or ProvisioningError.AudienceNotAllowed
            or ProvisioningError.AuthenticationRequired => 0x87, // not authorized
        ProvisioningError.RateLimited => 0x96, // message rate too high
        ProvisioningError.QuotaExceeded => 0x97, // quota exceeded
        ProvisioningError.Unavailable => 0x88, // server unavailable
        ProvisioningError.NotFound or ProvisioningError.NotEnrolled => 0x90, // topic name invalid / not found family
        _ => 0x83, // implementation specific error
    };

    /// <summary>The HTTP status for an error.</summary>
    public static int HttpStatus(ProvisioningError error) => error switch
    {
        ProvisioningError.MalformedRequest or ProvisioningError.MalformedTpmStructure => 400,
        ProvisioningError.MessageTooLarge => 413,
        ProvisioningError.Unauthenticated or ProvisioningError.AuthenticationRequired => 401,
        ProvisioningError.NotAuthorized or ProvisioningError.Forbidden or ProvisioningError.AudienceNotAllowed => 403,
        ProvisioningError.TokenProofInvalid => 401,
        ProvisioningError.NotFound or ProvisioningError.NotEnrolled or ProvisioningError.NoChallenge => 404,
        ProvisioningError.Conflict or ProvisioningError.AmbiguousOwner => 409,
        ProvisioningError.ChallengeExpired => 410,
        ProvisioningError.RateLimited or ProvisioningError.QuotaExceeded => 429,
        ProvisioningError.Unavailable => 503,
        _ => 422,
    };

    /// <summary>Whether a device may retry the same step later and expect a different answer.</summary>
    public static bool IsTransient(ProvisioningError error) => error is ProvisioningError.RateLimited or ProvisioningError.Unavailable;
}
