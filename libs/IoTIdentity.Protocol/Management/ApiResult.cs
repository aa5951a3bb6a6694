namespace IoTIdentity.Protocol.Management;

/// <summary>A typed API answer with the JSON it was read from, so a caller can show either.</summary>
/// <typeparam name="T">The answer's type.</typeparam>
/// <param name="Value">The answer.</param>
/// <param name="Json">The response body exactly as the service sent it.</param>
public sealed record ApiResult<T>(T Value, string Json);
