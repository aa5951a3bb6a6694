namespace IoTIdentity.Protocol.Management;

/// <summary>One page of a list: <c>{ "items": [...], "continuationToken": "..." | null }</c>.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items of this page.</param>
/// <param name="ContinuationToken">Pass it back for the next page; null on the last one. Opaque to callers.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);
