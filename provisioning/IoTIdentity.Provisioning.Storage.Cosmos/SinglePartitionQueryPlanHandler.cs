using System.Net;
using System.Text;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

/// <summary>
/// Answers the SDK's query-plan request for a single-partition query itself, for servers that have no query-plan
/// endpoint (<c>@vercel/cosmosdb-server</c>). Installed only when
/// <see cref="CosmosStoreOptions.AnswerQueryPlansLocally"/> is set.
/// </summary>
/// <remarks>
/// <para>On Linux the .NET SDK cannot plan queries in-process (no ServiceInterop), so for a query with
/// <c>ORDER BY</c> it first POSTs the query with <c>x-ms-cosmos-is-query-plan-request: True</c> and expects a
/// <c>PartitionedQueryExecutionInfo</c> back. The test server treats that as an ordinary query and returns documents,
/// which the SDK fails to parse (a <c>NullReferenceException</c> inside the SDK).</para>
/// <para>Every query of this store names one partition key and has no aggregates, DISTINCT or GROUP BY. For such a
/// query the SDK's own plan logic picks the "passthrough" pipeline whatever the plan says about ORDER BY or TOP: the
/// query text goes unchanged to the one partition, and the server orders and limits it. So this handler answers
/// with a plan that states only that (no aggregates, no DISTINCT, no GROUP BY, whole key range); the SDK then sends
/// the real query. A query-plan request without a partition key is passed on untouched.</para>
/// </remarks>
internal sealed class SinglePartitionQueryPlanHandler : RequestHandler
{
    private const string QueryPlanHeader = "x-ms-cosmos-is-query-plan-request";
    private const string PartitionKeyHeader = "x-ms-documentdb-partitionkey";

    private const string PassthroughPlan = """
        {"partitionedQueryExecutionInfoVersion":2,
         "queryInfo":{"distinctType":"None","top":null,"offset":null,"limit":null,"orderBy":[],"orderByExpressions":[],
                      "groupByExpressions":[],"groupByAliases":[],"aggregates":[],"groupByAliasToAggregateType":{},
                      "rewrittenQuery":"","hasSelectValue":false,"dCountInfo":null},
         "queryRanges":[{"min":"","max":"FF","isMinInclusive":true,"isMaxInclusive":false}]}
        """;

    public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        if (string.Equals(request.Headers[QueryPlanHeader], bool.TrueString, StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrEmpty(request.Headers[PartitionKeyHeader]))
        {
            var response = new ResponseMessage(HttpStatusCode.OK, request, errorMessage: null)
            {
                Content = new MemoryStream(Encoding.UTF8.GetBytes(PassthroughPlan)),
            };
            return Task.FromResult(response);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
