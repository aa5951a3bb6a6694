using System.Text.Json;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Step 3, <c>token</c>, over HTTPS with TLS client authentication (see docs/tokens.md): <c>POST /api/v1/device/token</c>
/// on the listener that asks for client certificates (<see cref="Hosting.DeviceCertificateHttps"/>). Checks, in order: a
/// certificate was presented in the handshake (the handshake proved its key); it verifies as a device certificate of its
/// tenant — one device-id URI SAN, within its validity, chained to the tenant's root through one of its issuing CAs, not
/// revoked (<see cref="IDeviceCertificateVerifier"/>, the MQTT endpoint's own check); the body is a JSON
/// <see cref="CertificateTokenRequest"/> of at most 4 KiB. The device grain then runs the token checks for that
/// certificate (it must be the device's current one) and the token is bound to it. Refusals are terse problem details
/// (the reason's name); the detail goes to the log.
/// </summary>
public static partial class DeviceTokenApi
{
    private const int MaxBodyBytes = 4096;

    /// <summary>Maps <c>POST /api/v1/device/token</c>.</summary>
    public static IEndpointRouteBuilder MapDeviceTokenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/device/token", IssueAsync).DisableAntiforgery().WithTags("Tokens");
        return routes;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueAsync(HttpContext http, IGrainFactory grains, IDeviceCertificateVerifier verifier,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(DeviceTokenApi));
        var remote = http.Connection.RemoteIpAddress?.ToString();
        if (http.Connection.ClientCertificate is not { } certificate)
            return Refused(logger, remote, new Refusal(ProvisioningError.Unauthenticated, "no client certificate presented (use the device-certificate HTTPS port)"));
        var verdict = await verifier.VerifyAsync(certificate, cancellationToken);
        if (verdict.DeviceId is not { } deviceId)
            return Refused(logger, remote, new Refusal(ProvisioningError.Unauthenticated, $"client certificate refused: {verdict.Failure}"));

        var (request, body, malformed) = await ReadAsync(http.Request, cancellationToken);
        if (malformed is not null)
        {
            await grains.GetGrain<IDeviceGrain>(deviceId).RecordRefusalAsync(Topics.Operations.Token, malformed, body, remote);
            return Refused(logger, remote, malformed);
        }
        var reply = await grains.GetGrain<IDeviceGrain>(deviceId)
            .RequestTokenWithCertificateAsync(new ProtocolRequest<CertificateTokenRequest>(request!, body, remote), certificate.RawData);
        return reply.Refusal is { } refusal ? Refused(logger, remote, refusal) : TypedResults.Ok(reply.Message!);
    }

    /// <summary>The body as a request, the bytes read (the audit evidence) and, if it is not one, why.</summary>
    private static async Task<(CertificateTokenRequest? Request, byte[] Body, Refusal? Malformed)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes) return (null, [], new Refusal(ProvisioningError.MessageTooLarge, $"the body is larger than {MaxBodyBytes} bytes"));
        using var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return (null, [], new Refusal(ProvisioningError.MessageTooLarge, $"the body is larger than {MaxBodyBytes} bytes"));
            buffer.Write(chunk, 0, read);
        }
        var body = buffer.ToArray();
        try
        {
            var parsed = JsonSerializer.Deserialize(body, ProtocolJson.Default.CertificateTokenRequest);
            return parsed is null
                ? (null, body, new Refusal(ProvisioningError.MalformedRequest, "the body is not a token request"))
                : (parsed, body, null);
        }
        catch (JsonException e)
        {
            return (null, body, new Refusal(ProvisioningError.MalformedRequest, $"request JSON: {e.Message}"));
        }
    }

    private static ProblemHttpResult Refused(ILogger logger, string? remote, Refusal refusal)
    {
        TokenRefused(logger, remote, refusal.Error, refusal.Detail);
        return Problems.For(refusal.Error);
    }

    [LoggerMessage(LogLevel.Information, "Device token over TLS client authentication refused for {Remote}: {Error} ({Detail})")]
    private static partial void TokenRefused(ILogger logger, string? remote, ProvisioningError error, string detail);
}
