using System.Security.Cryptography;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Sessions;

/// <summary>
/// An unsalted, unbound policy session (Part 1, §19.7) whose policy uses no PolicyAuthValue/PolicyPassword, so
/// its authorization HMAC is empty. Tracks the TPM's rolling nonce. Start one with
/// <see cref="TpmSessionExtensions.StartPolicySessionAsync"/>; flush it when done unless a command ended it.
/// </summary>
public sealed class PolicySession : ITpmAuthSession
{
    internal PolicySession(uint handle, TpmAlgId hash, byte[] nonceTpm)
    {
        Handle = handle;
        Hash = hash;
        NonceTpm = nonceTpm;
    }

    /// <inheritdoc/>
    public uint Handle { get; }

    /// <summary>The session's hash algorithm (the policy digest's algorithm).</summary>
    public TpmAlgId Hash { get; }

    /// <summary>The TPM's latest nonce (PolicySecret signs over it).</summary>
    public byte[] NonceTpm { get; private set; }

    /// <summary>Whether the session is kept open after the next command (default: closed after use).</summary>
    public bool ContinueSession { get; set; }

    /// <summary>Whether the TPM has closed the session.</summary>
    public bool IsClosed { get; private set; }

    /// <inheritdoc/>
    public void WriteAuthCommand(ref TpmWriter writer)
    {
        writer.WriteUInt32(Handle);
        writer.WriteSized(RandomNumberGenerator.GetBytes(TpmHash.DigestSize(Hash)));
        writer.WriteByte((byte)(ContinueSession ? TpmaSession.ContinueSession : TpmaSession.None));
        writer.WriteSized([]);
    }

    /// <inheritdoc/>
    public void OnAuthResponse(byte[] nonceTpm, TpmaSession attributes)
    {
        NonceTpm = nonceTpm;
        IsClosed = (attributes & TpmaSession.ContinueSession) == 0;
    }
}
