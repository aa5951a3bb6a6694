using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Sessions;

/// <summary>
/// The password authorization session, TPM_RS_PW (Part 1, §19.8.4): the auth value travels in clear in the hmac
/// field. Immutable; <see cref="Empty"/> authorizes hierarchies and keys with an empty auth value.
/// </summary>
public sealed class PasswordSession(byte[] password) : ITpmAuthSession
{
    private readonly byte[] _password = password.ToArray();

    /// <summary>The empty password.</summary>
    public static PasswordSession Empty { get; } = new([]);

    /// <inheritdoc/>
    public uint Handle => TpmHandles.Password;

    /// <inheritdoc/>
    public void WriteAuthCommand(ref TpmWriter writer)
    {
        writer.WriteUInt32(TpmHandles.Password);
        writer.WriteSized([]);
        writer.WriteByte((byte)TpmaSession.ContinueSession);
        writer.WriteSized(_password);
    }

    /// <inheritdoc/>
    public void OnAuthResponse(byte[] nonceTpm, TpmaSession attributes)
    {
        if (nonceTpm.Length != 0) throw new TpmFormatException("password session response carries a nonce");
    }
}
