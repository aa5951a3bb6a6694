using System.Buffers.Binary;

namespace IoTIdentity.Tpm.Marshalling;

/// <summary>
/// Reads big-endian TPM wire data (Part 1, §18 "Canonicalization") from a span. Every read checks the remaining
/// length first, so a truncated or lying buffer raises <see cref="TpmFormatException"/>, never an over-read.
/// </summary>
public ref struct TpmReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    /// <summary>Creates a reader positioned at the start of <paramref name="buffer"/>.</summary>
    public TpmReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>The bytes between <paramref name="start"/> and the current position (for keeping raw signed bytes).</summary>
    public readonly ReadOnlySpan<byte> Consumed(int start) => _buffer[start.._position];

    /// <summary>Reads a UINT8.</summary>
    public byte ReadByte() => Take(1)[0];

    /// <summary>Reads a UINT16.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    /// <summary>Reads a UINT32.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>Reads a UINT64.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    /// <summary>Reads a TPMI_YES_NO (only 0 or 1 are valid).</summary>
    public bool ReadBool()
    {
        var value = ReadByte();
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw new TpmFormatException($"TPMI_YES_NO value {value} is neither 0 nor 1"),
        };
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0) throw new TpmFormatException($"negative length {count}");
        return Take(count);
    }

    /// <summary>
    /// Reads a TPM2B: a UINT16 size then that many bytes. <paramref name="maxSize"/> is the structure's
    /// maximum from Part 2 (e.g. sizeof(TPMU_HA) for a digest); a larger size is a format error.
    /// </summary>
    public byte[] ReadSized(int maxSize, string what)
    {
        var size = ReadUInt16();
        if (size > maxSize) throw new TpmFormatException($"{what} size {size} exceeds its maximum {maxSize}");
        if (size > Remaining) throw new TpmFormatException($"{what} size {size} exceeds the {Remaining} bytes remaining");
        return Take(size).ToArray();
    }

    /// <summary>
    /// Reads a size-prefixed structure (e.g. TPM2B_PUBLIC): returns a reader limited to exactly the declared
    /// bytes and advances past them. The caller must consume the inner reader fully (<see cref="EnsureEnd"/>).
    /// </summary>
    public TpmReader ReadSizedScope(int maxSize, string what)
    {
        var size = ReadUInt16();
        if (size > maxSize) throw new TpmFormatException($"{what} size {size} exceeds its maximum {maxSize}");
        if (size > Remaining) throw new TpmFormatException($"{what} size {size} exceeds the {Remaining} bytes remaining");
        return new TpmReader(Take(size));
    }

    /// <summary>Throws unless every byte has been consumed.</summary>
    public readonly void EnsureEnd(string what)
    {
        if (Remaining != 0) throw new TpmFormatException($"{what} has {Remaining} unexpected trailing bytes");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
            throw new TpmFormatException($"truncated: needed {count} bytes at offset {_position}, {Remaining} remain");
        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
