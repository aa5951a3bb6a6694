using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

/// <summary>
/// Adds <c>x-ms-documentdb-query-enablecrosspartition: True</c> to item queries and item point reads.
/// </summary>
/// <remarks>
/// <para>The SDK sends that header only when <see cref="QueryRequestOptions.PartitionKey"/> is <em>not</em> set
/// (<c>QueryRequestOptions.PopulateRequestOptions</c>), and never on point reads. Every request of this store names
/// its partition key, so the SDK on its own never sends it; <c>EnableScanInQuery</c> sends a different header
/// (<c>x-ms-documentdb-query-enable-scan</c>) and changes nothing here. <c>@vercel/cosmosdb-server</c> needs it:
/// without it a query is refused with 400 "missing partition keys" unless its text filters on the partition key
/// path, and a point read of a missing item fails with 500 instead of 404.</para>
/// <para>The requests still carry <c>x-ms-documentdb-partitionkey</c>, so Cosmos DB and its emulator keep them in
/// that one partition; the store's queries filter on <c>c.pk</c> as well, because the test server ignores the
/// partition key header on queries.</para>
/// </remarks>
internal sealed class CrossPartitionQueryHeaderHandler : RequestHandler
{
    public const string HeaderName = "x-ms-documentdb-query-enablecrosspartition";

    public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        if ((IsQuery(request) || IsPointRead(request)) && request.Headers[HeaderName] is null)
        {
            request.Headers.Add(HeaderName, bool.TrueString);
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static bool IsQuery(RequestMessage request) =>
        request.Method == HttpMethod.Post
        && (string.Equals(request.Headers["x-ms-documentdb-isquery"], bool.TrueString, StringComparison.OrdinalIgnoreCase)
            || (request.Headers.ContentType?.Contains("query+json", StringComparison.OrdinalIgnoreCase) ?? false));

    private static bool IsPointRead(RequestMessage request) =>
        request.Method == HttpMethod.Get && request.RequestUri?.OriginalString.Contains("/docs/", StringComparison.Ordinal) == true;
}
