using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Attestation.Verification;

/// <summary>A quote that passed every check of <see cref="QuoteVerifier"/>; only the verifier creates one.</summary>
public sealed class VerifiedQuote
{
    internal VerifiedQuote(TpmsAttest attest, IReadOnlyList<PcrValue> pcrs)
    {
        Attest = attest;
        Pcrs = pcrs;
    }

    /// <summary>The signed attestation structure.</summary>
    public TpmsAttest Attest { get; }

    /// <summary>The PCR values the quote vouches for, in selection order.</summary>
    public IReadOnlyList<PcrValue> Pcrs { get; }

    /// <summary>TPMS_CLOCK_INFO at quote time (reset and restart counts tell of reboots).</summary>
    public TpmsClockInfo Clock => Attest.ClockInfo;

    /// <summary>The TPM firmware version it reported.</summary>
    public ulong FirmwareVersion => Attest.FirmwareVersion;
}
