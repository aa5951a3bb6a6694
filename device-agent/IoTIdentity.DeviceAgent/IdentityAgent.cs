using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.Enrollment.Tls;
using IoTIdentity.DeviceAgent.Session;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Tpm.Commands;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// The device's identity life cycle over one state directory: enrol (first boot, expiry, re-enrol command),
/// renew (schedule, attest-now command), forget (reset, revoke command). Every operation leases the TPM
/// (<see cref="AgentTpm"/>) and opens the MQTT connection it needs; the daemon (<see cref="AgentDaemon"/>) keeps one
/// connection open for commands and passes it in.
/// </summary>
public sealed class IdentityAgent(AgentOptions options, ILogger<IdentityAgent> logger, TimeProvider? time = null, IIdentityProgress? progress = null)
{
    private readonly IIdentityProgress _progress = progress ?? IIdentityProgress.None;

    private const int RememberedCommands = 64;

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    /// <summary>The state directory's identity.</summary>
    public IdentityStore Store { get; } = new(options.StateDirectory, progress);

    /// <summary>The configuration.</summary>
    public AgentOptions Options => options;

    /// <summary>Why the agent stopped trying, if it did (cleared when a new identity is stored).</summary>
    public StateMarkers Markers { get; } = new(options.StateDirectory);

    private SessionCredentials? _credentials;

    private readonly AgentTpm _tpm = new(options.Tpm);

    private SessionCredentials Credentials => _credentials ??= new SessionCredentials(options, Store, Markers);

    /// <summary>Whether the identity was revoked (cleared when <see cref="EnrollAsync"/> stores a new one).</summary>
    public bool IsRevoked => Markers.IsRevoked;

    /// <summary>Reads the device id from the TPM's EK.</summary>
    public async Task<string> ReadDeviceIdAsync(CancellationToken cancellationToken)
    {
        await using var tpm = await _tpm.LeaseAsync(cancellationToken).ConfigureAwait(false);
        return await new TpmEnrollment(tpm.Tpm, EnrollmentOptions()).ReadDeviceIdAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Enrols from the EK and a new AK (<c>mode=enroll</c>) and makes the result the current identity. The previous
    /// identity, if any, stays current until the new one is durable.
    /// </summary>
    public async Task<StoredIdentity> EnrollAsync(EnrollmentClient? connection, CancellationToken cancellationToken, string? commandId = null)
    {
        await using var tpm = await _tpm.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var enrollment = new TpmEnrollment(tpm.Tpm, EnrollmentOptions());
        var deviceId = connection?.DeviceId ?? await enrollment.ReadDeviceIdAsync(cancellationToken).ConfigureAwait(false);
        var client = connection ?? await ConnectAsync(deviceId, tpm, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await enrollment.EnrollAsync(new ObservedChannel(client, _progress), cancellationToken).ConfigureAwait(false);
            return await KeepAsync(result, Store.Load(), commandId, RegisterModes.Enroll, cancellationToken).ConfigureAwait(false);
        }
        catch (EnrollmentRefusedException refused) when (PermanentRefusals.Contains(refused.Error))
        {
            Refused(refused.Error);
            throw;
        }
        finally
        {
            if (connection is null) await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rotates: a new AK and device key, full attestation, the register signed by the current device key
    /// (<c>mode=renew</c>). Without a current identity, or with an expired one, or when the service refuses the
    /// renewal outright (it no longer knows that certificate), it enrols instead.
    /// </summary>
    public async Task<StoredIdentity> RotateAsync(EnrollmentClient? connection, CancellationToken cancellationToken, string? commandId = null)
    {
        var current = Store.Load();
        if (current is null) return await EnrollAsync(connection, cancellationToken, commandId).ConfigureAwait(false);
        if (current.IsExpired(Time.GetUtcNow()))
        {
            AgentLog.Expired(logger, current.Metadata.SerialNumber, current.Metadata.NotAfter);
            return await EnrollAsync(connection, cancellationToken, commandId).ConfigureAwait(false);
        }
        try
        {
            await using var tpm = await _tpm.LeaseAsync(cancellationToken).ConfigureAwait(false);
            var enrollment = new TpmEnrollment(tpm.Tpm, EnrollmentOptions() with { SrkTemplate = current.SrkTemplate });
            var client = connection ?? await ConnectAsync(current.Metadata.DeviceId, tpm, cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await enrollment.RenewAsync(new ObservedChannel(client, _progress), current.DeviceKey, current.Metadata.SerialNumber, cancellationToken).ConfigureAwait(false);
                return await KeepAsync(result, current, commandId, RegisterModes.Renew, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (connection is null) await client.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (EnrollmentRefusedException refused) when (!refused.IsTransient && refused.Error != ProvisioningError.Revoked)
        {
            AgentLog.RenewalRefused(logger, current.Metadata.SerialNumber, refused.Error.ToString());
            return await EnrollAsync(connection, cancellationToken, commandId).ConfigureAwait(false);
        }
        catch (EnrollmentRefusedException refused) when (refused.Error == ProvisioningError.Revoked)
        {
            Refused(refused.Error);
            throw;
        }
    }

    /// <summary>
    /// Step 3, <c>token</c>: a short-lived JWT for <paramref name="audience"/>, asked over <paramref name="connection"/>
    /// (or a new one) with a request the current device key signs inside the TPM. Throws
    /// <see cref="EnrollmentRefusedException"/> when the service refuses, <see cref="InvalidOperationException"/> when
    /// there is no identity to ask with.
    /// </summary>
    public async Task<TokenResponse> RequestTokenAsync(string audience, int? lifetimeSeconds, EnrollmentClient? connection, CancellationToken cancellationToken)
    {
        var current = Store.Load() ?? throw new InvalidOperationException("the device has no identity yet: run 'iotid-agent enroll' (or the daemon) first");
        TokenRequest request;
        EnrollmentClient client;
        await using (var tpm = await _tpm.LeaseAsync(cancellationToken).ConfigureAwait(false))
        {
            request = await new TpmEnrollment(tpm.Tpm, EnrollmentOptions()).SignTokenRequestAsync(current.Metadata.DeviceId, current.DeviceKey, current.SrkTemplate,
                current.Metadata.SerialNumber, audience, lifetimeSeconds, cancellationToken).ConfigureAwait(false);
            client = connection ?? await ConnectAsync(current.Metadata.DeviceId, tpm, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await client.RequestTokenAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (connection is null) await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Forgets the local identity (the TPM keys become unreachable once their blobs are gone).</summary>
    public void Reset()
    {
        var current = Store.Load();
        Store.Delete();
        Markers.Clear();
        AgentLog.Reset(logger, current?.Metadata.DeviceId ?? "(none)");
    }

    /// <summary>Executes a revoke command: stop using the identity, delete it, and wait for an explicit enrol.</summary>
    public void Revoke(string commandId)
    {
        Markers.MarkRevoked($"command {commandId}");
        Store.Delete();
        AgentLog.Revoked(logger, commandId);
    }

    /// <summary>
    /// Records a refusal that needs an operator (<see cref="PermanentRefusals"/>); a revocation also deletes the
    /// identity, as a revoke command does.
    /// </summary>
    public void Refused(ProvisioningError error)
    {
        if (error == ProvisioningError.Revoked)
        {
            Markers.MarkRevoked("refused");
            Store.Delete();
            return;
        }
        Markers.MarkRefused(error.ToString(), Time.GetUtcNow());
    }

    /// <summary>The status the CLI shows.</summary>
    public AgentStatus Status()
    {
        var identity = Store.Load();
        var refusal = Markers.Refusal;
        var session = Markers.Session;
        if (identity is null)
        {
            return new AgentStatus
            {
                Session = session is null ? null : session.Authenticated ? SessionRecord.AuthenticatedClass : SessionRecord.EnrolmentOnlyClass,
                SessionReason = session?.Reason,
                Enrolled = false,
                Revoked = IsRevoked,
                Condition = IsRevoked ? "revoked" : refusal is null ? "not-enrolled" : "refused",
                Refusal = refusal?.Error,
                RefusedAt = refusal?.At,
                StateDirectory = options.StateDirectory,
            };
        }
        using var certificate = identity.LoadCertificate();
        return new AgentStatus
        {
            Enrolled = true,
            Condition = refusal is null ? "enrolled" : "refused",
            Session = session is null ? null : session.Authenticated ? SessionRecord.AuthenticatedClass : SessionRecord.EnrolmentOnlyClass,
            SessionReason = session?.Reason,
            Refusal = refusal?.Error,
            RefusedAt = refusal?.At,
            DeviceId = identity.Metadata.DeviceId,
            Owner = identity.Metadata.Owner,
            Subject = certificate.Subject,
            Serial = identity.Metadata.SerialNumber,
            NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            NotAfter = identity.Metadata.NotAfter,
            LastAttestation = identity.Metadata.LastAttestation,
            NextRenewal = identity.RenewAfter,
            CertificatePath = Store.StablePath(IdentityStore.CertificateFile),
            ChainPath = Store.StablePath(IdentityStore.ChainFile),
            KeyPath = Store.StablePath(IdentityStore.KeyFile),
            StateDirectory = options.StateDirectory,
        };
    }

    /// <summary>
    /// Connects to the service as <paramref name="deviceId"/>: an authenticated session (TLS 1.3 with the current
    /// certificate, the handshake signed by its TPM key — through OpenSSL's tpm2 provider on a shared TPM, over the
    /// agent's own TPM connection otherwise; see <see cref="SessionCredentials"/>) when the device has a current
    /// certificate the service has not refused, otherwise an enrolment-only session. A certificate the service refuses
    /// at CONNECT (revoked, unknown) is recorded and not presented again; the agent says why in its log and in
    /// <see cref="Status"/>, and connects enrolment-only, where renewal with that certificate meets the service's verdict.
    /// </summary>
    public Task<EnrollmentClient> ConnectAsync(string deviceId, CancellationToken cancellationToken) => ConnectAsync(deviceId, null, cancellationToken);

    /// <summary>
    /// <see cref="ConnectAsync(string, CancellationToken)"/> for an operation that holds the TPM (<paramref name="held"/>):
    /// the handshake is signed over that lease rather than a second connection to a TPM that serves one client.
    /// </summary>
    private async Task<EnrollmentClient> ConnectAsync(string deviceId, AgentTpm.Lease? held, CancellationToken cancellationToken)
    {
        var identity = Store.Load();
        var now = Time.GetUtcNow();
        var serial = identity?.Metadata.SerialNumber;
        var whyNot = Credentials.WhyNot(identity, deviceId, now);
        var refused = Credentials.WasRefused(serial);
        if (whyNot is null)
        {
            try
            {
                var client = Credentials.ThroughOpenSsl
                    ? await OpenSslTpm2.HandshakeAsync(() => EnrollmentClient.ConnectAsync(deviceId,
                        ClientOptions(() => Credentials.Certificate(identity!), null), cancellationToken), cancellationToken).ConfigureAwait(false)
                    : await EnrollmentClient.ConnectAsync(deviceId, ClientOptions(null, () => HandshakeCertificate(identity!, held)), cancellationToken).ConfigureAwait(false);
                Markers.MarkSession(new SessionRecord(true, serial, false, now, "the device certificate, signed in the TPM"));
                AgentLog.AuthenticatedSession(logger, deviceId, serial!);
                return client;
            }
            catch (EnrollmentRefusedException refusal) when (refusal.ConnectReason is MqttConnectRefusals.Certificate or MqttConnectRefusals.CertificateClientId)
            {
                AgentLog.CertificateRefused(logger, serial!, refusal.ConnectReason);
                (whyNot, refused) = ($"the service refused the certificate {serial} ({refusal.ConnectReason}); it is not presented again", true);
            }
        }
        var enrolmentOnly = await EnrollmentClient.ConnectAsync(deviceId, ClientOptions(null, null), cancellationToken).ConfigureAwait(false);
        Markers.MarkSession(new SessionRecord(false, serial, refused, now, whyNot));
        AgentLog.EnrolmentOnlySession(logger, deviceId, whyNot);
        return enrolmentOnly;
    }

    /// <summary>Whether the service refused <paramref name="identity"/>'s certificate at connect (it is then not presented again).</summary>
    public bool CertificateRefused(StoredIdentity identity) => Credentials.WasRefused(identity.Metadata.SerialNumber);

    /// <summary>Whether a new session would be authenticated (the daemon replaces an enrolment-only one when it would).</summary>
    public bool CanAuthenticate(string deviceId) => Credentials.WhyNot(Store.Load(), deviceId, Time.GetUtcNow()) is null;

    private EnrollmentClientOptions ClientOptions(Func<X509Certificate2>? certificate, Func<TpmClientCertificate>? tpmCertificate) => new()
    {
        Host = options.BrokerHost,
        Port = options.BrokerPort,
        UseTls = options.UseTls,
        TrustAnchorPath = options.TrustAnchorPath,
        RequestTimeout = options.RequestTimeout,
        ClientCertificate = certificate,
        TpmClientCertificate = tpmCertificate,
        TlsProtocols = certificate is null ? System.Security.Authentication.SslProtocols.None : System.Security.Authentication.SslProtocols.Tls13,
    };

    /// <summary>
    /// <paramref name="identity"/>'s chain, its handshake signed by the device key over <paramref name="held"/> when the
    /// caller holds the TPM, or over a lease of its own (the daemon's reconnect).
    /// </summary>
    private TpmClientCertificate HandshakeCertificate(StoredIdentity identity, AgentTpm.Lease? held) => new(identity.Metadata.CertificateChain, async (digest, ct) =>
    {
        if (held is not null) return await SignAsync(held.Tpm).ConfigureAwait(false);
        await using var lease = await _tpm.LeaseAsync(ct).ConfigureAwait(false);
        return await SignAsync(lease.Tpm).ConfigureAwait(false);

        Task<byte[]> SignAsync(TpmClient tpm) => new TpmEnrollment(tpm, EnrollmentOptions()).SignHandshakeAsync(identity.DeviceKey, identity.SrkTemplate, digest, ct);
    });

    private async Task<StoredIdentity> KeepAsync(EnrollmentResult result, StoredIdentity? previous, string? commandId, string mode, CancellationToken cancellationToken)
    {
        _progress.Reached(IdentityCheckpoint.AfterIssuance);
        var executed = (previous?.Metadata.ExecutedCommands ?? []).Concat(commandId is null ? [] : [commandId]).TakeLast(RememberedCommands).ToList();
        var stored = StoredIdentity.From(result, Time.GetUtcNow());
        stored = stored with { Metadata = stored.Metadata with { ExecutedCommands = executed } };
        Store.Save(stored);
        Markers.Clear();
        AgentLog.Issued(logger, result.DeviceId, mode, result.Issued.SerialNumber, result.Issued.Owner, result.Issued.NotAfter, result.Issued.RenewAfter);
        if (options.OnRenewed is { Length: > 0 } hook) await RenewalHook.RunAsync(hook, Store, stored, logger, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// Measured boot for a virtual device (a software TPM; on hardware the firmware does this): extends each component
    /// of the release in <paramref name="releaseDirectory"/> (its <c>manifest.json</c> and images) into the TPM's
    /// PCRs and writes the event log, atomically, to <see cref="AgentOptions.EventLogPath"/>, which enrolment and
    /// rotation then send. Run it once after each TPM reset: PCRs accumulate.
    /// </summary>
    public async Task<string> BootAsync(string releaseDirectory, CancellationToken cancellationToken)
    {
        var path = options.EventLogPath ?? throw new InvalidOperationException("set Agent:EventLogPath (--event-log) to where the boot's event log goes");
        var manifest = Attestation.Firmware.FirmwareManifestJson.Load(Path.Combine(releaseDirectory, "manifest.json"));
        await using var tpm = await _tpm.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var log = await MeasuredBoot.BootAsync(tpm.Tpm, manifest, releaseDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        await File.WriteAllBytesAsync(temp, log, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
        return manifest.Release;
    }

    private TpmEnrollmentOptions EnrollmentOptions()
    {
        var baseline = options.Ek.ToLowerInvariant() switch
        {
            "rsa" => TpmEnrollmentOptions.RsaEk(),
            "ecc" => TpmEnrollmentOptions.EccP384Ek(),
            var other => throw new InvalidOperationException($"Agent:Ek (--ek) must be 'rsa' or 'ecc', not '{other}'"),
        };
        var intermediates = new List<byte[]>();
        if (options.EkIntermediatesPath is { Length: > 0 } path)
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(path);
            intermediates.AddRange(collection.Select(c => c.RawData));
        }
        return baseline with
        {
            EkIntermediates = intermediates,
            ReadEkIntermediatesFromNv = string.IsNullOrEmpty(options.EkIntermediatesPath),
            EventLog = options.EventLogPath is { } log && File.Exists(log) ? File.ReadAllBytes(log) : null,
            EnrollmentScope = string.IsNullOrEmpty(options.EnrollmentScope) ? null : options.EnrollmentScope,
            ClaimCode = string.IsNullOrEmpty(options.ClaimCode) ? null : options.ClaimCode,
            Time = Time,
        };
    }

    /// <summary>The protocol channel, telling <paramref name="progress"/> about each exchange.</summary>
    private sealed class ObservedChannel(IEnrollmentChannel inner, IIdentityProgress progress) : IEnrollmentChannel
    {
        public string DeviceId => inner.DeviceId;

        public async Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default)
        {
            progress.Reached(IdentityCheckpoint.BeforeRequest);
            var challenge = await inner.RegisterAsync(request, cancellationToken).ConfigureAwait(false);
            progress.Reached(IdentityCheckpoint.AfterChallenge);
            return challenge;
        }

        public Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default) =>
            inner.AttestAsync(request, cancellationToken);
    }
}
