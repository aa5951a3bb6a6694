using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Tests.Structures;

/// <summary>Round-trip assertions over <see cref="ITpmStructure{TSelf}"/>.</summary>
public static class StructureAssert
{
    /// <summary>
    /// Marshals <paramref name="value"/>, unmarshals the bytes (which must be consumed exactly) and marshals again;
    /// both marshallings must be identical. Returns the parsed copy for field checks.
    /// </summary>
    public static T RoundTrips<T>(T value, out byte[] bytes) where T : ITpmStructure<T>
    {
        bytes = TpmMarshal.ToBytes(value);
        var parsed = TpmMarshal.FromBytes<T>(bytes);
        Assert.Equal(bytes, TpmMarshal.ToBytes(parsed));
        return parsed;
    }

    /// <inheritdoc cref="RoundTrips{T}(T, out byte[])"/>
    public static T RoundTrips<T>(T value) where T : ITpmStructure<T> => RoundTrips(value, out _);

    /// <summary>Parsing <paramref name="bytes"/> as <typeparamref name="T"/> is a format error; returns its message.</summary>
    public static string IsFormatError<T>(byte[] bytes) where T : ITpmStructure<T> =>
        Assert.Throws<TpmFormatException>(() => TpmMarshal.FromBytes<T>(bytes)).Message;
}
