namespace IoTIdentity.Tpm.Marshalling;

/// <summary>Whole-buffer helpers over <see cref="ITpmStructure{TSelf}"/>.</summary>
public static class TpmMarshal
{
    /// <summary>Marshals a structure to a new array.</summary>
    public static byte[] ToBytes<T>(T value) where T : ITpmStructure<T>
    {
        var writer = new TpmWriter(256);
        value.WriteTo(ref writer);
        return writer.ToArray();
    }

    /// <summary>Unmarshals a structure that must occupy the whole buffer (trailing bytes are a format error).</summary>
    public static T FromBytes<T>(ReadOnlySpan<byte> bytes) where T : ITpmStructure<T>
    {
        var reader = new TpmReader(bytes);
        var value = T.ReadFrom(ref reader);
        reader.EnsureEnd(typeof(T).Name);
        return value;
    }
}
