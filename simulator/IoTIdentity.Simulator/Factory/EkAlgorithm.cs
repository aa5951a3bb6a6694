using System.Text.Json.Serialization;

namespace IoTIdentity.Simulator.Factory;

/// <summary>The EK a virtual device gets at manufacture (TCG EK Credential Profile, low-range templates).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EkAlgorithm>))]
public enum EkAlgorithm
{
    /// <summary>ECC NIST P-256 (template L-2): cheap to create, the default.</summary>
    Ecc,

    /// <summary>RSA 2048 (template L-1): every EK is a fresh RSA key generation inside swtpm.</summary>
    Rsa,
}
