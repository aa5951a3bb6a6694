namespace IoTIdentity.Provisioning.Certificates;

/// <summary>The deviceIds this library accepts: lowercase hex, 1–64 digits (CN's upper bound is 64).</summary>
internal static class DeviceIds
{
    public const int MaxLength = 64;

    public static bool IsLowercaseHex(string value) => value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    public static bool IsValid(string? deviceId) =>
        !string.IsNullOrEmpty(deviceId) && deviceId.Length <= MaxLength && IsLowercaseHex(deviceId);
}
