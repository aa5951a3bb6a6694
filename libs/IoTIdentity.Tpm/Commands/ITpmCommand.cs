using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// A TPM command as data (Part 3): its code, the handle area, how many of those handles need an authorization
/// session, the parameter area, and how to read its response. Executed by <see cref="TpmClient"/>.
/// </summary>
public interface ITpmCommand<TResponse>
{
    /// <summary>TPM_CC of the command.</summary>
    TpmCc Code { get; }

    /// <summary>The handle area, in Part 3 order.</summary>
    IReadOnlyList<uint> Handles => [];

    /// <summary>How many leading handles are marked "@" in Part 3 (each needs one session, in order).</summary>
    int AuthorizedHandleCount => 0;

    /// <summary>How many handles the response carries before its parameters.</summary>
    int ResponseHandleCount => 0;

    /// <summary>Marshals the parameter area.</summary>
    void WriteParameters(ref TpmWriter writer);

    /// <summary>Reads the response parameter area; <paramref name="handles"/> are the response handles.</summary>
    TResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters);
}

/// <summary>The response of a command that returns no parameters.</summary>
public sealed record TpmNoResponse
{
    private TpmNoResponse() { }

    /// <summary>The single instance.</summary>
    public static TpmNoResponse Instance { get; } = new();
}
