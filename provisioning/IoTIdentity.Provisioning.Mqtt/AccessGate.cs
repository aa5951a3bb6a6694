using System.Collections;
using System.Net;
using IoTIdentity.Protocol;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The endpoint's rules, applied in MQTTnet's interceptors. A client's id must be a device id (an enrolment-only
/// connection's session is then given an id of its own, <see cref="SessionIds"/>, so that it neither takes over nor is
/// taken over by another connection of the same id); it may subscribe only
/// under <c>iotid/v1/{id}/</c> and publish only requests to <c>iotid/v1/{id}/req/{op}</c>, each carrying the response
/// topic <c>iotid/v1/{id}/res/{op}</c> and correlation data, within the size limit and the device's and source
/// address's rates (those request rules are <see cref="RequestAdmission"/>'s, shared with the external broker mode).
/// Nothing a device publishes is routed to another client. Every refusal is counted and logged (never with the payload);
/// refusals at CONNECT, which anyone can cause, are logged at most once per reason every ten seconds, each line with the
/// count it stands for (<see cref="LogThrottle"/>).
/// </summary>
internal sealed class AccessGate(
    MqttEndpointOptions options,
    RequestAdmission admission,
    SessionRegistry sessions,
    IDeviceCertificateVerifier? verifier,
    EndpointMetrics metrics,
    ILogger logger,
    LogThrottle throttle,
    IDeviceSessionObserver? observer = null,
    TimeProvider? clock = null)
{
    private const string RemoteAddressItem = "iotid.remote-address";
    private const string TicketItem = "iotid.session-ticket";
    private const string AuthenticatedItem = "iotid.authenticated";

    public async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var address = AddressOf(e.RemoteEndPoint);
        // the id the client connected as (an enrolment-only session's own id is made from it)
        var deviceId = EnrolmentOnlyChannelAdapter.ClaimedDeviceId(e.ChannelAdapter, e.ClientId);
        string? refusal = null;
        if (e.ProtocolVersion != MqttProtocolVersion.V500)
            (refusal, e.ReasonCode) = (MqttRefusals.ProtocolVersion, MqttConnectReasonCode.UnsupportedProtocolVersion);
        else if (!DeviceIds.IsValid(deviceId))
            (refusal, e.ReasonCode) = (MqttRefusals.ClientId, MqttConnectReasonCode.ClientIdentifierNotValid);
        else if (!e.IsSecureConnection && !options.AllowPlaintext)
            (refusal, e.ReasonCode) = (MqttRefusals.Plaintext, MqttConnectReasonCode.NotAuthorized);
        else
            refusal = await AuthenticateAsync(e, deviceId).ConfigureAwait(false);
        if (refusal is not null)
        {
            e.ReasonString = refusal;   // the refusal's name (certificate, second_session, ...): a device tells a refused certificate from a busy id
            metrics.Refused(refusal);
            // anyone can be refused at CONNECT: a line per reason at most every ten seconds, each counted in the metric
            if (throttle.Occurred(refusal) is { } count) MqttEndpointLog.ConnectionsRefused(logger, address, refusal, count);
            return;
        }
        e.SessionItems[RemoteAddressItem] = address;
    }

    /// <summary>
    /// Sorts the connection into its class and registers it: authenticated (a client certificate that verifies and
    /// names the client id; one session per device, a second is a clone signal) or enrolment-only (no certificate;
    /// never beside an authenticated session of the same id). Returns the refusal, or null when admitted.
    /// </summary>
    private async Task<string?> AuthenticateAsync(ValidatingConnectionEventArgs e, string deviceId)
    {
        var addressKey = SessionRegistry.AddressKey(e.RemoteEndPoint);
        var authenticated = false;
        string? tenantId = null;
        if (e.ClientCertificate is { } certificate)
        {
            var verdict = verifier is null
                ? DeviceCertificateVerdict.Refused("no certificate verifier is configured")
                : await verifier.VerifyAsync(certificate, CancellationToken.None).ConfigureAwait(false);
            if (verdict.DeviceId is null)
            {
                MqttEndpointLog.CertificateRefused(logger, e.ClientId, verdict.Failure ?? "unknown");
                e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                return MqttRefusals.Certificate;
            }
            if (!string.Equals(verdict.DeviceId, e.ClientId, StringComparison.Ordinal))
            {
                e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                return MqttRefusals.CertificateClientId;
            }
            authenticated = true;
            tenantId = verdict.TenantId;
        }
        else if (sessions.HasAuthenticated(deviceId) && !await sessions.WaitForReleaseAsync(deviceId, options.HeldSessionGrace).ConfigureAwait(false))
        {
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            return MqttRefusals.SessionHeld;
        }

        if (!sessions.TryReserveAddress(addressKey))
        {
            e.ReasonCode = MqttConnectReasonCode.QuotaExceeded;
            return MqttRefusals.AddressConnections;
        }
        var ticket = new SessionRegistry.Ticket(e.ClientId, authenticated, addressKey)
        {
            TenantId = tenantId,
            Address = AddressOf(e.RemoteEndPoint),
            Liveness = (e.ChannelAdapter as ProbedChannelAdapter)?.Liveness,
        };
        if (authenticated && !sessions.TryAddAuthenticated(ticket)
            && !(await sessions.WaitForReleaseAsync(e.ClientId, options.HeldSessionGrace, askLiveness: true).ConfigureAwait(false) && sessions.TryAddAuthenticated(ticket)))
        {
            sessions.ReleaseAddress(addressKey);
            metrics.CloneSignal();
            MqttEndpointLog.CloneSignal(logger, e.ClientId, AddressOf(e.RemoteEndPoint));
            Tell(DeviceSessionChange.SecondSessionRefused, ticket);
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            return MqttRefusals.SecondSession;
        }
        e.SessionItems[TicketItem] = ticket;
        e.SessionItems[AuthenticatedItem] = authenticated;
        if (authenticated) Tell(DeviceSessionChange.Connected, ticket);
        return null;
    }

    private void Tell(DeviceSessionChange change, SessionRegistry.Ticket ticket) =>
        observer?.Observe(new DeviceSessionEvent(change, ticket.ClientId, ticket.TenantId, ticket.Address, ticket.SessionId,
            (clock ?? TimeProvider.System).GetUtcNow()));

    /// <summary>Releases what the connection's CONNECT registered.</summary>
    public Task ClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        if (e.SessionItems?[TicketItem] is SessionRegistry.Ticket ticket)
        {
            e.SessionItems.Remove(TicketItem);
            // told before the release: a CONNECT the release admits is told after, so observers never see it first
            if (ticket.Authenticated) Tell(DeviceSessionChange.Disconnected, ticket);
            sessions.Release(ticket);
        }
        return Task.CompletedTask;
    }

    /// <summary>Whether the client's session was authenticated by its certificate.</summary>
    public static bool IsAuthenticated(IDictionary sessionItems) => sessionItems[AuthenticatedItem] is true;

    public Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic ?? "";
        if (filter.StartsWith(Topics.DeviceSubtree(SessionIds.DeviceOf(e.ClientId)), StringComparison.Ordinal)) return Task.CompletedTask;
        e.ProcessSubscription = false;
        e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        metrics.Refused(MqttRefusals.SubscribeTopic);
        MqttEndpointLog.Refused(logger, "subscription", e.ClientId, filter, MqttRefusals.SubscribeTopic);
        return Task.CompletedTask;
    }

    public Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        e.ProcessPublish = false; // devices talk to the service, never to each other
        if (admission.Admit(e.ClientId, e.ApplicationMessage, e.SessionItems[RemoteAddressItem] as string, IsAuthenticated(e.SessionItems)) is { } refusal)
        {
            e.Response.ReasonCode = Replies.PubAckReason(refusal.Error);
            e.Response.ReasonString = refusal.Error.ToString();
            e.Response.UserProperties = Replies.ErrorProperties(refusal.Error, refusal.RetryAfterSeconds);
        }
        return Task.CompletedTask;
    }

    private static string? AddressOf(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(),
        null => null,
        _ => endPoint.ToString(),
    };
}
