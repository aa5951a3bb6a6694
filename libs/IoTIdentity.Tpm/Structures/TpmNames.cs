using System.Buffers.Binary;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// Object and NV index Names — Part 1, §16: nameAlg (UINT16) followed by the nameAlg digest of the marshalled
/// public area. Always computed over the bytes as received (<see cref="Tpm2b{T}.Raw"/>).
/// </summary>
public static class TpmNames
{
    /// <summary>The Name of an object.</summary>
    public static byte[] Of(Tpm2b<TpmtPublic> publicArea) => Compute(publicArea.Value.NameAlg, publicArea.Raw);

    /// <summary>The Name of an NV index.</summary>
    public static byte[] Of(Tpm2b<TpmsNvPublic> nvPublic) => Compute(nvPublic.Value.NameAlg, nvPublic.Raw);

    /// <summary>nameAlg || H_nameAlg(marshalled public area).</summary>
    public static byte[] Compute(TpmAlgId nameAlg, ReadOnlySpan<byte> marshalledPublic)
    {
        var size = TpmHash.DigestSize(nameAlg);
        var name = new byte[2 + size];
        BinaryPrimitives.WriteUInt16BigEndian(name, (ushort)nameAlg);
        var digest = TpmHash.Hash(nameAlg, marshalledPublic);
        digest.CopyTo(name, 2);
        return name;
    }

    /// <summary>The Name of a permanent entity or session: its handle, big-endian (Part 1, §16).</summary>
    public static byte[] OfHandle(uint handle)
    {
        var name = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(name, handle);
        return name;
    }
}
