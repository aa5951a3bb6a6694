using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Sessions;

/// <summary>An authorization session as it appears in a command's authorization area (Part 1, §19.6).</summary>
public interface ITpmAuthSession
{
    /// <summary>The session handle (TPM_RS_PW for a password).</summary>
    uint Handle { get; }

    /// <summary>Writes the TPMS_AUTH_COMMAND (Part 2, §10.13.2) for the next command.</summary>
    void WriteAuthCommand(ref TpmWriter writer);

    /// <summary>Takes the TPMS_AUTH_RESPONSE (Part 2, §10.13.3) the TPM returned.</summary>
    void OnAuthResponse(byte[] nonceTpm, TpmaSession attributes);
}
