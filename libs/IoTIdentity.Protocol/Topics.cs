namespace IoTIdentity.Protocol;

/// <summary>
/// MQTT topic names of the device protocol: requests on <c>iotid/v1/{deviceId}/req/{op}</c>, replies on
/// <c>iotid/v1/{deviceId}/res/{op}</c> (the request's MQTT 5 response topic), commands on
/// <c>iotid/v1/{deviceId}/cmd</c>. A client's id is its device id, and it may use only its own topics.
/// </summary>
public static class Topics
{
    /// <summary>The protocol prefix.</summary>
    public const string Prefix = "iotid/v1/";

    /// <summary>The topic filter matching every device's requests, <c>iotid/v1/+/req/+</c> (what the service subscribes to behind an external broker).</summary>
    public const string AllRequests = Prefix + "+/req/+";

    /// <summary>Operation names.</summary>
    public static class Operations
    {
        /// <summary>Step 1: register (or renew) and receive a challenge.</summary>
        public const string Register = "register";
        /// <summary>Step 2: answer the challenge and receive the certificate.</summary>
        public const string Attest = "attest";
        /// <summary>Step 3 (enrolled devices): exchange proof of the current device key for a short-lived JWT.</summary>
        public const string Token = "token";
    }

    /// <summary>Request topic for an operation.</summary>
    public static string Request(string deviceId, string op) => $"{Prefix}{deviceId}/req/{op}";

    /// <summary>Response topic for an operation.</summary>
    public static string Response(string deviceId, string op) => $"{Prefix}{deviceId}/res/{op}";

    /// <summary>The device's command topic.</summary>
    public static string Commands(string deviceId) => $"{Prefix}{deviceId}/cmd";

    /// <summary>The device's whole topic subtree (what its ACL allows).</summary>
    public static string DeviceSubtree(string deviceId) => $"{Prefix}{deviceId}/";

    /// <summary>Splits <c>iotid/v1/{deviceId}/req/{op}</c>; false for any other shape.</summary>
    public static bool TryParseRequest(string topic, out string deviceId, out string op)
    {
        deviceId = op = "";
        if (!topic.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = topic[Prefix.Length..].Split('/');
        if (parts.Length != 3 || parts[1] != "req" || !DeviceIds.IsValid(parts[0])) return false;
        if (parts[2] is not (Operations.Register or Operations.Attest or Operations.Token)) return false;
        (deviceId, op) = (parts[0], parts[2]);
        return true;
    }
}
