using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// The daemon's token socket (<see cref="AgentOptions.TokenSocket"/>), like SPIRE's workload API: applications on the
/// device get tokens without touching the TPM or the service. One request per connection: a JSON line
/// <see cref="LocalTokenRequest"/> in, a JSON line <see cref="LocalTokenReply"/> out. The socket file is mode 0660, so
/// the agent's user and group decide who may ask. Requests go over the daemon's own MQTT session.
/// </summary>
public sealed class LocalTokenEndpoint(IdentityAgent agent, AgentDaemon daemon, ILogger<LocalTokenEndpoint> logger) : BackgroundService
{
    /// <summary>The longest request line read.</summary>
    private const int MaxRequestBytes = 4096;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (agent.Options.TokenSocket is not { } path) return;
        if (File.Exists(path)) File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        listener.Listen(16);
        AgentLog.TokenSocketListening(logger, path);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                _ = ServeAsync(client, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        LocalTokenReply reply;
        try
        {
            var line = await ReadLineAsync(stream, ct).ConfigureAwait(false);
            var request = line is null ? null : JsonSerializer.Deserialize(line, AgentJson.Default.LocalTokenRequest);
            reply = request?.Audience is not { Length: > 0 } audience
                ? new LocalTokenReply { Error = "send one JSON line with an audience" }
                : await IssueAsync(audience, request.LifetimeSeconds, ct).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            reply = new LocalTokenReply { Error = "the request is not JSON" };
        }
        await WriteLineAsync(stream, reply, ct).ConfigureAwait(false);
    }

    private async Task<LocalTokenReply> IssueAsync(string audience, int? lifetimeSeconds, CancellationToken ct)
    {
        try
        {
            var deviceId = agent.Store.Load()?.Metadata.DeviceId;
            if (deviceId is null) return new LocalTokenReply { Error = "the device has no identity yet" };
            var connection = await daemon.ConnectionAsync(deviceId, ct).ConfigureAwait(false);
            return LocalTokenReply.From(await agent.RequestTokenAsync(audience, lifetimeSeconds, connection, ct).ConfigureAwait(false));
        }
        catch (EnrollmentRefusedException refused)
        {
            AgentLog.TokenRefused(logger, audience, refused.Error.ToString());
            return new LocalTokenReply { Error = refused.Error.ToString() };
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            AgentLog.TokenRefused(logger, audience, e.Message);
            return new LocalTokenReply { Error = AgentFailure.Explain(e, agent.Options)?.Message ?? e.Message };
        }
    }

    /// <summary>Asks the token socket at <paramref name="path"/> (what <c>iotid-agent token</c> does while the daemon runs).</summary>
    public static async Task<LocalTokenReply> AskAsync(string path, LocalTokenRequest request, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var json = JsonSerializer.Serialize(request, AgentJson.Default.LocalTokenRequest).ReplaceLineEndings("");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), ct).ConfigureAwait(false);
        var line = await ReadLineAsync(stream, ct).ConfigureAwait(false);
        return line is null ? new LocalTokenReply { Error = "the daemon closed the socket without an answer" }
            : JsonSerializer.Deserialize(line, AgentJson.Default.LocalTokenReply) ?? new LocalTokenReply { Error = "empty answer" };
    }

    private static async Task WriteLineAsync(Stream stream, LocalTokenReply reply, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(reply, AgentJson.Default.LocalTokenReply).ReplaceLineEndings("");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), ct).ConfigureAwait(false);
    }

    /// <summary>Reads up to the first newline (at most <see cref="MaxRequestBytes"/>); null when the peer sent nothing.</summary>
    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
            if (read == 0) break;
            var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (newline >= 0) return Encoding.UTF8.GetString(buffer, 0, newline);
        }
        return length == 0 ? null : Encoding.UTF8.GetString(buffer, 0, length);
    }
}
