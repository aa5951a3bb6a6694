using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Transport;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// Executes <see cref="ITpmCommand{TResponse}"/>s over an <see cref="ITpmTransport"/>: builds the command header,
/// handle and authorization areas (Part 1, §18; Part 3, §5), sends it, decodes the response code into a
/// <see cref="TpmException"/>, and reads the response handles, parameters and session acknowledgements.
/// Supports password sessions and policy sessions whose policy needs no HMAC (e.g. PolicySecret), which is what
/// attestation needs; HMAC and parameter-encryption sessions are not implemented.
/// </summary>
public sealed class TpmClient(ITpmTransport transport, bool ownsTransport = true) : IAsyncDisposable
{
    /// <summary>The transport commands go over.</summary>
    public ITpmTransport Transport { get; } = transport;

    /// <summary>Executes a command with one session per authorized handle, in handle order.</summary>
    public Task<TResponse> ExecuteAsync<TResponse>(ITpmCommand<TResponse> command, params ITpmAuthSession[] sessions) =>
        ExecuteAsync(command, sessions, CancellationToken.None);

    /// <summary>Executes a command with one session per authorized handle, in handle order.</summary>
    public async Task<TResponse> ExecuteAsync<TResponse>(ITpmCommand<TResponse> command, IReadOnlyList<ITpmAuthSession> sessions, CancellationToken cancellationToken)
    {
        if (sessions.Count != command.AuthorizedHandleCount)
            throw new ArgumentException($"{command.Code} needs {command.AuthorizedHandleCount} session(s), {sessions.Count} given", nameof(sessions));
        for (var attempt = 1; ; attempt++)
        {
            var bytes = Marshal(command, sessions);
            var response = await Transport.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
            try
            {
                return Unmarshal(command, sessions, response);
            }
            catch (TpmException e) when (attempt < MaxAttempts && e.Code is TpmRc.Retry or TpmRc.Yielded or TpmRc.Testing)
            {
                // Part 2, §6.6.3: these warnings mean the command was not run; the TPM asks for it again.
                await Task.Delay(RetryDelay * attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How often a command answered with TPM_RC_RETRY, TPM_RC_YIELDED or TPM_RC_TESTING is sent in all.</summary>
    public const int MaxAttempts = 5;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>Builds the command bytes (exposed for tests and tracing).</summary>
    public static byte[] Marshal<TResponse>(ITpmCommand<TResponse> command, IReadOnlyList<ITpmAuthSession> sessions)
    {
        var writer = new TpmWriter(256);
        writer.WriteUInt16((ushort)(sessions.Count > 0 ? TpmSt.Sessions : TpmSt.NoSessions));
        writer.WriteUInt32(0);
        writer.WriteUInt32((uint)command.Code);
        foreach (var handle in command.Handles) writer.WriteUInt32(handle);
        if (sessions.Count > 0)
        {
            var authStart = writer.Length;
            writer.WriteUInt32(0);
            foreach (var session in sessions) session.WriteAuthCommand(ref writer);
            writer.PatchUInt32(authStart, (uint)(writer.Length - authStart - 4));
        }
        command.WriteParameters(ref writer);
        writer.PatchUInt32(2, (uint)writer.Length);
        return writer.ToArray();
    }

    private static TResponse Unmarshal<TResponse>(ITpmCommand<TResponse> command, IReadOnlyList<ITpmAuthSession> sessions, byte[] response)
    {
        TpmResponse.ThrowIfError(response, command.Code);
        var reader = new TpmReader(response);
        var tag = (TpmSt)reader.ReadUInt16();
        reader.ReadBytes(TpmResponse.HeaderSize - 2);
        var handles = new uint[command.ResponseHandleCount];
        for (var i = 0; i < handles.Length; i++) handles[i] = reader.ReadUInt32();
        TResponse result;
        if (tag == TpmSt.Sessions)
        {
            var parameterSize = reader.ReadUInt32();
            if (parameterSize > reader.Remaining) throw new TpmFormatException($"{command.Code} parameterSize {parameterSize} exceeds the response");
            var parameters = new TpmReader(reader.ReadBytes((int)parameterSize));
            result = command.ReadResponse(handles, ref parameters);
            parameters.EnsureEnd($"{command.Code} response parameters");
            foreach (var session in sessions)
            {
                var nonce = reader.ReadSized(Tpm2bLimits.Digest, "TPMS_AUTH_RESPONSE nonce");
                var attributes = (TpmaSession)reader.ReadByte();
                reader.ReadSized(Tpm2bLimits.Digest, "TPMS_AUTH_RESPONSE hmac");
                session.OnAuthResponse(nonce, attributes);
            }
        }
        else if (tag == TpmSt.NoSessions)
        {
            if (sessions.Count > 0) throw new TpmFormatException($"{command.Code} response has no sessions but {sessions.Count} were sent");
            result = command.ReadResponse(handles, ref reader);
        }
        else
        {
            throw new TpmFormatException($"{command.Code} response has unexpected tag 0x{(ushort)tag:X4}");
        }
        reader.EnsureEnd($"{command.Code} response");
        return result;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ownsTransport ? Transport.DisposeAsync() : ValueTask.CompletedTask;
}
