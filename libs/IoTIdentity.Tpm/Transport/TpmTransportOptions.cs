using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Transport;

/// <summary>Limits applied by every transport.</summary>
public sealed record TpmTransportOptions
{
    /// <summary>The defaults: 8 KiB responses, 10 s to connect, 2 minutes per command.</summary>
    public static TpmTransportOptions Default { get; } = new();

    /// <summary>
    /// The largest response accepted, header included; a larger responseSize is rejected before any body byte
    /// is read. Defaults to <see cref="TpmConstants.MaxResponseSize"/>; TPMs report their own limit as
    /// TPM_PT_MAX_RESPONSE_SIZE (Part 2, §6.13).
    /// </summary>
    public int MaxResponseSize { get; init; } = TpmConstants.MaxResponseSize;

    /// <summary>How long to wait for a socket connection to a simulator.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long to wait for a response. Generous by default: a real TPM may take tens of seconds to generate
    /// an RSA primary key. <see cref="Timeout.InfiniteTimeSpan"/> disables the limit.
    /// </summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromMinutes(2);

    internal void Validate()
    {
        if (MaxResponseSize < 10)
            throw new ArgumentOutOfRangeException(nameof(MaxResponseSize), MaxResponseSize, "must be at least the 10-byte header");
    }
}
