namespace IoTIdentity.Protocol;

/// <summary>
/// The reason strings of a refused MQTT CONNECT (the CONNACK's reason string) that concern the client certificate
/// itself rather than a session already held: a device does not present such a certificate again. One set of names
/// for the service's endpoint and the agent.
/// </summary>
public static class MqttConnectRefusals
{
    /// <summary>The certificate does not verify: not issued by the tenant's CA, outside its validity, or revoked.</summary>
    public const string Certificate = "certificate";

    /// <summary>The certificate names another device than the client id.</summary>
    public const string CertificateClientId = "certificate_client_id";
}
