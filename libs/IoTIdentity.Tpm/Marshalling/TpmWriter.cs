using System.Buffers.Binary;

namespace IoTIdentity.Tpm.Marshalling;

/// <summary>
/// Writes big-endian TPM wire data into a growable buffer. Size-prefixed regions are written with
/// <see cref="BeginSized"/>/<see cref="EndSized"/>, which patch the UINT16 (or UINT32) length afterwards.
/// Pass it by <c>ref</c>.
/// </summary>
public ref struct TpmWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with an initial capacity.</summary>
    public TpmWriter(int capacity)
    {
        _buffer = new byte[Math.Max(capacity, 16)];
        _length = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Copies out the bytes written.</summary>
    public readonly byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>Writes a UINT8.</summary>
    public void WriteByte(byte value) => Grow(1)[0] = value;

    /// <summary>Writes a TPMI_YES_NO.</summary>
    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a UINT16.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Grow(2), value);

    /// <summary>Writes a UINT32.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Grow(4), value);

    /// <summary>Writes a UINT64.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Grow(8), value);

    /// <summary>Writes raw bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

    /// <summary>Writes a TPM2B: UINT16 size then the bytes.</summary>
    public void WriteSized(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ushort.MaxValue) throw new TpmFormatException($"TPM2B of {bytes.Length} bytes is too large");
        WriteUInt16((ushort)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>Reserves a UINT16 size field; returns a mark for <see cref="EndSized"/>.</summary>
    public int BeginSized()
    {
        var mark = _length;
        WriteUInt16(0);
        return mark;
    }

    /// <summary>Patches the UINT16 size reserved at <paramref name="mark"/> with the bytes written since.</summary>
    public void EndSized(int mark)
    {
        var size = _length - mark - 2;
        if (size > ushort.MaxValue) throw new TpmFormatException($"sized structure of {size} bytes is too large");
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(mark, 2), (ushort)size);
    }

    /// <summary>Overwrites a UINT32 at an absolute offset (command/response size fields).</summary>
    public void PatchUInt32(int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(offset, 4), value);

    private Span<byte> Grow(int count)
    {
        _buffer ??= new byte[64];
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
