using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>Whole-index NV reads.</summary>
public static class TpmNvExtensions
{
    /// <summary>The chunk size assumed when the TPM does not report TPM_PT_NV_BUFFER_MAX.</summary>
    public const int DefaultChunk = 512;

    /// <summary>
    /// Reads a whole NV index in chunks of at most TPM_PT_NV_BUFFER_MAX (or <paramref name="chunkSize"/> if smaller),
    /// authorizing as the owner when the index allows OWNERREAD, else with the index's own (empty) auth.
    /// </summary>
    public static async Task<byte[]> ReadNvAsync(this TpmClient tpm, uint nvIndex, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        var nvPublic = (await tpm.ExecuteAsync(new NvReadPublic(nvIndex), [], cancellationToken).ConfigureAwait(false)).NvPublic.Value;
        var auth = (nvPublic.Attributes & TpmaNv.OwnerRead) != 0 ? TpmHandles.Owner : nvIndex;
        var max = await tpm.GetNvBufferMaxAsync(cancellationToken).ConfigureAwait(false);
        var chunk = Math.Min(chunkSize ?? max, max);
        if (chunk <= 0) throw new ArgumentOutOfRangeException(nameof(chunkSize));
        var data = new byte[nvPublic.DataSize];
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            var size = (ushort)Math.Min(chunk, data.Length - offset);
            var part = await tpm.ExecuteAsync(new NvRead(auth, nvIndex, size, (ushort)offset), [PasswordSession.Empty], cancellationToken).ConfigureAwait(false);
            if (part.Length != size) throw new TpmFormatException($"NV_Read returned {part.Length} bytes, {size} asked");
            part.CopyTo(data, offset);
        }
        return data;
    }

    /// <summary>TPM_PT_NV_BUFFER_MAX, or <see cref="DefaultChunk"/> if the TPM does not say.</summary>
    public static async Task<int> GetNvBufferMaxAsync(this TpmClient tpm, CancellationToken cancellationToken = default)
    {
        var value = await tpm.GetPropertyAsync(TpmConstants.PtNvBufferMax, cancellationToken).ConfigureAwait(false);
        return value is > 0 and <= 4096 ? (int)value : DefaultChunk;
    }

    /// <summary>One TPM_CAP_TPM_PROPERTIES value, or null when the TPM does not report it.</summary>
    public static async Task<uint?> GetPropertyAsync(this TpmClient tpm, uint property, CancellationToken cancellationToken = default)
    {
        var response = await tpm.ExecuteAsync(new GetCapability(TpmCap.TpmProperties, property, 1), [], cancellationToken).ConfigureAwait(false);
        foreach (var (tag, value) in response.Data.Properties)
            if (tag == property) return value;
        return null;
    }
}
